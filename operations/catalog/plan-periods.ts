import { oneRow, type Db } from '../../db/client';
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

/** Adds a period to an existing plan; an unknown plan is `not_found`. Returns the period's id. */
export async function addPlanPeriod(db: Db, planId: number, period: PlanPeriodInput): Promise<number> {
  const [plan] = await db<Array<{ billing_type: BillingType; provisioning_rule_id: number }>>`select billing_type, provisioning_rule_id from plans where id = ${planId}`;
  if (!plan) throw new AppError('not_found', `plan ${planId} does not exist`);
  await requirePlanFitsBillingType(db, { billingType: plan.billing_type, provisioningRuleId: plan.provisioning_rule_id, periods: [period] });
  return insertPlanPeriod(db, planId, period);
}
