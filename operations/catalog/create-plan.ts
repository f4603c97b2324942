import { oneRow, type Sql } from '../../db/client';
import { AppError } from '../../domain/errors';
import { insertPlanPeriod, type PlanPeriodInput } from './plan-periods';
import { requirePlanFitsBillingType } from './plan-billing-type';
import type { BillingType } from '../../domain/billing-types/types';

/** A countable item of a plan (spec 02 §8.3), as validated by the API (defaults filled in). */
export interface PlanResourceInput {
  key: string;
  name: string;
  unitType: 'units' | 'boolean';
  included: number;
  minimum: number;
  maximum?: number | undefined;
  setupPrice: number;
  recurringPrice: number;
  renewalPrice: number;
  priority: number;
}

export interface PlanInput {
  productId: number;
  serviceTemplateId: number;
  provisioningRuleId: number;
  name: string;
  sku?: string | undefined;
  description?: string | undefined;
  billingType: BillingType;
  /** Absent: the owning reseller's currency (spec 05 §4.8, seed 9.3.2.1.1 e). */
  currency?: string | undefined;
  /** Reseller charges use the upstream prices frozen at subscription creation until renewal (spec 05 §4.6). */
  fixedPrice?: boolean | undefined;
  published: boolean;
  single: boolean;
  autoRenew: boolean;
  lockAutoRenew: boolean;
  periods: PlanPeriodInput[];
  resources: PlanResourceInput[];
}

/**
 * Creates a plan of the caller's reseller (`resellerId`: the operator or a reseller's own plan, spec 05 §4.8) with its
 * periods and resources in one transaction: a plan is never seen without the terms it is sold on. The currency
 * defaults to the reseller's; the provisioning rule must be one the reseller uses (its own or delegated from above,
 * spec 05 §3.4), else `invalid_reference`, as an unknown one. An unknown product or template is the database's
 * foreign-key violation. An own plan has no cost and creates no reseller charges for its owner (05 §5.1 rule 2);
 * delegated further down, the levels below owe the owner. Returns the plan's id.
 */
export async function createPlan(sql: Sql, { periods, resources, ...p }: PlanInput, resellerId: number): Promise<number> {
  const [owner] = await sql<Array<{ currency: string; path: number[] }>>`select currency, path from resellers where id = ${resellerId}`;
  if (!owner) throw new AppError('invalid_reference', `reseller ${resellerId} does not exist`);
  const [rule] = await sql`select 1 from provisioning_rules where id = ${p.provisioningRuleId} and reseller_id = any(${owner.path}::int[])`;
  if (!rule) throw new AppError('invalid_reference', `provisioning rule ${p.provisioningRuleId} does not exist`);
  await requirePlanFitsBillingType(sql, { billingType: p.billingType, provisioningRuleId: p.provisioningRuleId, periods });
  return sql.begin(async (tx) => {
    const plan = await oneRow(tx<Array<{ id: number }>>`
      insert into plans (reseller_id, product_id, service_template_id, provisioning_rule_id, name, sku, description, billing_type, currency,
                         published, single, auto_renew, lock_auto_renew, fixed_price)
      values (${resellerId}, ${p.productId}, ${p.serviceTemplateId}, ${p.provisioningRuleId}, ${p.name}, ${p.sku ?? null}, ${p.description ?? null},
              ${p.billingType}, ${p.currency ?? owner.currency}, ${p.published}, ${p.single}, ${p.autoRenew}, ${p.lockAutoRenew}, ${p.fixedPrice ?? false})
      returning id`);
    for (const period of periods) await insertPlanPeriod(tx, plan.id, period);
    for (const r of resources) {
      await tx`
        insert into plan_resources (plan_id, key, name, unit_type, included, minimum, maximum, setup_price, recurring_price, renewal_price, priority)
        values (${plan.id}, ${r.key}, ${r.name}, ${r.unitType}, ${r.included}, ${r.minimum}, ${r.maximum ?? null}, ${r.setupPrice},
                ${r.recurringPrice}, ${r.renewalPrice}, ${r.priority})`;
    }
    return plan.id;
  });
}
