/**
 * Benchmark (issue 20): pay-as-you-go usage records.
 *
 *   npm run bench:usage -- --subscriptions 100000 --records 10000000
 *
 * Builds its own database and platform processes (Temporal in memory, a worker, the API). The catalogue goes
 * through the API (one usage_internal plan, two resources); clients, their subscriptions and free purchase orders
 * are generated with SQL in the state the purchase would leave. Then, against the real API over HTTP:
 *
 * 1. sustained batch ingestion: `--concurrency` senders post batches of `--batch` records for `--ingest-seconds`;
 *    each batch re-sends 10 % of an earlier batch's records, which must come back as duplicates. Afterwards the
 *    records stored, Σ record Δ and Σ usage charges are compared: nothing may be billed twice. The API's RSS is
 *    sampled meanwhile (bounded: it must not grow with the number of records).
 * 2. single-record requests for `--single-seconds` with `--single-concurrency` senders.
 * 3. `--records` stored records are generated with set-based SQL (and their rollup), then the current period's
 *    usage of random subscriptions is read through `GET /subscriptions/{id}/usage`: latency percentiles.
 * 4. the financial day: every subscription gets a blocked usage charge of the period that just ended, and the
 *    billing run's closing statement (operations/billing-runs/due-work.ts) closes them: its time.
 *
 * CPU per process and the load average are printed with the figures; no figure is asserted (a shared machine).
 */
import { readFile } from 'node:fs/promises';
import { todayIn } from '../domain/dates';
import { usagePeriodOf } from '../domain/usage';
import { dueCharges } from '../operations/billing-runs/due-work';
import { cpuBetween, cpuSection, postgresBackends, sampleCpu, type CpuFigures } from './lib/cpu';
import { Bench, apiClient, runBenchmark, sleep } from './lib/harness';
import { boolOption, helpRequested, intOption } from './lib/options';
import { say } from './lib/progress';
import { fmt, percentiles, printResult } from './lib/report';
import { generateInBatches } from './lib/sql-batches';

helpRequested(`
bench/usage.ts: pay-as-you-go usage records (issue 20)
  --subscriptions N       subscriptions (default 100000; also how many usage charges the financial day closes)
  --per-client N          subscriptions per client (default 10)
  --records N             stored records for the read test (default 10000000)
  --batch N               records per ingestion request (default 10000)
  --concurrency N         concurrent batch senders (default 2)
  --batch-subscriptions N subscriptions one batch's records are spread over (default 100, a provider's export for
                          its customers; 0: every record of a random subscription of all)
  --ingest-seconds S      sustained batch ingestion (default 30)
  --single-seconds S      single-record requests (default 15)
  --single-concurrency N  concurrent single-record senders (default 8)
  --reads N               usage reads measured (default 2000)
  --keep                  keep the database and the temp dir
Every flag also reads BENCH_<NAME>.
`);

const options = {
  subscriptions: intOption('subscriptions', 100_000),
  perClient: Math.max(1, intOption('per-client', 10)),
  records: intOption('records', 10_000_000),
  batch: Math.max(10, intOption('batch', 10_000)),
  concurrency: Math.max(1, intOption('concurrency', 2)),
  batchSubscriptions: intOption('batch-subscriptions', 100),
  ingestSeconds: intOption('ingest-seconds', 30),
  singleSeconds: intOption('single-seconds', 15),
  singleConcurrency: Math.max(1, intOption('single-concurrency', 8)),
  reads: intOption('reads', 2000),
  keep: boolOption('keep'),
};

const resources = ['cpu', 'disk'] as const;
const today = todayIn('UTC', new Date());
const period = usagePeriodOf(today, 1);
/** Days of the current financial period up to today: what records may be for. */
const openDays = Array.from({ length: Number(today.slice(8, 10)) }, (_, i) => `${today.slice(0, 8)}${String(i + 1).padStart(2, '0')}`);

const bench = await Bench.create('usage', { keep: options.keep });
await runBenchmark(bench, async () => {
  const startedAt = new Date().toISOString();
  const N = options.subscriptions;
  const db = await bench.database();
  const platform = await bench.platform({ databaseUrl: db.url, temporal: 'memory' });
  const api = apiClient(platform.api);
  const sql = db.sql;
  const apiPid = bench.processGroups().api![0]!;

  const planId = await catalogue(api);
  await generateSubscriptions(sql, planId, N);

  const groups = async () => ({ ...bench.processGroups(), PostgreSQL: await postgresBackends(sql) });
  const cpuPhases: Array<{ phase: string; cpu: CpuFigures }> = [];
  const measure = async <T>(phase: string, run: () => Promise<T>): Promise<T> => {
    const before = await sampleCpu(await groups());
    const result = await run();
    cpuPhases.push({ phase, cpu: await cpuBetween(before, await sampleCpu(await groups())) });
    return result;
  };

  const rss: number[] = [];
  const ingest = await measure('batch ingestion', () => sampling(apiPid, rss, () => batchIngestion(platform.api, N)));
  const billedTwice = await doubleBilling(sql);
  const single = await measure('single-record requests', () => singleIngestion(platform.api, N));
  const generated = await generateRecords(sql, N, options.records);
  const reads = await measure('current-period reads', () => readUsage(platform.api, N));
  const close = await measure('financial-day close', () => financialDayClose(sql, N));

  const rssMiB = (v: number | undefined) => (v === undefined ? '—' : `${(v / 1024).toFixed(0)} MiB`);
  await printResult(
    {
      benchmark: 'usage',
      options: { ...options, today },
      startedAt,
      figures: { ingest, billedTwice, single, generated, reads, close, apiRssKiB: { first: rss[0], max: Math.max(...rss), last: rss[rss.length - 1] } },
      targets: [
        { target: 'batch ingestion ≥ 10,000 records/s (10 % duplicates)', measured: `${fmt.int(ingest.recordsPerSecond)} records/s`, met: ingest.recordsPerSecond >= 10_000 },
        { target: '0 records billed twice', measured: String(billedTwice), met: billedTwice === 0 },
        { target: 'single-record requests ≥ 1,000/s', measured: `${fmt.int(single.perSecond)} /s`, met: single.perSecond >= 1000 },
        { target: `current-period read p99 < 50 ms over ${fmt.int(generated.stored)} records`, measured: fmt.ms(reads.p99), met: (reads.p99 ?? Infinity) < 50 },
        { target: `financial-day close of ${fmt.int(close.closed)} usage charges < 60 s`, measured: fmt.s(close.ms), met: close.ms < 60_000 },
      ],
    },
    [
      {
        title: 'Ingestion',
        columns: ['phase', 'requests', 'records sent', 'accepted', 'duplicates', 'rejected', 'records/s', 'requests/s', 'p50', 'p99'],
        rows: [
          ['batches', ingest.requests, ingest.sent, ingest.accepted, ingest.duplicates, ingest.rejected, fmt.int(ingest.recordsPerSecond), fmt.num(ingest.requestsPerSecond), fmt.ms(ingest.p50), fmt.ms(ingest.p99)],
          ['single records', single.requests, single.requests, single.accepted, single.duplicates, single.rejected, fmt.int(single.perSecond), fmt.int(single.perSecond), fmt.ms(single.p50), fmt.ms(single.p99)],
        ],
      },
      { title: 'API memory during batch ingestion (RSS)', columns: ['first sample', 'max', 'last', 'samples'], rows: [[rssMiB(rss[0]), rssMiB(Math.max(...rss)), rssMiB(rss[rss.length - 1]), rss.length]] },
      {
        title: 'Reads and the financial day',
        columns: ['what', 'figure'],
        rows: [
          ['records stored (generated + ingested)', fmt.int(generated.stored)],
          ['generation of records + rollup', fmt.s(generated.ms)],
          [`current-period usage reads (${reads.n})`, `p50 ${fmt.ms(reads.p50)}, p99 ${fmt.ms(reads.p99)}, max ${fmt.ms(reads.max)}`],
          [`financial-day close of ${fmt.int(close.closed)} usage charges`, fmt.s(close.ms)],
          ['records billed twice', String(billedTwice)],
        ],
      },
      cpuSection('CPU per process', cpuPhases),
    ],
  );
});

async function catalogue(api: ReturnType<typeof apiClient>): Promise<number> {
  await api('POST', '/api/v1/service-rules', { key: 'bench', name: 'Bench', unpaidOrderCancelDays: 14 });
  const provisioning = await api('POST', '/api/v1/provisioning-rules', { key: 'bench', name: 'Bench', financialDay: 1 });
  const product = await api('POST', '/api/v1/products', { name: 'Bench cloud' });
  const template = await api('POST', '/api/v1/service-templates', { name: 'Bench cloud', plugin: 'http-vendor', settings: { baseUrl: 'http://127.0.0.1:9', secret: 'bench-secret-usage', timeoutMs: 10_000 } });
  const plan = await api('POST', '/api/v1/plans', {
    productId: product.id, serviceTemplateId: template.id, provisioningRuleId: provisioning.id, name: 'Bench usage', billingType: 'usage_internal',
    periods: [{ duration: 1, unit: 'month', unlimited: true, setupFee: 0, recurringFee: 0 }],
    resources: [{ key: 'cpu', name: 'vCPU hours', recurringPrice: 3000 }, { key: 'disk', name: 'Disk GB', recurringPrice: 10 }],
  });
  return plan.id as number;
}

/** Clients with money (and its opening ledger entry), active usage subscriptions started 60 days ago, their free purchase orders. */
async function generateSubscriptions(sql: Awaited<ReturnType<Bench['database']>>['sql'], planId: number, n: number) {
  const clients = Math.ceil(n / options.perClient);
  const [ids] = await sql<Array<{ rule: number; period: number; template: number; provisioning: number }>>`
    select (select id from service_rules limit 1) as rule, pp.id as period, p.service_template_id as template, p.provisioning_rule_id as provisioning
    from plans p join plan_periods pp on pp.plan_id = p.id where p.id = ${planId}`;
  await generateInBatches(sql, { label: 'generate clients', total: clients, batch: 10_000, unit: 'clients' }, async (tx, from, to) => {
    const made = await tx`
      insert into clients (id, name, status, service_rule_id, currency, language, balance, created_at, updated_at)
      select i, 'Bench client ' || i, 'active', ${ids!.rule}, 'EUR', 'en', 1000000000, now(), now() from generate_series(${from}::int, ${to}::int) i`;
    await tx`
      insert into ledger_transactions (client_id, kind, amount, balance_after, currency, description, idempotency_key)
      select i, 'payment_received', 1000000000, 1000000000, 'EUR', 'Opening balance (benchmark data)', 'bench-opening/' || i from generate_series(${from}::int, ${to}::int) i`;
    return made.count;
  });
  await sql`select setval(pg_get_serial_sequence('clients', 'id'), ${clients})`;
  await generateInBatches(sql, { label: 'generate subscriptions', total: n, batch: 10_000, unit: 'subscriptions' }, async (tx, from, to) => {
    const made = await tx`
      insert into subscriptions (id, client_id, plan_id, plan_period_id, service_template_id, provisioning_rule_id, name, status, billing_type, payment_model,
                                 currency, start_date, created_at, updated_at)
      select j, 1 + (j - 1) / ${options.perClient}, ${planId}, ${ids!.period}, ${ids!.template}, ${ids!.provisioning}, 'Bench usage ' || j, 'active',
             'usage_internal', 'prepay', 'EUR', current_date - 60, now(), now()
      from generate_series(${from}::int, ${to}::int) j`;
    await tx`
      insert into orders (id, number, type, status, client_id, subscription_id, plan_id, plan_period_id, payment_model, currency, amount, end_date,
                          provisioning_date, subscription_name, workflow_id, scenario_started_at, applied_at, closed_at, created_at, updated_at)
      select s.id, 'BU-P-' || s.id, 'purchase', 'completed', s.client_id, s.id, s.plan_id, s.plan_period_id, 'prepay', 'EUR', 0, s.start_date + 14,
             s.start_date, s.name, 'order-' || s.id, s.start_date, s.start_date, s.start_date, s.start_date, s.start_date
      from subscriptions s where s.id between ${from} and ${to}`;
    return made.count;
  });
  for (const t of ['subscriptions', 'orders']) await sql.unsafe(`select setval(pg_get_serial_sequence('${t}', 'id'), ${n})`);
  await sql`analyze`;
}

function pick(n: number): number {
  return 1 + Math.floor(Math.random() * n);
}
/** A record of a random subscription, resource and open day (function declarations: hoisted above the run). */
function record(id: string, subscriptions: number) {
  return { recordId: id, subscriptionId: pick(subscriptions), resource: resources[Math.floor(Math.random() * 2)], quantity: 1 + Math.floor(Math.random() * 8), usedAt: openDays[Math.floor(Math.random() * openDays.length)] };
}

async function post(api: { url: string; token: string }, body: unknown): Promise<{ ms: number; answer: { accepted: number; duplicates: number; rejected: number } }> {
  const started = performance.now();
  const res = await fetch(`${api.url}/api/v1/usage-records`, { method: 'POST', headers: { authorization: `Bearer ${api.token}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });
  const text = await res.text();
  if (res.status !== 200) throw new Error(`POST /usage-records: ${res.status} ${text.slice(0, 300)}`);
  return { ms: performance.now() - started, answer: JSON.parse(text) };
}

/** Batches of fresh records with 10 % of an earlier batch's records re-sent, from `concurrency` senders. */
async function batchIngestion(api: { url: string; token: string }, subscriptions: number) {
  const fresh = Math.round(options.batch * 0.9);
  const sentBatches: Array<Array<ReturnType<typeof record>>> = [];
  const latencies: number[] = [];
  const totals = { requests: 0, sent: 0, accepted: 0, duplicates: 0, rejected: 0 };
  let next = 0;
  const deadline = Date.now() + options.ingestSeconds * 1000;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: options.concurrency }, async () => {
      while (Date.now() < deadline) {
        const n = next++;
        // The batch's subscriptions: a random window of `batchSubscriptions` of them (or all).
        const span = options.batchSubscriptions > 0 ? Math.min(options.batchSubscriptions, subscriptions) : subscriptions;
        const offset = Math.floor(Math.random() * (subscriptions - span + 1));
        const records = Array.from({ length: fresh }, (_, i) => {
          const r = record(`b${n}-${i}`, span);
          return { ...r, subscriptionId: r.subscriptionId + offset };
        });
        const earlier = sentBatches[Math.floor(Math.random() * sentBatches.length)] ?? records;
        const resent = Array.from({ length: options.batch - fresh }, (_, i) => earlier[i % earlier.length]!);
        const { ms, answer } = await post(api, { source: 'bench', records: [...records, ...resent] });
        sentBatches.push(records);
        latencies.push(ms);
        totals.requests += 1;
        totals.sent += options.batch;
        totals.accepted += answer.accepted;
        totals.duplicates += answer.duplicates;
        totals.rejected += answer.rejected;
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  const p = percentiles(latencies);
  return { ...totals, seconds, recordsPerSecond: totals.sent / seconds, requestsPerSecond: totals.requests / seconds, p50: p.p50, p99: p.p99 };
}

/** Records stored, Σ of their Δ and Σ of the charges' exact amounts: a record billed twice would break either. */
async function doubleBilling(sql: Awaited<ReturnType<Bench['database']>>['sql']): Promise<number> {
  const [row] = await sql<Array<{ records: string; distinct_ids: string; record_sum: string; charge_sum: string; ledger: string; blocked: string }>>`
    select (select count(*) from usage_records)::text as records, (select count(distinct (source, record_id)) from usage_records)::text as distinct_ids,
           (select coalesce(sum(amount), 0) from usage_records)::text as record_sum,
           (select coalesce(sum(usage_amount), 0) from charges where kind = 'usage')::text as charge_sum,
           (select coalesce(-sum(amount), 0) from ledger_transactions where kind = 'usage_charge')::text as ledger,
           (select coalesce(sum(amount), 0) from charges where kind = 'usage' and status in ('blocked', 'closed'))::text as blocked`;
  say(`[usage] stored ${row!.records} records (${row!.distinct_ids} distinct), Σ Δ ${row!.record_sum}, Σ charges ${row!.charge_sum}, ledger blocked ${row!.ledger} = charges ${row!.blocked}`);
  const twice = Number(row!.records) - Number(row!.distinct_ids);
  return twice + (row!.record_sum === row!.charge_sum && row!.ledger === row!.blocked ? 0 : 1);
}

async function singleIngestion(api: { url: string; token: string }, subscriptions: number) {
  const latencies: number[] = [];
  const totals = { requests: 0, accepted: 0, duplicates: 0, rejected: 0 };
  let next = 0;
  const deadline = Date.now() + options.singleSeconds * 1000;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: options.singleConcurrency }, async () => {
      while (Date.now() < deadline) {
        const { ms, answer } = await post(api, { source: 'bench-single', records: [record(`s${next++}`, subscriptions)] });
        latencies.push(ms);
        totals.requests += 1;
        totals.accepted += answer.accepted;
        totals.duplicates += answer.duplicates;
        totals.rejected += answer.rejected;
      }
    }),
  );
  const p = percentiles(latencies);
  return { ...totals, perSecond: totals.requests / ((performance.now() - started) / 1000), p50: p.p50, p99: p.p99 };
}

/**
 * `total` more records with set-based SQL: spread over the subscriptions and the last three financial periods (the
 * current one included), each period's records on a charge of its own; then the rollup of those records.
 */
async function generateRecords(sql: Awaited<ReturnType<Bench['database']>>['sql'], subscriptions: number, total: number) {
  const started = Date.now();
  const periods = [period.from, addMonth(period.from, -1), addMonth(period.from, -2)];
  // One charge per subscription and older period (closed), the current period's being the ingestion's or a new one.
  await generateInBatches(sql, { label: 'generate period charges', total: subscriptions, batch: 20_000, unit: 'subscriptions' }, async (tx, from, to) => {
    const made = await tx`
      insert into charges (client_id, order_id, subscription_id, kind, status, description, period_from, period_to, close_date, amount, currency,
                           usage_period, usage_rate_version, usage_amount, closed_at)
      select s.client_id, s.id, s.id, 'usage', case when p.d = ${period.from}::date then 'blocked' else 'closed' end, 'Bench usage',
             p.d, (p.d + interval '1 month' - interval '1 day')::date, (p.d + interval '1 month')::date, 0, 'EUR', p.d, 1, 0,
             case when p.d = ${period.from}::date then null else now() end
      from subscriptions s cross join unnest(${periods}::date[]) as p(d)
      where s.id between ${from} and ${to}
      on conflict do nothing`;
    return made.count;
  });
  const perBatch = 200_000;
  await generateInBatches(sql, { label: 'generate records', total, batch: perBatch, unit: 'records' }, async (tx, from, to) => {
    const made = await tx`
      insert into usage_records (source, record_id, subscription_id, resource, quantity, used_on, period_days, unit_price, markup, amount, financial_period, charge_id)
      select 'bench-generated', 'g' || i, s, case when i % 2 = 0 then 'cpu' else 'disk' end, 1 + i % 7, d, 1, case when i % 2 = 0 then 3000 else 10 end, 1,
             round((case when i % 2 = 0 then 3000 else 10 end) * (1 + i % 7) / 30.0, 8), p, c.id
      from (select i, 1 + (i * 2654435761) % ${subscriptions} as s, ${periods}::date[] as ps from generate_series(${from}::bigint, ${to}::bigint) i) g
        cross join lateral (select g.ps[1 + (g.i / 7) % 3] as p) pp
        cross join lateral (select least(pp.p + ((g.i / 21) % 28)::int, ${today}::date) as d) dd
        join charges c on c.subscription_id = g.s and c.usage_period = pp.p and c.kind = 'usage'`;
    return made.count;
  });
  say('[usage] rebuilding the rollup from every record');
  await sql`truncate usage_daily`;
  await sql`
    insert into usage_daily (subscription_id, financial_period, resource, day, quantity, amount, records)
    select subscription_id, financial_period, resource, used_on, sum(quantity), sum(amount), count(*) from usage_records group by 1, 2, 3, 4`;
  await sql`update charges c set usage_amount = t.amount, amount = round(t.amount) from (select charge_id, sum(amount) as amount from usage_records group by 1) t where c.id = t.charge_id`;
  await sql`analyze`;
  const [stored] = await sql<Array<{ n: string }>>`select count(*)::text as n from usage_records`;
  return { stored: Number(stored!.n), ms: Date.now() - started };
}

function addMonth(d: string, n: number): string {
  const date = new Date(`${d}T00:00:00Z`);
  date.setUTCMonth(date.getUTCMonth() + n);
  return date.toISOString().slice(0, 10);
}

async function readUsage(api: { url: string; token: string }, subscriptions: number) {
  const latencies: number[] = [];
  for (let i = 0; i < options.reads; i++) {
    const started = performance.now();
    const res = await fetch(`${api.url}/api/v1/subscriptions/${pick(subscriptions)}/usage`, { headers: { authorization: `Bearer ${api.token}` } });
    await res.text();
    if (res.status !== 200) throw new Error(`GET usage: ${res.status}`);
    latencies.push(performance.now() - started);
  }
  const p = percentiles(latencies);
  return { n: latencies.length, p50: p.p50, p99: p.p99, max: p.max };
}

/**
 * The financial day: the current period's charges (one per subscription, blocked) are given today as their close
 * date, then the billing run's closing statement closes them, as activities/billing-runs.ts runs it.
 */
async function financialDayClose(sql: Awaited<ReturnType<Bench['database']>>['sql'], subscriptions: number) {
  await sql`update charges set close_date = ${today} where kind = 'usage' and status = 'blocked' and usage_period = ${period.from}`;
  await sql`analyze charges`;
  const started = Date.now();
  const due = dueCharges(sql, today);
  const closed = await sql`update charges set status = 'closed', closed_at = now(), updated_at = now() where ${due.closing} returning id`;
  const ms = Date.now() - started;
  if (closed.length < subscriptions) say(`[usage] closed ${closed.length} charges, fewer than ${subscriptions} subscriptions`);
  return { closed: closed.length, ms };
}

/** Samples the API's resident memory every 500 ms while `run` runs. */
async function sampling<T>(pid: number, into: number[], run: () => Promise<T>): Promise<T> {
  let on = true;
  const sampler = (async () => {
    while (on) {
      const status = await readFile(`/proc/${pid}/status`, 'utf8').catch(() => '');
      const kib = /VmRSS:\s+(\d+)/.exec(status)?.[1];
      if (kib) into.push(Number(kib));
      await sleep(500);
    }
  })();
  try {
    return await run();
  } finally {
    on = false;
    await sampler;
  }
}
