import type { Db } from '../db/client';
import { usagePeriodOf } from '../domain/usage';
import type { IsoDate } from '../domain/dates';

/**
 * A subscription's usage in one financial period (issue 20, "operators see it"): quantity and amount by resource and
 * day from the rollup (never the raw records), and the usage charges of the period with the amount rated so far.
 * Null when the subscription does not exist.
 */
export async function subscriptionUsage(db: Db, subscriptionId: number, day: IsoDate) {
  const [sub] = await db<Array<{ financial_day: number; billing_type: string }>>`
    select pr.financial_day, s.billing_type from subscriptions s join provisioning_rules pr on pr.id = s.provisioning_rule_id where s.id = ${subscriptionId}`;
  if (!sub) return null;
  const period = usagePeriodOf(day, sub.financial_day);
  const days = await db<Array<{ resource: string; day: string; quantity: string; amount: string; records: number }>>`
    select resource, day::text, quantity::text, round(amount, 2)::text as amount, records
    from usage_daily where subscription_id = ${subscriptionId} and financial_period = ${period.from}
    order by resource, day`;
  const charges = await db<Array<{ id: number; status: string; periodFrom: string; periodTo: string; closeDate: string; amount: number; rateVersion: number }>>`
    select id, status, period_from::text as "periodFrom", period_to::text as "periodTo", close_date::text as "closeDate", amount::float8 as amount,
           usage_rate_version as "rateVersion"
    from charges where subscription_id = ${subscriptionId} and kind = 'usage' and usage_period = ${period.from} and not superseded and status <> 'deleted'
    order by id`;
  type Day = { day: string; quantity: string; amount: string; records: number };
  const resources = new Map<string, { resource: string; quantity: number; amount: number; days: Day[] }>();
  for (const d of days) {
    const r = resources.get(d.resource) ?? { resource: d.resource, quantity: 0, amount: 0, days: [] };
    r.quantity += Number(d.quantity);
    r.amount += Number(d.amount);
    r.days.push({ day: d.day, quantity: d.quantity, amount: d.amount, records: d.records });
    resources.set(d.resource, r);
  }
  return {
    subscriptionId,
    billingType: sub.billing_type,
    period,
    ratedAmount: charges.reduce((s, c) => s + c.amount, 0),
    charges,
    // Σ of exact amounts, shown to the cent (minor units, 2 decimals of a minor unit are noise).
    resources: [...resources.values()].map((r) => ({ ...r, quantity: String(r.quantity), amount: r.amount.toFixed(2) })),
  };
}

/** The usage records behind a charge (and behind the charge it was split from), oldest first, keyset-paged by id. */
export async function usageRecordsOfCharge(db: Db, chargeId: number, o: { limit: number; after?: number }) {
  return db<Array<{ id: number; source: string; recordId: string; resource: string; quantity: string; usedOn: string; periodDays: number; unitPrice: string; markup: string; amount: string; createdAt: string }>>`
    select r.id::float8 as id, r.source, r.record_id as "recordId", r.resource, r.quantity::text, r.used_on::text as "usedOn", r.period_days as "periodDays",
           r.unit_price::text as "unitPrice", r.markup::text, r.amount::text, r.created_at::text as "createdAt"
    from usage_records r
    where r.charge_id in (select id from charges where id = ${chargeId} union select split_of from charges where id = ${chargeId} and split_of is not null)
      and r.id > ${o.after ?? 0}
    order by r.id limit ${o.limit}`;
}
