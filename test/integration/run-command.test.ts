import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client, Connection } from '@temporalio/client';
import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { Health } from '../../api/health';
import { adminDatabaseUrl, databaseUrl } from '../global-setup';
import { freePort } from '../support/local-services';
import {
  descendants,
  exitWithin,
  repoRoot,
  spawnRunCommand,
  waitForBanner,
  waitUntilGone,
  type Banner,
  type Exit,
  type ProcessInfo,
  type RunCommand,
} from '../support/run-command';

/**
 * Acceptance: "The run command starts everything; /health reports all green; the printed token works."
 * Issue 16, points 6, 7 and 9: it starts only when its ports are free, stops whole (worker drained) on a signal to
 * npm, to the script or to the process group, never runs half a platform, and the README walkthrough works.
 *
 * Runs `npm start` (and scripts/start.sh, which it runs) as a newcomer would, each with its own Temporal dev server
 * (file-backed, in a temporary data dir), database and ports. The five platforms this file needs start together in
 * beforeAll (a start takes 20-40 s on a loaded machine); the first, `npm start` on a database it creates, serves the
 * checks of what it offers, the refused second starts and the walkthrough, and is stopped last.
 */

const databases: string[] = [];
const runs: RunCommand[] = [];
const DRAINED = /"msg":"stopped: the API is closed and the worker has drained its in-flight work"/;

/** A database the run command creates itself (it must). */
function newDatabaseUrl(): string {
  return databaseUrl(newDatabaseName());
}

function newDatabaseName(): string {
  const name = `bp_run_${randomBytes(4).toString('hex')}`;
  databases.push(name);
  return name;
}

/** A database already migrated (from the test run's template), for the platforms that only test stopping. */
async function migratedDatabaseUrl(): Promise<string> {
  const name = newDatabaseName();
  const admin = postgres(adminDatabaseUrl, { max: 1, onnotice: () => {} });
  try {
    await admin.unsafe(`create database "${name}" template "${inject('templateDatabase')}"`);
  } finally {
    await admin.end();
  }
  return databaseUrl(name);
}

interface Started {
  run: RunCommand;
  banner: Banner;
  /** Every process of the platform once running: npm or the script, the dev server, the platform process. */
  processes: ProcessInfo[];
}

/** The port of the walkthrough's demo vendor: every start allow-lists it, as `npm start` does for the default 9099. */
const demoVendorPort = freePort();

async function start(via: 'npm' | 'script', databaseUrl: string | Promise<string>, env: Record<string, string> = {}): Promise<Started> {
  const run = await spawnRunCommand({ via, databaseUrl: await databaseUrl, env: { DEMO_VENDOR_PORT: String(await demoVendorPort), ...env } });
  runs.push(run);
  const banner = await waitForBanner(run, 200_000);
  return { run, banner, processes: descendants(run.pid) };
}

const devServerOf = (s: Started) => s.processes.find((p) => p.command.includes('temporal server start-dev'))!;
const platformProcessOf = (s: Started) => s.processes.find((p) => p.command.includes('platform/run-all.ts'))!;
const tail = (run: RunCommand) => run.output().slice(-4000);

async function get(url: string, token?: string): Promise<Response> {
  return fetch(url, { headers: token ? { authorization: `Bearer ${token}` } : {}, signal: AbortSignal.timeout(10_000) });
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
    if (Date.now() > deadline) throw new Error(`${what} not reached in ${timeoutMs} ms (last error: ${String(last)})`);
    await new Promise((r) => setTimeout(r, 500));
  }
}

/** Waits for the run command to exit after it was told to stop (or a part of it died); every process gone. */
async function expectAllStopped(s: Started): Promise<Exit> {
  const exit = await exitWithin(s.run, 60_000);
  expect(exit, `did not exit within 60 s:\n${tail(s.run)}`).not.toBe('timeout');
  expect(await waitUntilGone(s.processes, 15_000), tail(s.run)).toEqual([]);
  return exit as Exit;
}

const operatorSecretsKey = randomBytes(32).toString('base64');
let a: Started;
let b: Started;
let c: Started;
let d: Started;
let e: Started;

beforeAll(async () => {
  [a, b, c, d, e] = await Promise.all([
    start('npm', newDatabaseUrl()),
    // The operator's own key of the secrets at rest, under its general name (and not its earlier one).
    start('script', migratedDatabaseUrl(), { SECRETS_ENCRYPTION_KEY: operatorSecretsKey }),
    start('npm', migratedDatabaseUrl()),
    start('script', migratedDatabaseUrl()),
    start('script', migratedDatabaseUrl()),
  ]);
}, 240_000);

afterAll(async () => {
  for (const run of runs) await run.close();
  const admin = postgres(adminDatabaseUrl, { max: 1, onnotice: () => {} });
  try {
    for (const name of databases) await admin.unsafe(`drop database if exists "${name}" with (force)`);
  } finally {
    await admin.end();
  }
}, 60_000);

describe('the run command (npm start)', () => {
  it('prints the API, reference, health and Temporal UI URLs and an admin token', () => {
    const { banner, run } = a;
    expect(banner.apiUrl).toBe(`http://127.0.0.1:${run.ports.api}/api/v1`);
    expect(banner.referenceUrl).toBe(`http://127.0.0.1:${run.ports.api}/api/docs`);
    expect(banner.healthUrl).toBe(`http://127.0.0.1:${run.ports.api}/health`);
    expect(banner.temporalUiUrl).toBe(`http://127.0.0.1:${run.ports.temporalUi}`);
    expect(banner.adminToken).toMatch(/^bpt_[\w-]{20,}$/);
    // Temporal's state lives in the given data dir, file-backed.
    expect(existsSync(join(run.dataDir, 'temporal.db'))).toBe(true);
  });

  it("takes the operator's SECRETS_ENCRYPTION_KEY as the one key of the secrets at rest: it makes no second key (two keys stopped the platform) and seals with it", async () => {
    expect(existsSync(join(b.run.dataDir, 'licensing-key-encryption-key'))).toBe(false);
    const vendor = await fetch(`${b.banner.apiUrl}/licensing/vendors`, {
      method: 'POST',
      headers: { authorization: `Bearer ${b.banner.adminToken}`, 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'Run-command vendor', prefix: 'RUNC' }),
      signal: AbortSignal.timeout(10_000),
    });
    expect(vendor.status, await vendor.clone().text()).toBe(201);
    // A run without the variable keeps its own key beside the data.
    expect(existsSync(join(a.run.dataDir, 'licensing-key-encryption-key'))).toBe(true);
  });

  it('reports all green on /health once the worker polls', async () => {
    const body = await until('/health all green', 30_000, async () => {
      const res = await get(a.banner.healthUrl);
      const json = (await res.json()) as Health;
      return res.status === 200 && json.status === 'ok' ? json : undefined;
    });
    expect(body.database).toMatchObject({ ok: true });
    expect(body.temporal).toMatchObject({ ok: true });
    expect(body.worker).toMatchObject({ ok: true, taskQueue: 'billing' });
    expect(body.worker.pollers).toBeGreaterThanOrEqual(1);
  });

  it('accepts the printed admin token and refuses requests without one', async () => {
    const { apiUrl, adminToken } = a.banner;
    const withToken = await get(`${apiUrl}/products`, adminToken);
    expect(withToken.status, await withToken.clone().text()).toBe(200);
    expect(withToken.headers.get('content-type')).toMatch(/application\/json/);

    const without = await get(`${apiUrl}/products`);
    expect(without.status).toBe(401);
    expect(await without.json()).toMatchObject({ code: 'unauthenticated' });

    const wrong = await get(`${apiUrl}/products`, 'bpt_not-a-real-token-at-all-000000');
    expect(wrong.status).toBe(401);
  });

  it('serves the operator UI: the first administrator signs in with the password kept beside the data', async () => {
    const { baseUrl } = a.banner;
    expect(a.run.output()).toMatch(/Operator UI\s+http:\/\/127\.0\.0\.1:\d+\//);
    const passwordFile = join(a.run.dataDir, 'admin-password');
    expect(a.run.output()).toContain(passwordFile);
    const password = (await readFile(passwordFile, 'utf8')).trim();
    const form = await get(`${baseUrl}/login`);
    const csrf = /name="_csrf" value="([^"]+)"/.exec(await form.text())![1]!;
    const cookie = form.headers.getSetCookie().map((c) => c.split(';')[0]).join('; ');
    const signedIn = await fetch(`${baseUrl}/login`, {
      method: 'POST',
      redirect: 'manual',
      headers: { cookie, 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ _csrf: csrf, email: 'admin@localhost', password }).toString(),
    });
    expect(signedIn.status).toBe(303);
    const session = signedIn.headers.getSetCookie().find((c) => c.startsWith('bp_session='))!.split(';')[0]!;
    const home = await fetch(`${baseUrl}/`, { headers: { cookie: session } });
    expect(home.status).toBe(200);
    expect(await home.text()).toContain('data-count="home.failedTasks"');
  });

  it('serves the OpenAPI document and an offline API reference page', async () => {
    const { baseUrl, referenceUrl } = a.banner;
    const doc = await get(`${baseUrl}/api/openapi.json`);
    expect(doc.status).toBe(200);
    expect(await doc.json()).toMatchObject({ openapi: '3.1.0' });

    const page = await get(referenceUrl);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toMatch(/text\/html/);
    expect(await page.text()).toContain('/api/docs/assets/swagger-ui-bundle.js');

    const asset = await get(`${baseUrl}/api/docs/assets/swagger-ui-bundle.js`);
    expect(asset.status).toBe(200);
    expect(asset.headers.get('content-type')).toMatch(/javascript/);
    expect((await asset.arrayBuffer()).byteLength).toBeGreaterThan(100_000);
  });

  it('has the Temporal UI answering at the printed URL', async () => {
    const status = await until('Temporal UI answering', 20_000, async () => (await get(a.banner.temporalUiUrl)).status);
    expect(status).toBeLessThan(500);
  });
});

describe('a second start while a port it needs is taken stops at once, says which and by whom, and starts nothing (issue 16, point 6)', () => {
  /** Each refused start's run and exit; they run side by side (each takes seconds to start node and give up). */
  const refused = new Map<string, { run: RunCommand; exit: Exit | 'timeout' }>();
  let unreachable: string;

  beforeAll(async () => {
    unreachable = `127.0.0.1:${await freePort()}`;
    const cases: Record<string, Record<string, string>> = {
      TEMPORAL_PORT: { TEMPORAL_PORT: String(a.run.ports.temporal) },
      TEMPORAL_UI_PORT: { TEMPORAL_UI_PORT: String(a.run.ports.temporalUi) },
      PORT: { PORT: String(a.run.ports.api) },
      TEMPORAL_ADDRESS: { TEMPORAL_ADDRESS: unreachable },
    };
    await Promise.all(
      Object.entries(cases).map(async ([name, env]) => {
        const run = await spawnRunCommand({ via: 'script', databaseUrl: newDatabaseUrl(), env: { BILLING_RUN_HOUR: '5', ...env } });
        runs.push(run);
        refused.set(name, { run, exit: await exitWithin(run, 60_000) });
      }),
    );
  }, 90_000);

  /** The start gave up: exit 1 with exactly one "npm start:" line and no stack, and started nothing. */
  function refusalLine(name: string): string {
    const { run, exit } = refused.get(name)!;
    expect(exit, tail(run)).toEqual({ code: 1, signal: null });
    const lines = run.output().split('\n').filter((line) => line.startsWith('npm start:'));
    expect(lines, run.output()).toHaveLength(1);
    expect(run.output(), 'a stack trace').not.toMatch(/^\s+at /m);
    // Nothing was started: no dev server log, no platform process.
    expect(existsSync(join(run.dataDir, 'temporal.log'))).toBe(false);
    expect(run.output()).not.toContain('Billing platform is running');
    return lines[0]!;
  }

  it("TEMPORAL_PORT held by another installation's dev server: names it and both ways out, and leaves its billing schedule alone", async () => {
    const port = a.run.ports.temporal;
    const line = refusalLine('TEMPORAL_PORT');
    expect(line).toContain(`port ${port} (TEMPORAL_PORT) is in use by pid ${devServerOf(a).pid} (`);
    expect(line).toContain('temporal server start-dev');
    expect(line).toContain(`set TEMPORAL_PORT to another port, or TEMPORAL_ADDRESS=127.0.0.1:${port} to use the Temporal server there`);

    // The other installation's daily billing schedule still runs at its own hour (1), not the refused start's (5).
    const connection = await Connection.connect({ address: `127.0.0.1:${port}` });
    try {
      const schedule = await new Client({ connection }).schedule.getHandle('billing-daily').describe();
      expect(schedule.spec.calendars?.[0]?.hour).toEqual([{ start: 1, end: 1, step: 1 }]);
    } finally {
      await connection.close();
    }
  });

  it('TEMPORAL_UI_PORT taken: names that variable', () => {
    const line = refusalLine('TEMPORAL_UI_PORT');
    expect(line).toMatch(new RegExp(`port ${a.run.ports.temporalUi} \\(TEMPORAL_UI_PORT\\) is in use by pid ${devServerOf(a).pid} .*; set TEMPORAL_UI_PORT to another port$`));
  });

  it("the API's PORT taken: names PORT and the process holding it", () => {
    const line = refusalLine('PORT');
    expect(line).toMatch(new RegExp(`port ${a.run.ports.api} \\(PORT\\) is in use by pid ${platformProcessOf(a).pid} \\(.*platform/run-all\\.ts\\); set PORT to another port$`));
  });

  it('an unreachable TEMPORAL_ADDRESS: one line naming it', () => {
    const line = refusalLine('TEMPORAL_ADDRESS');
    expect(line).toMatch(new RegExp(`^npm start: TEMPORAL_ADDRESS ${unreachable}: no Temporal server answers there`));
  });
});

/** The README's walkthrough block, as written, with the three lines a reader adapts set to this platform. */
function walkthroughScript(settings: { api: string; token: string; vendor: string }): string {
  const readme = readFileSync(join(repoRoot, 'README.md'), 'utf8');
  const section = readme.slice(readme.indexOf('\n## Using the API'));
  const block = [...section.matchAll(/```sh\n([\s\S]*?)```/g)].map((m) => m[1]!).find((b) => /^API=/m.test(b));
  expect(block, 'the walkthrough block under "Using the API"').toBeDefined();
  let script = block!;
  for (const [name, value] of [['API', settings.api], ['TOKEN', settings.token], ['VENDOR', settings.vendor]] as const) {
    expect(script, `the walkthrough sets ${name} on a line of its own`).toMatch(new RegExp(`^${name}=`, 'm'));
    script = script.replace(new RegExp(`^${name}=.*$`, 'm'), `${name}='${value}'`);
  }
  return `set -euo pipefail\n${script}\necho "WALKTHROUGH ORDER=$ORDER"\n`;
}

function runBash(script: string, cwd: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const proc = spawn('bash', ['-c', script], { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    proc.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    proc.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    proc.on('exit', (code) => resolve({ code, stdout, stderr }));
  });
}

describe('the README walkthrough against the demo vendor (issue 16, point 9)', () => {
  let vendor: ChildProcess;
  let vendorOutput = '';
  let vendorPort: number;
  let workDir: string;

  beforeAll(async () => {
    vendorPort = await demoVendorPort;
    workDir = await mkdtemp(join(tmpdir(), 'bp-walkthrough-'));
    // `npm run vendor:demo` as the README says, on a free port.
    vendor = spawn('npm', ['run', 'vendor:demo'], { cwd: repoRoot, env: { ...process.env, DEMO_VENDOR_PORT: String(vendorPort) }, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    vendor.stdout!.on('data', (chunk: Buffer) => (vendorOutput += chunk.toString()));
    vendor.stderr!.on('data', (chunk: Buffer) => (vendorOutput += chunk.toString()));
    await until('the demo vendor listening', 60_000, async () => (vendorOutput.includes(`at http://127.0.0.1:${vendorPort}`) ? true : undefined));
  }, 90_000);

  afterAll(async () => {
    if (vendor?.pid) {
      try {
        process.kill(-vendor.pid, 'SIGTERM');
      } catch {
        // already gone
      }
    }
    if (workDir) await rm(workDir, { recursive: true, force: true });
  });

  it('works copy-pasted twice in a row: each run ends in a completed order with an active subscription provisioned at the vendor', async () => {
    const script = walkthroughScript({ api: a.banner.apiUrl, token: a.banner.adminToken, vendor: `http://127.0.0.1:${vendorPort}` });
    for (const attempt of [1, 2]) {
      const { code, stdout, stderr } = await runBash(script, workDir);
      expect(code, `run ${attempt}:\n${stderr}\n${stdout}`).toBe(0);
      const orderId = Number(/^WALKTHROUGH ORDER=(\d+)$/m.exec(stdout)?.[1]);
      expect(orderId, stdout).toBeGreaterThan(0);
      const order = await until(`order ${orderId} completed`, 60_000, async () => {
        const body = (await (await get(`${a.banner.apiUrl}/orders/${orderId}`, a.banner.adminToken)).json()) as { status: string; subscriptionId: number | null };
        return body.status === 'completed' ? body : undefined;
      });
      const subscription = (await (await get(`${a.banner.apiUrl}/subscriptions/${order.subscriptionId}`, a.banner.adminToken)).json()) as { status: string };
      expect(subscription.status).toBe('active');
      expect(vendorOutput).toMatch(new RegExp(`POST /resources key=order-${orderId}/\\S+ -> 201 res-\\d+`));
    }
  }, 180_000);
});

describe('stopping: everything goes, the worker drained, never half a platform (issue 16, point 7)', () => {
  it('SIGTERM to the script stops the dev server and the platform process', async () => {
    process.kill(b.run.pid, 'SIGTERM');
    expect(await expectAllStopped(b)).toEqual({ code: 0, signal: null });
    expect(b.run.output()).toMatch(DRAINED);
  });

  it('SIGTERM to the process group (as a terminal sends Ctrl-C): the dev server, outside the group, outlives the drain', async () => {
    expect(devServerOf(c).pgid).not.toBe(c.run.pid);
    process.kill(-c.run.pid, 'SIGTERM');
    const exit = await expectAllStopped(c);
    expect(exit.signal).toBeNull();
    expect(c.run.output()).toMatch(DRAINED);
    await expect(get(c.banner.healthUrl)).rejects.toThrow();
  });

  it('the platform process dying on its own stops the dev server: the command exits 1 and says why', async () => {
    process.kill(platformProcessOf(d).pid, 'SIGKILL');
    expect((await expectAllStopped(d)).code).toBe(1);
    expect(d.run.output()).toMatch(/^npm start: the platform process exited on its own \(SIGKILL\); stopping the Temporal dev server$/m);
  });

  it('the dev server dying on its own stops the platform process: the command exits 1 and says why', async () => {
    process.kill(devServerOf(e).pid, 'SIGKILL');
    expect((await expectAllStopped(e)).code).toBe(1);
    expect(e.run.output()).toMatch(/^npm start: the Temporal dev server exited on its own \(SIGKILL\); see .*temporal\.log; stopping the platform$/m);
  });

  it('SIGTERM to npm stops npm, the script, the dev server and the platform process, the worker drained', async () => {
    expect(a.processes.map((p) => p.command)).toEqual(
      expect.arrayContaining([expect.stringMatching(/^npm start/), expect.stringContaining('temporal server start-dev'), expect.stringContaining('platform/run-all.ts')]),
    );
    process.kill(a.run.pid, 'SIGTERM');
    expect(await expectAllStopped(a)).toEqual({ code: 0, signal: null });
    expect(a.run.output()).toMatch(DRAINED);
  });
});
