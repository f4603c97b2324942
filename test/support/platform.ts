import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { Client, Connection } from '@temporalio/client';
import { DefaultLogger, Runtime, type Worker } from '@temporalio/worker';
import postgres from 'postgres';
import { expect, inject } from 'vitest';
import { checkLedger } from '../../operations/ledger/ledger-check';
import { createDefaultPluginRegistry } from '../../operations/plugins/registry';
import type { AppOptions } from '../../api/app';
import { createPlatformApp as createApp } from '../../platform/http-app';
import { bootstrapAdmin } from '../../api/auth';
import type { ApiDeps } from '../../api/deps';
import { connectDatabase, type DatabaseHandle } from '../../db/client';
import { createWorker } from '../../platform/temporal';
import type { Logger } from '../../infra/logger';
import { clientInterceptors } from '../../infra/request-context';
import type { PluginRetryPolicy } from '../../contracts/plugin-calls';
import { startFakeVendor, type FakeVendor } from '../fakes/fake-vendor';
import { testNamespace } from './namespaces';
import type { MailConfig } from '../../operations/notifications/channels';
import { startNotificationDispatcher } from '../../platform/notification-dispatcher';
import { installDefaultTemplates } from '../../operations/notifications/defaults';
import { withDatabase } from './local-services';
import type { NotificationRetryPolicy } from '../../contracts/scenarios';
import { secretBox } from '../../infra/secret-box';

// Worker chatter (state changes, retries we provoke on purpose) would drown the test report.
try {
  Runtime.install({ logger: new DefaultLogger(process.env.TEST_DEBUG ? 'INFO' : 'ERROR') });
} catch {
  // A runtime already exists in this process: keep it.
}

/** Notification delivery in tests: four attempts within about two seconds. */
/** The configuration key that seals licensing signing keys in tests (LICENSING_KEY_ENCRYPTION_KEY), one per test process. */
export const testLicensingKeyEncryptionKey = randomBytes(32);

export const fastNotificationPolicy: NotificationRetryPolicy = { attempts: 4, initialIntervalMs: 300, maxIntervalMs: 1_000 };

export const fastRetryPolicy: PluginRetryPolicy = {
  initialIntervalMs: 50,
  maximumIntervalMs: 200,
  maximumAttempts: 4,
  heartbeatTimeoutMs: 3_000,
  startToCloseTimeoutMs: 60_000,
};

export interface ApiAnswer<T = any> {
  status: number;
  body: T;
  headers: Headers;
}

export interface TestPlatform {
  name: string;
  databaseName: string;
  databaseUrl: string;
  temporalAddress: string;
  /** This file's Temporal namespace (one per vitest worker, see namespaces.ts). */
  temporalNamespace: string;
  taskQueue: string;
  sql: DatabaseHandle['sql'];
  temporal: Client;
  vendor: FakeVendor;
  vendorSecret: string;
  adminToken: string;
  app: ReturnType<typeof createApp>;
  api<T = any>(method: string, path: string, body?: unknown, options?: { token?: string | null; headers?: Record<string, string> }): Promise<ApiAnswer<T>>;
  /** The same app (routes, middleware, database, Temporal) with an injected clock, for rules that count days. */
  withClock(now: () => Date): TestPlatform['api'];
  /** Another app on the same database and Temporal, configured as a deployment would be (trusted proxies, limits). */
  appWith(options?: Partial<AppOptions>): ReturnType<typeof createApp>;
  startWorker(): Promise<void>;
  stopWorker(): Promise<void>;
  close(): Promise<void>;
}

/** What the Node server hands the app for a connection from the loopback (infra/client-address.ts reads it). */
const LOOPBACK_PROXY = '127.0.0.1';
const viaLoopbackProxy = { incoming: { socket: { remoteAddress: LOOPBACK_PROXY } } };

function adminUrl(database: string): string {
  return withDatabase(inject('adminDatabaseUrl'), database);
}

/** How a test file's platform differs from the usual one. */
export interface TestPlatformOptions {
  policy?: PluginRetryPolicy;
  runWorker?: boolean;
  /** Outgoing e-mail (an in-process SMTP receiver in the notification tests). */
  mail?: MailConfig;
  /** The worker's clock (sending hours are tested with an offset clock, not by waiting an hour). */
  now?: () => Date;
  /** The process logger of the API and the worker (access log, activity lines); none by default. */
  logger?: Logger;
  /**
   * EGRESS_ALLOW_HOSTS of the API and the worker. The fake vendor and SMS gateways of the tests listen on
   * 127.0.0.1, which the egress policy refuses unless allow-listed: by default the tests allow-list it.
   */
  egressAllowHosts?: string[];
  /** Requests per minute per source address and per key on the public licensing API (the app's default: 60). */
  licensingRateLimit?: number;
}

/**
 * A platform for one test file: its own database (from the migrated template), task queue, worker
 * running the real workflows and activities, the real HTTP app, and a fake vendor (an external party).
 */
export async function createTestPlatform(name: string, options: TestPlatformOptions = {}): Promise<TestPlatform> {
  const suffix = randomBytes(4).toString('hex');
  const databaseName = `bp_${name.replace(/\W/g, '_')}_${suffix}`;
  const admin = postgres(inject('adminDatabaseUrl'), { max: 1, onnotice: () => {} });
  await admin.unsafe(`create database ${databaseName} template ${inject('templateDatabase')}`);
  await admin.end();

  const databaseUrl = adminUrl(databaseName);
  const database = connectDatabase(databaseUrl, { applicationName: `test-${name}` });
  // Files that follow each other in a vitest worker share its Temporal namespace and scenario ids come from
  // record ids (`order-<id>`): give each database its own range of ids so two files never address one workflow.
  // Subscription and client ids name scenarios too (`subscription-<id>-stop-…`, `financial-block-<client>-<n>`),
  // and so do notification events and notifications (`notify-event-<id>`, `notification-<id>`) and licenses (`licensing-ent-<id>`).
  for (const table of ['orders', 'subscriptions', 'clients', 'notification_events', 'notifications', 'entitlements']) {
    const base = (randomBytes(4).readUInt32BE(0) % 1_000_000) * 1000 + 1;
    await database.sql`select setval(pg_get_serial_sequence(${table}, 'id'), ${base})`;
  }
  const temporalAddress = inject('temporalAddress');
  const connection = await Connection.connect({ address: temporalAddress });
  const namespace = testNamespace();
  const temporal = new Client({ connection, namespace, interceptors: clientInterceptors() });
  const taskQueue = `test-${name}-${suffix}`;
  const vendorSecret = `secret-${suffix}`;
  const vendor = await startFakeVendor({ secret: vendorSecret });
  const workflowBundle = { code: await readFile(inject('workflowBundlePath'), 'utf8') };

  const egress = { allowHosts: options.egressAllowHosts ?? ['127.0.0.1'] };
  const deps: ApiDeps = {
    db: database.db,
    sql: database.sql,
    temporal,
    taskQueue,
    timeZone: 'UTC',
    pluginRetryPolicy: options.policy ?? fastRetryPolicy,
    notificationPolicy: fastNotificationPolicy,
    egress,
    licensingKeys: secretBox(testLicensingKeyEncryptionKey),
    // One key for every secret at rest (infra/config.ts secretsKeyOf), as in production.
    secrets: secretBox(testLicensingKeyEncryptionKey),
  };
  // Calls come "through a proxy on the loopback" that the app trusts (see `caller`), so a test may give a call the
  // client address it stands for with X-Forwarded-For, as the public licensing tests do to keep to their limits.
  const app = createApp({ ...deps, temporalUiUrl: 'http://127.0.0.1:8233', trustProxy: LOOPBACK_PROXY, ...(options.logger ? { logger: options.logger } : {}), ...(options.licensingRateLimit ? { licensingRateLimit: options.licensingRateLimit } : {}), logError: (err) => { if (process.env.TEST_DEBUG) console.error(err); } });
  const { token: adminToken } = await bootstrapAdmin(database.sql);
  // As the API process does at start.
  await installDefaultTemplates(database.sql);

  /** Calls an app as an API client would, with the admin token unless told otherwise. */
  function caller(target: ReturnType<typeof createApp>): TestPlatform['api'] {
    return async (method, path, body, opts = {}) => {
      const headers: Record<string, string> = { ...opts.headers };
      const token = opts.token === undefined ? adminToken : opts.token;
      if (token) headers.authorization = `Bearer ${token}`;
      let payload: string | undefined;
      if (body !== undefined) {
        headers['content-type'] ??= 'application/json';
        payload = typeof body === 'string' ? body : JSON.stringify(body);
      }
      const res = await target.request(path, { method, headers, body: payload }, viaLoopbackProxy);
      const text = await res.text();
      let parsed: unknown = text;
      try {
        parsed = text ? JSON.parse(text) : null;
      } catch {
        // not JSON: keep the text
      }
      return { status: res.status, body: parsed as any, headers: res.headers };
    };
  }

  let running: { worker: Worker; done: Promise<void>; close: () => Promise<void> } | null = null;
  async function startWorker() {
    if (running) return;
    const { worker, connection: native } = await createWorker({
      address: temporalAddress,
      namespace,
      taskQueue,
      workflowBundle,
      sql: database.sql,
      plugins: createDefaultPluginRegistry({ sql: database.sql, egress }),
      egress,
      timeZone: 'UTC',
      secrets: secretBox(testLicensingKeyEncryptionKey),
      ...(options.mail ? { mail: options.mail } : {}),
      ...(options.now ? { now: options.now } : {}),
      ...(options.logger ? { logger: options.logger } : {}),
    });
    const done = worker.run();
    running = { worker, done, close: () => native.close() };
  }
  async function stopWorker() {
    if (!running) return;
    const current = running;
    running = null;
    current.worker.shutdown();
    await current.done;
    await current.close();
  }
  if (options.runWorker !== false) await startWorker();
  // Notification events leave the outbox as in the API process (errors are the test's to see).
  const notifications = startNotificationDispatcher({
    sql: database.sql,
    temporal,
    taskQueue,
    policy: fastNotificationPolicy,
    intervalMs: 200,
    onError: (err) => console.error('notification dispatch failed', err),
  });

  return {
    name,
    databaseName,
    databaseUrl,
    temporalAddress,
    temporalNamespace: namespace,
    taskQueue,
    sql: database.sql,
    temporal,
    vendor,
    vendorSecret,
    adminToken,
    app,
    api: caller(app),
    withClock(now) {
      return caller(createApp({ ...deps, now, trustProxy: LOOPBACK_PROXY, logError: () => {} }));
    },
    appWith(overrides = {}) {
      return createApp({ ...deps, logError: (err) => { if (process.env.TEST_DEBUG) console.error(err); }, ...overrides });
    },
    startWorker,
    stopWorker,
    async close() {
      await notifications.stop();
      await stopWorker();
      // Every test file's data must leave a ledger that agrees with itself (recomputed from its history).
      const { discrepancies } = await checkLedger(database.sql);
      if (discrepancies.length > 0) {
        await vendor.close();
        await connection.close();
        await database.close();
        throw new Error(`ledger check of ${databaseName}: ${JSON.stringify(discrepancies.slice(0, 5))}`);
      }
      await vendor.close();
      await connection.close();
      await database.close();
      const cleanup = postgres(inject('adminDatabaseUrl'), { max: 1, onnotice: () => {} });
      await cleanup.unsafe(`drop database if exists ${databaseName} with (force)`);
      await cleanup.end();
    },
  };
}

/** Polls until `check` returns a truthy value, or fails with the last value seen. */
export async function eventually<T>(check: () => Promise<T>, { timeoutMs = 30_000, intervalMs = 100, what = 'condition' } = {}): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeoutMs;
  let last: T | undefined;
  for (;;) {
    last = await check();
    if (last) return last as NonNullable<T>;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; last value: ${JSON.stringify(last)}`);
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}

export interface Catalog {
  serviceRuleId: number;
  provisioningRuleId: number;
  productId: number;
  serviceTemplateId: number;
  planId: number;
  monthlyPeriodId: number;
  yearlyPeriodId: number;
}

/** A catalogue built through the API: a plan on the http-vendor plugin pointing at the fake vendor. */
export interface CatalogOptions {
  cancelDays?: number;
  /** Overrides of the service rule (deleteMode, stopMode, ...). */
  serviceRule?: Record<string, unknown>;
  /** Overrides of the provisioning rule (autoRenewPointDays, unpaidStopAfterDays, ...). */
  provisioningRule?: Record<string, unknown>;
  /** Overrides of the plan (billingType, resources, ...). */
  plan?: Record<string, unknown>;
  /** Service-template capabilities. */
  capabilities?: Record<string, unknown>;
  /** The http-vendor plugin's timeout for calls to the fake vendor (default 5000 ms). */
  vendorTimeoutMs?: number;
  /** Another vendor than the platform's fake one (its base URL). */
  vendorUrl?: string;
}

/** A plan resource the change-resources tests order: 10 GB included, 5-100, 30 a month per extra GB. */
export const storageResource = { key: 'storage', name: 'Storage, GB', included: 10, minimum: 5, maximum: 100, recurringPrice: 30 };

/** What the catalogue and client helpers need of a platform: its API and the fake vendor it provisions at. */
export type PlatformApi = Pick<TestPlatform, 'api' | 'vendor' | 'vendorSecret'>;

export async function seedCatalog(p: PlatformApi, { cancelDays = 14, serviceRule: ruleOverrides = {}, provisioningRule: provisioningOverrides = {}, plan: planOverrides = {}, capabilities, vendorTimeoutMs = 5000, vendorUrl = p.vendor.url }: CatalogOptions = {}): Promise<Catalog> {
  const ok = <T>(answer: ApiAnswer<T>, what: string): T => {
    if (answer.status !== 201) throw new Error(`${what}: ${answer.status} ${JSON.stringify(answer.body)}`);
    return answer.body;
  };
  const suffix = randomBytes(3).toString('hex');
  const serviceRule = ok(await p.api('POST', '/api/v1/service-rules', { key: `standard_${suffix}`, name: `Standard ${suffix}`, unpaidOrderCancelDays: cancelDays, ...ruleOverrides }), 'service rule');
  const provisioningRule = ok(await p.api('POST', '/api/v1/provisioning-rules', { key: `monthly_${suffix}`, name: `Monthly ${suffix}`, ...provisioningOverrides }), 'provisioning rule');
  const product = ok(await p.api('POST', '/api/v1/products', { name: 'Cloud backup' }), 'product');
  const template = ok(
    await p.api('POST', '/api/v1/service-templates', {
      name: 'Backup at Acme',
      plugin: 'http-vendor',
      settings: { baseUrl: vendorUrl, secret: p.vendorSecret, timeoutMs: vendorTimeoutMs },
      ...(capabilities ? { capabilities } : {}),
    }),
    'service template',
  );
  const plan = ok(
    await p.api('POST', '/api/v1/plans', {
      productId: product.id,
      serviceTemplateId: template.id,
      provisioningRuleId: provisioningRule.id,
      name: 'Backup 100 GB',
      sku: 'BK-100',
      currency: 'EUR',
      periods: [
        { duration: 1, unit: 'month', setupFee: 500, recurringFee: 1000 },
        { duration: 1, unit: 'year', setupFee: 0, recurringFee: 900 },
      ],
      ...planOverrides,
    }),
    'plan',
  );
  return {
    serviceRuleId: serviceRule.id,
    provisioningRuleId: provisioningRule.id,
    productId: product.id,
    serviceTemplateId: template.id,
    planId: plan.id,
    monthlyPeriodId: plan.periods[0].id,
    yearlyPeriodId: plan.periods[1].id,
  };
}

/** The usual start of an integration test file: its platform with a catalogue seeded through the API. */
export async function platformWithCatalog(name: string, catalog: CatalogOptions = {}, options: TestPlatformOptions = {}): Promise<{ p: TestPlatform; catalog: Catalog }> {
  const p = await createTestPlatform(name, options);
  return { p, catalog: await seedCatalog(p, catalog) };
}

export async function createClient(p: Pick<PlatformApi, 'api'>, catalog: Catalog, name = 'Acme Ltd'): Promise<number> {
  const answer = await p.api('POST', '/api/v1/clients', {
    name,
    serviceRuleId: catalog.serviceRuleId,
    contacts: [{ name: 'Olga Owner', email: 'olga@example.com', role: 'owner', language: 'en' }],
  });
  if (answer.status !== 201) throw new Error(`client: ${answer.status} ${JSON.stringify(answer.body)}`);
  return answer.body.id;
}

/** A second plan of the catalogue's service template, to switch to: 2500 a month, no setup fee. Answers its period. */
export async function createSwitchTargetPlan(p: Pick<PlatformApi, 'api'>, catalog: Catalog): Promise<number> {
  const answer = await p.api('POST', '/api/v1/plans', {
    productId: catalog.productId,
    serviceTemplateId: catalog.serviceTemplateId,
    provisioningRuleId: catalog.provisioningRuleId,
    name: 'Backup 500 GB',
    sku: 'BK-500',
    periods: [{ duration: 1, unit: 'month', setupFee: 0, recurringFee: 2500 }],
  });
  expect(answer.status, JSON.stringify(answer.body)).toBe(201);
  return answer.body.periods[0].id as number;
}

/** Waits until no scenario is running (waiting ones, for a payment, a person or a date, are settled). */
export async function settleScenarios(p: Pick<TestPlatform, 'sql'>): Promise<void> {
  await eventually(async () => {
    const [row] = await p.sql<Array<{ n: number }>>`select count(*)::int as n from scenarios where status = 'running'`;
    return row?.n === 0;
  }, { what: 'scenarios to settle', timeoutMs: 60_000 });
}

/** Runs the billing day `date` (confirmed), waits for its scenario and for the scenarios it started; answers the run. */
export async function runBillingDay(p: TestPlatform, date: string) {
  const started = await p.api('POST', '/api/v1/billing/runs', { date, confirmDate: date });
  expect(started.status, JSON.stringify(started.body)).toBe(202);
  await p.temporal.workflow.getHandle(started.body.scenarioId).result();
  await settleScenarios(p);
  return (await p.api('GET', `/api/v1/billing/runs/${date}`)).body;
}

export async function scenarioOf(p: TestPlatform, orderId: number) {
  return (await p.api('GET', `/api/v1/scenarios/order-${orderId}`)).body;
}

export async function waitForOrderStatus(p: TestPlatform, orderId: number, status: string, timeoutMs = 30_000) {
  return eventually(
    async () => {
      const order = (await p.api('GET', `/api/v1/orders/${orderId}`)).body;
      return order.status === status ? order : null;
    },
    { timeoutMs, what: `order ${orderId} to be ${status}` },
  );
}

export async function waitForScenarioStatus(p: TestPlatform, scenarioId: string, status: string, timeoutMs = 30_000) {
  return eventually(
    async () => {
      const s = (await p.api('GET', `/api/v1/scenarios/${scenarioId}`)).body;
      return s?.status === status ? s : null;
    },
    { timeoutMs, what: `scenario ${scenarioId} to be ${status}` },
  );
}

/** The number of rows of every table of the database, by table: "nothing was written" compares two of them. */
export async function tableRowCounts(p: Pick<TestPlatform, 'sql'>): Promise<Record<string, number>> {
  const tables = await p.sql<Array<{ table_name: string }>>`
    select table_name from information_schema.tables where table_schema = 'public' and table_type = 'BASE TABLE'`;
  const rows = await p.sql.unsafe<Array<{ t: string; n: string }>>(tables.map((t) => `select '${t.table_name}' as t, count(*)::int8 as n from public."${t.table_name}"`).join(' union all '));
  return Object.fromEntries(rows.map((r) => [r.t, Number(r.n)]));
}

/** The step tree of a scenario answer, flattened in display order. */
export const flattenTree = (nodes: any[]): any[] => nodes.flatMap((n) => [n, ...flattenTree(n.children)]);
