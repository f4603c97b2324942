import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readdir, readFile, readlink } from 'node:fs/promises';
import { createServer } from 'node:net';

/**
 * Ports `npm start` is about to listen on, checked before anything starts: a taken port would otherwise make the
 * dev server fail in its log while the platform talks to whoever holds the port (issue 16).
 */

export interface PortToCheck {
  port: number;
  host: string;
  /** The variable that moves it, named in the message. */
  variable: string;
  /** What else the operator can do, appended to the message. */
  alternative?: string;
}

/** Null when the port can be bound on `host` now, else the error code (EADDRINUSE, EACCES, EADDRNOTAVAIL, ...). */
export function bindError(port: number, host: string): Promise<string | null> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', (err: NodeJS.ErrnoException) => resolve(err.code ?? err.message));
    server.listen({ port, host, exclusive: true }, () => server.close(() => resolve(null)));
  });
}

/** Somebody listens on the port: `pid` and `command` when this user may see whose socket it is. */
export interface PortHolder {
  pid?: number;
  command?: string;
}

/**
 * Who listens on a TCP port: /proc on Linux (which also knows when the socket is another user's), else lsof.
 * Undefined: nobody, or the machine cannot tell.
 */
export async function portHolder(port: number): Promise<PortHolder | undefined> {
  if (existsSync('/proc/net/tcp')) return procPortHolder(port);
  return lsofPortHolder(port);
}

async function procPortHolder(port: number): Promise<PortHolder | undefined> {
  const inodes = new Set<string>();
  for (const table of ['/proc/net/tcp', '/proc/net/tcp6']) {
    const text = await readFile(table, 'utf8').catch(() => '');
    for (const row of text.split('\n').slice(1)) {
      const columns = row.trim().split(/\s+/);
      const localPort = parseInt(columns[1]?.split(':').pop() ?? '', 16);
      if (localPort === port && columns[3] === '0A' && columns[9] && columns[9] !== '0') inodes.add(`socket:[${columns[9]}]`); // 0A: LISTEN
    }
  }
  if (inodes.size === 0) return undefined;
  // The socket's inode is listed in its owner's /proc/<pid>/fd.
  for (const entry of await readdir('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const fds = await readdir(`/proc/${entry}/fd`).catch(() => [] as string[]); // others' processes may be closed to us
    for (const fd of fds) {
      if (inodes.has(await readlink(`/proc/${entry}/fd/${fd}`).catch(() => ''))) return { pid: Number(entry), command: await commandOf(Number(entry)) };
    }
  }
  return {};
}

async function commandOf(pid: number): Promise<string> {
  const cmdline = await readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => '');
  const command = cmdline.split('\0').filter(Boolean).join(' ');
  return command.length > 100 ? `${command.slice(0, 99)}…` : command;
}

function lsofPortHolder(port: number): Promise<PortHolder | undefined> {
  return new Promise((resolve) => {
    // A missing lsof or a port nobody listens on is an error with no output: both mean "cannot tell".
    execFile('lsof', ['-nP', `-iTCP:${port}`, '-sTCP:LISTEN', '-Fpc'], { timeout: 3000 }, (_err, stdout) => {
      const pid = /^p(\d+)$/m.exec(stdout ?? '')?.[1];
      resolve(pid ? { pid: Number(pid), command: /^c(.+)$/m.exec(stdout)?.[1] ?? '' } : undefined);
    });
  });
}

/** One line per port that cannot be listened on, naming the variable that moves it and, when known, who holds it. */
export async function portProblems(ports: PortToCheck[]): Promise<string[]> {
  const problems: string[] = [];
  for (const { port, host, variable, alternative } of ports) {
    const error = await bindError(port, host);
    if (error === null) continue;
    if (error !== 'EADDRINUSE') {
      problems.push(`port ${port} (${variable}) cannot be listened on at ${host}: ${error}; set ${variable} to another port`);
      continue;
    }
    const holder = await portHolder(port);
    const by = holder?.pid ? `pid ${holder.pid} (${holder.command})` : 'another process';
    problems.push(`port ${port} (${variable}) is in use by ${by}; set ${variable} to another port${alternative ? `, ${alternative}` : ''}`);
  }
  return problems;
}
