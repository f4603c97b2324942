/**
 * Benchmark 3 (issue 9): the list endpoints under load over a large history.
 *
 *   npm run bench:api -- --orders 1000000 --duration 60
 *
 * Data (SQL, generate_series, in batches with progress; triggers off while loading): clients, subscriptions
 * (0.7 per order), `--orders` orders spread over two years (purchases, renewals, prolongations, resource
 * changes, plan switches; the last 4 % still open: awaiting payment, provisioning, activation error), and
 * for every order its scenario with its steps (`--steps` per scenario, one of them the plugin task), so the
 * task queue has as many tasks as there are orders that reached their vendor step. Then VACUUM ANALYZE, as
 * autovacuum would have done on a live system.
 *
 * Load: autocannon in a child process (bench/load-child.ts) at a fixed `--rate` (200 requests/s) for
 * `--duration` seconds per phase, over a mix of list requests with filters and keyset paging
 * (`?after=<cursor>` anywhere in the history). Phases: `mixed` (every kind of request of the three lists)
 * and each list alone. Between phases the API's database
 * sessions must go idle. Latency is per response, p50/p90/p99 overall and per kind.
 * `--reuse` keeps the generated database for the next run (`--keep` keeps it at the end).
 */
import { spawn } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Bench, apiClient, root, runBenchmark } from './lib/harness';
import { boolOption, helpRequested, intOption, stringOption } from './lib/options';
import { Progress, say } from './lib/progress';
import { fmt, printResult, type Section } from './lib/report';
import { generateInBatches } from './lib/sql-batches';
import type { KindFigures, LoadPlan } from './load-child';

helpRequested(`
bench/api-load.ts: list endpoints under load (issue 9, benchmark 3)
  --orders N        orders to generate (default 1000000)
  --clients N       clients (default 20000)
  --steps N         scenario steps per order (default 6, one of them the plugin task)
  --batch N         orders per generating statement (default 50000)
  --rate R          requests per second (default 200)
  --connections C   autocannon connections (default 20)
  --duration S      seconds per phase (default 60)
  --warmup S        seconds of load before the phases, not recorded (default 10)
  --phases LIST     comma-separated, in order (default all): mixed (every kind of request), orders,
                    subscriptions, tasks (each list alone)
  --pg-set LIST     comma-separated name=value PostgreSQL settings for bench_api's sessions, for experiments
                    (e.g. max_parallel_workers_per_gather=0); default none
  --reuse           reuse bench_api when it already holds --orders orders (implies keeping it)
  --keep            keep the database and the temp dir
Every flag also reads BENCH_<NAME> (BENCH_ORDERS=1000000).
`);

const options = {
  orders: intOption('orders', 1_000_000),
  clients: Math.max(1, intOption('clients', 20_000)),
  steps: Math.max(4, intOption('steps', 6)),
  batch: Math.max(1000, intOption('batch', 50_000)),
  rate: Math.max(1, intOption('rate', 200)),
  connections: Math.max(1, intOption('connections', 20)),
  duration: Math.max(1, intOption('duration', 60)),
  warmup: intOption('warmup', 10),
  phases: stringOption('phases', 'mixed,orders,subscriptions,tasks').split(',').filter(Boolean),
  pgSet: stringOption('pg-set', '').split(',').filter(Boolean),
  reuse: boolOption('reuse'),
  keep: boolOption('keep') || boolOption('reuse'),
};

const spanDays = 730;
const openShare = 0.04;

interface PhaseResult {
  phase: string;
  requests: number;
  achievedRate: number;
  errors: number;
  timeouts: number;
  non2xx: number;
  all: KindFigures;
  byKind: Record<string, KindFigures>;
}

/** Runs the load child for one phase and follows its ticks. */
async function runLoad(phase: string, plan: LoadPlan, record: boolean): Promise<PhaseResult> {
  const planFile = join(bench.dir, `load-plan-${phase}.json`);
  await writeFile(planFile, JSON.stringify(plan));
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', join(root, 'bench/load-child.ts')], {
      cwd: root,
      env: { ...process.env, BENCH_LOAD_PLAN_FILE: planFile },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const progress = new Progress(record ? `load: ${phase}` : `warm-up: ${phase}`, plan.durationSeconds, 's');
    let buffer = '';
    let result: PhaseResult | null = null;
    child.stdout.on('data', (chunk: Buffer) => {
      buffer += chunk.toString('utf8');
      for (let nl = buffer.indexOf('\n'); nl >= 0; nl = buffer.indexOf('\n')) {
        const line = JSON.parse(buffer.slice(0, nl)) as { type: string; elapsedMs: number; responses: number; errors: number; recent: KindFigures } & Omit<PhaseResult, 'phase'>;
        buffer = buffer.slice(nl + 1);
        if (line.type === 'tick') {
          progress.set(Math.min(plan.durationSeconds, Math.round(line.elapsedMs / 1000)), `${line.responses.toLocaleString('en-US')} responses, ${line.errors} errors, last second p50 ${fmt.ms(line.recent.p50)} p99 ${fmt.ms(line.recent.p99)}`);
        } else if (line.type === 'result') {
          result = { phase, ...line };
        }
      }
    });
    child.once('exit', (code) => {
      progress.finish(result ? `${result.requests.toLocaleString('en-US')} requests, ${result.achievedRate.toFixed(0)}/s` : `exited ${code}`);
      if (result) resolve(result);
      else reject(new Error(`the load generator exited with ${code} without a result`));
    });
  });
}

const bench = await Bench.create('api', { keep: options.keep });
await runBenchmark(bench, async () => {
  const startedAt = new Date().toISOString();
  const db = await bench.database({ reuse: options.reuse });
  const sql = db.sql;
  // Database-level settings for an experiment (new sessions of bench_api only); none by default.
  await sql.unsafe(`alter database ${db.name} reset all`);
  for (const setting of options.pgSet) {
    const [, name, value] = /^([a-z_]+)=([\w.]+)$/.exec(setting) ?? [];
    if (!name || value === undefined) throw new Error(`--pg-set: expected name=value, got "${setting}"`);
    await sql.unsafe(`alter database ${db.name} set ${name} = '${value}'`);
  }
  const platform = await bench.platform({ databaseUrl: db.url, temporal: 'memory' });
  const api = apiClient(platform.api);

  const [{ n: existing }] = (await sql`select count(*)::int as n from orders`) as unknown as [{ n: number }];
  const N = options.orders;
  const S = Math.max(1, Math.round(0.7 * N));
  const C = options.clients;
  const K = options.steps;
  let generationMs: number | null = null;
  if (db.reused && existing === N) {
    say(`[api] reusing ${N.toLocaleString('en-US')} generated orders`);
  } else {
    if (existing > 0) throw new Error(`bench_api holds ${existing} orders, not ${N}: run without --reuse to generate again`);
    const generation = Date.now();
    const rule = await api('POST', '/api/v1/service-rules', { key: 'bench', name: 'Bench' });
    const provisioning = await api('POST', '/api/v1/provisioning-rules', { key: 'bench', name: 'Bench', unpaidStopAfterDays: 7 });
    const product = await api('POST', '/api/v1/products', { name: 'Bench product' });
    const template = await api('POST', '/api/v1/service-templates', { name: 'Bench template', plugin: 'http-vendor', settings: { baseUrl: 'http://127.0.0.1:9', secret: 'bench' } });
    const plans: Array<{ id: number; monthly: number; yearly: number }> = [];
    for (let i = 0; i < 3; i++) {
      const plan = await api('POST', '/api/v1/plans', {
        productId: product.id,
        serviceTemplateId: template.id,
        provisioningRuleId: provisioning.id,
        name: `Bench plan ${i + 1}`,
        periods: [
          { duration: 1, unit: 'month', setupFee: 500, recurringFee: 1000 },
          { duration: 1, unit: 'year', setupFee: 0, recurringFee: 900 },
        ],
      });
      plans.push({ id: plan.id, monthly: plan.periods[0].id, yearly: plan.periods[1].id });
    }
    const planValues = plans.map((p, i) => `(${i}, ${p.id}, ${p.monthly}, ${p.yearly})`).join(', ');

    await generateInBatches(sql, { label: 'generate clients', total: C, batch: options.batch, unit: 'clients' }, async (tx, from, to) => {
      const made = await tx`
        insert into clients (id, name, status, service_rule_id, currency, language, created_at, updated_at)
        select i, (array['Acme', 'Globex', 'Initech', 'Umbrella', 'Stark', 'Wayne', 'Hooli', 'Vandelay'])[(hashtext(i || ':name') & 7) + 1] || ' ' || i || ' Ltd',
               case when (hashtext(i || ':status') & 2147483647) % 50 = 0 then 'financially_blocked' else 'active' end,
               ${rule.id}, 'EUR', 'en', now() - interval '800 days', now()
        from generate_series(${from}::int, ${to}::int) i`;
      return made.count;
    });
    await generateInBatches(sql, { label: 'generate subscriptions', total: S, batch: options.batch, unit: 'subscriptions' }, async (tx, from, to) => {
      const made = await tx.unsafe(
        `with g as (
           select j, (hashtext(j || ':client') & 2147483647) % $3 + 1 as client_id, (hashtext(j || ':plan') & 2147483647) % 3 as plan,
                  (hashtext(j || ':period') & 2147483647) % 4 = 0 as yearly, (hashtext(j || ':status') & 2147483647) % 100 as hs,
                  now() - ($4::float8 * (1 - j::float8 / $5)) * interval '1 day' as created
           from generate_series($1::int, $2::int) j
         )
         insert into subscriptions (id, client_id, plan_id, plan_period_id, service_template_id, provisioning_rule_id, name, status, billing_type,
                                    payment_model, currency, start_date, expiration_date, auto_renew_point_days, manual_renew_point_days, vendor_reference,
                                    created_at, updated_at)
         select g.j, g.client_id, pl.plan_id, case when g.yearly then pl.yearly_id else pl.monthly_id end, $6, $7, 'Bench subscription ' || g.j,
                case when hs < 70 then 'active' when hs < 73 then 'payment_overdue' when hs < 80 then 'stopped' else 'deleted' end,
                'prepaid_term', 'prepay', 'EUR', g.created::date,
                (g.created + case when g.yearly then interval '1 year' else interval '1 month' end * (1 + floor(($4::float8 * (1 - g.j::float8 / $5)) / case when g.yearly then 365 else 30 end)))::date,
                0, -1, 'res-' || g.j, g.created, g.created
         from g join (values ${planValues}) as pl(n, plan_id, monthly_id, yearly_id) on pl.n = g.plan`,
        [from, to, C, spanDays, S, template.id, provisioning.id],
      );
      return made.count;
    });
    await generateInBatches(sql, { label: 'generate orders', total: N, batch: options.batch, unit: 'orders' }, async (tx, from, to) => {
      const made = await tx.unsafe(
        `with g as (
           select i, (hashtext(i || ':type') & 2147483647) % 100 as ht, (hashtext(i || ':status') & 2147483647) % 100 as hs,
                  (hashtext(i || ':client') & 2147483647) as hc, i > $3::float8 * (1 - $6::float8) as recent,
                  now() - ($5::float8 * (1 - i::float8 / $3)) * interval '1 day' as created
           from generate_series($1::int, $2::int) i
         ), t as (
           select g.*,
                  case when ht < 70 then 'purchase' when ht < 92 then 'renewal' when ht < 95 then 'prolongation' when ht < 99 then 'resource_change' else 'plan_switch' end as type,
                  case when recent then case when hs < 40 then 'awaiting_payment' when hs < 45 then 'provisioning' when hs < 50 then 'activation_error'
                                             when hs < 95 then 'completed' else 'cancelled' end
                       else case when hs < 92 then 'completed' else 'cancelled' end end as status
           from g
         ), u as (
           -- Purchases not paid (or cancelled unpaid) have no subscription yet; open orders are the most recent
           -- ones, so their subscriptions (i mod S) never repeat: one open order per subscription.
           select t.*, case when type = 'purchase' and status in ('awaiting_payment', 'cancelled') then null else (i % $4) + 1 end as sub_id from t
         )
         insert into orders (id, number, type, status, client_id, subscription_id, plan_id, plan_period_id, payment_model, currency, amount,
                             end_date, provisioning_date, automatic, subscription_name, workflow_id, scenario_started_at, closed_at, created_at, updated_at)
         select u.i, 'BN-' || lpad(u.i::text, 8, '0'), u.type, u.status, coalesce(s.client_id, (u.hc % $7) + 1), u.sub_id,
                coalesce(s.plan_id, $8), coalesce(s.plan_period_id, $9), 'prepay', 'EUR',
                case u.type when 'purchase' then 1500 when 'renewal' then 1000 else 300 end,
                u.created::date + 14, u.created::date, u.type in ('renewal', 'prolongation'), coalesce(s.name, 'Bench subscription'),
                'order-' || u.i, u.created, case when u.status in ('completed', 'cancelled') then u.created + interval '5 minutes' end,
                u.created, u.created + interval '5 minutes'
         from u left join subscriptions s on s.id = u.sub_id`,
        [from, to, N, S, spanDays, openShare, C, plans[0]!.id, plans[0]!.monthly],
      );
      return made.count;
    });
    await generateInBatches(sql, { label: 'generate scenarios and steps', total: N, batch: Math.max(1000, Math.floor(options.batch / 2)), unit: 'orders' }, async (tx, from, to) => {
      const scenarios = await tx`
        insert into scenarios (id, run_id, type, subject_kind, subject_id, status, current_step, error, started_at, finished_at, duration_ms, seq, updated_at)
        select o.workflow_id, 'bench-' || o.id, 'order_processing', 'order', o.id::text,
               case o.status when 'completed' then 'completed' when 'cancelled' then 'cancelled' when 'provisioning' then 'running' else 'waiting' end,
               case o.status when 'activation_error' then '4' when 'awaiting_payment' then '2' end,
               case when o.status = 'activation_error' then 'vendor answered 422: plan not available' end,
               o.created_at, o.closed_at, case when o.closed_at is not null then 300000 end, ${2 * K}, o.updated_at
        from orders o where o.id between ${from} and ${to}`;
      const steps = await tx.unsafe(
        `with o as (
           select o.*, case o.status when 'completed' then $3::int when 'awaiting_payment' then 2 when 'cancelled' then 2 else 4 end as last_step
           from orders o where o.id between $1 and $2
         )
         insert into scenario_steps (id, scenario_id, run_id, path, parent_path, position, name, kind, status, plugin, operation, idempotency_key,
                                     input, output, error_class, error_message, rounds, started_at, finished_at, duration_ms, seq, created_at, updated_at)
         select (o.id::bigint - 1) * $3 + p, o.workflow_id, 'bench-' || o.id, p::text, null, p,
                coalesce((array['Load order', 'Pay from balance', 'Create subscription', 'Provision at vendor', 'Activate subscription', 'Complete order'])[p], 'Record step ' || p),
                case when p = 4 then 'task' when p = 2 and o.status = 'awaiting_payment' then 'wait' else 'step' end,
                case when p < o.last_step or o.status = 'completed' then 'succeeded' when o.status = 'awaiting_payment' then 'waiting'
                     when o.status = 'cancelled' then 'cancelled' when o.status = 'provisioning' then 'running' else 'failed' end,
                case when p = 4 then 'http-vendor' end,
                case when p = 4 then case o.type when 'purchase' then 'create' when 'renewal' then 'renew' when 'prolongation' then 'prolong'
                                                 when 'resource_change' then 'change_resources' else 'switch_plan' end end,
                case when p = 4 then o.workflow_id || '/4' end,
                '{}'::jsonb, case when p < o.last_step or o.status = 'completed' then '{}'::jsonb end,
                case when p = o.last_step and o.status = 'activation_error' then 'permanent' end,
                case when p = o.last_step and o.status = 'activation_error' then 'vendor answered 422: plan not available' end,
                1, o.created_at + p * interval '1 second', case when p < o.last_step or o.status = 'completed' then o.created_at + (p + 1) * interval '1 second' end,
                case when p < o.last_step or o.status = 'completed' then 1000 end, p, o.created_at + p * interval '1 second', o.updated_at
         from o, generate_series(1, o.last_step) p`,
        [from, to, K],
      );
      // A task in flight has a running attempt (what makes it "running" rather than "queued" in the task list).
      await tx`
        insert into step_attempts (scenario_id, path, round, attempt, status, started_at)
        select workflow_id, '4', 1, 1, 'running', updated_at from orders where id between ${from} and ${to} and status = 'provisioning'`;
      return scenarios.count + steps.count;
    });
    for (const table of ['clients', 'subscriptions', 'orders']) {
      await sql`select setval(pg_get_serial_sequence(${table}, 'id'), (select max(id) from ${sql(table)}))`;
    }
    await sql`select setval(pg_get_serial_sequence('scenario_steps', 'id'), (select max(id) from scenario_steps))`;
    const vacuum = new Progress('vacuum analyze', undefined);
    await sql`vacuum analyze`;
    vacuum.finish();
    generationMs = Date.now() - generation;
  }

  const tables = await sql<Array<{ name: string; rows: string; size: string }>>`
    select c.relname as name, c.reltuples::bigint::text as rows, pg_size_pretty(pg_total_relation_size(c.oid)) as size
    from pg_class c join pg_namespace n on n.oid = c.relnamespace
    where n.nspname = 'public' and c.relkind = 'r' and c.relname in ('orders', 'subscriptions', 'clients', 'scenarios', 'scenario_steps')
    order by pg_total_relation_size(c.oid) desc`;
  const [dbSize] = await sql<Array<{ size: string }>>`select pg_size_pretty(pg_database_size(current_database())) as size`;
  say(`[api] database ${dbSize!.size}: ${tables.map((t) => `${t.name} ${Number(t.rows).toLocaleString('en-US')} rows ${t.size}`).join(', ')}`);

  // The request mix: what an operator's lists ask for, with cursors anywhere in the history.
  const sample = async (query: string) => (await sql.unsafe<Array<{ id: number }>>(query)).map((r) => r.id);
  const busyClients = await sample(`select client_id as id from orders group by client_id order by count(*) desc limit 20`);
  const someClients = await sample(`select id from clients order by random() limit 100`);
  const someSubscriptions = await sample(`select id from subscriptions order by random() limit 100`);
  const someOrders = await sample(`select id from orders where status = 'completed' order by random() limit 100`);
  const [plan] = await sql<Array<{ id: number }>>`select id from plans order by id limit 1`;
  const maxOrder = N;
  const maxSubscription = S;
  const maxTask = (N - 1) * K + 4;
  const pick = <T>(list: T[], i: number) => list[i % list.length]!;
  const day = (daysAgo: number) => new Date(Date.now() - daysAgo * 86_400_000).toISOString().slice(0, 10);
  const kinds: Record<string, Record<string, (i: number) => string>> = {
    orders: {
      'orders: first page': () => '/api/v1/orders?limit=50',
      'orders: page deep in history': (i) => `/api/v1/orders?limit=50&after=${1 + ((i * 7919) % maxOrder)}`,
      'orders: status=awaiting_payment': () => '/api/v1/orders?status=awaiting_payment&limit=50',
      'orders: status=completed, paged': (i) => `/api/v1/orders?status=completed&limit=50&after=${1 + ((i * 104729) % maxOrder)}`,
      'orders: clientId': (i) => `/api/v1/orders?clientId=${pick(someClients, i)}&limit=50`,
      'orders: clientId (busiest)': (i) => `/api/v1/orders?clientId=${pick(busyClients, i)}&limit=50`,
      'orders: type=plan_switch': () => '/api/v1/orders?type=plan_switch&limit=50',
      'orders: created on a day': (i) => `/api/v1/orders?createdFrom=${day(1 + (i % 700))}&createdTo=${day(1 + (i % 700))}&limit=50`,
      'orders: subscriptionId': (i) => `/api/v1/orders?subscriptionId=${pick(someSubscriptions, i)}`,
      'orders: q=order number': (i) => `/api/v1/orders?q=BN-${String(pick(someOrders, i)).padStart(8, '0')}`,
      'orders: q=client name': (i) => `/api/v1/orders?q=${encodeURIComponent(` ${pick(someClients, i)} Ltd`)}&limit=50`,
    },
    subscriptions: {
      'subscriptions: first page': () => '/api/v1/subscriptions?limit=50',
      'subscriptions: page deep in history': (i) => `/api/v1/subscriptions?limit=50&after=${1 + ((i * 7919) % maxSubscription)}`,
      'subscriptions: status=payment_overdue': () => '/api/v1/subscriptions?status=payment_overdue&limit=50',
      'subscriptions: status=active, paged': (i) => `/api/v1/subscriptions?status=active&limit=50&after=${1 + ((i * 104729) % maxSubscription)}`,
      'subscriptions: clientId': (i) => `/api/v1/subscriptions?clientId=${pick(someClients, i)}&limit=50`,
      'subscriptions: planId': () => `/api/v1/subscriptions?planId=${plan!.id}&limit=50`,
    },
    tasks: {
      'tasks: first page': () => '/api/v1/tasks?limit=50',
      'tasks: page deep in history': (i) => `/api/v1/tasks?limit=50&after=${1 + ((i * 7919) % maxTask)}`,
      'tasks: status=failed': () => '/api/v1/tasks?status=failed&limit=50',
      'tasks: status=completed, paged': (i) => `/api/v1/tasks?status=completed&limit=50&after=${1 + ((i * 104729) % maxTask)}`,
      'tasks: clientId': (i) => `/api/v1/tasks?clientId=${pick(someClients, i)}&limit=50`,
      'tasks: orderId': (i) => `/api/v1/tasks?orderId=${pick(someOrders, i)}`,
      'tasks: operation=renew': () => '/api/v1/tasks?operation=renew&limit=50',
    },
  };
  /** What each phase sends: every kind, or every kind of one list. */
  const phaseKinds: Record<string, (kind: string) => boolean> = {
    mixed: () => true,
    orders: (k) => k.startsWith('orders:'),
    subscriptions: (k) => k.startsWith('subscriptions:'),
    tasks: (k) => k.startsWith('tasks:'),
  };
  /** An interleaved list of requests (every kind in turn, with varying parameters). */
  const requestsOf = (keep: (kind: string) => boolean) => {
    const entries = Object.values(kinds).flatMap((g) => Object.entries(g)).filter(([kind]) => keep(kind));
    const list: Array<{ kind: string; path: string }> = [];
    for (let round = 0; round < 500; round++) for (const [kind, path] of entries) list.push({ kind, path: path(round * 31 + kind.length) });
    return list;
  };
  // Every path answers 200 before the load starts (a wrong path would measure 400s).
  for (const { kind, path } of requestsOf(() => true).slice(0, Object.values(kinds).reduce((a, g) => a + Object.keys(g).length, 0))) {
    const res = await fetch(`${platform.api.url}${path}`, { headers: { authorization: `Bearer ${platform.api.token}` } });
    if (res.status !== 200) throw new Error(`${kind}: GET ${path} answered ${res.status} ${(await res.text()).slice(0, 300)}`);
    await res.arrayBuffer();
  }

  const planOf = (phase: string, durationSeconds: number): LoadPlan => {
    const keep = phaseKinds[phase];
    if (!keep) throw new Error(`--phases: unknown phase "${phase}" (known: ${Object.keys(phaseKinds).join(', ')})`);
    const rate = options.rate;
    return { url: platform.api.url, token: platform.api.token, rate, connections: Math.min(options.connections, rate), durationSeconds, requests: requestsOf(keep) };
  };
  if (options.warmup > 0) await runLoad('mixed', planOf('mixed', options.warmup), false);
  /**
   * Queries of requests the load generator gave up on keep running in PostgreSQL until the API's statement
   * timeout; the next phase starts once the API's sessions are idle (or after two minutes, noted).
   */
  const drain = async (after: string) => {
    const deadline = Date.now() + 120_000;
    for (;;) {
      const [{ n }] = (await sql`select count(*)::int as n from pg_stat_activity where datname = current_database() and application_name = 'billing-api' and state = 'active'`) as unknown as [{ n: number }];
      if (n === 0) return;
      if (Date.now() > deadline) {
        say(`[api] after ${after}: ${n} API queries still running after 2 minutes`);
        return;
      }
      await new Promise((r) => setTimeout(r, 500));
    }
  };
  const results: PhaseResult[] = [];
  for (const phase of options.phases) {
    const plan = planOf(phase, options.duration);
    await drain('the previous phase');
    results.push(await runLoad(phase, plan, true));
  }
  await drain('the last phase');

  const row = (name: string, f: KindFigures) => [name, fmt.int(f.count), fmt.ms(f.p50), fmt.ms(f.p90), fmt.ms(f.p99), fmt.ms(f.max), fmt.int(f.non2xx)];
  const sections: Section[] = [
    {
      title: `Phases (${options.rate} requests/s target; ${options.connections} connections; ${options.duration} s each)`,
      columns: ['phase', 'requests', 'achieved/s', 'p50', 'p90', 'p99', 'max', 'errors', 'timeouts', 'non-2xx'],
      rows: results.map((r) => [r.phase, fmt.int(r.requests), fmt.num(r.achievedRate), fmt.ms(r.all.p50), fmt.ms(r.all.p90), fmt.ms(r.all.p99), fmt.ms(r.all.max), fmt.int(r.errors), fmt.int(r.timeouts), fmt.int(r.non2xx)]),
    },
    ...results.map((r) => ({
      title: `Per request kind: ${r.phase}`,
      columns: ['kind', 'count', 'p50', 'p90', 'p99', 'max', 'non-2xx'],
      rows: Object.entries(r.byKind)
        .sort(([a], [b]) => a.localeCompare(b))
        .map(([k, f]) => row(k, f)),
    })),
    {
      title: 'Data',
      columns: ['table', 'rows', 'size'],
      rows: [...tables.map((t) => [t.name, fmt.int(Number(t.rows)), t.size]), ['(database)', '—', dbSize!.size], ['generation time', '—', generationMs === null ? 'reused' : fmt.s(generationMs)]],
    },
  ];
  const targets = results
    .flatMap((r) => [
      { target: `p99 < 50 ms at 200 rps: ${r.phase}`, measured: `p99 ${fmt.ms(r.all.p99)} at ${r.achievedRate.toFixed(0)}/s`, met: (r.all.p99 ?? Infinity) < 50 && r.achievedRate >= 0.98 * 200 && options.rate >= 200 },
      { target: `no errors: ${r.phase}`, measured: `${r.errors} errors, ${r.timeouts} timeouts, ${r.non2xx} non-2xx`, met: r.errors + r.timeouts + r.non2xx === 0 },
    ]);
  await printResult({ benchmark: 'api-load', options, startedAt, figures: { phases: results, tables, databaseSize: dbSize!.size, generationMs }, targets }, sections);
});
