import type { TransactionSql } from 'postgres';
import type { Sql, Db } from '../../db/client';
import type { IsoDate } from '../../domain/dates';
import { AppError } from '../../domain/errors';
import type { UsageRecord, UsageRecordCode, UsageRefusal } from '../../domain/usage';
import { exchangeFor } from '../exchange-rates/rate-in-force';
import { postUsageMovements, type UsageMovement } from './usage-ledger';
import { priceRecord, usageSubscriptions, type PricedRecord, type UsageSubscription } from './usage-subscriptions';

export type UsageRecordResult =
  | { index: number; recordId: string; status: 'accepted' | 'duplicate' }
  | { index: number; recordId: string | null; status: 'rejected'; code: UsageRecordCode; message: string };

export interface IngestUsageInput {
  source: string;
  /** The request's records, in order: checked ones, or the refusal of their own checks (domain/usage.ts). */
  records: Array<UsageRecord | { code: UsageRecordCode; message: string; recordId: string | null }>;
  today: IsoDate;
}

/**
 * Takes a batch of usage records in one transaction (issue 20): every record is accepted, answered as a duplicate of
 * one already taken (same source and record id: it is never billed twice), or refused with its code. Set-based: one
 * statement inserts the records (ON CONFLICT DO NOTHING is the deduplication), grows the daily rollup and the usage
 * charges by the Δ of the records it really inserted; the charges' growth is then blocked on the prepaid clients'
 * balances through the ledger (one movement per charge and batch). Returns the postpay subscriptions whose debt grew:
 * the caller compares them with their credit limits (spec 01 §15.2), which may start block scenarios.
 */
export async function ingestUsageRecords(sql: Sql, input: IngestUsageInput): Promise<IngestedUsage> {
  return sql.begin((tx: TransactionSql) => ingestUsageRecordsIn(tx, input));
}

export interface IngestedUsage {
  results: UsageRecordResult[];
  postpaySubscriptions: number[];
}

/** The same inside the caller's transaction (a usage pull moves its cursor in it). */
export async function ingestUsageRecordsIn(tx: TransactionSql, input: IngestUsageInput): Promise<IngestedUsage> {
  const candidates = input.records.flatMap((r, index) => ('code' in r ? [] : [{ index, r }]));
  const { subs, closedPeriod: closed } = await usageSubscriptions(tx, [...new Set(candidates.map((c) => c.r.subscriptionId))]);
  const results: UsageRecordResult[] = input.records.map((r, index) =>
    'code' in r ? { index, recordId: r.recordId, status: 'rejected', code: r.code, message: r.message } : { index, recordId: r.recordId, status: 'accepted' },
  );
  const exchanges = await exchangesOf(tx, subs, input.today);
  const priced: Array<{ index: number; p: PricedRecord }> = [];
  const seen = new Set<string>();
  for (const { index, r } of candidates) {
    const priceable = priceRecord(r, subs.get(r.subscriptionId), input.today, closed);
    const p = 'code' in priceable ? priceable : (exchanges.get(r.subscriptionId) ?? priceable);
    if ('code' in p) results[index] = { index, recordId: r.recordId, status: 'rejected', code: p.code, message: p.message };
    // The same record twice in one request: the second is its duplicate.
    else if (seen.has(r.recordId)) results[index] = { index, recordId: r.recordId, status: 'duplicate' };
    else {
      seen.add(r.recordId);
      priced.push({ index, p });
    }
  }
  if (priced.length === 0) return { results, postpaySubscriptions: [] };
  const chargeIds = await growingCharges(tx, priced.map((x) => x.p), subs);
  const { inserted, grown } = await insertAndGrow(tx, input.source, priced.map((x) => x.p), chargeIds);
  for (const { index, p } of priced) if (!inserted.has(p.recordId)) results[index] = { index, recordId: p.recordId, status: 'duplicate' };
  if (inserted.size < priced.length) await dropEmptyCharges(tx, [...chargeIds.values()]);
  const prepaid = grown.filter((g) => subs.get(g.subscriptionId)?.paymentModel === 'prepay' && g.delta !== 0);
  await postUsageMovements(tx, prepaid.map((g): UsageMovement => ({ ...g, currency: subs.get(g.subscriptionId)!.currency })));
  const postpay = [...new Set(grown.filter((g) => subs.get(g.subscriptionId)?.paymentModel === 'postpay').map((g) => g.subscriptionId))];
  return { results, postpaySubscriptions: postpay };
}

const chargeKey = (subscriptionId: number, period: string, version: number) => `${subscriptionId}/${period}/${version}`;

/**
 * Spec 02 §4.13: a plan priced in another currency than the client's is charged at the rate in force when the charge
 * is created ("on usage statistics"): the rate of today is written on the usage charges the batch creates, and every
 * record a charge takes is converted at the charge's own rate. Without a rate in force, the records of such a
 * subscription are refused with the catalogue's code (a period's charge would otherwise have no rate to be made with).
 */
async function exchangesOf(tx: Db, subs: Map<number, UsageSubscription>, today: IsoDate): Promise<Map<number, UsageRefusal>> {
  const refused = new Map<number, UsageRefusal>();
  const pairs = new Map<string, UsageSubscription[]>();
  for (const s of subs.values()) if (s.planCurrency !== s.currency) pairs.set(`${s.currency}/${s.planCurrency}`, [...(pairs.get(`${s.currency}/${s.planCurrency}`) ?? []), s]);
  for (const [, same] of pairs) {
    try {
      const exchange = await exchangeFor(tx, same[0]!.currency, same[0]!.planCurrency, today);
      for (const s of same) s.exchange = { rate: exchange.rate, nominal: exchange.nominal };
    } catch (error) {
      if (!(error instanceof AppError) || error.code !== 'exchange_rate_missing') throw error;
      for (const s of same) refused.set(s.id, { code: 'exchange_rate_missing', message: error.message });
    }
  }
  return refused;
}

/**
 * The growing (blocked) usage charge of every subscription, financial period and price version the batch books to,
 * created empty where there is none yet (spec 02 §4.10: created when the first records are processed), and locked in
 * id order so that concurrent batches on the same charges queue instead of deadlocking.
 */
async function growingCharges(tx: Db, records: PricedRecord[], subs: Map<number, UsageSubscription>): Promise<Map<string, number>> {
  const keys = new Map<string, { subscriptionId: number; period: string; version: number; from: string; to: string; closeDate: string; clientId: number; orderId: number; currency: string; planCurrency: string; rate: string; nominal: number; markups: string[] | null }>();
  for (const r of records) {
    const k = chargeKey(r.subscriptionId, r.financialPeriod, r.rateVersion);
    const s = subs.get(r.subscriptionId)!;
    const known = keys.get(k);
    if (!known) keys.set(k, { subscriptionId: s.id, period: r.financialPeriod, version: r.rateVersion, from: r.usedOn < r.financialPeriod ? r.financialPeriod : r.usedOn, to: r.periodTo, closeDate: r.closeDate, clientId: s.clientId, orderId: s.orderId!, currency: s.currency, planCurrency: s.planCurrency, rate: s.exchange?.rate ?? '1', nominal: s.exchange?.nominal ?? 1, markups: s.billingType === 'usage_external' ? s.markups : null });
    else if (r.usedOn < known.from && r.usedOn >= r.financialPeriod) known.from = r.usedOn;
  }
  const wanted = JSON.stringify([...keys.values()]);
  await tx`
    insert into charges (client_id, order_id, subscription_id, kind, status, description, period_from, period_to, close_date, amount, currency,
                         original_amount, original_currency, exchange_rate, exchange_nominal, usage_period, usage_rate_version, usage_amount, usage_cost, usage_markups)
    select k."clientId", k."orderId", k."subscriptionId", 'usage', 'blocked',
           'Resource usage of subscription ' || k."subscriptionId" || ' from ' || k.period || ' to ' || k."to",
           k."from"::date, k."to"::date, k."closeDate"::date, 0, k.currency, 0, k."planCurrency", k.rate::numeric, k.nominal, k.period::date, k.version, 0, 0, k.markups
    from jsonb_to_recordset(${wanted}::jsonb) as k("subscriptionId" int, period text, version int, "from" text, "to" text, "closeDate" text, "clientId" int, "orderId" int, currency text, "planCurrency" text, rate text, nominal int, markups jsonb)
    order by k."subscriptionId", k.period, k.version
    on conflict (subscription_id, usage_period, usage_rate_version) where kind = 'usage' and status = 'blocked' and not superseded do nothing`;
  // By subscription ids (an index scan the planner always takes; a join to the JSON rows it may hash over the whole
  // table), then only the wanted periods and versions are kept.
  const subscriptionIds = [...new Set([...keys.values()].map((k) => k.subscriptionId))];
  const rows = await tx<Array<{ id: number; subscription_id: number; usage_period: string; usage_rate_version: number }>>`
    select c.id, c.subscription_id, c.usage_period::text, c.usage_rate_version
    from charges c
    where c.subscription_id = any(${subscriptionIds}::int[]) and c.kind = 'usage' and c.status = 'blocked' and not c.superseded
    order by c.id
    for update of c`;
  return new Map(rows.map((r) => [chargeKey(r.subscription_id, r.usage_period, r.usage_rate_version), r.id] as const).filter(([k]) => keys.has(k)));
}

interface Grown {
  chargeId: number;
  clientId: number;
  orderId: number;
  subscriptionId: number;
  /** Minor units the charge's (rounded) amount grew by. */
  delta: number;
  /** The batch's first record of the charge: with the charge, the business key of its ledger movement. */
  firstRecord: number;
}

/** One statement: the records (deduplicated), the daily rollup of those inserted, and the charges' growth by their Δ. */
async function insertAndGrow(tx: Db, source: string, records: PricedRecord[], chargeIds: Map<string, number>): Promise<{ inserted: Set<string>; grown: Grown[] }> {
  const chargeIdList = [...new Set(chargeIds.values())];
  const rows = JSON.stringify(
    records.map((r) => ({ r: r.recordId, s: r.subscriptionId, res: r.resource, q: r.quantity, d: r.usedOn, pd: r.periodDays, u: r.unitPrice, m: r.markup, fp: r.financialPeriod, c: chargeIds.get(chargeKey(r.subscriptionId, r.financialPeriod, r.rateVersion)) })),
  );
  const [out] = await tx<Array<{ inserted: string[]; grown: Grown[] }>>`
    with input as (
      select * from jsonb_to_recordset(${rows}::jsonb) as x(r text, s int, res text, q numeric, d date, pd int, u numeric, m numeric, fp date, c int)
    ), ins as (
      insert into usage_records (source, record_id, subscription_id, resource, quantity, used_on, period_days, unit_price, markup, amount, financial_period, charge_id)
      select ${source}, r, s, res, q, d, pd, u, m, round(u * m * pd * q / 30, 8), fp, c from input
      on conflict (source, record_id) do nothing
      returning id, record_id, subscription_id, resource, quantity, used_on, amount, financial_period, charge_id, round(unit_price * period_days * quantity / 30, 8) as cost
    ), rollup as (
      insert into usage_daily (subscription_id, financial_period, resource, day, quantity, amount, records)
      select subscription_id, financial_period, resource, used_on, sum(quantity), sum(amount), count(*)::int from ins
      group by subscription_id, financial_period, resource, used_on order by 1, 2, 3, 4
      on conflict (subscription_id, financial_period, resource, day) do update
        set quantity = usage_daily.quantity + excluded.quantity, amount = usage_daily.amount + excluded.amount, records = usage_daily.records + excluded.records
    ), per_charge as (
      select charge_id, sum(amount) as amount, sum(cost) as cost, min(used_on) as first_day, min(id) as first_record from ins group by charge_id
    ), grown as (
      update charges c set usage_amount = c.usage_amount + g.amount, original_amount = round(c.usage_amount + g.amount),
             usage_cost = coalesce(c.usage_cost, 0) + g.cost,
             amount = round((c.usage_amount + g.amount) * coalesce(c.exchange_rate, 1) / coalesce(c.exchange_nominal, 1)),
             period_from = least(c.period_from, greatest(g.first_day, c.usage_period)), updated_at = now()
      from per_charge g where c.id = g.charge_id and c.id = any(${chargeIdList}::int[])
      returning c.id as "chargeId", c.client_id as "clientId", c.order_id as "orderId", c.subscription_id as "subscriptionId",
                (c.amount - round((c.usage_amount - g.amount) * coalesce(c.exchange_rate, 1) / coalesce(c.exchange_nominal, 1)))::float8 as delta,
                g.first_record::float8 as "firstRecord"
    )
    select coalesce((select json_agg(record_id) from ins), '[]') as inserted, coalesce((select json_agg(grown order by "chargeId") from grown), '[]') as grown`;
  return { inserted: new Set(out!.inserted), grown: out!.grown };
}

/** A charge created for records that all turned out to be duplicates holds nothing and no record: it goes. */
async function dropEmptyCharges(tx: Db, ids: number[]) {
  await tx`
    delete from charges c where c.id = any(${ids}::int[]) and c.kind = 'usage' and c.usage_amount = 0
      and not exists (select 1 from usage_records r where r.charge_id = c.id)`;
}
