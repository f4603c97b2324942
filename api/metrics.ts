import { createHash, timingSafeEqual } from 'node:crypto';
import type { Handler } from 'hono';
import type { Sql } from '../db/client';
import { notificationStatuses } from '../db/schema/notifications';
import { notificationChannels } from '../domain/notifications/catalog';
import { orderStatuses, scenarioStatuses, taskStatuses, type TaskStatus } from '../domain/statuses';
import { bearerToken } from './auth';
import { Exposition, HistogramSet, histogramOf, METRICS_CONTENT_TYPE, type HistogramValue, type Labels } from './exposition';

/**
 * What the platform counts, read from PostgreSQL: the one source of `GET /metrics` and of the operator UI's
 * home page. Counting the read models at scrape time keeps the numbers honest however many API and worker
 * processes run: every API process answers the same database figures (aggregate them with max(), not sum(),
 * across instances). Only the HTTP series are the answering process's own, kept in memory.
 */
const manualOperationStatuses = ['pending', 'approved', 'rejected'] as const;
const billingRunStatuses = ['running', 'completed', 'failed'] as const;

/** Step durations in seconds: plugin calls take milliseconds to minutes; manual steps and waits take days. */
export const STEP_DURATION_BOUNDS = [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 900, 3600, 86_400] as const;
export const BILLING_RUN_DURATION_BOUNDS = [1, 5, 15, 30, 60, 300, 900, 1800, 3600, 7200, 14_400] as const;
export const HTTP_DURATION_BOUNDS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10] as const;

export interface OperationalCounts {
  /** Scenarios by type and status (every status of every type that has a scenario; zeros included). */
  scenarios: Array<{ type: string; status: string; count: number }>;
  /** The task list by status. */
  tasks: Record<TaskStatus, number>;
  manualOperations: Record<(typeof manualOperationStatuses)[number], number>;
  notifications: Array<{ status: string; channel: string; count: number }>;
  orders: Record<(typeof orderStatuses)[number], number>;
  billingRuns: Record<(typeof billingRunStatuses)[number], number>;
}

const zeros = <K extends string>(keys: readonly K[]) => Object.fromEntries(keys.map((k) => [k, 0])) as Record<K, number>;

function countBy<K extends string>(keys: readonly K[], rows: ReadonlyArray<{ status: string; count: number }>): Record<K, number> {
  const counts = zeros(keys);
  for (const row of rows) counts[row.status as K] = row.count;
  return counts;
}

/** Records by status, read in one snapshot (a read-only repeatable-read transaction), so the figures agree. */
export async function readOperationalCounts(sql: Sql): Promise<OperationalCounts> {
  type Row = { status: string; count: number };
  const [scenarios, tasks, operations, notifications, orders, runs] = await sql.begin('isolation level repeatable read read only', (tx) =>
    Promise.all([
      tx<Array<Row & { type: string }>>`select type, status, count(*)::int as count from scenarios group by type, status`,
      tx<Row[]>`select status, count(*)::int as count from tasks group by status`,
      tx<Row[]>`select status, count(*)::int as count from manual_operations group by status`,
      tx<Array<Row & { channel: string }>>`select status, channel, count(*)::int as count from notifications group by status, channel`,
      tx<Row[]>`select status, count(*)::int as count from orders group by status`,
      tx<Row[]>`select status, count(*)::int as count from billing_runs group by status`,
    ]),
  );
  const types = [...new Set(scenarios.map((s) => s.type))].sort();
  const scenarioCount = (type: string, status: string) => scenarios.find((s) => s.type === type && s.status === status)?.count ?? 0;
  const notificationCount = (status: string, channel: string) => notifications.find((n) => n.status === status && n.channel === channel)?.count ?? 0;
  return {
    scenarios: types.flatMap((type) => scenarioStatuses.map((status) => ({ type, status, count: scenarioCount(type, status) }))),
    tasks: countBy(taskStatuses, tasks),
    manualOperations: countBy(manualOperationStatuses, operations),
    notifications: notificationStatuses.flatMap((status) => notificationChannels.map((channel) => ({ status, channel, count: notificationCount(status, channel) }))),
    orders: countBy(orderStatuses, orders),
    billingRuns: countBy(billingRunStatuses, runs),
  };
}

/** The counts that need attention, as the home page shows them. */
export function attentionCounts(counts: OperationalCounts) {
  const total = (rows: Array<{ count: number }>) => rows.reduce((sum, row) => sum + row.count, 0);
  return {
    failedTasks: counts.tasks.failed,
    pendingOperations: counts.manualOperations.pending,
    waitingScenarios: total(counts.scenarios.filter((s) => s.status === 'waiting')),
    activationErrors: counts.orders.activation_error,
    failedNotifications: total(counts.notifications.filter((n) => n.status === 'failed')),
  };
}

export interface Durations {
  /** Finished steps by kind, plugin and operation (empty strings where a step has none). */
  steps: Array<{ labels: { kind: string; plugin: string; operation: string }; value: HistogramValue }>;
  billingRuns: HistogramValue;
  lastBillingRun: { date: string; seconds: number } | null;
}

/**
 * Step and billing run durations. Steps are grouped into the histogram's buckets by SQL's `width_bucket`
 * (thresholds one millisecond above each bound, so a step of exactly a bound's length counts in that bucket).
 */
export async function readDurations(sql: Sql): Promise<Durations> {
  const thresholds = STEP_DURATION_BOUNDS.map((bound) => Math.round(bound * 1000) + 1);
  const steps = await sql<Array<{ kind: string; plugin: string; operation: string; bucket: number; count: number; sumMs: number }>>`
    select kind, coalesce(plugin, '') as plugin, coalesce(operation, '') as operation,
           width_bucket(duration_ms, ${thresholds}::int[]) as bucket, count(*)::int as count, sum(duration_ms)::float8 as "sumMs"
    from scenario_steps where duration_ms is not null
    group by 1, 2, 3, 4 order by 1, 2, 3, 4`;
  const groups = new Map<string, { labels: { kind: string; plugin: string; operation: string }; counts: Map<number, number>; sumMs: number }>();
  for (const row of steps) {
    const key = JSON.stringify([row.kind, row.plugin, row.operation]);
    const group = groups.get(key) ?? { labels: { kind: row.kind, plugin: row.plugin, operation: row.operation }, counts: new Map(), sumMs: 0 };
    group.counts.set(row.bucket, row.count);
    group.sumMs += row.sumMs;
    groups.set(key, group);
  }
  const runs = await sql<Array<{ date: string; seconds: number }>>`
    select business_date::text as date, extract(epoch from finished_at - started_at)::float8 as seconds
    from billing_runs where finished_at is not null order by business_date desc`;
  const runCounts = new Map<number, number>();
  for (const run of runs) {
    const bucket = BILLING_RUN_DURATION_BOUNDS.findIndex((bound) => run.seconds <= bound);
    const index = bucket === -1 ? BILLING_RUN_DURATION_BOUNDS.length : bucket;
    runCounts.set(index, (runCounts.get(index) ?? 0) + 1);
  }
  return {
    steps: [...groups.values()].map((g) => ({ labels: g.labels, value: histogramOf(STEP_DURATION_BOUNDS, g.counts, g.sumMs / 1000) })),
    billingRuns: histogramOf(BILLING_RUN_DURATION_BOUNDS, runCounts, runs.reduce((sum, run) => sum + run.seconds, 0)),
    lastBillingRun: runs[0] ?? null,
  };
}

/** HTTP requests this API process answered, by method, route pattern (never the raw path) and status. */
export class HttpMetrics {
  private readonly requests = new HistogramSet(HTTP_DURATION_BOUNDS);

  observe(method: string, route: string, status: number, seconds: number): void {
    this.requests.observe({ method, route, status: String(status) }, seconds);
  }

  write(exposition: Exposition): void {
    const samples = this.requests.samples();
    exposition
      .counter('billing_http_requests_total', 'HTTP requests answered by this API process.', samples.map(([labels, value]) => [labels, value.count] as const))
      .histogram('billing_http_request_duration_seconds', 'Time to answer an HTTP request, in this API process.', HTTP_DURATION_BOUNDS, samples);
  }
}

function writeProcessMetrics(exposition: Exposition): void {
  const cpu = process.cpuUsage();
  const memory = process.memoryUsage();
  exposition
    .counter('process_cpu_seconds_total', 'User and system CPU time spent by this process.', [[{}, (cpu.user + cpu.system) / 1e6]])
    .gauge('process_resident_memory_bytes', 'Resident memory of this process.', [[{}, memory.rss]])
    .gauge('process_start_time_seconds', 'When this process started, in seconds since the Unix epoch.', [[{}, Math.round(Date.now() / 1000 - process.uptime())]])
    .gauge('nodejs_heap_size_used_bytes', 'V8 heap in use.', [[{}, memory.heapUsed]])
    .gauge('nodejs_heap_size_total_bytes', 'V8 heap allocated.', [[{}, memory.heapTotal]]);
}

export interface MetricsOptions {
  sql: Sql;
  http: HttpMetrics;
  /** When set, a scrape must carry `Authorization: Bearer <token>` (METRICS_TOKEN). */
  token?: string;
  logError?: (err: unknown, context: { method: string; path: string }) => void;
}

/** Every series, in the text exposition format. A database that does not answer leaves the process's own series. */
export async function renderMetrics({ sql, http, logError }: MetricsOptions): Promise<string> {
  const exposition = new Exposition();
  let databaseUp = 1;
  try {
    const [counts, durations] = await Promise.all([readOperationalCounts(sql), readDurations(sql)]);
    writeDatabaseMetrics(exposition, counts, durations);
  } catch (err) {
    databaseUp = 0;
    logError?.(err, { method: 'GET', path: '/metrics' });
  }
  exposition.gauge('billing_metrics_database_up', 'Whether the database figures of this scrape could be read (1) or not (0).', [[{}, databaseUp]]);
  http.write(exposition);
  writeProcessMetrics(exposition);
  return exposition.toString();
}

function writeDatabaseMetrics(exposition: Exposition, counts: OperationalCounts, durations: Durations): void {
  const byStatus = (record: Record<string, number>) => Object.entries(record).map(([status, value]) => [{ status }, value] as const);
  const startedByType = new Map<string, number>();
  for (const s of counts.scenarios) startedByType.set(s.type, (startedByType.get(s.type) ?? 0) + s.count);
  exposition
    .counter('billing_scenarios_started_total', 'Scenarios started, by type (a re-run of the same scenario id counts once).', [...startedByType].map(([type, n]) => [{ type }, n] as const))
    .gauge('billing_scenarios', 'Scenarios by type and current status (running, waiting, completed, failed, cancelled).', counts.scenarios.map((s) => [{ type: s.type, status: s.status }, s.count] as const))
    .histogram('billing_scenario_step_duration_seconds', 'Duration of finished scenario steps, by step kind, plugin and operation.', STEP_DURATION_BOUNDS, durations.steps.map((s) => [s.labels as Labels, s.value] as const))
    .gauge('billing_tasks', 'The task list (plugin calls of scenarios) by status.', byStatus(counts.tasks))
    .gauge('billing_manual_operations', 'Manual operations by status.', byStatus(counts.manualOperations))
    .gauge('billing_notifications', 'Notifications by status and channel.', counts.notifications.map((n) => [{ status: n.status, channel: n.channel }, n.count] as const))
    .gauge('billing_orders', 'Orders by status (activation_error: provisioning failed and waits for a decision).', byStatus(counts.orders))
    .gauge('billing_runs', 'Billing runs (one per business date) by status.', byStatus(counts.billingRuns))
    .histogram('billing_run_duration_seconds', 'Duration of finished billing runs (the latest run of each business date).', BILLING_RUN_DURATION_BOUNDS, [[{}, durations.billingRuns]])
    .gauge(
      'billing_run_last_duration_seconds',
      'Duration of the finished billing run of the latest business date.',
      durations.lastBillingRun ? [[{ business_date: durations.lastBillingRun.date }, durations.lastBillingRun.seconds]] : [],
    );
}

const digest = (value: string) => createHash('sha256').update(value).digest();

/** `GET /metrics`: open, or behind `Authorization: Bearer <METRICS_TOKEN>` when a token is configured. */
export function metricsHandler(options: MetricsOptions): Handler {
  const expected = options.token ? digest(options.token) : null;
  return async function scrapeMetrics(c) {
    if (expected) {
      const token = bearerToken(c.req.header('authorization'));
      if (!token || !timingSafeEqual(digest(token), expected)) {
        return c.json({ code: 'unauthenticated', message: 'metrics need Authorization: Bearer <METRICS_TOKEN>' }, 401, { 'www-authenticate': 'Bearer' });
      }
    }
    return c.body(await renderMetrics(options), 200, { 'content-type': METRICS_CONTENT_TYPE, 'cache-control': 'no-store' });
  };
}
