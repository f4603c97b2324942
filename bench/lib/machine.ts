import { execFile } from 'node:child_process';
import { cpus, loadavg, totalmem } from 'node:os';
import { promisify } from 'node:util';
import postgres from 'postgres';
import { adminDatabaseUrl, temporalBinary } from './paths';

export interface MachineInfo {
  cpuModel: string;
  cpus: number;
  memoryGiB: number;
  node: string;
  postgres: string;
  temporal: string;
  /** 1, 5 and 15 minutes: other work on the machine shows here. */
  loadAverage: number[];
}

let cached: Omit<MachineInfo, 'loadAverage'> | null = null;

/** What the figures were measured on; the load average is read fresh every time. */
export async function machineInfo(): Promise<MachineInfo> {
  if (!cached) {
    const sql = postgres(adminDatabaseUrl, { max: 1, onnotice: () => {} });
    const [{ version }] = (await sql`select version()`) as unknown as [{ version: string }];
    await sql.end();
    let temporal = 'unknown';
    try {
      temporal = (await promisify(execFile)(temporalBinary, ['--version'])).stdout.trim().replace(/^temporal version /, '');
    } catch {
      // not built yet
    }
    cached = {
      cpuModel: cpus()[0]?.model.trim() ?? 'unknown',
      cpus: cpus().length,
      memoryGiB: Math.round(totalmem() / 2 ** 30),
      node: process.version,
      postgres: version.split(' on ')[0] ?? version,
      temporal,
    };
  }
  return { ...cached, loadAverage: loadavg() };
}
