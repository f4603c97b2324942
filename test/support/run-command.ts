import { spawn, type ChildProcess } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort } from './local-services';

/**
 * Runs `npm start` (or scripts/start.sh, which it runs) as a newcomer would, in its own process group, with its own
 * ports and data dir, and sees which processes it made: for test/integration/run-command.test.ts.
 */

export const repoRoot = fileURLToPath(new URL('../..', import.meta.url));

export interface Banner {
  apiUrl: string; // e.g. http://127.0.0.1:3000/api/v1
  baseUrl: string; // the same without /api/v1
  referenceUrl: string;
  healthUrl: string;
  temporalUiUrl: string;
  adminToken: string;
}

export interface ProcessInfo {
  pid: number;
  ppid: number;
  pgid: number;
  command: string;
}

export interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export interface RunCommandOptions {
  /** `npm start` or `bash scripts/start.sh`. */
  via: 'npm' | 'script';
  databaseUrl: string;
  /** More variables (ports may be overridden here). */
  env?: Record<string, string>;
}

export interface RunCommand {
  via: 'npm' | 'script';
  proc: ChildProcess;
  /** The spawned process (npm or bash), leader of its own process group. */
  pid: number;
  dataDir: string;
  ports: { temporal: number; temporalUi: number; api: number };
  exited: Promise<Exit>;
  output(): string;
  close(): Promise<void>;
}

/** Spawns the run command with free ports and a fresh data dir; the defaults for everything else. */
export async function spawnRunCommand({ via, databaseUrl, env: extra = {} }: RunCommandOptions): Promise<RunCommand> {
  const dataDir = await mkdtemp(join(tmpdir(), 'bp-run-'));
  const ports = { temporal: await freePort(), temporalUi: await freePort(), api: await freePort() };
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    DATABASE_URL: databaseUrl,
    TEMPORAL_PORT: String(ports.temporal),
    TEMPORAL_UI_PORT: String(ports.temporalUi),
    TEMPORAL_DATA_DIR: dataDir,
    HOST: '127.0.0.1',
    PORT: String(ports.api),
    LOG_LEVEL: 'info',
  };
  // It must start its own Temporal dev server and use the defaults for everything else.
  for (const name of ['TEMPORAL_ADDRESS', 'TEMPORAL_UI_URL', 'TEMPORAL_NAMESPACE', 'TEMPORAL_TASK_QUEUE', 'PUBLIC_URL', 'BOOTSTRAP_ADMIN_TOKEN', 'BOOTSTRAP_ADMIN_PASSWORD', 'BILLING_RUN_HOUR']) {
    delete env[name];
  }
  Object.assign(env, extra);
  const [command, args] = via === 'npm' ? ['npm', ['start']] : ['bash', ['scripts/start.sh']];
  // Its own process group, so that the test can signal the group as a terminal would.
  const proc = spawn(command, args, { cwd: repoRoot, env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  proc.stdout.setEncoding('utf8');
  proc.stderr.setEncoding('utf8');
  proc.stdout.on('data', (chunk: string) => (output += chunk));
  proc.stderr.on('data', (chunk: string) => (output += chunk));
  const exited = new Promise<Exit>((resolve) => proc.on('exit', (code, signal) => resolve({ code, signal })));
  let seen: ProcessInfo[] = [];
  const watch = setInterval(() => (seen = mergeProcesses(seen, descendants(proc.pid!))), 500);
  return {
    via,
    proc,
    pid: proc.pid!,
    dataDir,
    ports,
    exited,
    output: () => output,
    async close() {
      clearInterval(watch);
      // Whatever is left of it (a failed test), by pid: the dev server is in a process group of its own.
      for (const p of mergeProcesses(seen, descendants(proc.pid!))) signal(p.pid, 'SIGKILL');
      signal(-proc.pid!, 'SIGKILL');
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

function signal(pid: number, name: NodeJS.Signals): void {
  try {
    process.kill(pid, name);
  } catch {
    // already gone
  }
}

function mergeProcesses(known: ProcessInfo[], more: ProcessInfo[]): ProcessInfo[] {
  const byPid = new Map(known.map((p) => [p.pid, p]));
  for (const p of more) byPid.set(p.pid, p);
  return [...byPid.values()];
}

function readProcess(pid: number): (ProcessInfo & { state: string }) | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // "pid (comm) state ppid pgrp ...": comm may hold spaces and parentheses, so read after the last ')'.
    const [state, ppid, pgid] = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const command = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter(Boolean).join(' ');
    return { pid, ppid: Number(ppid), pgid: Number(pgid), command, state: state! };
  } catch {
    return undefined;
  }
}

/** The process and everything it started (children of children too), from /proc. */
export function descendants(root: number): ProcessInfo[] {
  const all = readdirSync('/proc').filter((e) => /^\d+$/.test(e)).map((e) => readProcess(Number(e))).filter((p) => p !== undefined);
  const found: ProcessInfo[] = [];
  const parents = new Set([root]);
  const rootInfo = all.find((p) => p.pid === root);
  if (rootInfo && rootInfo.state !== 'Z') found.push(rootInfo);
  for (let grew = true; grew; ) {
    grew = false;
    for (const p of all) {
      if (parents.has(p.ppid) && !parents.has(p.pid) && p.state !== 'Z') {
        parents.add(p.pid);
        found.push(p);
        grew = true;
      }
    }
  }
  return found.map(({ pid, ppid, pgid, command }) => ({ pid, ppid, pgid, command }));
}

/** Whether this very process still runs (a zombie or a reused pid does not count). */
export function stillRunning(p: ProcessInfo): boolean {
  const now = readProcess(p.pid);
  return now !== undefined && now.state !== 'Z' && now.command === p.command;
}

/** Waits until none of `processes` runs; returns those still running after `timeoutMs`. */
export async function waitUntilGone(processes: ProcessInfo[], timeoutMs: number): Promise<ProcessInfo[]> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const running = processes.filter(stillRunning);
    if (running.length === 0 || Date.now() > deadline) return running;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

export function parseBanner(text: string): Banner | undefined {
  const field = (label: string) => new RegExp(`^\\s*${label}\\s{2,}(\\S+)\\s*$`, 'm').exec(text)?.[1];
  const apiUrl = field('API');
  const referenceUrl = field('API reference');
  const healthUrl = field('Health');
  const temporalUiUrl = field('Temporal UI');
  const adminToken = field('Admin token');
  if (!apiUrl || !referenceUrl || !healthUrl || !temporalUiUrl || !adminToken) return undefined;
  return { apiUrl, baseUrl: apiUrl.replace(/\/api\/v1$/, ''), referenceUrl, healthUrl, temporalUiUrl, adminToken };
}

/** Resolves with the banner once printed; rejects if the command exits first or after `timeoutMs`. */
export function waitForBanner(run: RunCommand, timeoutMs: number): Promise<Banner> {
  const tail = () => run.output().slice(-4000);
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => finish(new Error(`no banner in ${timeoutMs} ms; output so far:\n${tail()}`)), timeoutMs);
    const onData = () => {
      // The banner is printed in one write; wait for the line after the token.
      if (!/Admin token\s+\S+\s*\n/.test(run.output())) return;
      const parsed = parseBanner(run.output());
      if (parsed) finish(undefined, parsed);
    };
    const onExit = (code: number | null, signal: NodeJS.Signals | null) =>
      finish(new Error(`the run command exited (code ${code}, signal ${signal}) before printing the banner:\n${tail()}`));
    function finish(err?: Error, value?: Banner) {
      clearTimeout(timer);
      run.proc.stdout?.off('data', onData);
      run.proc.off('exit', onExit);
      if (err) reject(err);
      else resolve(value!);
    }
    run.proc.stdout?.on('data', onData);
    run.proc.on('exit', onExit);
    onData();
  });
}

/** Resolves with the exit, or 'timeout'. */
export function exitWithin(run: RunCommand, timeoutMs: number): Promise<Exit | 'timeout'> {
  return Promise.race([run.exited, new Promise<'timeout'>((resolve) => setTimeout(() => resolve('timeout'), timeoutMs))]);
}
