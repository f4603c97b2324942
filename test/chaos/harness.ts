/**
 * A whole platform for one chaos test, as production runs it: its own database (created and migrated), its
 * own file-backed Temporal dev server, the worker and the API as child processes from their real entry points
 * (configuration from environment variables; either can be killed, and a crash is seen), and the fake vendor
 * in this process. Faults are the test's to inject; this file places orders, waits for them and checks what
 * they left.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import postgres from 'postgres';
import { expect } from 'vitest';
import { checkLedger } from '../../operations/ledger/ledger-check';
import { migrateDatabase } from '../../db/migrate';
import { startFakeVendor, type FakeVendor, type FakeVendorFaults } from '../fakes/fake-vendor';
import { adminDatabaseUrl, databaseUrl } from '../global-setup';
import { freePort } from '../support/local-services';
import { createClient, seedCatalog, type ApiAnswer, type Catalog, type CatalogOptions, type TestPlatform } from '../support/platform';
import { PlatformProcess, TemporalDevServer } from './processes';

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** A purchase on the monthly period: setup fee 5.00 + 10.00 for the month. */
export const ORDER_AMOUNT = 1500;

export interface ChaosPlatformOptions {
  /** Random faults of the fake vendor. */
  vendorFaults?: FakeVendorFaults;
  /** `create`: a vendor that deduplicates only creates, so an operation sent twice shows as a double effect. */
  vendorDeduplicates?: 'all' | 'create';
  /** More configuration for the worker and the API (names from infra/config.ts). */
  env?: Record<string, string>;
}

export interface ChaosPlatform {
  name: string;
  logDir: string;
  databaseUrl: string;
  /** The test's own connection (application name `chaos-check`, never a fault's target). */
  sql: postgres.Sql;
  temporal: TemporalDevServer;
  worker: PlatformProcess;
  /** The API process (`platform/run-api.ts`); `apiUrl` stays the same across restarts. */
  server: PlatformProcess;
  apiUrl: string;
  vendor: FakeVendor;
  vendorSecret: string;
  /** Calls the API over HTTP as the administrator, as an integrator would. */
  api: TestPlatform['api'];
  close(): Promise<void>;
}

/** Progress lines go to stderr so they show while vitest holds the report. */
export function say(name: string, message: string): void {
  process.stderr.write(`[chaos ${name}] ${message}\n`);
}

export async function startChaosPlatform(name: string, options: ChaosPlatformOptions = {}): Promise<ChaosPlatform> {
  const suffix = randomBytes(3).toString('hex');
  const logDir = join('test-results', 'chaos', `${name}-${suffix}`);
  await mkdir(logDir, { recursive: true });

  // Undone in reverse order by close(), or at once when the platform does not come up.
  const cleanups: Array<() => Promise<unknown>> = [];
  const close = async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup().catch((err: unknown) => say(name, `cleanup failed: ${String(err)}`));
  };
  try {
    return await assemble();
  } catch (err) {
    await close();
    throw err;
  }

  async function assemble(): Promise<ChaosPlatform> {
    const databaseName = `bp_chaos_${name.replace(/\W/g, '_')}_${suffix}`;
    const admin = postgres(adminDatabaseUrl, { max: 1, onnotice: () => {} });
    await admin.unsafe(`create database ${databaseName}`);
    await admin.end();
    cleanups.push(async () => {
      // CHAOS_KEEP_DATABASE=1 keeps it for a look after a failed run (its name is in the first progress line).
      if (process.env.CHAOS_KEEP_DATABASE) return;
      const cleanup = postgres(adminDatabaseUrl, { max: 1, onnotice: () => {} });
      await cleanup.unsafe(`drop database if exists ${databaseName} with (force)`);
      await cleanup.end();
    });
    const url = databaseUrl(databaseName);
    await migrateDatabase(url);
    const sql = postgres(url, { max: 4, onnotice: () => {}, connection: { application_name: 'chaos-check' } });
    cleanups.push(() => sql.end({ timeout: 5 }));

    const temporalDir = await mkdtemp(join(tmpdir(), 'bp-chaos-temporal-'));
    cleanups.push(() => rm(temporalDir, { recursive: true, force: true }));
    const temporal = new TemporalDevServer(await freePort(), join(temporalDir, 'temporal.db'), join(logDir, 'temporal.log'));
    cleanups.push(() => temporal.close());
    const vendorSecret = `chaos-secret-${suffix}`;
    const vendor = await startFakeVendor({ secret: vendorSecret, faults: options.vendorFaults, deduplicates: options.vendorDeduplicates });
    cleanups.push(() => vendor.close());
    await temporal.start();

    const env: Record<string, string> = {
      DATABASE_URL: url,
      TEMPORAL_ADDRESS: temporal.address,
      TEMPORAL_TASK_QUEUE: `chaos-${name}`,
      HOST: '127.0.0.1',
      PORT: String(await freePort()),
      // Both processes say they are ready at info; the rest of their logs is for reading after a failure.
      LOG_LEVEL: 'info',
      BOOTSTRAP_ADMIN_TOKEN: `bpt_chaos_${randomBytes(16).toString('hex')}`,
      // Retries in seconds, not minutes, and enough of them that only a fault that never ends exhausts them.
      PLUGIN_RETRY_INITIAL_MS: '200',
      PLUGIN_RETRY_MAX_INTERVAL_MS: '2000',
      PLUGIN_RETRY_MAX_ATTEMPTS: '30',
      PLUGIN_HEARTBEAT_TIMEOUT_MS: '3000',
      // The daily billing run stays out of the way: its hour is half a day from now, and nothing is caught up.
      BILLING_RUN_HOUR: String((new Date().getUTCHours() + 12) % 24),
      BILLING_CATCHUP_DAYS: '0',
      // The fake vendor listens on loopback, which the egress policy refuses unless allow-listed.
      EGRESS_ALLOW_HOSTS: '127.0.0.1',
      ...options.env,
    };
    const worker = new PlatformProcess('platform/run-worker.ts', 'worker started', env, join(logDir, 'worker.log'));
    cleanups.push(() => worker.close());
    const server = new PlatformProcess('platform/run-api.ts', 'API listening', env, join(logDir, 'api.log'));
    cleanups.push(() => server.close());
    await Promise.all([server.start(), worker.start()]);
    const apiUrl = `http://127.0.0.1:${env.PORT}`;
    const adminToken = env.BOOTSTRAP_ADMIN_TOKEN!;

    const api: TestPlatform['api'] = async (method, path, body, opts = {}) => {
      const headers: Record<string, string> = { authorization: `Bearer ${adminToken}`, ...opts.headers };
      if (body !== undefined) headers['content-type'] = 'application/json';
      const res = await fetch(`${apiUrl}${path}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body), signal: AbortSignal.timeout(30_000) });
      const text = await res.text();
      let parsed: unknown = text;
      try {
        parsed = text ? JSON.parse(text) : null;
      } catch {
        // not JSON: keep the text
      }
      return { status: res.status, body: parsed as any, headers: res.headers } satisfies ApiAnswer;
    };

    say(name, `platform up: database ${databaseName}, Temporal ${temporal.address}, API ${apiUrl}, logs in ${logDir}`);
    return {
      name,
      logDir,
      databaseUrl: url,
      sql,
      temporal,
      worker,
      server,
      apiUrl,
      vendor,
      vendorSecret,
      api,
      close,
    };
  }
}

/**
 * Calls the API until it answers something other than a network failure, a 5xx or "still in progress",
 * always with the same Idempotency-Key: what a careful integrator does while the platform is having a bad day.
 */
export async function callUntilAnswered(p: ChaosPlatform, method: string, path: string, body: unknown, key: string, timeoutMs = 300_000): Promise<ApiAnswer> {
  const deadline = Date.now() + timeoutMs;
  let last = 'nothing';
  for (let attempt = 1; ; attempt++) {
    try {
      const answer = await p.api(method, path, body, { headers: { 'idempotency-key': key } });
      const inProgress = answer.status === 409 && answer.body?.code === 'idempotency_key_in_progress';
      if (answer.status < 500 && !inProgress) return answer;
      last = `${answer.status} ${JSON.stringify(answer.body)}`;
    } catch (err) {
      last = String(err);
    }
    if (Date.now() > deadline) throw new Error(`${method} ${path} (Idempotency-Key ${key}) got no answer in ${timeoutMs} ms; last: ${last}`);
    await sleep(Math.min(250 * attempt, 2_000));
  }
}

export interface PlacedOrders {
  catalog: Catalog;
  clientIds: number[];
  orderIds: number[];
  /** How long placing the orders took, retries included. */
  placedMs: number;
}

/**
 * A catalogue, `orders / perClient` clients each topped up with exactly what their orders cost, then the
 * orders, `concurrency` at a time. `beforeOrders` runs once the clients are ready (faults start there).
 */
export async function placeOrders(
  p: ChaosPlatform,
  { orders, perClient = 4, concurrency = 20, vendorTimeoutMs = 5000, catalog: catalogOptions = {}, beforeOrders }: { orders: number; perClient?: number; concurrency?: number; vendorTimeoutMs?: number; catalog?: CatalogOptions; beforeOrders?: () => void },
): Promise<PlacedOrders> {
  const catalog = await seedCatalog(p, { vendorTimeoutMs, ...catalogOptions });
  const clientIds: number[] = [];
  for (let i = 0; i < Math.ceil(orders / perClient); i++) {
    const clientId = await createClient(p, catalog, `Chaos client ${i + 1}`);
    const count = Math.min(perClient, orders - i * perClient);
    const topUp = await p.api('POST', `/api/v1/clients/${clientId}/top-ups`, { amount: count * ORDER_AMOUNT });
    if (topUp.status !== 201) throw new Error(`top-up: ${topUp.status} ${JSON.stringify(topUp.body)}`);
    clientIds.push(clientId);
  }
  beforeOrders?.();
  const started = Date.now();
  const orderIds: number[] = new Array<number>(orders);
  let next = 0;
  const placeOne = async () => {
    for (let i = next++; i < orders; i = next++) {
      const clientId = clientIds[Math.floor(i / perClient)]!;
      const answer = await callUntilAnswered(p, 'POST', '/api/v1/orders', { clientId, planPeriodId: catalog.monthlyPeriodId }, `chaos-order-${i}`);
      if (answer.status !== 201) throw new Error(`order ${i}: ${answer.status} ${JSON.stringify(answer.body)}`);
      orderIds[i] = answer.body.id;
    }
  };
  await Promise.all(Array.from({ length: concurrency }, placeOne));
  return { catalog, clientIds, orderIds, placedMs: Date.now() - started };
}

/**
 * Waits until every order is completed, with a progress line every few seconds. An order whose scenario
 * stopped at a failed step (activation_error) or was cancelled fails the test at once, with the step's error.
 */
export async function waitForOrdersCompleted(p: ChaosPlatform, orderIds: number[], { timeoutMs = 600_000, progress = () => '' }: { timeoutMs?: number; progress?: () => string } = {}): Promise<void> {
  const started = Date.now();
  let lastLine = 0;
  for (;;) {
    const rows = await p.sql<Array<{ status: string; n: number }>>`
      select status, count(*)::int as n from orders where id = any(${orderIds}::int[]) group by status order by status`;
    const counts = Object.fromEntries(rows.map((r) => [r.status, r.n]));
    const completed = counts.completed ?? 0;
    if (Date.now() - lastLine > 5_000 || completed === orderIds.length) {
      lastLine = Date.now();
      const others = rows.filter((r) => r.status !== 'completed').map((r) => `${r.status} ${r.n}`).join(', ');
      say(p.name, `${Math.round((Date.now() - started) / 1000)}s: completed ${completed}/${orderIds.length}${others ? `; ${others}` : ''}${progress() ? ` | ${progress()}` : ''}`);
    }
    if (completed === orderIds.length) return;
    if ((counts.activation_error ?? 0) > 0 || (counts.cancelled ?? 0) > 0 || Date.now() - started > timeoutMs) {
      throw new Error(`orders not completed after ${Math.round((Date.now() - started) / 1000)} s:\n${await describeUnfinished(p, orderIds)}`);
    }
    await sleep(1_000);
  }
}

/** Every unfinished order with its scenario's status and failed or current step, for the failure message. */
async function describeUnfinished(p: ChaosPlatform, orderIds: number[]): Promise<string> {
  const rows = await p.sql<Array<{ id: number; status: string; scenario: string | null; current_step: string | null; step: string | null; error: string | null }>>`
    select o.id, o.status, s.status as scenario, s.current_step, st.name as step, coalesce(st.error_message, s.error) as error
    from orders o
      left join scenarios s on s.id = o.workflow_id
      left join scenario_steps st on st.scenario_id = s.id and st.path = s.current_step
    where o.id = any(${orderIds}::int[]) and o.status <> 'completed'
    order by o.id limit 20`;
  return rows.map((r) => `  order ${r.id}: ${r.status}; scenario ${r.scenario ?? 'missing'} at ${r.current_step ?? '-'} ${r.step ?? ''}${r.error ? `: ${r.error}` : ''}`).join('\n');
}

/**
 * What every chaos run must leave, whatever it went through: no process that crashed on its own, every order
 * completed once, one resource per order at the vendor (created under that order's key), one subscription,
 * one payment and one debit per order, no order nobody asked for, and a ledger that agrees with its own history.
 */
export async function expectConsistent(p: ChaosPlatform, placed: PlacedOrders): Promise<void> {
  const { orderIds, clientIds } = placed;
  // A crash prints its error on stderr, the only lines of these logs that are not JSON.
  const crashes = (child: PlatformProcess) => child.unexpectedExits.map((e) => `exit ${e.code ?? e.signal}: ${e.tail.filter((l) => !l.startsWith('{') && l.trim()).join(' | ')}`);
  // Soft: what the crashes did (or did not do) to the data below is reported too.
  expect.soft(crashes(p.worker), `worker crashes (see ${p.logDir}/worker.log)`).toEqual([]);
  expect.soft(crashes(p.server), `API crashes (see ${p.logDir}/api.log)`).toEqual([]);
  // Requests the vendor was still holding (slow answers the caller gave up on) finish first.
  await p.vendor.whenIdle();

  const orders = await p.sql<Array<{ id: number; status: string; subscription_id: number | null; vendor_reference: string | null; subscription_status: string | null }>>`
    select o.id, o.status, o.subscription_id, s.vendor_reference, s.status as subscription_status
    from orders o left join subscriptions s on s.id = o.subscription_id order by o.id`;
  expect(orders.map((o) => o.id).sort((a, b) => a - b)).toEqual([...orderIds].sort((a, b) => a - b));
  expect(orders.filter((o) => o.status !== 'completed' || o.subscription_status !== 'active')).toEqual([]);

  const resources = p.vendor.resources;
  const keys = resources.map((r) => r.idempotencyKey);
  expect(new Set(keys).size).toBe(keys.length);
  expect(resources).toHaveLength(orderIds.length);
  for (const order of orders) {
    const held = resources.filter((r) => r.idempotencyKey.startsWith(`order-${order.id}/`));
    expect(held, `resources of order ${order.id}`).toHaveLength(1);
    expect(order.vendor_reference, `vendor reference of order ${order.id}`).toBe(held[0]!.id);
    expect(held[0]!.state).toBe('active');
  }

  const [counts] = await p.sql<Array<{ subscriptions: number; linked: number; payments: number; paid: number; debits: number; debited_orders: number; top_ups: number; clients: number }>>`
    select (select count(*)::int from subscriptions) as subscriptions,
           (select count(distinct subscription_id)::int from orders) as linked,
           (select count(*)::int from payments where type = 'order') as payments,
           (select count(distinct order_id)::int from payments where type = 'order' and status = 'paid_from_balance') as paid,
           (select count(*)::int from ledger_transactions where kind = 'order_paid') as debits,
           (select count(distinct order_id)::int from ledger_transactions where kind = 'order_paid') as debited_orders,
           (select count(*)::int from ledger_transactions where kind = 'payment_received') as top_ups,
           (select count(*)::int from clients) as clients`;
  const n = orderIds.length;
  expect(counts).toEqual({ subscriptions: n, linked: n, payments: n, paid: n, debits: n, debited_orders: n, top_ups: clientIds.length, clients: clientIds.length });
  // Each client paid exactly its orders from exactly its top-up.
  expect(await p.sql`select id, balance::int from clients where balance <> 0`).toEqual([]);
  expect(await p.sql`select kind, count(*)::int from ledger_transactions where kind not in ('payment_received', 'order_paid') group by kind`).toEqual([]);

  const { discrepancies, transactions } = await checkLedger(p.sql);
  expect(discrepancies).toEqual([]);
  expect(transactions).toBe(n + clientIds.length);
}

/** A small seeded generator (mulberry32): a failing run can be repeated with its seed (`CHAOS_SEED`). */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function chaosSeed(name: string): number {
  const seed = process.env.CHAOS_SEED ? Number(process.env.CHAOS_SEED) : randomBytes(4).readUInt32BE(0);
  say(name, `seed ${seed} (CHAOS_SEED=${seed} repeats the fault timing)`);
  return seed;
}

/** How many orders a scenario places: its own number, or `CHAOS_ORDERS` for a quick run. */
export function orderCount(normal: number): number {
  return process.env.CHAOS_ORDERS ? Number(process.env.CHAOS_ORDERS) : normal;
}

export interface RepeatedFault {
  /** Stops injecting and waits for the fault in progress (a restart) to finish. */
  stop(): Promise<void>;
}

/**
 * Runs `inject` again and again, a random `minMs`-`maxMs` apart (the first time after `firstMs` when given),
 * until stopped. A failure of `inject` itself (the harness, not the platform) stops the loop and is thrown by `stop()`.
 */
export function repeatFault(inject: () => Promise<void>, { minMs, maxMs, firstMs, random }: { minMs: number; maxMs: number; firstMs?: number; random: () => number }): RepeatedFault {
  let stopped = false;
  let wake: () => void = () => {};
  let pause = firstMs;
  const loop = (async () => {
    while (!stopped) {
      const ms = pause ?? minMs + random() * (maxMs - minMs);
      pause = undefined;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, ms);
        wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      if (stopped) return;
      await inject();
    }
  })();
  loop.catch(() => {}); // seen by stop()
  return {
    async stop() {
      stopped = true;
      wake();
      await loop;
    },
  };
}
