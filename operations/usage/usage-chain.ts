import type { Db } from '../../db/client';

// The usage_external chain (spec 05 §4.7): a delegated plan's coefficient at every level, from the root down to the
// seller. Ingestion prices records with it (usage-subscriptions.ts), a subscription keeps the levels above its seller
// from its creation for fixed_price plans (§4.6), and the reseller charges of a closed usage charge are priced with
// the chain written on the charge (operations/reseller-charges).

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
 * Keeps, on a new usage_external subscription of a delegated plan, the coefficients of the levels above its seller
 * as they are now (spec 05 §4.6): a `fixed_price` plan prices its usage with them for good. Nothing for other plans.
 * Idempotent: the same statement run again in a retried transaction writes the same value.
 */
export async function keepUpstreamMarkups(tx: Db, subscriptionId: number): Promise<void> {
  const [sub] = await tx<Array<{ plan_id: number }>>`
    select s.plan_id from subscriptions s join plans p on p.id = s.plan_id
    where s.id = ${subscriptionId} and s.billing_type = 'usage_external' and p.chain_length > 0`;
  if (!sub) return;
  const chain = (await planChains(tx, [sub.plan_id])).get(sub.plan_id);
  if (!chain) return;
  await tx`update subscriptions set usage_upstream_markups = ${JSON.stringify(chain.markups.slice(0, -1))}::jsonb where id = ${subscriptionId}`;
}
