/**
 * The benchmark harness: its own database (`bench_<name>`, created and migrated), its own Temporal dev
 * server on free ports (SQLite file or in memory, under a temp dir), and the platform as CHILD PROCESSES:
 * the API (`platform/run-api.ts`, the production entry point), a worker (`bench/worker.ts`: the platform
 * worker plus, when asked, a sibling worker for the Temporal floor) and the fake vendor (`bench/vendor.ts`,
 * the external party). The benchmark process itself only generates load and measures, so the load
 * generator never shares an event loop with the servers it measures. Child output goes to log files in
 * the temp dir (kept with `--keep`); everything started here is stopped on exit, Ctrl-C included.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import postgres from 'postgres';
import { migrateDatabase } from '../../db/migrate';
import { freePort, waitForTemporal, withDatabase } from '../../test/support/local-services';
import type { ProcessGroups } from './cpu';
import { say } from './progress';
import { adminDatabaseUrl, root, temporalBinary } from './paths';

export { adminDatabaseUrl, root, temporalBinary };

/** The dev server's SQLite settings in `npm start` (scripts/start.sh), the default here too. */
const npmStartPragmas = ['journal_mode=wal', 'synchronous=normal'];


export function databaseUrl(name: string): string {
  return withDatabase(adminDatabaseUrl, name);
}

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

export interface ChildHandle {
  name: string;
  process: ChildProcess;
  log: string;
  /** The JSON of the child's `BENCH_READY {...}` line. */
  ready: Record<string, unknown>;
  stop(): Promise<void>;
}

export interface PlatformProcesses {
  temporalAddress: string;
  api: { url: string; token: string };
  vendor?: { url: string; secret: string };
}

export class Bench {
  private readonly cleanups: Array<{ what: string; run: () => Promise<void> }> = [];
  private readonly children = new Set<ChildProcess>();
  /** The children by name (temporal, worker, api, vendor), for the CPU figures. */
  private readonly named = new Map<string, ChildProcess>();
  private closing: Promise<void> | null = null;

  private constructor(
    readonly name: string,
    readonly dir: string,
    readonly keep: boolean,
  ) {}

  /** `keep`: leave the database and the temp dir (logs, Temporal's file) behind for inspection. */
  static async create(name: string, { keep = false } = {}): Promise<Bench> {
    const dir = await mkdtemp(join(tmpdir(), `bench-${name}-`));
    const bench = new Bench(name, dir, keep);
    for (const signal of ['SIGINT', 'SIGTERM'] as const) {
      process.once(signal, () => {
        say(`\n${signal}: stopping everything the benchmark started`);
        void bench.close().finally(() => process.exit(130));
      });
    }
    // Last resort: a child must never outlive the benchmark.
    process.once('exit', () => {
      for (const child of bench.children) if (child.exitCode === null) child.kill('SIGKILL');
    });
    say(`[${name}] working directory ${dir}`);
    return bench;
  }

  /** The benchmark's processes by name, for the CPU figures (bench/lib/cpu.ts): its children and itself. */
  processGroups(): ProcessGroups {
    const groups: ProcessGroups = { benchmark: [process.pid] };
    for (const [name, child] of this.named) if (child.pid !== undefined && child.exitCode === null) groups[name] = [child.pid];
    return groups;
  }

  defer(what: string, run: () => Promise<void>): void {
    this.cleanups.push({ what, run });
  }

  /** Stops the children and drops what was made, last made first. Safe to call twice. */
  close(): Promise<void> {
    this.closing ??= (async () => {
      while (this.cleanups.length > 0) {
        const { what, run } = this.cleanups.pop()!;
        try {
          await run();
        } catch (err) {
          say(`cleanup "${what}" failed: ${(err as Error).message}`);
        }
      }
      if (!this.keep) await rm(this.dir, { recursive: true, force: true });
      else say(`[${this.name}] kept ${this.dir}`);
    })();
    return this.closing;
  }

  /**
   * `bench_<name>`: dropped and created again, then migrated (unless `reuse` and it exists, for a re-run on
   * data generated before). Dropped at the end unless `keep`.
   */
  async database({ reuse = false }: { reuse?: boolean } = {}): Promise<{ name: string; url: string; sql: postgres.Sql; reused: boolean }> {
    const name = `bench_${this.name.replace(/\W/g, '_')}`;
    const admin = postgres(adminDatabaseUrl, { max: 1, onnotice: () => {} });
    let reused = false;
    try {
      const [exists] = await admin`select 1 from pg_database where datname = ${name}`;
      if (reuse && exists) {
        reused = true;
      } else {
        await admin.unsafe(`drop database if exists ${name} with (force)`);
        await admin.unsafe(`create database ${name}`);
      }
    } finally {
      await admin.end();
    }
    const url = databaseUrl(name);
    await migrateDatabase(url);
    this.defer(this.keep ? `end the sessions on ${name}` : `drop ${name}`, async () => {
      const cleanup = postgres(adminDatabaseUrl, { max: 1, onnotice: () => {} });
      // A query whose HTTP request was abandoned (a load generator's timeout) keeps running after the API
      // closed its connection; end those too, so the next benchmark starts on a quiet server.
      if (this.keep) await cleanup`select pg_terminate_backend(pid) from pg_stat_activity where datname = ${name} and pid <> pg_backend_pid()`;
      else await cleanup.unsafe(`drop database if exists ${name} with (force)`);
      await cleanup.end();
    });
    const sql = postgres(url, { max: 4, onnotice: () => {}, connection: { application_name: `bench-${this.name}` } });
    this.defer('database connection', () => sql.end({ timeout: 5 }));
    say(`[${this.name}] database ${name}${reused ? ' (reused)' : ''}`);
    return { name, url, sql, reused };
  }

  /** A Temporal dev server of our own, on free ports; its history store is a SQLite file here, or memory. */
  async temporal({ persistence = 'file', pragmas = npmStartPragmas }: { persistence?: 'file' | 'memory'; pragmas?: string[] } = {}): Promise<string> {
    const port = await freePort();
    const uiPort = await freePort();
    const args = ['server', 'start-dev', '--headless', '--ip', '127.0.0.1', '--port', String(port), '--ui-port', String(uiPort), '--log-level', 'error'];
    if (persistence === 'file') args.push('--db-filename', join(this.dir, 'temporal.db'));
    for (const pragma of pragmas) args.push('--sqlite-pragma', pragma);
    const log = join(this.dir, 'temporal.log');
    const child = this.spawnLogged('temporal', temporalBinary, args, {}, log);
    const address = `127.0.0.1:${port}`;
    await waitForTemporal(address, child, { log });
    say(`[${this.name}] Temporal dev server ${address} (${persistence}${pragmas.length ? `, ${pragmas.join(', ')}` : ''})`);
    return address;
  }

  /** A TypeScript entry point in its own Node process; resolves when it prints `BENCH_READY {json}`. */
  async node(name: string, script: string, env: Record<string, string>, { readyTimeoutMs = 180_000 } = {}): Promise<ChildHandle> {
    const log = join(this.dir, `${name}.log`);
    const child = this.spawnLogged(name, process.execPath, ['--import', 'tsx', join(root, script)], env, log);
    const ready = await new Promise<Record<string, unknown>>((resolve, reject) => {
      let buffer = '';
      const timer = setTimeout(() => reject(new Error(`${name} was not ready in ${readyTimeoutMs / 1000} s; see ${log}`)), readyTimeoutMs);
      child.stdout!.on('data', (chunk: Buffer) => {
        buffer += chunk.toString('utf8');
        for (let nl = buffer.indexOf('\n'); nl >= 0; nl = buffer.indexOf('\n')) {
          const line = buffer.slice(0, nl);
          buffer = buffer.slice(nl + 1);
          if (line.startsWith('BENCH_READY')) {
            clearTimeout(timer);
            resolve(JSON.parse(line.slice('BENCH_READY'.length).trim() || '{}') as Record<string, unknown>);
          }
        }
      });
      child.once('exit', (code) => {
        clearTimeout(timer);
        void readFile(log, 'utf8').then(
          (text) => reject(new Error(`${name} exited with ${code} before it was ready:\n${text.split('\n').slice(-25).join('\n')}`)),
          () => reject(new Error(`${name} exited with ${code} before it was ready`)),
        );
      });
    });
    return { name, process: child, log, ready, stop: () => this.stopChild(child) };
  }

  /**
   * The platform around one database: Temporal, the worker (with the floor's sibling worker when
   * `floorTaskQueue` is set), the fake vendor when asked, and the API, each in its own process.
   */
  async platform(options: {
    databaseUrl: string;
    temporal?: 'file' | 'memory';
    /** SQLite pragmas of the dev server's file (`journal_mode=wal`, `synchronous=normal`), for experiments. */
    temporalPragmas?: string[];
    vendor?: boolean;
    floorTaskQueue?: string;
    workerEnv?: Record<string, string>;
    apiEnv?: Record<string, string>;
  }): Promise<PlatformProcesses> {
    const temporalAddress = await this.temporal({ persistence: options.temporal ?? 'file', pragmas: options.temporalPragmas });
    const common = {
      DATABASE_URL: options.databaseUrl,
      TEMPORAL_ADDRESS: temporalAddress,
      TEMPORAL_TASK_QUEUE: 'billing',
      LOG_LEVEL: process.env.BENCH_LOG_LEVEL ?? 'warn',
      // The benchmark's vendor listens on loopback, which the egress policy refuses unless allow-listed.
      EGRESS_ALLOW_HOSTS: '127.0.0.1',
      // The benchmarks register a licensing vendor, whose signing key is sealed under this (a fresh one per run).
      LICENSING_KEY_ENCRYPTION_KEY: randomBytes(32).toString('base64'),
    };
    let vendor: PlatformProcesses['vendor'];
    if (options.vendor) {
      const secret = `bench-${randomBytes(8).toString('hex')}`;
      const child = await this.node('vendor', 'bench/vendor.ts', { BENCH_VENDOR_SECRET: secret });
      vendor = { url: String(child.ready.url), secret };
      say(`[${this.name}] fake vendor ${vendor.url}`);
    }
    const worker = await this.node('worker', 'bench/worker.ts', { ...common, ...(options.floorTaskQueue ? { BENCH_FLOOR_TASK_QUEUE: options.floorTaskQueue } : {}), ...options.workerEnv });
    say(`[${this.name}] worker ready (pid ${worker.process.pid})`);
    const token = `bpt_bench_${randomBytes(16).toString('hex')}`;
    const port = await freePort();
    const apiLog = join(this.dir, 'api.log');
    // BENCH_API_CPU_PROF=<dir>: the API writes a V8 CPU profile there when it stops (open it in Chrome DevTools).
    const profile = process.env.BENCH_API_CPU_PROF ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_API_CPU_PROF}`] : [];
    const api = this.spawnLogged('api', process.execPath, [...profile, '--import', 'tsx', join(root, 'platform/run-api.ts')], { ...common, HOST: '127.0.0.1', PORT: String(port), BOOTSTRAP_ADMIN_TOKEN: token, ...options.apiEnv }, apiLog);
    const url = `http://127.0.0.1:${port}`;
    const deadline = Date.now() + 180_000;
    for (;;) {
      if (api.exitCode !== null) throw new Error(`the API exited with ${api.exitCode}; see ${apiLog}`);
      try {
        const res = await fetch(`${url}/health`);
        if (res.status === 200) break;
      } catch {
        // not listening yet
      }
      if (Date.now() > deadline) throw new Error(`the API was not healthy in 180 s; see ${apiLog}`);
      await sleep(500);
    }
    say(`[${this.name}] API ${url} (pid ${api.pid})`);
    return { temporalAddress, api: { url, token }, vendor };
  }

  private spawnLogged(name: string, command: string, args: string[], env: Record<string, string>, log: string): ChildProcess {
    const out = createWriteStream(log, { flags: 'a' });
    const child = spawn(command, args, { cwd: root, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout!.pipe(out, { end: false });
    child.stderr!.pipe(out, { end: false });
    this.children.add(child);
    this.named.set(name, child);
    child.once('exit', () => {
      this.children.delete(child);
      out.end();
    });
    this.defer(name, () => this.stopChild(child));
    return child;
  }

  /** SIGTERM, then SIGKILL after 20 s (a worker drains in-flight activities for up to 10 s). */
  private async stopChild(child: ChildProcess): Promise<void> {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
    await exited;
    clearTimeout(timer);
  }
}

/** A small API client for the benchmark's own set-up calls (not the measured load). */
export function apiClient(api: { url: string; token: string }) {
  return async function call<T = any>(method: string, path: string, body?: unknown): Promise<T> { // eslint-disable-line @typescript-eslint/no-explicit-any
    const res = await fetch(`${api.url}${path}`, {
      method,
      headers: { authorization: `Bearer ${api.token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    if (res.status >= 300) throw new Error(`${method} ${path}: ${res.status} ${text.slice(0, 500)}`);
    return (text ? JSON.parse(text) : null) as T;
  };
}

/** Runs `main`, prints a failure readably, and always closes the bench. */
export async function runBenchmark(bench: Bench, main: () => Promise<void>): Promise<void> {
  try {
    await main();
  } catch (err) {
    say(`[${bench.name}] FAILED: ${(err as Error).stack ?? String(err)}`);
    process.exitCode = 1;
  } finally {
    await bench.close();
  }
}
