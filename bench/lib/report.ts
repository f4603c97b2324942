/**
 * Results go to stdout: a table per section for people, then one line `BENCH_RESULT {json}` for machines
 * (grep for it). Progress and logs go to stderr, so `> results.txt` keeps only the figures.
 */
import { machineInfo, type MachineInfo } from './machine';

export type Cell = string | number | null | undefined;

export interface Section {
  title: string;
  columns: string[];
  rows: Cell[][];
}

export interface BenchResult {
  benchmark: string;
  /** The sizes and settings the run used (flags or environment). */
  options: Record<string, unknown>;
  /** The machine and the load on it. */
  machine: MachineInfo;
  startedAt: string;
  finishedAt: string;
  /** The figures, by name (what the JSON consumer reads). */
  figures: Record<string, unknown>;
  /** Targets from the issue and whether this run met them. */
  targets?: Array<{ target: string; measured: string; met: boolean }>;
}

export const fmt = {
  int: (n: number | null | undefined) => (n === null || n === undefined || Number.isNaN(n) ? '—' : Math.round(n).toLocaleString('en-US')),
  num: (n: number | null | undefined, digits = 1) => (n === null || n === undefined || Number.isNaN(n) ? '—' : n.toFixed(digits)),
  ms: (n: number | null | undefined) => (n === null || n === undefined || Number.isNaN(n) ? '—' : n >= 100 ? `${Math.round(n)} ms` : `${n.toFixed(1)} ms`),
  s: (ms: number | null | undefined) => (ms === null || ms === undefined || Number.isNaN(ms) ? '—' : `${(ms / 1000).toFixed(1)} s`),
};

function table({ title, columns, rows }: Section): string {
  const text = (c: Cell) => (c === null || c === undefined ? '—' : String(c));
  const widths = columns.map((c, i) => Math.max(c.length, ...rows.map((r) => text(r[i]).length)));
  const numeric = columns.map((_, i) => rows.every((r) => /^[-\d.,]+( ?(ms|s|%|\/s|×))?$|^—$/.test(text(r[i]))));
  const cell = (c: Cell, i: number) => (numeric[i] && i > 0 ? text(c).padStart(widths[i]!) : text(c).padEnd(widths[i]!));
  const line = (cells: Cell[]) => `| ${cells.map(cell).join(' | ')} |`;
  const rule = `|${widths.map((w, i) => (numeric[i] && i > 0 ? `${'-'.repeat(w + 1)}:` : '-'.repeat(w + 2))).join('|')}|`;
  return [`### ${title}`, '', line(columns), rule, ...rows.map(line), ''].join('\n');
}

/** Prints the sections as Markdown tables (paste-able into BENCHMARKS.md) and the JSON line. */
export async function printResult(result: Omit<BenchResult, 'machine' | 'finishedAt'> & { machine?: MachineInfo }, sections: Section[]): Promise<void> {
  const machine = result.machine ?? (await machineInfo());
  const full: BenchResult = { ...result, machine, finishedAt: new Date().toISOString() };
  const out: string[] = [];
  out.push(`## ${result.benchmark}: ${full.finishedAt}`);
  out.push('');
  out.push(`Machine: ${machine.cpus} × ${machine.cpuModel}, ${machine.memoryGiB} GiB; Node ${machine.node}; ${machine.postgres}; Temporal CLI ${machine.temporal}.`);
  out.push(`Load average (1/5/15 min) at the end: ${machine.loadAverage.map((l) => l.toFixed(2)).join(' / ')}.`);
  out.push(`Options: ${Object.entries(result.options).map(([k, v]) => `${k}=${String(v)}`).join(', ')}`);
  out.push('');
  for (const s of sections) out.push(table(s));
  if (full.targets?.length) {
    out.push(table({ title: 'Targets', columns: ['target', 'measured', 'met'], rows: full.targets.map((t) => [t.target, t.measured, t.met ? 'yes' : 'NO']) }));
  }
  process.stdout.write(`${out.join('\n')}\n`);
  process.stdout.write(`BENCH_RESULT ${JSON.stringify(full)}\n`);
}

/** Percentiles of a list of numbers (nearest rank). */
export function percentiles(values: number[], ps: number[] = [50, 90, 95, 99]): Record<string, number | null> {
  const sorted = [...values].sort((a, b) => a - b);
  const at = (p: number) => (sorted.length === 0 ? null : sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!);
  return Object.fromEntries([...ps.map((p) => [`p${p}`, at(p)]), ['max', sorted.length ? sorted[sorted.length - 1]! : null], ['mean', sorted.length ? sorted.reduce((a, b) => a + b, 0) / sorted.length : null]]);
}
