/**
 * Benchmark 2 (issue 9): the billing run of one business date over many subscriptions.
 *
 *   npm run bench:billing -- --subscriptions 100000
 *
 * Data: clients, subscriptions, their purchase orders, the open renewal orders of earlier runs (with items,
 * payments and charges) and the charges of every current term are generated with SQL (generate_series) in
 * batches, directly in the state earlier billing runs would have left: prepaid terms of one month (3 in 4)
 * or one year, expiring on mixed dates from 45 days ago to a month (monthly) or a year (yearly) ahead. Seven
 * clients in ten have money; the others have none, and their auto-renewed subscriptions carry an unpaid
 * renewal order. On the run's date (`--date`, default today) that makes, by the rules of
 * domain/lifecycle.ts: renewal orders created (auto-renewal points 0, 3 and 7 days) and, for clients with
 * money, paid and provisioned at the vendor; auto-payments tried for unpaid ones; subscriptions one day
 * past their date marked payment overdue; those past the 7 grace days stopped at the vendor; those past the
 * 30 blocking days deleted at the vendor. The vendor (the fake vendor, in its own process) is seeded with a
 * resource for every subscription the run will call it about.
 *
 * Measured: the run's decision time (its "find due" steps: the duty selection queries plus the rules,
 * from the scenario read model), its total time (`billing_runs.started_at` → `finished_at`), the time until
 * every scenario it started has settled (completed, or waiting for a payment that will not come), due
 * items found / done per duty, and rows written (and read) per second from pg_stat_database.
 */
import { Client, Connection } from '@temporalio/client';
import { signVendorRequest } from '../operations/plugins/adapters/http-vendor-protocol';
import { todayIn } from '../domain/dates';
import { orderBilledTypes } from '../domain/billing-types';
import { Bench, apiClient, runBenchmark, sleep } from './lib/harness';
import { boolOption, helpRequested, intOption, stringOption } from './lib/options';
import { Progress, say } from './lib/progress';
import { fmt, printResult, type Section } from './lib/report';
import { generateInBatches, rowCounters } from './lib/sql-batches';

helpRequested(`
bench/billing-run.ts: the billing run of one date (issue 9, benchmark 2)
  --subscriptions N   subscriptions to generate (default 100000)
  --per-client N      subscriptions per client (default 10)
  --date YYYY-MM-DD   business date of the run (default today, UTC); the 1st of a month also closes charges
  --batch N           rows per generating statement (default 10000)
  --temporal T        file (default) or memory
  --settle-timeout S  seconds to wait for the scenarios the run started (default 1800)
  --mix M             prepaid (default: every subscription a prepaid term) or all: spread over every sellable
                      billing type, with plans whose periods fit each type and charges in the statuses it leaves
  --keep              keep the database and the temp dir
Every flag also reads BENCH_<NAME> (BENCH_SUBSCRIPTIONS=100000).
`);

const options = {
  subscriptions: intOption('subscriptions', 100_000),
  perClient: Math.max(1, intOption('per-client', 10)),
  date: stringOption('date', todayIn('UTC', new Date())),
  batch: Math.max(100, intOption('batch', 10_000)),
  temporal: stringOption('temporal', 'file', ['file', 'memory'] as const),
  settleTimeout: intOption('settle-timeout', 1800),
  mix: stringOption('mix', 'prepaid', ['prepaid', 'all'] as const),
  keep: boolOption('keep'),
};
if (!/^\d{4}-\d{2}-\d{2}$/.test(options.date)) throw new Error(`--date: expected YYYY-MM-DD, got "${options.date}"`);

/** Provisioning rules: grace days before the stop, blocking days before the deletion. */
const graceDays = 7;
const blockingDays = 30;
const autoRenewPoints = [0, 3, 7] as const;

/**
 * The periods of each billing type's plans (their planRefusal: vendor types take no one-off fee; no refund and CSP
 * annual a year; payment in full a month; a one-time sale an unlimited period priced by its setup fee). A pre-order
 * keeps the original benchmark's monthly and yearly periods; the per-period types take a year billed month by month.
 */
const year = { duration: 1, unit: 'year', setupFee: 0, recurringFee: 1000 };
const periodsOf: Record<string, unknown[]> = {
  prepaid_term: [
    { duration: 1, unit: 'month', setupFee: 500, recurringFee: 1000 },
    { duration: 1, unit: 'year', setupFee: 0, recurringFee: 900 },
  ],
  monthly_flexible: [year],
  no_refund: [year],
  peak_monthly: [{ duration: 1, unit: 'month', setupFee: 0, recurringFee: 1000 }],
  csp_monthly: [year],
  csp_annual: [year],
  eset_monthly: [year],
  non_recurring: [{ duration: 1, unit: 'month', unlimited: true, setupFee: 15_000, recurringFee: 0 }],
};

const bench = await Bench.create('billing', { keep: options.keep });
await runBenchmark(bench, async () => {
  const startedAt = new Date().toISOString();
  const D = options.date;
  const N = options.subscriptions;
  const clients = Math.ceil(N / options.perClient);
  const db = await bench.database();
  const platform = await bench.platform({ databaseUrl: db.url, temporal: options.temporal, vendor: true });
  const api = apiClient(platform.api);
  const sql = db.sql;

  // The catalogue through the API: one plan per auto-renewal point, each with a monthly and a yearly period.
  const rule = await api('POST', '/api/v1/service-rules', { key: 'bench', name: 'Bench', unpaidOrderCancelDays: 14 });
  const product = await api('POST', '/api/v1/products', { name: 'Bench product' });
  const template = await api('POST', '/api/v1/service-templates', {
    name: 'Bench template',
    plugin: 'http-vendor',
    settings: { baseUrl: platform.vendor!.url, secret: platform.vendor!.secret, timeoutMs: 10_000 },
  });
  // One plan per auto-renewal point and billing type; a plan row per period a subscription may take (`variant`).
  const types = options.mix === 'all' ? orderBilledTypes : (['prepaid_term'] as const);
  const plans: Array<{ type: string; point: number; planId: number; ruleId: number; periodId: number; variant: number }> = [];
  for (const point of autoRenewPoints) {
    const provisioning = await api('POST', '/api/v1/provisioning-rules', {
      key: `bench_${point}`,
      name: `Bench, renew ${point} days ahead`,
      autoRenewPointDays: point,
      unpaidStopAfterDays: graceDays,
      blockingPeriodDays: blockingDays,
    });
    for (const type of types) {
      const plan = await api('POST', '/api/v1/plans', {
        productId: product.id,
        serviceTemplateId: template.id,
        provisioningRuleId: provisioning.id,
        name: `Bench plan ${type} ${point}`,
        currency: 'EUR',
        billingType: type,
        periods: periodsOf[type],
      });
      plan.periods.forEach((period: { id: number }, variant: number) => plans.push({ type, point, planId: plan.id, ruleId: provisioning.id, periodId: period.id, variant }));
    }
  }
  const planValues = plans.map((p) => `('${p.type}', ${p.point}, ${p.planId}, ${p.ruleId}, ${p.periodId}, ${p.variant})`).join(', ');
  const typeArray = `array[${types.map((t) => `'${t}'`).join(', ')}]::text[]`;

  // ---- Generation ---------------------------------------------------------------------------------------
  const generation = Date.now();
  const counts: Record<string, number> = {};
  counts.clients = (
    await generateInBatches(sql, { label: 'generate clients', total: clients, batch: options.batch, unit: 'clients' }, async (tx, from, to) => {
      const made = await tx`
        insert into clients (id, name, status, service_rule_id, currency, language, balance, created_at, updated_at)
        select i, 'Bench client ' || i, 'active', ${rule.id}, 'EUR', 'en', case when i % 10 < 7 then 100000000 else 0 end, now(), now()
        from generate_series(${from}::int, ${to}::int) i`;
      await tx`
        insert into client_contacts (client_id, name, email, role, language)
        select i, 'Owner ' || i, 'owner' || i || '@example.com', 'owner', 'en' from generate_series(${from}::int, ${to}::int) i`;
      // The money of clients that have some came in as a top-up: the ledger agrees with the balance.
      await tx`
        insert into ledger_transactions (client_id, kind, amount, balance_after, currency, description, idempotency_key)
        select i, 'payment_received', 100000000, 100000000, 'EUR', 'Opening balance (benchmark data)', 'bench-opening/' || i
        from generate_series(${from}::int, ${to}::int) i where i % 10 < 7`;
      return made.count;
    })
  ).rows;
  await sql`select setval(pg_get_serial_sequence('clients', 'id'), ${clients})`;

  // Offsets (expiration − run date) spread evenly by a multiplicative hash of the id: monthly −45..30, yearly −45..365.
  counts.subscriptions = (
    await generateInBatches(sql, { label: 'generate subscriptions', total: N, batch: options.batch, unit: 'subscriptions' }, async (tx, from, to) => {
      const made = await tx.unsafe(
        `
        with h as (
          -- Independent, evenly spread choices per subscription: a hash of the id, salted per choice.
          select j, (hashtext(j || ':client') & 2147483647) as hc, (hashtext(j || ':period') & 2147483647) as hy,
                 (hashtext(j || ':offset') & 2147483647) as ho, (hashtext(j || ':point') & 2147483647) as hp,
                 (hashtext(j || ':renew') & 2147483647) as hr, (hashtext(j || ':type') & 2147483647) as ht
          from generate_series($1::int, $2::int) j
        ), g as (
          select j, (hc % $3) + 1 as client_id, hy, ho, hp, hr,
                 (${typeArray})[(ht % array_length(${typeArray}, 1)) + 1] as billing_type
          from h
        ), s as (
          select g.*, (g.client_id % 10 < 7) as funded,
                 case when g.client_id % 10 < 7 then 0 else (array[0, 3, 7])[(hp % 3) + 1] end as point,
                 -- A pre-order takes its plan's yearly period 1 time in 4; every other type has one period.
                 case when g.billing_type = 'prepaid_term' and hy % 4 = 0 then 1 else 0 end as variant
          from g
        ), p as (
          select s.*, pl.plan_id, pl.rule_id, pl.period_id, pp.unit, pp.unlimited,
                 case when pp.unlimited then 0
                      -- No refund cannot be stopped or deleted: its commitments are all running.
                      when s.billing_type = 'no_refund' then (ho % 366)::int
                      when pp.unit = 'year' then (ho % 411)::int - 45 else (ho % 76)::int - 45 end as off
          from s join (values ${planValues}) as pl(type, point, plan_id, rule_id, period_id, variant)
                 on pl.type = s.billing_type and pl.point = s.point and pl.variant = s.variant
            join plan_periods pp on pp.id = pl.period_id
        ), t as (
          select p.*, case when p.unlimited then null else ($4::date + p.off) end as exp,
                 case when p.unlimited then interval '0 days' when p.unit = 'year' then interval '1 year' else interval '1 month' end as term,
                 -- Clients with money renew automatically (unless they turned it off); an expired one of theirs did not renew.
                 case when p.billing_type in ('no_refund', 'non_recurring') then false
                      when p.funded then p.off >= 0 and hr % 7 <> 0 else hr % 5 <> 0 end as auto_renew,
                 case when p.unlimited then 'delivered' when p.off >= -1 then 'active' when p.off >= -($5::int + 1) then 'payment_overdue'
                      when p.off >= -($5::int + $6::int + 1) then 'stopped' else 'deleted' end as status
          from p
        )
        insert into subscriptions (id, client_id, plan_id, plan_period_id, service_template_id, provisioning_rule_id, name, status,
                                   status_reason, billing_type, payment_model, trial, currency, start_date, expiration_date, prolonged_until,
                                   auto_renew, auto_renew_point_days, manual_renew_point_days, created_at, updated_at)
        select t.j, t.client_id, t.plan_id, t.period_id, $7, t.rule_id,
               'Bench subscription ' || t.j, t.status, case when t.status in ('stopped', 'deleted') then 'not paid' end,
               t.billing_type, 'prepay', false, 'EUR',
               coalesce((t.exp - t.term)::date, $4::date - (hr % 300)::int), t.exp,
               -- Per-period types are paid up to the financial day (the 1st) after the day before the run, within the term.
               case when t.billing_type in ('monthly_flexible', 'csp_monthly', 'eset_monthly', 'no_refund')
                    then least((date_trunc('month', $4::date - 1) + interval '1 month')::date, t.exp + 1) end,
               t.auto_renew, t.point, -1, coalesce(t.exp - t.term, $4::date - (hr % 300)::int), now()
        from t`,
        [from, to, clients, D, graceDays, blockingDays, template.id],
      );
      // Its purchase order, completed when the subscription started (order id = subscription id).
      const orders = await tx`
        insert into orders (id, number, type, status, client_id, subscription_id, plan_id, plan_period_id, payment_model, currency, amount,
                            end_date, provisioning_date, subscription_name, workflow_id, scenario_started_at, applied_at, closed_at, created_at, updated_at)
        select s.id, 'BN-P-' || s.id, 'purchase', 'completed', s.client_id, s.id, s.plan_id, s.plan_period_id, 'prepay', 'EUR',
               pp.setup_fee + case when pp.unlimited then 0 when pp.unit = 'year' then 12 * pp.recurring_fee else pp.recurring_fee end,
               s.start_date + 14, s.start_date, s.name, 'order-' || s.id,
               s.start_date, s.start_date, s.start_date, s.start_date, s.start_date
        from subscriptions s join plan_periods pp on pp.id = s.plan_period_id where s.id between ${from} and ${to}`;
      return made.count + orders.count;
    })
  ).rows;

  // Unpaid automatic renewal orders of clients without money, created by earlier runs at the auto-renewal
  // point and not yet past their end date (order id = N + subscription id), with item, payment and charge.
  counts.openOrders = (
    await generateInBatches(sql, { label: 'generate open renewal orders', total: N, batch: options.batch, unit: 'subscriptions' }, async (tx, from, to) => {
      const due = `
        from subscriptions s join plan_periods pp on pp.id = s.plan_period_id join clients c on c.id = s.client_id
        where s.id between $1 and $2 and c.balance = 0 and s.auto_renew and s.status in ('active', 'payment_overdue')
          and (s.prolonged_until is null or s.prolonged_until > s.expiration_date)
          and ((s.expiration_date >= $3::date and s.expiration_date - s.auto_renew_point_days < $3::date)
               or (s.expiration_date < $3::date and $3::date - (s.expiration_date - s.auto_renew_point_days) <= 14))`;
      const made = await tx.unsafe(
        `insert into orders (id, number, type, status, client_id, subscription_id, plan_id, plan_period_id, payment_model, currency, amount,
                             end_date, provisioning_date, deferred, automatic, auto_pay_date, term_key, details, subscription_name,
                             workflow_id, scenario_started_at, created_at, updated_at)
         select $4::int + s.id, 'BN-R-' || s.id, 'renewal', 'awaiting_payment', s.client_id, s.id, s.plan_id, s.plan_period_id, 'prepay', 'EUR',
                (case when pp.unit = 'year' then 12 else 1 end * pp.recurring_fee), s.expiration_date - s.auto_renew_point_days + 14,
                s.expiration_date - s.auto_renew_point_days, false, true, s.expiration_date, s.expiration_date,
                jsonb_build_object('renewsAfter', s.expiration_date::text), s.name, 'order-' || ($4::int + s.id),
                s.expiration_date - s.auto_renew_point_days, s.expiration_date - s.auto_renew_point_days, s.expiration_date - s.auto_renew_point_days
         ${due}`,
        [from, to, D, N],
      );
      await tx.unsafe(
        `insert into order_items (order_id, kind, price_type, description, quantity, period_months, unit_price, amount)
         select $4::int + s.id, 'subscription', 'renewal', s.name || ': renewal after ' || s.expiration_date, 1,
                case when pp.unit = 'year' then 12 else 1 end, (case when pp.unit = 'year' then 12 else 1 end * pp.recurring_fee),
                (case when pp.unit = 'year' then 12 else 1 end * pp.recurring_fee)
         ${due}`,
        [from, to, D, N],
      );
      await tx.unsafe(
        `insert into payments (number, client_id, order_id, type, status, amount, currency, created_at, updated_at)
         select 'BN-PAY-' || s.id, s.client_id, $4::int + s.id, 'order', 'waiting_for_payment', (case when pp.unit = 'year' then 12 else 1 end * pp.recurring_fee),
                'EUR', s.expiration_date - s.auto_renew_point_days, s.expiration_date - s.auto_renew_point_days
         ${due}`,
        [from, to, D, N],
      );
      await tx.unsafe(
        `insert into charges (client_id, order_id, subscription_id, kind, status, description, period_from, period_to, close_date, amount, currency)
         select s.client_id, $4::int + s.id, s.id, 'renewal', 'new', s.name || ' (renewal)', s.expiration_date + 1,
                (s.expiration_date + case when pp.unit = 'year' then interval '1 year' else interval '1 month' end)::date,
                (date_trunc('month', s.expiration_date + case when pp.unit = 'year' then interval '1 year' else interval '1 month' end) + interval '1 month')::date,
                (case when pp.unit = 'year' then 12 else 1 end * pp.recurring_fee), 'EUR'
         ${due}`,
        [from, to, D, N],
      );
      return made.count;
    })
  ).rows;
  await sql`select setval(pg_get_serial_sequence('orders', 'id'), ${2 * N + 1})`;
  await sql`select setval(pg_get_serial_sequence('subscriptions', 'id'), ${N})`;

  // The charges of every current term, one per calendar month (per-period types: up to the day they are paid
  // until): closed before the run's date, blocked from it, or as the billing type leaves them (a no-refund month
  // is debited at once; a stopped monthly flexible subscription's remainder went back, open); a one-time sale's
  // setup fee, closed.
  counts.charges = (
    await generateInBatches(sql, { label: 'generate term charges', total: N, batch: options.batch, unit: 'subscriptions' }, async (tx, from, to) => {
      const made = await tx`
        insert into charges (client_id, order_id, subscription_id, kind, status, description, period_from, period_to, close_date, amount, currency, closed_at)
        select s.client_id, s.id, s.id, 'recurring', c.status,
               s.name || ' (recurring fee)', greatest(m::date, s.start_date), least((m + interval '1 month')::date - 1, s.expiration_date - 1),
               (m + interval '1 month')::date, pp.recurring_fee, 'EUR', case when c.status = 'closed' then (m + interval '1 month') end
        from subscriptions s join plan_periods pp on pp.id = s.plan_period_id,
             generate_series(date_trunc('month', s.start_date), date_trunc('month', least(s.expiration_date, coalesce(s.prolonged_until, s.expiration_date)) - 1), interval '1 month') m,
             lateral (select case when (m + interval '1 month')::date < ${D}::date or s.billing_type = 'no_refund' then 'closed'
                                  when s.billing_type = 'monthly_flexible' and s.status = 'stopped' then 'open'
                                  else 'blocked' end as status) c
        where s.id between ${from} and ${to} and s.status <> 'deleted' and s.expiration_date is not null`;
      const sales = await tx`
        insert into charges (client_id, order_id, subscription_id, kind, status, description, period_from, period_to, close_date, amount, currency, closed_at)
        select s.client_id, s.id, s.id, 'setup', 'closed', s.name || ' (setup fee)', s.start_date, s.start_date, s.start_date, pp.setup_fee, 'EUR', s.start_date
        from subscriptions s join plan_periods pp on pp.id = s.plan_period_id
        where s.id between ${from} and ${to} and s.expiration_date is null`;
      return made.count + sales.count;
    })
  ).rows;
  const analyze = new Progress('analyze', undefined);
  await sql`analyze`;
  analyze.finish();
  const generationMs = Date.now() - generation;

  // ---- The vendor knows every subscription the run will call it about --------------------------------
  const touched = await sql<Array<{ id: number }>>`
    select s.id from subscriptions s join clients c on c.id = s.client_id
    where (s.status = 'active' and s.auto_renew and c.balance > 0 and s.expiration_date - s.auto_renew_point_days = ${D}::date)
       or (s.status = 'payment_overdue' and s.expiration_date < ${D}::date - ${graceDays}::int)
       or (s.status = 'stopped' and s.expiration_date < ${D}::date - ${graceDays + blockingDays}::int)
       or (s.status = 'active' and c.balance > 0 and s.prolonged_until < s.expiration_date and s.prolonged_until - s.auto_renew_point_days <= ${D}::date)
    order by s.id`;
  const seed = new Progress('seed vendor resources', touched.length, 'resources');
  const references: Array<[number, string]> = [];
  let nextIndex = 0;
  await Promise.all(
    Array.from({ length: 16 }, async () => {
      for (let i = nextIndex++; i < touched.length; i = nextIndex++) {
        const id = touched[i]!.id;
        const body = JSON.stringify({ subscriptionId: id, name: `Bench subscription ${id}` });
        const timestamp = String(Math.floor(Date.now() / 1000));
        const res = await fetch(`${platform.vendor!.url}/resources`, {
          method: 'POST',
          headers: {
            'content-type': 'application/json',
            'idempotency-key': `bench-seed/${id}`,
            'x-timestamp': timestamp,
            'x-signature': signVendorRequest({ secret: platform.vendor!.secret, timestamp, method: 'POST', path: '/resources', body }),
          },
          body,
        });
        if (res.status >= 300) throw new Error(`seeding the vendor: ${res.status} ${await res.text()}`);
        references.push([id, ((await res.json()) as { id: string }).id]);
        seed.add();
      }
    }),
  );
  for (let i = 0; i < references.length; i += 5000) {
    const part = references.slice(i, i + 5000);
    await sql`
      update subscriptions s set vendor_reference = r.ref
      from unnest(${part.map((r) => r[0])}::int[], ${part.map((r) => r[1])}::text[]) as r(id, ref) where s.id = r.id`;
  }
  seed.finish();

  // What the rules will find, for the record (the run's own counts come from its duties).
  const [shape] = await sql<Array<Record<string, string>>>`
    select count(*) filter (where status = 'active')::text as active, count(*) filter (where status = 'payment_overdue')::text as overdue,
           count(*) filter (where status = 'stopped')::text as stopped, count(*) filter (where status = 'deleted')::text as deleted,
           count(*) filter (where status <> 'deleted' and expiration_date - auto_renew_point_days <= ${D}::date)::text as near_their_dates
    from subscriptions`;
  const mix = await sql<Array<{ billing_type: string; subscriptions: number; charges: Record<string, number> }>>`
    select s.billing_type, count(distinct s.id)::int as subscriptions,
           coalesce((select jsonb_object_agg(status, n) from (select c.status, count(*)::int as n from charges c join subscriptions x on x.id = c.subscription_id
                                                             where x.billing_type = s.billing_type group by c.status) k), '{}'::jsonb) as charges
    from subscriptions s group by s.billing_type order by s.billing_type`;
  for (const m of mix) say(`[billing] ${m.billing_type}: ${m.subscriptions} subscriptions, charges ${JSON.stringify(m.charges)}`);
  const [rowsInTables] = await sql<Array<{ orders: string; charges: string }>>`select (select count(*) from orders)::text as orders, (select count(*) from charges)::text as charges`;
  say(`[billing] generated in ${fmt.s(generationMs)}: ${JSON.stringify({ ...shape, orders: rowsInTables!.orders, charges: rowsInTables!.charges })}`);

  // ---- The run ------------------------------------------------------------------------------------------
  await sleep(2000);
  const before = await rowCounters(sql);
  const runStart = Date.now();
  await api('POST', '/api/v1/billing/runs', { date: D, confirmDate: D });
  const progress = new Progress(`billing run ${D}`, undefined);
  let run: { status: string; duties: Record<string, { found: number; done: number }> };
  for (;;) {
    const res = await fetch(`${platform.api.url}/api/v1/billing/runs/${D}`, { headers: { authorization: `Bearer ${platform.api.token}` } });
    // 404 until the run's first step has recorded it.
    run = res.status === 404 ? { status: 'running', duties: {} } : ((await res.json()) as typeof run);
    if (res.status !== 200 && res.status !== 404) throw new Error(`GET /billing/runs/${D}: ${res.status} ${JSON.stringify(run)}`);
    const duties = Object.entries(run.duties ?? {}).map(([k, v]) => `${k} ${v.done}/${v.found}`);
    progress.set(0, `${run.status}; ${duties.slice(-3).join(', ') || 'finding due work'}`);
    if (run.status !== 'running') break;
    await sleep(250);
  }
  const runWallMs = progress.finish();
  if (run.status !== 'completed') throw new Error(`the billing run ended ${run.status}`);
  const [times] = await sql<Array<{ total_ms: number }>>`
    select (extract(epoch from finished_at - started_at) * 1000)::int as total_ms from billing_runs where business_date = ${D}`;
  const runAt = await rowCounters(sql);

  // The scenarios the run started: renewal orders (paid ones provision at the vendor), stops, deletions.
  const expected = (run.duties.createOrders?.done ?? 0) + (run.duties.stops?.done ?? 0) + (run.duties.deletions?.done ?? 0);
  const settle = new Progress('scenarios started by the run', expected, 'scenarios');
  let settledAt = Date.now();
  let byStatus: Record<string, number> = {};
  for (;;) {
    const rows = await sql<Array<{ status: string; n: number }>>`
      select status, count(*)::int as n from scenarios where type <> 'billing_run' and started_at >= ${new Date(runStart - 1000)} group by status`;
    byStatus = Object.fromEntries(rows.map((r) => [r.status, r.n]));
    const total = rows.reduce((a, r) => a + r.n, 0);
    const running = byStatus.running ?? 0;
    settle.set(total - running, Object.entries(byStatus).map(([k, v]) => `${k} ${v}`).join(', '));
    if (total >= expected && running === 0) {
      settledAt = Date.now();
      break;
    }
    if (Date.now() - runStart > options.settleTimeout * 1000) {
      say(`[billing] scenarios did not settle in ${options.settleTimeout} s`);
      settledAt = Date.now();
      break;
    }
    await sleep(500);
  }
  settle.finish();
  // The run's own workflow history: every scenario it starts and every order it tells adds events to it.
  const connection = await Connection.connect({ address: platform.temporalAddress });
  const description = await new Client({ connection, namespace: 'default' }).workflow.getHandle(`billing-day-${D}`).describe();
  const historyLength = description.historyLength;
  await connection.close();
  // pg_stat_database is flushed by each backend about once a second and by idle ones within ~10 s.
  await sleep(11_000);
  const after = await rowCounters(sql);

  const steps = await sql<Array<{ name: string; path: string; duration_ms: number; parent: string | null }>>`
    select st.name, st.path, st.duration_ms, p.name as parent
    from scenario_steps st left join scenario_steps p on p.scenario_id = st.scenario_id and p.run_id = st.run_id and p.path = st.parent_path
    where st.scenario_id = ${`billing-day-${D}`} and st.kind <> 'group'
    order by st.id`;
  const finds = steps.filter((s) => s.name.startsWith('Find due') || s.name === 'Find unpaid orders');
  const decisionMs = finds.reduce((a, s) => a + (s.duration_ms ?? 0), 0);
  const groupTimes = await sql<Array<{ name: string; duration_ms: number }>>`
    select name, duration_ms from scenario_steps where scenario_id = ${`billing-day-${D}`} and kind = 'group' order by id`;
  const [outcomes] = await sql<Array<Record<string, string>>>`
    select (select count(*) from orders where automatic and created_at >= ${new Date(runStart)})::text as orders_created,
           (select count(*) from orders where automatic and status = 'completed' and closed_at >= ${new Date(runStart)})::text as renewals_completed,
           (select count(*) from subscriptions where status = 'payment_overdue')::text as overdue_now,
           (select count(*) from subscriptions where status = 'stopped')::text as stopped_now,
           (select count(*) from subscriptions where status = 'deleted')::text as deleted_now,
           (select count(*) from billing_run_actions where business_date = ${D})::text as run_actions`;

  const runMs = times?.total_ms ?? runWallMs;
  const settleMs = settledAt - runStart;
  const writtenInRun = runAt.written - before.written;
  const writtenTotal = after.written - before.written;
  const sections: Section[] = [
    {
      title: 'Generated data',
      columns: ['what', 'rows'],
      rows: [
        ['clients', fmt.int(clients)],
        ['subscriptions + their purchase orders', fmt.int(counts.subscriptions)],
        ['open renewal orders of earlier runs', fmt.int(counts.openOrders)],
        ['term charges', fmt.int(counts.charges)],
        ['subscriptions near their dates (loaded by the duty query)', fmt.int(Number(shape!.near_their_dates))],
        ['generation time', fmt.s(generationMs)],
      ],
    },
    {
      title: `Billing run of ${D}`,
      columns: ['figure', 'value'],
      rows: [
        ['decision: the "find due" steps together', fmt.s(decisionMs)],
        ['run started → run finished', fmt.s(runMs)],
        ['run started → every scenario it started settled', fmt.s(settleMs)],
        ['rows written during the run (pg_stat, ±1 s)', fmt.int(writtenInRun)],
        ['rows written per second, run', fmt.int((writtenInRun * 1000) / runMs)],
        ['rows written until settled', fmt.int(writtenTotal)],
        ['rows written per second, until settled', fmt.int((writtenTotal * 1000) / settleMs)],
        ['rows read per second, until settled', fmt.int(((after.read - before.read) * 1000) / settleMs)],
        ['transactions committed until settled', fmt.int(after.commits - before.commits)],
        ['scenarios started by the run, by status', Object.entries(byStatus).map(([k, v]) => `${k} ${v}`).join(', ')],
        ['history events of the run\'s workflow (Temporal limit 51,200)', fmt.int(historyLength)],
      ],
    },
    {
      title: 'Duties (found / done)',
      columns: ['duty', 'found', 'done'],
      rows: Object.entries(run.duties).map(([k, v]) => [k, fmt.int(v.found), fmt.int(v.done)]),
    },
    {
      title: 'Decision steps',
      columns: ['step', 'duration'],
      rows: finds.map((s) => [s.name, fmt.ms(s.duration_ms)]),
    },
    {
      title: 'Duty groups (wall time inside the run)',
      columns: ['group', 'duration'],
      rows: groupTimes.map((g) => [g.name, fmt.ms(g.duration_ms)]),
    },
  ];
  await printResult(
    {
      benchmark: 'billing-run',
      options,
      startedAt,
      figures: {
        generatedRows: counts,
        generationMs,
        shape,
        mix,
        decisionMs,
        decisionSteps: finds.map((s) => ({ name: s.name, ms: s.duration_ms })),
        runMs,
        settleMs,
        duties: run.duties,
        scenarios: byStatus,
        rows: { writtenInRun, writtenTotal, readTotal: after.read - before.read, commits: after.commits - before.commits },
        outcomes,
        groups: groupTimes,
        historyLength,
      },
      targets: [{ target: 'billing-run decision for 100k subscriptions < 60 s', measured: `${(decisionMs / 1000).toFixed(1)} s for ${N.toLocaleString('en-US')}`, met: decisionMs < 60_000 && N >= 100_000 }],
    },
    sections,
  );
});
