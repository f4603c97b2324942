import type { TransactionSql } from 'postgres';
import type { Sql } from '../../db/client';
import { isUsageBillingType, type BillingType } from '../../domain/billing-types/types';
import { addDays, type IsoDate } from '../../domain/dates';
import { AppError } from '../../domain/errors';
import { logEvent } from '../event-log/event-log';

export interface UsagePriceChange {
  planId: number;
  /** New monthly unit prices of the plan's resources (internal prices). */
  resources?: Array<{ key: string; recurringPrice: number }>;
  /** A new markup on the provider's price (external prices), decimal text. */
  markup?: string;
  today: IsoDate;
  by: number | null;
}

/**
 * A price change of a pay-as-you-go plan (spec 02 §4.10, seed 8.3.4.7.5) starts a new price version from today:
 * new usage grows a new charge. Internal prices: the running charges end the day before, and the prepaid ones close
 * (their amount is debited: it was already blocked, so no money moves). External prices: they stay blocked until the
 * financial day. Returns the new version and how many running charges it closed.
 */
export async function changeUsagePrices(sql: Sql, change: UsagePriceChange): Promise<{ version: number; closedCharges: number }> {
  return sql.begin(async (tx: TransactionSql) => {
    const [plan] = await tx<Array<{ billing_type: BillingType; usage_rate_version: number; delegated: boolean }>>`
      select billing_type, usage_rate_version, delegated from plans where id = ${change.planId} for update`;
    if (!plan) throw new AppError('not_found', `plan ${change.planId} does not exist`);
    // A copy's coefficient is its level's markup, set by its owner (PATCH /plans/{id}, spec 05 §4.2): one place for it.
    if (plan.delegated && change.markup !== undefined) throw new AppError('invalid_markup', `plan ${change.planId} is delegated: its coefficient is its markup (PATCH /plans/${change.planId})`);
    if (!isUsageBillingType(plan.billing_type)) throw new AppError('not_usage_billing', `plan ${change.planId} is billed ${plan.billing_type}, not by usage`);
    for (const r of change.resources ?? []) {
      const updated = await tx`update plan_resources set recurring_price = ${r.recurringPrice}, updated_at = now() where plan_id = ${change.planId} and key = ${r.key}`;
      if (updated.count === 0) throw new AppError('unknown_resource', `plan ${change.planId} has no resource "${r.key}"`);
    }
    const version = plan.usage_rate_version + 1;
    await tx`
      update plans set usage_rate_version = ${version}, usage_rate_since = ${change.today}, updated_at = now(),
             usage_markup = coalesce(${change.markup ?? null}::numeric, usage_markup)
      where id = ${change.planId}`;
    const closed = plan.billing_type === 'usage_internal' ? await closeRunningCharges(tx, change.planId, change.today) : 0;
    await logEvent(tx, { actorId: change.by, entityKind: 'plan', entityId: change.planId, action: 'usage_prices_changed', changes: { version, resources: change.resources ?? null, markup: change.markup ?? null, closedCharges: closed } });
    return { version, closedCharges: closed };
  });
}

/**
 * Seed 8.3.4.7.5.1 step 1: the running charges of the old price end the day before the change. A prepaid one closes
 * today (its amount was blocked, so it is simply debited); a postpay one is debt and stays blocked until the
 * financial day after its period, like every split postpay charge (spec 02 §4.11). Returns how many closed.
 */
async function closeRunningCharges(tx: TransactionSql, planId: number, today: IsoDate): Promise<number> {
  const ended = await tx<Array<{ status: string }>>`
    update charges c set period_to = greatest(c.period_from, ${addDays(today, -1)}::date), updated_at = now(),
           status = case when s.payment_model = 'postpay' then c.status else 'closed' end,
           closed_at = case when s.payment_model = 'postpay' then c.closed_at else now() end,
           close_date = case when s.payment_model = 'postpay' then c.close_date else ${today}::date end
    from subscriptions s
    where s.id = c.subscription_id and s.plan_id = ${planId} and c.kind = 'usage' and c.status = 'blocked' and not c.superseded
    returning c.status`;
  return ended.filter((c) => c.status === 'closed').length;
}

/**
 * The individual markup of a pay-as-you-go (external) subscription (spec 01 §8.3, seed 8.3.4.7.5.2 item 2): it wins
 * over the plan's from today (null: back to the plan's). The running charge stays blocked until the financial day;
 * new usage grows a new charge, because the subscription's price version (the plan's + its bumps) moves on.
 */
export async function setUsageMarkup(sql: Sql, o: { subscriptionId: number; markup: string | null; by: number | null }): Promise<{ markup: string | null }> {
  return sql.begin(async (tx: TransactionSql) => {
    const [sub] = await tx<Array<{ billing_type: BillingType; usage_markup: string | null }>>`
      select billing_type, usage_markup::text from subscriptions where id = ${o.subscriptionId} for update`;
    if (!sub) throw new AppError('not_found', `subscription ${o.subscriptionId} does not exist`);
    if (sub.billing_type !== 'usage_external') throw new AppError('not_usage_billing', `an individual markup is for pay-as-you-go (external) subscriptions; this one is billed ${sub.billing_type}`);
    await tx`update subscriptions set usage_markup = ${o.markup}::numeric, usage_rate_bump = usage_rate_bump + 1, updated_at = now() where id = ${o.subscriptionId}`;
    await logEvent(tx, { actorId: o.by, entityKind: 'subscription', entityId: o.subscriptionId, action: 'usage_markup_changed', changes: { markup: [sub.usage_markup, o.markup] } });
    return { markup: o.markup };
  });
}
