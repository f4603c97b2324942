import { randomBytes } from 'node:crypto';
import { Writable } from 'node:stream';
import { defaultPayloadConverter } from '@temporalio/common';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../api/app';
import { connectDatabase } from '../../db/client';
import { createLogger } from '../../infra/logger';
import { requestContext } from '../../infra/request-context';
import { REQUEST_ID_HEADER } from '../../contracts/scenarios';
import { signInInProcess } from '../support/http';
import { parseExposition, seriesSum, seriesValue, type Family } from '../support/prometheus';
import { createClient, eventually, fastRetryPolicy, platformWithCatalog, waitForOrderStatus, waitForScenarioStatus, type Catalog, type TestPlatform } from '../support/platform';

/**
 * Issue 9, observability: request ids from the HTTP request into the scenario's workflow and activities,
 * the access log, `GET /metrics` in the Prometheus text format, and the home page reading the same figures.
 * The API and the worker log through one pino logger whose lines this file keeps in memory.
 */
const lines: Array<Record<string, any>> = [];
const destination = new Writable({
  write(chunk: Buffer, _encoding, done) {
    for (const line of chunk.toString().split('\n')) if (line) lines.push(JSON.parse(line));
    done();
  },
});
const logger = createLogger('debug', destination);

let p: TestPlatform;
let catalog: Catalog;

beforeAll(async () => {
  ({ p, catalog } = await platformWithCatalog('observability', {}, { logger }));
});
afterAll(async () => p?.close());

const uniqueId = (prefix: string) => `${prefix}-${randomBytes(4).toString('hex')}`;
const accessLine = (requestId: string, path: string) => lines.find((l) => l.msg === 'request' && l.requestId === requestId && l.path === path);

async function scrape(app = p.app, headers: Record<string, string> = {}): Promise<Map<string, Family>> {
  const res = await app.request('/metrics', { headers });
  expect(res.status).toBe(200);
  expect(res.headers.get('content-type')).toBe('text/plain; version=0.0.4; charset=utf-8');
  return parseExposition(await res.text());
}

/** A paid purchase order placed through the API with the given request id. */
async function placeOrder(requestId: string, name: string) {
  const clientId = await createClient(p, catalog, name);
  expect((await p.api('POST', `/api/v1/clients/${clientId}/top-ups`, { amount: 1500 })).status).toBe(201);
  const placed = await p.api('POST', '/api/v1/orders', { clientId, planPeriodId: catalog.monthlyPeriodId }, { headers: { 'x-request-id': requestId } });
  expect(placed.status).toBe(201);
  expect(placed.headers.get('x-request-id')).toBe(requestId);
  return placed.body.id as number;
}

describe('request ids', () => {
  it('every answer carries an x-request-id: a new one per request, or the plain one the caller sent', async () => {
    const first = await p.app.request('/health');
    const second = await p.app.request('/health');
    expect(first.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
    expect(second.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
    expect(first.headers.get('x-request-id')).not.toBe(second.headers.get('x-request-id'));

    const given = uniqueId('req');
    const kept = await p.api('GET', '/api/v1/orders', undefined, { headers: { 'x-request-id': given } });
    expect(kept.status).toBe(200);
    expect(kept.headers.get('x-request-id')).toBe(given);
    // Not plain (spaces, too long): replaced, so a caller cannot write what it likes into the logs.
    for (const bad of ['two words', 'x'.repeat(129), 'a\u00e9b']) {
      const res = await p.app.request('/health', { headers: { 'x-request-id': bad } });
      expect(res.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
    }
    // A call made while serving a request (the operator UI calls the API in-process) keeps that request's id.
    const outer = uniqueId('outer');
    const inner = await requestContext.run({ requestId: outer }, () => p.app.request('/health'));
    expect(inner.headers.get('x-request-id')).toBe(outer);
    // Errors carry it too.
    const missing = await p.api('GET', '/api/v1/orders/999999999', undefined, { headers: { 'x-request-id': `${given}-404` } });
    expect([missing.status, missing.headers.get('x-request-id')]).toEqual([404, `${given}-404`]);
  });

  it('one access log line per request: method, path, route, status, duration, request id and staff id, never the token', async () => {
    const given = uniqueId('log');
    await p.api('GET', '/api/v1/orders?limit=5', undefined, { headers: { 'x-request-id': given } });
    const [admin] = await p.sql<Array<{ id: number }>>`select id from staff where email = 'admin@localhost'`;
    expect(accessLine(given, '/api/v1/orders')).toMatchObject({
      level: 30,
      service: 'billing',
      method: 'GET',
      route: '/api/v1/orders',
      status: 200,
      staffId: admin!.id,
      durationMs: expect.any(Number),
    });
    expect(lines.filter((l) => l.requestId === given && l.msg === 'request')).toHaveLength(1);
    const refused = uniqueId('refused');
    await p.api('GET', '/api/v1/orders', undefined, { token: 'bpt_not-a-real-token-at-all', headers: { 'x-request-id': refused } });
    expect(accessLine(refused, '/api/v1/orders')).toMatchObject({ status: 401 });
    expect(accessLine(refused, '/api/v1/orders')).not.toHaveProperty('staffId');
    const logged = JSON.stringify(lines);
    expect(logged).not.toContain(p.adminToken);
    expect(logged).not.toContain('bpt_not-a-real-token-at-all');
    expect(logged.toLowerCase()).not.toContain('bearer');
  });

  it('the request id of the request that placed an order reaches its workflow, every activity and the activity log', async () => {
    const requestId = uniqueId('order');
    const orderId = await placeOrder(requestId, 'Traced Ltd');
    await waitForOrderStatus(p, orderId, 'completed');
    await waitForScenarioStatus(p, `order-${orderId}`, 'completed');

    const history = await p.temporal.workflow.getHandle(`order-${orderId}`).fetchHistory();
    const decode = (header: { fields?: Record<string, any> | null } | null | undefined) => {
      const payload = header?.fields?.[REQUEST_ID_HEADER];
      return payload ? defaultPayloadConverter.fromPayload(payload) : undefined;
    };
    const events = history.events ?? [];
    expect(decode(events[0]?.workflowExecutionStartedEventAttributes?.header)).toBe(requestId);
    const scheduled = events.filter((e) => e.activityTaskScheduledEventAttributes).map((e) => e.activityTaskScheduledEventAttributes!);
    expect(scheduled.length).toBeGreaterThan(0);
    expect(scheduled.map((a) => [a.activityType?.name, decode(a.header)])).toEqual(scheduled.map((a) => [a.activityType?.name, requestId]));

    // The worker's lines for this scenario's activities (local ones too) all name the request.
    const activityLines = lines.filter((l) => l.msg === 'activity completed' && l.workflowId === `order-${orderId}`);
    expect(activityLines.map((l) => l.activityType)).toContain('callPlugin');
    expect(activityLines.some((l) => l.local === true)).toBe(true);
    expect(new Set(activityLines.map((l) => l.requestId))).toEqual(new Set([requestId]));
    // The access line of the request that placed the order has the same id.
    expect(accessLine(requestId, '/api/v1/orders')).toMatchObject({ method: 'POST', status: 201 });
  });

  it('a billing run started through the API carries the request id; a workflow started outside any request carries none', async () => {
    const billingRun = await p.api('POST', '/api/v1/billing/runs', { date: '2019-03-11' }, { headers: { 'x-request-id': uniqueId('run') } });
    expect(billingRun.status).toBeLessThan(300);
    const history = await p.temporal.workflow.getHandle('billing-day-2019-03-11').fetchHistory();
    expect(history.events?.[0]?.workflowExecutionStartedEventAttributes?.header?.fields?.[REQUEST_ID_HEADER]).toBeDefined();
    // Started by a plain client call outside any request: no header.
    const handle = await p.temporal.workflow.start('billingDay', {
      workflowId: `billing-day-2019-03-12`,
      taskQueue: p.taskQueue,
      args: [{ businessDate: '2019-03-12', policy: fastRetryPolicy }],
    });
    const plain = await handle.fetchHistory();
    expect(plain.events?.[0]?.workflowExecutionStartedEventAttributes?.header?.fields?.[REQUEST_ID_HEADER]).toBeUndefined();
    await handle.result();
  });
});

describe('GET /metrics', () => {
  it('parses as the Prometheus text format, and the figures move when an order completes', async () => {
    const before = await scrape();
    for (const name of ['billing_scenarios', 'billing_scenarios_started_total', 'billing_scenario_step_duration_seconds', 'billing_tasks', 'billing_manual_operations', 'billing_notifications', 'billing_orders', 'billing_runs', 'billing_run_duration_seconds', 'billing_http_requests_total', 'billing_http_request_duration_seconds', 'process_cpu_seconds_total']) {
      expect(before.get(name)?.type, name).toBeDefined();
    }
    expect(seriesValue(before, 'billing_metrics_database_up')).toBe(1);
    const step = { kind: 'task', plugin: 'http-vendor', operation: 'create' };
    const completed = (m: Map<string, Family>) => seriesValue(m, 'billing_scenarios', { type: 'order_processing', status: 'completed' }) ?? 0;
    const started = (m: Map<string, Family>) => seriesValue(m, 'billing_scenarios_started_total', { type: 'order_processing' }) ?? 0;
    const creates = (m: Map<string, Family>) => seriesValue(m, 'billing_scenario_step_duration_seconds_count', step) ?? 0;
    const posts = (m: Map<string, Family>) => seriesValue(m, 'billing_http_requests_total', { method: 'POST', route: '/api/v1/orders', status: '201' }) ?? 0;

    const orderId = await placeOrder(uniqueId('metrics'), 'Measured Ltd');
    await waitForOrderStatus(p, orderId, 'completed');
    await waitForScenarioStatus(p, `order-${orderId}`, 'completed');
    const after = await scrape();

    expect(completed(after)).toBe(completed(before) + 1);
    expect(started(after)).toBe(started(before) + 1);
    expect(creates(after)).toBe(creates(before) + 1);
    expect(posts(after)).toBe(posts(before) + 1);
    // The new create step's duration is in the histogram: its sum grew by what the read model recorded.
    const [row] = await p.sql<Array<{ ms: number }>>`
      select st.duration_ms as ms from scenario_steps st
      where st.scenario_id = ${`order-${orderId}`} and st.kind = 'task' and st.operation = 'create'`;
    const sum = (m: Map<string, Family>) => seriesValue(m, 'billing_scenario_step_duration_seconds_sum', step) ?? 0;
    expect(sum(after) - sum(before)).toBeCloseTo(row!.ms / 1000, 6);
    const inBucket = (m: Map<string, Family>, le: string) => seriesValue(m, 'billing_scenario_step_duration_seconds_bucket', { ...step, le }) ?? 0;
    const bound = [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60].find((b) => row!.ms / 1000 <= b)!;
    expect(inBucket(after, String(bound)) - inBucket(before, String(bound))).toBe(1);
    // The route label is the pattern, never the raw path with an id in it.
    const routes = after.get('billing_http_requests_total')!.samples.map((s) => s.labels.route);
    expect(routes).toContain('/api/v1/orders/:id');
    expect(routes.some((r) => /\/\d+(\/|$)/.test(r!))).toBe(false);
  });

  it('a finished billing run has its duration', async () => {
    const date = '2019-03-13';
    expect((await p.api('POST', '/api/v1/billing/runs', { date, confirmDate: date })).status).toBeLessThan(300);
    await waitForScenarioStatus(p, `billing-day-${date}`, 'completed');
    const [run] = await p.sql<Array<{ seconds: number }>>`
      select extract(epoch from finished_at - started_at)::float8 as seconds from billing_runs where business_date = ${date}`;
    const metrics = await scrape();
    const latest = (await p.sql<Array<{ date: string }>>`select max(business_date)::text as date from billing_runs where finished_at is not null`)[0]!.date;
    expect(latest).toBe(date);
    expect(seriesValue(metrics, 'billing_run_last_duration_seconds', { business_date: date })).toBeCloseTo(run!.seconds, 6);
    const [count] = await p.sql<Array<{ n: number }>>`select count(*)::int as n from billing_runs where finished_at is not null`;
    expect(seriesValue(metrics, 'billing_run_duration_seconds_count')).toBe(count!.n);
  });

  it('with METRICS_TOKEN set, a scrape needs it as the bearer token', async () => {
    const database = connectDatabase(p.databaseUrl, { applicationName: 'test-observability-metrics' });
    try {
      const metricsToken = 'metrics-token-for-the-test';
      const app = createApp({ db: database.db, sql: database.sql, temporal: p.temporal, taskQueue: p.taskQueue, timeZone: 'UTC', pluginRetryPolicy: fastRetryPolicy, metricsToken });
      expect((await app.request('/metrics')).status).toBe(401);
      expect((await app.request('/metrics', { headers: { authorization: 'Bearer wrong-token-of-some-length' } })).status).toBe(401);
      expect((await app.request('/metrics', { headers: { authorization: `Bearer ${p.adminToken}` } })).status).toBe(401);
      const metrics = await scrape(app, { authorization: `Bearer ${metricsToken}` });
      expect(seriesValue(metrics, 'billing_metrics_database_up')).toBe(1);
    } finally {
      await database.close();
    }
  });
});

describe('the home page and /metrics', () => {
  async function signIn(): Promise<string> {
    const [admin] = await p.sql<Array<{ id: number }>>`select id from staff where email = 'admin@localhost'`;
    const password = 'observability test password';
    expect((await p.api('POST', `/api/v1/staff/${admin!.id}/password`, { password })).status).toBe(200);
    return signInInProcess(p.app, { email: 'admin@localhost', password });
  }

  async function homeCounts(cookie: string): Promise<Record<string, number>> {
    const res = await p.app.request('/', { headers: { cookie } });
    expect(res.status).toBe(200);
    const html = await res.text();
    return Object.fromEntries([...html.matchAll(/data-count="([^"]+)"[^>]*><b>(\d+)<\/b>/g)].map((m) => [m[1]!, Number(m[2])]));
  }

  const fromMetrics = (m: Map<string, Family>) => ({
    'home.failedTasks': seriesValue(m, 'billing_tasks', { status: 'failed' }),
    'home.pendingOperations': seriesValue(m, 'billing_manual_operations', { status: 'pending' }),
    'home.waitingScenarios': seriesSum(m, 'billing_scenarios', { status: 'waiting' }),
    'home.activationErrors': seriesValue(m, 'billing_orders', { status: 'activation_error' }),
    'home.failedNotifications': seriesSum(m, 'billing_notifications', { status: 'failed' }),
  });

  it('shows the numbers /metrics exposes, and they are the records that need attention', async () => {
    // Something to count: an order whose provisioning the vendor refuses (a failed task, a waiting
    // scenario, an order in activation_error); e-mail notifications fail here, as no SMTP is configured.
    const clientId = await createClient(p, catalog, 'Refused Ltd');
    await p.api('POST', `/api/v1/clients/${clientId}/top-ups`, { amount: 1500 });
    p.vendor.rejectNext(1, 422, 'not sold in this region');
    const order = (await p.api('POST', '/api/v1/orders', { clientId, planPeriodId: catalog.monthlyPeriodId })).body;
    await waitForOrderStatus(p, order.id, 'activation_error');
    await waitForScenarioStatus(p, `order-${order.id}`, 'waiting');

    const cookie = await signIn();
    // Notifications and scenarios move in the background: compare a home page read between two equal scrapes.
    const { home, metrics } = await eventually(
      async () => {
        const first = fromMetrics(await scrape());
        const shown = await homeCounts(cookie);
        const second = fromMetrics(await scrape());
        return JSON.stringify(first) === JSON.stringify(second) ? { home: shown, metrics: first } : null;
      },
      { what: 'two equal scrapes around a home page' },
    );
    expect(home).toEqual(metrics);
    expect(metrics['home.failedTasks']).toBeGreaterThanOrEqual(1);
    expect(metrics['home.waitingScenarios']).toBeGreaterThanOrEqual(1);
    expect(metrics['home.activationErrors']).toBeGreaterThanOrEqual(1);

    // And they are what the records say.
    const [truth] = await p.sql<Array<Record<string, number>>>`
      select (select count(*) from tasks where status = 'failed')::int as "failedTasks",
             (select count(*) from scenarios where status = 'waiting')::int as "waitingScenarios",
             (select count(*) from orders where status = 'activation_error')::int as "activationErrors"`;
    expect([home['home.failedTasks'], home['home.waitingScenarios'], home['home.activationErrors']]).toEqual([truth!.failedTasks, truth!.waitingScenarios, truth!.activationErrors]);
  });
});
