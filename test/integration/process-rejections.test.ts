import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';

/** The worker's and the API's policy for promise rejections nobody handles (platform/processes.ts). */
function run(kind: 'lost' | 'other') {
  const child = spawnSync(process.execPath, ['--import', 'tsx', 'test/support/rejection-child.ts', kind], { encoding: 'utf8', timeout: 30_000 });
  return { status: child.status, stdout: child.stdout, stderr: child.stderr };
}

describe('unhandled promise rejections in the platform processes', () => {
  it('a query that lost its database connection with nobody waiting is logged, and the process goes on', () => {
    const { status, stdout } = run('lost');
    expect(stdout).toContain('still running');
    expect(stdout).toContain('nobody was waiting for lost its connection');
    expect(status).toBe(0);
  });

  it('any other unhandled rejection still ends the process', () => {
    const { status, stdout, stderr } = run('other');
    expect(stdout).not.toContain('still running');
    expect(stderr).toContain('a bug');
    expect(status).not.toBe(0);
  });
});
