import { execFile } from 'node:child_process';
import { readdir } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, inject, it } from 'vitest';

const dir = fileURLToPath(new URL('./histories/', import.meta.url));

/**
 * Replays recorded histories against today's workflow code. A change that would break running
 * executions (non-determinism) fails here; guard intended changes with `patched()`.
 */
describe('workflow replay', () => {
  it('replays every recorded history without non-determinism', async () => {
    const files = (await readdir(dir)).filter((f) => f.endsWith('.json')).sort();
    expect(files.length).toBeGreaterThanOrEqual(3);
    const { stdout } = await promisify(execFile)(process.execPath, ['--import', 'tsx', 'test/replay/replay-histories.ts'], {
      env: { ...process.env, WORKFLOW_BUNDLE_PATH: inject('workflowBundlePath') },
    }).catch((err: { stdout?: string; message: string }) => {
      throw new Error(`replay failed:\n${err.stdout ?? err.message}`);
    });
    // The SDK core may log warnings on stdout too; the script's verdicts are the "ok"/"FAIL" lines.
    const lines = stdout.trim().split('\n').filter((line) => /^(ok|FAIL) /.test(line));
    expect(lines).toEqual(files.map((f) => `ok ${f.replace(/\.json$/, '')}`));
    // About 15 s on a quiet machine; a loaded CI machine took over a minute to replay the 88 histories.
  }, 300_000);
});
