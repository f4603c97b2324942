import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { PoolState } from './pool';

/**
 * The state file: the pool, its leases and the cached public key as JSON, so a restart keeps serving the seats it
 * holds. Written to a temporary file and renamed over the old one, so a crash mid-write leaves the old state.
 */
export async function loadState(path: string): Promise<PoolState | null> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw err;
  }
  return JSON.parse(text) as PoolState;
}

export async function saveState(path: string, state: PoolState): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  const temporary = `${path}.${process.pid}.tmp`;
  await writeFile(temporary, `${JSON.stringify(state, null, 2)}\n`, { mode: 0o600 });
  await rename(temporary, path);
}
