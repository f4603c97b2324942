import type { Db } from '../../db/client';
import { followedPrice, markedUpPrice, type PlanStatus } from '../../domain/plan-delegation';

// Keeping delegated copies identical to their upstream plan (spec 05 §3.3 rules 7, 10, 11): the synced fields,
// the periods and resources, and the prices through each level's markup, at every level, unconditionally.

interface PlanRow { id: number; status: PlanStatus; markup: string | null }
interface PeriodRow {
  id: number; source_period_id: number | null; duration: number; unit: string; trial: boolean; unlimited: boolean; published: boolean;
  setup_fee: string; recurring_fee: string; renewal_fee: string; transfer_fee: string; description: string | null;
}
interface ResourceRow {
  id: number; key: string; name: string; unit_type: string; included: number; minimum: number; maximum: number | null;
  setup_price: string; recurring_price: string; renewal_price: string; priority: number;
}

const periodPrices = ['setup_fee', 'recurring_fee', 'renewal_fee', 'transfer_fee'] as const;
const resourcePrices = ['setup_price', 'recurring_price', 'renewal_price'] as const;

/**
 * A copy's status from its upstream's (rule 11, Q13 decided: every level below): an upstream that cannot be sold
 * makes an active copy `deactivated_by_provider`; an upstream activated again restores it. A copy its own owner
 * made inactive stays inactive.
 */
export function copyStatus(upstream: PlanStatus, copy: PlanStatus): PlanStatus {
  if (upstream !== 'active') return copy === 'inactive' ? 'inactive' : 'deactivated_by_provider';
  return copy === 'deactivated_by_provider' ? 'active' : copy;
}

/** A copy's price: a new row is the upstream's × markup (unset: passed through, §13.1); an existing one follows (§4.2). */
const priceOf = (upstream: string, current: string | undefined, markup: string | null): number =>
  current === undefined ? markedUpPrice(Number(upstream), markup) : followedPrice(Number(current), Number(upstream), markup);

/** Syncs one copy from its source plan, then every copy below it. */
export async function syncCopy(db: Db, copyId: number): Promise<void> {
  const [copy] = await db<Array<PlanRow & { source_plan_id: number }>>`select id, status, markup::text as markup, source_plan_id from plans where id = ${copyId} for update`;
  if (!copy) return;
  const [source] = await db<Array<PlanRow & { name: string; sku: string | null; billing_type: string; currency: string; fixed_price: boolean }>>`
    select id, status, markup::text as markup, name, sku, billing_type, currency, fixed_price from plans where id = ${copy.source_plan_id}`;
  await db`
    update plans set name = ${source!.name}, sku = ${source!.sku}, billing_type = ${source!.billing_type}, currency = ${source!.currency},
                     fixed_price = ${source!.fixed_price}, status = ${copyStatus(source!.status, copy.status)}, updated_at = now()
    where id = ${copy.id}`;
  await syncPeriods(db, copy, source!.id);
  await syncResources(db, copy, source!.id);
  await syncChildren(db, copy.id);
}

/** Syncs every copy delegated from `planId` (and theirs, down the tree). */
export async function syncChildren(db: Db, planId: number): Promise<void> {
  const copies = await db<Array<{ id: number }>>`select id from plans where source_plan_id = ${planId} order by id`;
  for (const c of copies) await syncCopy(db, c.id);
}

async function syncPeriods(db: Db, copy: PlanRow, sourceId: number): Promise<void> {
  const upstream = await db<PeriodRow[]>`select * from plan_periods where plan_id = ${sourceId} order by id`;
  const own = await db<PeriodRow[]>`select * from plan_periods where plan_id = ${copy.id}`;
  for (const u of upstream) {
    const mine = own.find((p) => p.source_period_id === u.id);
    const [setup, recurring, renewal, transfer] = periodPrices.map((k) => priceOf(u[k], mine?.[k], copy.markup));
    if (mine) {
      await db`
        update plan_periods set duration = ${u.duration}, unit = ${u.unit}, trial = ${u.trial}, unlimited = ${u.unlimited}, published = ${u.published},
               setup_fee = ${setup!}, recurring_fee = ${recurring!}, renewal_fee = ${renewal!}, transfer_fee = ${transfer!}, updated_at = now()
        where id = ${mine.id}`;
    } else {
      await db`
        insert into plan_periods (plan_id, source_period_id, duration, unit, trial, unlimited, published, setup_fee, recurring_fee, renewal_fee, transfer_fee, description)
        values (${copy.id}, ${u.id}, ${u.duration}, ${u.unit}, ${u.trial}, ${u.unlimited}, ${u.published}, ${setup!}, ${recurring!}, ${renewal!}, ${transfer!}, ${u.description})`;
    }
  }
}

/** Resources are matched by key: the key is the resource's identity on every level. */
async function syncResources(db: Db, copy: PlanRow, sourceId: number): Promise<void> {
  const upstream = await db<ResourceRow[]>`select * from plan_resources where plan_id = ${sourceId} order by id`;
  const own = await db<ResourceRow[]>`select * from plan_resources where plan_id = ${copy.id}`;
  for (const u of upstream) {
    const mine = own.find((r) => r.key === u.key);
    const [setup, recurring, renewal] = resourcePrices.map((k) => priceOf(u[k], mine?.[k], copy.markup));
    if (mine) {
      await db`
        update plan_resources set name = ${u.name}, unit_type = ${u.unit_type}, included = ${u.included}, minimum = ${u.minimum}, maximum = ${u.maximum},
               setup_price = ${setup!}, recurring_price = ${recurring!}, renewal_price = ${renewal!}, updated_at = now()
        where id = ${mine.id}`;
    } else {
      await db`
        insert into plan_resources (plan_id, key, name, unit_type, included, minimum, maximum, setup_price, recurring_price, renewal_price, priority)
        values (${copy.id}, ${u.key}, ${u.name}, ${u.unit_type}, ${u.included}, ${u.minimum}, ${u.maximum}, ${setup!}, ${recurring!}, ${renewal!}, ${u.priority})`;
    }
  }
}
