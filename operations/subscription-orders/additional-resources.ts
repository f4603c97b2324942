import type { Db } from '../../db/client';
import type { AdditionalResource } from '../../domain/billing-types/extension-charges';

/**
 * The subscription's units above its plan's included ones, per resource, with their monthly price: what a renewal
 * or prolongation charges for them, each resource in its own charges (spec 02 §4.9: a later decrease splits them).
 * The same figures as loadLifecycleStates' `resource_monthly`, which is their sum.
 */
export async function additionalResources(db: Db, subscriptionId: number): Promise<AdditionalResource[]> {
  const rows = await db<Array<{ key: string; quantity: number; monthly: string }>>`
    select sr.key, sr.quantity - res.included as quantity, ((sr.quantity - res.included) * res.recurring_price)::text as monthly
    from subscription_resources sr join subscriptions s on s.id = sr.subscription_id
      join plan_resources res on res.plan_id = s.plan_id and res.key = sr.key
    where sr.subscription_id = ${subscriptionId} and sr.quantity > res.included
    order by sr.key`;
  return rows.map((r) => ({ key: r.key, quantity: r.quantity, monthly: Number(r.monthly) }));
}
