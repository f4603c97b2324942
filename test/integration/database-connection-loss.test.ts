import { isConnectionLoss } from '../../db/client';
import { spawn } from 'node:child_process';
import { describe, expect, inject, it } from 'vitest';

/**
 * The postgres driver (3.4.9) wrote a transaction's ROLLBACK to a socket it had already dropped when the backend was
 * terminated mid-transaction, throwing from a timer and killing the process (porsager/postgres#1208), and a closed
 * connection kept its failed query so that ending the pool never finished; and a connection lost while it fetched
 * the array types on connect left that internal query's promise rejected with nobody waiting (ECONNRESET as an
 * unhandled rejection, about one run in two on a loaded machine). patches/postgres+3.4.9.patch mends all three;
 * this runs the platform's own database handle in a child process and terminates its backends under it.
 */
function runChild(): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'test/support/connection-loss-child.ts'], {
      env: { ...process.env, DATABASE_URL: inject('adminDatabaseUrl') },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`the child did not finish in 30 s (a connection that never ends?)\n${stdout}\n${stderr}`));
    }, 30_000);
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

describe('database connections terminated under the platform', () => {
  it('fails the affected transactions, never crashes the process, and the pool reconnects and ends', async () => {
    const { code, stdout, stderr } = await runChild();
    expect(stderr).not.toContain('uncaughtException');
    expect(code, stderr).toBe(0);
    const result = JSON.parse(stdout.trim().split('\n').pop() ?? '{}') as {
      firstTerminated: number;
      singleOutcome: string;
      laterTerminated: number;
      outcomes: string[];
      after: number[];
    };
    expect(result.firstTerminated).toBeGreaterThan(0);
    // The terminated transaction is reported as lost, never as committed.
    expect(['CONNECTION_CLOSED', '57P01']).toContain(result.singleOutcome);
    expect(result.laterTerminated).toBeGreaterThan(0);
    expect(result.outcomes).toHaveLength(20);
    // Each either committed or lost its connection, by whichever code the driver saw (a reset socket on a loaded
    // machine is ECONNRESET); never another error.
    for (const outcome of result.outcomes) expect(outcome === 'committed' || isConnectionLoss(outcome), outcome).toBe(true);
    expect(result.outcomes.some((o) => o !== 'committed')).toBe(true);
    expect(result.after).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
  }, 60_000);
});
