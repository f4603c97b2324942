/**
 * The processes a chaos test starts, stops and kills: a file-backed Temporal dev server and the platform's own
 * processes from their real entry points. Their output goes to log files, not the report.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, type WriteStream } from 'node:fs';
import { createInterface } from 'node:readline';
import { waitForTemporal } from '../support/local-services';

function exited(child: ChildProcess): Promise<void> {
  return child.exitCode !== null || child.signalCode !== null
    ? Promise.resolve()
    : new Promise((resolve) => child.once('exit', () => resolve()));
}

/** Sends `signal` and waits until the process is gone; one that outlives `graceMs` is killed. */
async function terminate(child: ChildProcess, signal: NodeJS.Signals, graceMs: number): Promise<void> {
  child.kill(signal);
  const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
  await exited(child);
  clearTimeout(timer);
}

/** A Temporal dev server that keeps its state in a file, so it can be stopped and started again on the same port. */
export class TemporalDevServer {
  private child: ChildProcess | null = null;
  private readonly log: WriteStream;
  /** How many times it was stopped, by which signal. */
  readonly stops: Array<'SIGTERM' | 'SIGKILL'> = [];

  constructor(
    readonly port: number,
    readonly dbFile: string,
    readonly logFile: string,
  ) {
    this.log = createWriteStream(logFile, { flags: 'a' });
  }

  get address(): string {
    return `127.0.0.1:${this.port}`;
  }

  async start(): Promise<void> {
    const child = spawn(
      '.tools/bin/temporal',
      [
        'server', 'start-dev', '--headless', '--ip', '127.0.0.1', '--port', String(this.port), '--db-filename', this.dbFile, '--log-level', 'warn',
        // The default rollback journal syncs every commit several times: on a loaded 2-core machine the server
        // then misses its own deadlines, and its SQLite driver stays "interrupted (9)" after a cancelled query.
        // WAL without a sync per commit survives the process being killed (the OS keeps what was written).
        '--sqlite-pragma', 'journal_mode=wal', '--sqlite-pragma', 'synchronous=normal',
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    child.stdout?.pipe(this.log, { end: false });
    child.stderr?.pipe(this.log, { end: false });
    this.child = child;
    await waitForTemporal(this.address, child, { log: this.logFile });
  }

  /** Stops the server with `signal` and waits until the process is gone (its port is free again). */
  async stop(signal: 'SIGTERM' | 'SIGKILL'): Promise<void> {
    const child = this.child;
    if (!child) return;
    this.child = null;
    // A server that ignores SIGTERM for long is killed: the test is about restarts, not about shutdown speed.
    await terminate(child, signal, 20_000);
    this.stops.push(signal);
  }

  async close(): Promise<void> {
    const child = this.child;
    this.child = null;
    if (child) await terminate(child, 'SIGTERM', 20_000);
    this.log.end();
  }

}

export interface ProcessExit {
  code: number | null;
  signal: NodeJS.Signals | null;
  /** The last lines the process printed. */
  tail: string[];
}

/**
 * One platform process at a time (`platform/run-worker.ts` or `platform/run-api.ts`), started from the real entry
 * point with the given environment. `kill()` is a fault; an exit nobody asked for (a crash) is recorded in
 * `unexpectedExits`, and the process is started again as a process supervisor (systemd, a container's
 * restart policy) would.
 */
export class PlatformProcess {
  private child: ChildProcess | null = null;
  private readonly log: WriteStream;
  private tail: string[] = [];
  private closed = false;
  kills = 0;
  starts = 0;
  /** How long each start took until the process was ready (for the worker, bundling the workflow code is most of it). */
  readonly startupMs: number[] = [];
  readonly unexpectedExits: ProcessExit[] = [];

  /** `ready` is the `msg` of the log line the process prints once it serves (pino JSON on stdout). */
  constructor(
    private readonly entry: string,
    private readonly ready: string,
    private readonly env: Record<string, string>,
    logFile: string,
  ) {
    this.log = createWriteStream(logFile, { flags: 'a' });
  }

  get running(): boolean {
    return this.child !== null;
  }

  /** Starts the process and resolves once it says it is ready. */
  async start(): Promise<void> {
    if (this.child) return;
    const child = spawn(process.execPath, ['--import', 'tsx', this.entry], {
      env: { ...process.env, ...this.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.child = child;
    this.starts += 1;
    this.tail = [];
    const spawnedAt = Date.now();
    const readyLine = `"msg":${JSON.stringify(this.ready)}`;
    const ready = new Promise<void>((resolve, reject) => {
      const remember = (line: string) => {
        this.log.write(`${line}\n`);
        this.tail.push(line);
        if (this.tail.length > 20) this.tail.shift();
      };
      createInterface({ input: child.stdout! }).on('line', (line) => {
        remember(line);
        if (line.includes(readyLine)) {
          this.startupMs.push(Date.now() - spawnedAt);
          resolve();
        }
      });
      createInterface({ input: child.stderr! }).on('line', remember);
      child.once('exit', (code, signal) => reject(new Error(`${this.entry} exited (${code ?? signal}) before it was ready:\n${this.tail.join('\n')}`)));
    });
    ready.catch(() => {}); // an exit after the deadline below is not a second failure
    child.once('exit', (code, signal) => {
      if (this.child !== child) return; // stopped on purpose
      this.child = null;
      this.unexpectedExits.push({ code, signal, tail: [...this.tail] });
      setTimeout(() => {
        if (!this.closed) void this.start().catch(() => {});
      }, 1000);
    });
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`${this.entry} was not ready in 120 s`)), 120_000);
    });
    try {
      await Promise.race([ready, deadline]);
    } finally {
      clearTimeout(timer);
    }
  }

  /** Kills the process with `signal` (SIGKILL: no drain, no goodbye) and waits until it is gone. */
  async kill(signal: NodeJS.Signals = 'SIGKILL'): Promise<void> {
    const child = this.child;
    if (!child) return;
    this.child = null;
    await terminate(child, signal, 15_000);
    this.kills += 1;
  }

  /** Stops the process as an operator would (SIGTERM: drain, then exit) and starts it no more. */
  async close(): Promise<void> {
    this.closed = true;
    const child = this.child;
    this.child = null;
    if (child) await terminate(child, 'SIGTERM', 15_000);
    this.log.end();
  }
}
