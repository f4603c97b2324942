import type { ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { Connection } from '@temporalio/client';

/**
 * Shared by the test setup, the chaos tests and the benchmarks, which all start their own servers and databases
 * on this machine.
 */

/** A TCP port that is free on 127.0.0.1 now, for a server about to be started. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no free port'))));
    });
  });
}

/** The same server and credentials as `url`, another database. */
export function withDatabase(url: string, database: string): string {
  const parsed = new URL(url);
  parsed.pathname = `/${database}`;
  return parsed.toString();
}

/**
 * Waits until the Temporal dev server started as `server` answers on `address` with its `default` namespace
 * ready; fails at once if the process exits, or after `timeoutMs`.
 */
export async function waitForTemporal(address: string, server: ChildProcess, { timeoutMs = 90_000, log }: { timeoutMs?: number; log?: string } = {}): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  const see = log ? `; see ${log}` : '';
  for (;;) {
    if (server.exitCode !== null) throw new Error(`the Temporal dev server exited with ${server.exitCode}${see}`);
    try {
      const connection = await Connection.connect({ address, connectTimeout: 1000 });
      try {
        await connection.workflowService.describeNamespace({ namespace: 'default' });
      } finally {
        await connection.close();
      }
      return;
    } catch (err) {
      if (Date.now() > deadline) throw new Error(`the Temporal dev server did not answer on ${address} in ${timeoutMs / 1000} s: ${String(err)}${see}`);
      await new Promise((resolve) => setTimeout(resolve, 300));
    }
  }
}
