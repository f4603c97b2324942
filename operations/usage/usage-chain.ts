import type { Db } from '../../db/client';

// The usage_external chain (spec 05 §4.7): a delegated plan's coefficient at every level, from the root down to the
// seller. Ingestion prices records with it (usage-subscriptions.ts), a fixed_price subscription keeps the levels above
// its seller from its creation (§4.6, the purchase's cost snapshot), and the reseller charges of a closed usage charge
// are priced with the chain written on the charge (operations/reseller-charges).

/**
 * The levels of delegated plans (spec 05 §4.7), root first: each level's coefficient (`usage_markup`: the root's own,
 * a copy's markup) and price version. Only plans that are copies are walked, so own plans cost nothing more.
 */
export async function planChains(db: Db, planIds: number[]): Promise<Map<number, { markups: string[]; versions: number[] }>> {
  if (planIds.length === 0) return new Map();
  const rows = await db<Array<{ plan_id: number; markups: string[]; versions: number[] }>>`
    with recursive up (plan_id, id, source_plan_id, markup, version, depth) as (
      select id, id, source_plan_id, usage_markup, usage_rate_version, 0 from plans where id = any(${planIds}::int[])
      union all
      select up.plan_id, p.id, p.source_plan_id, p.usage_markup, p.usage_rate_version, up.depth + 1 from up join plans p on p.id = up.source_plan_id
    )
    select plan_id, json_agg(markup::text order by depth desc) as markups, json_agg(version order by depth desc) as versions from up group by plan_id`;
  return new Map(rows.map((r) => [r.plan_id, { markups: r.markups, versions: r.versions }]));
}

/**
 * The coefficients of the levels above the seller (root first) frozen when each subscription was created (spec 05
 * §4.6: a `fixed_price` plan's usage keeps them): its purchase's cost snapshot (take-cost-snapshot.ts). A
 * subscription whose snapshot lacks them (taken before they were kept) is absent: it follows the current chain.
 */
export async function frozenUpstreamMarkups(db: Db, subscriptionIds: number[]): Promise<Map<number, string[]>> {
  if (subscriptionIds.length === 0) return new Map();
  const rows = await db<Array<{ subscription_id: number; markups: string[] }>>`
    select sn.subscription_id, json_agg(sn.usage_markup::text order by sn.level desc) as markups
    from reseller_cost_snapshots sn
    where sn.subscription_id = any(${subscriptionIds}::int[])
      and sn.order_id = (select min(o.id) from orders o where o.subscription_id = sn.subscription_id and o.type = 'purchase')
    group by sn.subscription_id
    having bool_and(sn.usage_markup is not null)`;
  return new Map(rows.map((r) => [r.subscription_id, r.markups]));
}
