import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync, readFileSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { Connection } from '@temporalio/client';
import { StartupError } from '../infra/config';
import { portHolder } from './ports';

/** Resolves once a Temporal frontend at `address` serves `namespace`; else a StartupError saying which variable is wrong. */
export async function probeTemporal(address: string, namespace: string, { timeoutMs = 5000 } = {}): Promise<void> {
  let connection: Connection;
  try {
    connection = await Connection.connect({ address, connectTimeout: timeoutMs });
  } catch (err) {
    throw new StartupError(`TEMPORAL_ADDRESS ${address}: no Temporal server answers there (${firstLine(err)})`);
  }
  try {
    await connection.workflowService.describeNamespace({ namespace });
  } catch (err) {
    const notFound = (err as { code?: unknown }).code === 5; // gRPC NOT_FOUND
    throw new StartupError(notFound ? `TEMPORAL_NAMESPACE ${namespace}: the Temporal server at ${address} has no such namespace` : `TEMPORAL_ADDRESS ${address}: ${firstLine(err)}`);
  } finally {
    await connection.close();
  }
}

function firstLine(err: unknown): string {
  return (err instanceof Error ? err.message : String(err)).split('\n')[0]!.slice(0, 200);
}

export interface DevServerOptions {
  /** The Temporal CLI (scripts/setup.sh builds it into .tools/bin). */
  binary: string;
  port: number;
  uiPort: number;
  /** Holds temporal.db and temporal.log. */
  dataDir: string;
}

export interface ExitStatus {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export interface DevServer {
  pid: number;
  address: string;
  uiUrl: string;
  log: string;
  exited: Promise<ExitStatus>;
  /** Resolves once this very process serves the `default` namespace on its port. */
  ready(timeoutMs?: number): Promise<void>;
  /** SIGTERM, and SIGKILL if it has not exited within 10 s. */
  stop(): Promise<void>;
}

/**
 * Starts `temporal server start-dev` on 127.0.0.1. It runs in its own process group: a signal to `npm start`'s group
 * reaches the platform process, which drains its worker against this still-running server, and `npm start` stops the
 * server after it. It also gets SIGTERM if `npm start` dies outright (stopWhenParentDies).
 */
export function spawnDevServer({ binary, port, uiPort, dataDir }: DevServerOptions): DevServer {
  mkdirSync(dataDir, { recursive: true });
  const log = join(dataDir, 'temporal.log');
  const args = ['server', 'start-dev', '--ip', '127.0.0.1', '--port', String(port), '--ui-port', String(uiPort), '--db-filename', join(dataDir, 'temporal.db'),
    // SQLite in WAL mode without a sync per commit: what is committed survives the server process being killed (the OS
    // keeps it; an OS crash or power cut may lose the last moments), and the server keeps up under load (BENCHMARKS.md).
    // A deployment runs Temporal on PostgreSQL instead (docker-compose.yml).
    '--sqlite-pragma', 'journal_mode=wal', '--sqlite-pragma', 'synchronous=normal', '--log-level', 'warn'];
  const out = openSync(log, 'w');
  const child = spawn(...stopWhenParentDies(binary, args), { detached: true, stdio: ['ignore', out, out] });
  closeSync(out);
  const exited = new Promise<ExitStatus>((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  const address = `127.0.0.1:${port}`;
  return {
    pid: child.pid!,
    address,
    uiUrl: `http://127.0.0.1:${uiPort}`,
    log,
    exited,
    ready: (timeoutMs = 60_000) => waitUntilServing(child, port, log, timeoutMs),
    stop: () => stopProcess(child, exited),
  };
}

/**
 * Waits until the server we started listens on its port and answers. A server answering on that port is not
 * enough: if another process took the port, ours failed to bind (in its log) and the answers would be someone else's.
 */
async function waitUntilServing(child: ChildProcess, port: number, log: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  // Without /proc an unknown listener cannot be told from ours (lsof answers only when it is installed).
  const canTell = existsSync('/proc/net/tcp');
  for (;;) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new StartupError(`the Temporal dev server exited (${child.exitCode ?? child.signalCode}) before serving; see ${log}${lastLine(log)}`);
    }
    const holder = await portHolder(port);
    if (holder && holder.pid !== child.pid) {
      const by = holder.pid ? `pid ${holder.pid} (${holder.command})` : 'another process';
      throw new StartupError(`port ${port} (TEMPORAL_PORT) was taken by ${by} while the dev server started; set TEMPORAL_PORT to another port`);
    }
    if (holder || !canTell) {
      const served = await probeTemporal(`127.0.0.1:${port}`, 'default', { timeoutMs: 2000 }).then(() => true, () => false);
      if (served) return;
    }
    if (Date.now() > deadline) throw new StartupError(`the Temporal dev server did not serve on 127.0.0.1:${port} within ${timeoutMs / 1000} s; see ${log}`);
    await new Promise((resolve) => setTimeout(resolve, 300));
  }
}

function lastLine(file: string): string {
  const lines = readFileSync(file, 'utf8').trim().split('\n');
  const last = lines[lines.length - 1]?.trim();
  return last ? `: ${last.slice(0, 300)}` : '';
}

async function stopProcess(child: ChildProcess, exited: Promise<ExitStatus>): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
  await exited;
  clearTimeout(timer);
}

/**
 * The command and arguments to spawn so that the child gets SIGTERM when this process dies, even by SIGKILL: through
 * util-linux's setpriv where it exists (Linux); elsewhere unchanged.
 */
export function stopWhenParentDies(command: string, args: string[]): [string, string[]] {
  const setpriv = onPath('setpriv');
  return setpriv ? [setpriv, ['--pdeathsig', 'TERM', '--', command, ...args]] : [command, args];
}

function onPath(name: string): string | undefined {
  return (process.env.PATH ?? '').split(delimiter).filter(Boolean).map((dir) => join(dir, name)).find((path) => existsSync(path));
}
