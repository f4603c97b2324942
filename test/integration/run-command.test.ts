import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Health } from '../../api/health';
import { adminDatabaseUrl, databaseUrl } from '../global-setup';
import { freePort } from '../support/local-services';

/**
 * Acceptance: "The run command starts everything; /health reports all green; the printed token works."
 * Runs `scripts/start.sh` (what `npm start` runs) as a newcomer would, with its own Temporal dev server
 * (file-backed, in a temporary data dir), its own fresh database (the run command creates it) and its
 * own ports, then checks what the banner promises and that SIGTERM shuts everything down.
 */

const repoRoot = fileURLToPath(new URL('../..', import.meta.url));
const databaseName = `bp_run_${randomBytes(4).toString('hex')}`;

interface Banner {
  apiUrl: string; // e.g. http://127.0.0.1:3000/api/v1
  baseUrl: string; // the same without /api/v1
  referenceUrl: string;
  healthUrl: string;
  temporalUiUrl: string;
  adminToken: string;
}

let child: ChildProcess | undefined;
let exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
let output = '';
let dataDir: string;
let apiPort: number;
let temporalUiPort: number;
let banner: Banner;

const tail = () => output.slice(-4000);

function groupAlive(pid: number): boolean {
  try {
    process.kill(-pid, 0);
    return true;
  } catch {
    return false;
  }
}

function parseBanner(text: string): Banner | undefined {
  const field = (label: string) => new RegExp(`^\\s*${label}\\s{2,}(\\S+)\\s*$`, 'm').exec(text)?.[1];
  const apiUrl = field('API');
  const referenceUrl = field('API reference');
  const healthUrl = field('Health');
  const temporalUiUrl = field('Temporal UI');
  const adminToken = field('Admin token');
  if (!apiUrl || !referenceUrl || !healthUrl || !temporalUiUrl || !adminToken) return undefined;
  return { apiUrl, baseUrl: apiUrl.replace(/\/api\/v1$/, ''), referenceUrl, healthUrl, temporalUiUrl, adminToken };
}

function waitForBanner(proc: ChildProcess, timeoutMs: number): Promise<Banner> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => finish(new Error(`no banner in ${timeoutMs} ms; output so far:\n${tail()}`)), timeoutMs);
    const onData = () => {
      // The banner is printed in one write; wait for the line after the token.
      if (!/Admin token\s+\S+\s*\n/.test(output)) return;
      const parsed = parseBanner(output);
      if (parsed) finish(undefined, parsed);
    };
    const onExit = (code: number | null, signal: NodeJS.Signals | null) =>
      finish(new Error(`the run command exited (code ${code}, signal ${signal}) before printing the banner:\n${tail()}`));
    function finish(err?: Error, value?: Banner) {
      clearTimeout(timer);
      proc.stdout?.off('data', onData);
      proc.off('exit', onExit);
      if (err) reject(err);
      else resolve(value!);
    }
    proc.stdout?.on('data', onData);
    proc.on('exit', onExit);
  });
}

async function get(url: string, token?: string): Promise<Response> {
  return fetch(url, {
    headers: token ? { authorization: `Bearer ${token}` } : {},
    signal: AbortSignal.timeout(10_000),
  });
}

async function until<T>(what: string, timeoutMs: number, attempt: () => Promise<T | undefined>): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const value = await attempt();
      if (value !== undefined) return value;
    } catch (err) {
      last = err;
    }
    if (Date.now() > deadline) throw new Error(`${what} not reached in ${timeoutMs} ms (last error: ${String(last)})\n${tail()}`);
    await new Promise((r) => setTimeout(r, 500));
  }
}

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'bp-run-'));
  apiPort = await freePort();
  const temporalPort = await freePort();
  temporalUiPort = await freePort();

  const env: NodeJS.ProcessEnv = {
    ...process.env,
    DATABASE_URL: databaseUrl(databaseName),
    TEMPORAL_PORT: String(temporalPort),
    TEMPORAL_UI_PORT: String(temporalUiPort),
    TEMPORAL_DATA_DIR: dataDir,
    HOST: '127.0.0.1',
    PORT: String(apiPort),
    LOG_LEVEL: 'warn',
  };
  // The run command must start its own Temporal dev server and use the defaults for everything else.
  for (const name of ['TEMPORAL_ADDRESS', 'TEMPORAL_UI_URL', 'TEMPORAL_NAMESPACE', 'TEMPORAL_TASK_QUEUE', 'PUBLIC_URL', 'BOOTSTRAP_ADMIN_TOKEN', 'BOOTSTRAP_ADMIN_PASSWORD']) {
    delete env[name];
  }

  // Its own process group, so the test can stop the script, the dev server and node together.
  const proc = spawn('bash', ['scripts/start.sh'], { cwd: repoRoot, env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  child = proc;
  exited = new Promise((resolve) => proc.on('exit', (code, signal) => resolve({ code, signal })));
  proc.stdout.setEncoding('utf8');
  proc.stderr.setEncoding('utf8');
  proc.stdout.on('data', (chunk: string) => (output += chunk));
  proc.stderr.on('data', (chunk: string) => (output += chunk));

  // The first start may bundle workflow code and create the database.
  banner = await waitForBanner(proc, 110_000);
}, 120_000);

afterAll(async () => {
  const pid = child?.pid;
  if (pid && groupAlive(pid)) {
    try {
      process.kill(-pid, 'SIGTERM');
    } catch {
      // already gone
    }
    const deadline = Date.now() + 15_000;
    while (groupAlive(pid) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 200));
    if (groupAlive(pid)) {
      try {
        process.kill(-pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
  }
  const admin = postgres(adminDatabaseUrl, { max: 1, onnotice: () => {} });
  try {
    await admin.unsafe(`drop database if exists "${databaseName}" with (force)`);
  } finally {
    await admin.end();
  }
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
}, 60_000);

describe('the run command (npm start)', () => {
  it('prints the API, reference, health and Temporal UI URLs and an admin token', () => {
    expect(banner.apiUrl).toBe(`http://127.0.0.1:${apiPort}/api/v1`);
    expect(banner.referenceUrl).toBe(`http://127.0.0.1:${apiPort}/api/docs`);
    expect(banner.healthUrl).toBe(`http://127.0.0.1:${apiPort}/health`);
    expect(banner.temporalUiUrl).toBe(`http://127.0.0.1:${temporalUiPort}`);
    expect(banner.adminToken).toMatch(/^bpt_[\w-]{20,}$/);
    // Temporal's state lives in the given data dir, file-backed.
    expect(existsSync(join(dataDir, 'temporal.db'))).toBe(true);
  });

  it('reports all green on /health once the worker polls', async () => {
    const body = await until('/health all green', 30_000, async () => {
      const res = await get(banner.healthUrl);
      const json = (await res.json()) as Health;
      return res.status === 200 && json.status === 'ok' ? json : undefined;
    });
    expect(body.database).toMatchObject({ ok: true });
    expect(body.temporal).toMatchObject({ ok: true });
    expect(body.worker).toMatchObject({ ok: true, taskQueue: 'billing' });
    expect(body.worker.pollers).toBeGreaterThanOrEqual(1);
  });

  it('accepts the printed admin token and refuses requests without one', async () => {
    const withToken = await get(`${banner.apiUrl}/products`, banner.adminToken);
    expect(withToken.status, await withToken.clone().text()).toBe(200);
    expect(withToken.headers.get('content-type')).toMatch(/application\/json/);

    const without = await get(`${banner.apiUrl}/products`);
    expect(without.status).toBe(401);
    expect(await without.json()).toMatchObject({ code: 'unauthenticated' });

    const wrong = await get(`${banner.apiUrl}/products`, 'bpt_not-a-real-token-at-all-000000');
    expect(wrong.status).toBe(401);
  });

  it('serves the operator UI: the first administrator signs in with the password kept beside the data', async () => {
    expect(output).toMatch(/Operator UI\s+http:\/\/127\.0\.0\.1:\d+\//);
    const passwordFile = join(dataDir, 'admin-password');
    expect(output).toContain(passwordFile);
    const password = (await readFile(passwordFile, 'utf8')).trim();
    const form = await get(`${banner.baseUrl}/login`);
    const csrf = /name="_csrf" value="([^"]+)"/.exec(await form.text())![1]!;
    const cookie = form.headers.getSetCookie().map((c) => c.split(';')[0]).join('; ');
    const signedIn = await fetch(`${banner.baseUrl}/login`, {
      method: 'POST',
      redirect: 'manual',
      headers: { cookie, 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ _csrf: csrf, email: 'admin@localhost', password }).toString(),
    });
    expect(signedIn.status).toBe(303);
    const session = signedIn.headers.getSetCookie().find((c) => c.startsWith('bp_session='))!.split(';')[0]!;
    const home = await fetch(`${banner.baseUrl}/`, { headers: { cookie: session } });
    expect(home.status).toBe(200);
    expect(await home.text()).toContain('data-count="home.failedTasks"');
  });

  it('serves the OpenAPI document and an offline API reference page', async () => {
    const doc = await get(`${banner.baseUrl}/api/openapi.json`);
    expect(doc.status).toBe(200);
    expect(await doc.json()).toMatchObject({ openapi: '3.1.0' });

    const page = await get(banner.referenceUrl);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toMatch(/text\/html/);
    expect(await page.text()).toContain('/api/docs/assets/swagger-ui-bundle.js');

    const asset = await get(`${banner.baseUrl}/api/docs/assets/swagger-ui-bundle.js`);
    expect(asset.status).toBe(200);
    expect(asset.headers.get('content-type')).toMatch(/javascript/);
    expect((await asset.arrayBuffer()).byteLength).toBeGreaterThan(100_000);
  });

  it('has the Temporal UI answering at the printed URL', async () => {
    const status = await until('Temporal UI answering', 20_000, async () => (await get(banner.temporalUiUrl)).status);
    expect(status).toBeLessThan(500);
  });

  it('shuts down gracefully on SIGTERM: the script, the API, the worker and the dev server all exit', async () => {
    const pid = child!.pid!;
    process.kill(-pid, 'SIGTERM');
    const result = await Promise.race([
      exited,
      new Promise<'timeout'>((resolve) => setTimeout(() => resolve('timeout'), 20_000)),
    ]);
    expect(result, `did not exit in 20 s after SIGTERM:\n${tail()}`).not.toBe('timeout');
    const { code, signal } = result as { code: number | null; signal: NodeJS.Signals | null };
    expect({ code, signal }, tail()).toEqual({ code: 0, signal: null });

    // Nothing of the group is left behind (the script waits for node and the dev server).
    await until('process group gone', 5_000, async () => (groupAlive(pid) ? undefined : true));
    await expect(get(banner.healthUrl)).rejects.toThrow();
  }, 30_000);
});
