import { oneRow, type Db, type Sql } from '../../db/client';
import { syncChildren } from './plan-copies';
import { AppError } from '../../domain/errors';
import type { BillingType } from '../../domain/billing-types/types';
import { requirePlanFitsBillingType } from './plan-billing-type';

/** An orderable term of a plan with its prices (spec 02 §8.2), as validated by the API (defaults filled in). */
export interface PlanPeriodInput {
  duration: number;
  unit: 'day' | 'month' | 'year';
  trial: boolean;
  unlimited: boolean;
  published: boolean;
  setupFee: number;
  recurringFee: number;
  renewalFee: number;
  transferFee: number;
  description?: string | undefined;
}

/** Inserts one period of a plan (the plan must exist). Returns its id. */
export async function insertPlanPeriod(db: Db, planId: number, p: PlanPeriodInput): Promise<number> {
  const row = await oneRow(db<Array<{ id: number }>>`
    insert into plan_periods (plan_id, duration, unit, trial, unlimited, published, setup_fee, recurring_fee, renewal_fee, transfer_fee, description)
    values (${planId}, ${p.duration}, ${p.unit}, ${p.trial}, ${p.unlimited}, ${p.published}, ${p.setupFee}, ${p.recurringFee}, ${p.renewalFee},
            ${p.transferFee}, ${p.description ?? null})
    returning id`);
  return row.id;
}

/**
 * Adds a period to a plan of the caller's reseller; an unknown plan, or another reseller's, is `not_found`. A delegated copy takes its periods from above
 * (spec 05 §3.3 rule 10): the period is added where the plan was created and reaches every copy below, priced
 * through each level's markup. Returns the period's id.
 */
export async function addPlanPeriod(sql: Sql, planId: number, period: PlanPeriodInput, resellerId: number): Promise<number> {
  return sql.begin(async (db) => {
    const [plan] = await db<Array<{ billing_type: BillingType; provisioning_rule_id: number; delegated: boolean; reseller_id: number }>>`
      select billing_type, provisioning_rule_id, delegated, reseller_id from plans where id = ${planId} for update`;
    // Another reseller's plan does not exist for the caller (spec 05 §7.2).
    if (!plan || plan.reseller_id !== resellerId) throw new AppError('not_found', `plan ${planId} does not exist`);
    if (plan.delegated) throw new AppError('plan_field_synced', `plan ${planId} is delegated from above: its periods are added by its provider`);
    await requirePlanFitsBillingType(db, { billingType: plan.billing_type, provisioningRuleId: plan.provisioning_rule_id, periods: [period] });
    const id = await insertPlanPeriod(db, planId, period);
    await syncChildren(db, planId);
    return id;
  });
}
