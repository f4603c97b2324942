import { oneRow, type Sql } from '../../db/client';
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
  currency: string;
  published: boolean;
  single: boolean;
  autoRenew: boolean;
  lockAutoRenew: boolean;
  periods: PlanPeriodInput[];
  resources: PlanResourceInput[];
}

/**
 * Creates a plan with its periods and resources in one transaction: a plan is never seen without the terms it is
 * sold on. An unknown product, template or rule is the database's foreign-key violation. Returns the plan's id.
 */
export async function createPlan(sql: Sql, { periods, resources, ...p }: PlanInput): Promise<number> {
  await requirePlanFitsBillingType(sql, { billingType: p.billingType, provisioningRuleId: p.provisioningRuleId, periods });
  return sql.begin(async (tx) => {
    const plan = await oneRow(tx<Array<{ id: number }>>`
      insert into plans (product_id, service_template_id, provisioning_rule_id, name, sku, description, billing_type, currency,
                         published, single, auto_renew, lock_auto_renew)
      values (${p.productId}, ${p.serviceTemplateId}, ${p.provisioningRuleId}, ${p.name}, ${p.sku ?? null}, ${p.description ?? null},
              ${p.billingType}, ${p.currency}, ${p.published}, ${p.single}, ${p.autoRenew}, ${p.lockAutoRenew})
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
