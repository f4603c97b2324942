import { spawn, type ChildProcess } from 'node:child_process';
import { repoRoot } from './run-command';

/** A local license server process (license-server/main.ts) as `npm run license-server` starts it, for the integration test. */
export interface LicenseServerProcess {
  url: string;
  /** Every JSON line it logged so far. */
  lines: Array<Record<string, unknown>>;
  stop(): Promise<void>;
}

export async function startLicenseServerProcess(env: Record<string, string>): Promise<LicenseServerProcess> {
  const child: ChildProcess = spawn(process.execPath, ['--import', 'tsx', 'license-server/main.ts'], {
    cwd: repoRoot,
    env: { ...process.env, LICENSE_SERVER_HOST: '127.0.0.1', LICENSE_SERVER_PORT: '0', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const lines: Array<Record<string, unknown>> = [];
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const url = await new Promise<string>((resolve, reject) => {
    let buffered = '';
    const timer = setTimeout(() => reject(new Error(`the license server did not start in 30 s: ${stderr}`)), 30_000);
    child.once('exit', (code) => reject(new Error(`the license server exited with ${code}: ${stderr}`)));
    child.stdout!.on('data', (chunk: Buffer) => {
      buffered += chunk.toString();
      const parts = buffered.split('\n');
      buffered = parts.pop() ?? '';
      for (const part of parts) {
        try {
          const line = JSON.parse(part) as Record<string, unknown>;
          lines.push(line);
          if (line.event === 'listening') {
            clearTimeout(timer);
            resolve(String(line.url));
          }
        } catch {
          // not one of its JSON lines
        }
      }
    });
  });
  return {
    url,
    lines,
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null || child.signalCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}
