/**
 * Benchmark sizes come from flags or the environment, so every script runs small (to validate it) and at
 * full size (for the record) without edits: `--orders 2000` or `--orders=2000`, else `BENCH_ORDERS=2000`,
 * else the default. Flag names are kebab-case; the variable is `BENCH_` + the name in upper snake case.
 */
import { argv, env } from 'node:process';

function raw(name: string): string | undefined {
  const flag = `--${name}`;
  for (let i = 2; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === flag) {
      const next = argv[i + 1];
      return next === undefined || next.startsWith('--') ? 'true' : next;
    }
    if (arg.startsWith(`${flag}=`)) return arg.slice(flag.length + 1);
  }
  const fromEnv = env[`BENCH_${name.toUpperCase().replaceAll('-', '_')}`];
  return fromEnv === undefined || fromEnv === '' ? undefined : fromEnv;
}

/** A whole number (underscores allowed: `1_000_000`). */
export function intOption(name: string, fallback: number): number {
  const value = raw(name);
  if (value === undefined) return fallback;
  const n = Number(value.replaceAll('_', ''));
  if (!Number.isInteger(n) || n < 0) throw new Error(`--${name}: expected a whole number, got "${value}"`);
  return n;
}

export function stringOption<T extends string>(name: string, fallback: T, allowed?: readonly T[]): T {
  const value = raw(name);
  if (value === undefined) return fallback;
  if (allowed && !allowed.includes(value as T)) throw new Error(`--${name}: expected one of ${allowed.join(', ')}, got "${value}"`);
  return value as T;
}

export function boolOption(name: string, fallback = false): boolean {
  const value = raw(name);
  if (value === undefined) return fallback;
  if (['true', '1', 'yes'].includes(value)) return true;
  if (['false', '0', 'no'].includes(value)) return false;
  throw new Error(`--${name}: expected true or false, got "${value}"`);
}

/** `--help`: prints what the script accepts and exits. */
export function helpRequested(usage: string): void {
  if (argv.includes('--help') || argv.includes('-h')) {
    console.log(usage.trim());
    process.exit(0);
  }
}
