/**
 * CPU per process over a measured phase, from /proc (Linux): what each of the benchmark's processes used,
 * what the whole machine used, and so what everything else on the machine took meanwhile. On a shared
 * machine the last figure says how far a result can be trusted (the load average alone does not say whose
 * load it was).
 */
import { readFile } from 'node:fs/promises';
import type postgres from 'postgres';
import type { Cell, Section } from './report';

/** Clock ticks per second of /proc's CPU times (`getconf CLK_TCK`; 100 on Linux). */
const ticksPerSecond = 100;

/** Processes by the name they are reported under (several pids: PostgreSQL's backends of one database). */
export type ProcessGroups = Record<string, number[]>;

export interface CpuSample {
  at: number;
  /** CPU seconds used by the machine (every core, everything but idle and I/O wait). */
  machineBusy: number;
  byGroup: Record<string, number>;
}

export interface CpuFigures {
  wallSeconds: number;
  cores: number;
  /** CPU seconds per group and for the machine; a core fully busy for the phase is `wallSeconds`. */
  byGroup: Record<string, number>;
  machine: number;
  /** The machine's CPU seconds not used by any process of the benchmark (other work on the machine). */
  others: number;
}

/** CPU seconds (user + system) of one process; 0 when it is gone. */
async function processSeconds(pid: number): Promise<number> {
  try {
    const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name (which may hold spaces): state is field 3, utime 14 and stime 15.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / ticksPerSecond;
  } catch {
    return 0;
  }
}

async function machineBusySeconds(): Promise<{ busy: number; cores: number }> {
  const stat = await readFile('/proc/stat', 'utf8');
  const [total, ...perCore] = stat.split('\n').filter((l) => l.startsWith('cpu'));
  const [user, nice, system, , , irq, softirq, steal] = total!.trim().split(/\s+/).slice(1).map(Number);
  return { busy: (user! + nice! + system! + irq! + softirq! + (steal ?? 0)) / ticksPerSecond, cores: perCore.length };
}

/** The server processes of PostgreSQL's sessions on the benchmark's database (the API's and worker's pools). */
export async function postgresBackends(sql: postgres.Sql): Promise<number[]> {
  const rows = await sql<Array<{ pid: number }>>`select pid from pg_stat_activity where datname = current_database() and pid <> pg_backend_pid()`;
  return rows.map((r) => r.pid);
}

export async function sampleCpu(groups: ProcessGroups): Promise<CpuSample> {
  const byGroup: Record<string, number> = {};
  for (const [name, pids] of Object.entries(groups)) {
    byGroup[name] = (await Promise.all(pids.map(processSeconds))).reduce((a, b) => a + b, 0);
  }
  return { at: Date.now(), machineBusy: (await machineBusySeconds()).busy, byGroup };
}

/** The CPU used between two samples; a group missing from the first (a process started since) counts from 0. */
export async function cpuBetween(before: CpuSample, after: CpuSample): Promise<CpuFigures> {
  const byGroup: Record<string, number> = {};
  for (const [name, seconds] of Object.entries(after.byGroup)) byGroup[name] = Math.max(0, seconds - (before.byGroup[name] ?? 0));
  const machine = after.machineBusy - before.machineBusy;
  const ours = Object.values(byGroup).reduce((a, b) => a + b, 0);
  return { wallSeconds: (after.at - before.at) / 1000, cores: (await machineBusySeconds()).cores, byGroup, machine, others: Math.max(0, machine - ours) };
}

/** One table: a row per process group and phase, CPU seconds and the share of one core. */
export function cpuSection(title: string, phases: Array<{ phase: string; cpu: CpuFigures }>): Section {
  const share = (seconds: number, wall: number) => (wall > 0 ? `${Math.round((100 * seconds) / wall)} %` : '—');
  const rows: Cell[][] = [];
  for (const { phase, cpu } of phases) {
    for (const [name, seconds] of Object.entries(cpu.byGroup)) rows.push([phase, name, seconds.toFixed(1), share(seconds, cpu.wallSeconds)]);
    rows.push([phase, 'everything else on the machine', cpu.others.toFixed(1), share(cpu.others, cpu.wallSeconds)]);
    rows.push([phase, `machine (${cpu.cores} cores = ${cpu.cores * 100} %)`, cpu.machine.toFixed(1), share(cpu.machine, cpu.wallSeconds)]);
  }
  return { title, columns: ['phase', 'process', 'CPU s', 'of one core'], rows };
}
