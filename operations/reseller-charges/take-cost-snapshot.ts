import type { Db } from '../../db/client';

export interface CostSnapshotInput {
  subscriptionId: number;
  /** The order that begins the term: the purchase (at the subscription's creation), a renewal or a plan switch. */
  orderId: number;
  /** The subscription's period for that term (the seller's copy). */
  planPeriodId: number;
}

/**
 * Freezes what each level above the seller charges for the term an order begins (spec 05 §4.6, §11.4): for every
 * upstream copy of the period, its prices and its plan's resource prices, in plan currency, and its usage_external
 * coefficient (a fixed-price usage subscription's upper levels, operations/usage/usage-chain.ts). Taken for every
 * subscription on a delegated plan (an own plan writes nothing: no level above it charges), read only while the
 * plan has `fixed_price` on (create-reseller-charges.ts). Runs in the caller's transaction, the one that creates the
 * subscription or places the order; idempotent per (order, level): a retried call writes nothing twice.
 */
export async function takeCostSnapshot(db: Db, { subscriptionId, orderId, planPeriodId }: CostSnapshotInput): Promise<number> {
  const written = await db`
    with recursive chain (level, plan_id, period_id) as (
      select 1, p.source_plan_id, pp.source_period_id
      from plan_periods pp join plans p on p.id = pp.plan_id
      where pp.id = ${planPeriodId} and p.source_plan_id is not null and pp.source_period_id is not null
      union all
      select ch.level + 1, p.source_plan_id, pp.source_period_id
      from chain ch join plans p on p.id = ch.plan_id join plan_periods pp on pp.id = ch.period_id
      where p.source_plan_id is not null and pp.source_period_id is not null
    )
    insert into reseller_cost_snapshots (subscription_id, order_id, level, plan_id, plan_period_id, setup_fee, recurring_fee, renewal_fee, transfer_fee, resource_prices,
                                         usage_markup)
    select ${subscriptionId}, ${orderId}, ch.level, ch.plan_id, ch.period_id, upp.setup_fee, upp.recurring_fee, upp.renewal_fee, upp.transfer_fee,
           coalesce((select jsonb_object_agg(r.key, jsonb_build_object('setup', r.setup_price, 'recurring', r.recurring_price, 'renewal', r.renewal_price) order by r.id)
                     from plan_resources r where r.plan_id = ch.plan_id), '{}'::jsonb),
           up.usage_markup
    from chain ch join plan_periods upp on upp.id = ch.period_id join plans up on up.id = ch.plan_id
    on conflict (order_id, plan_period_id) do nothing`;
  return written.count;
}
