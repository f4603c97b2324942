import type { Db } from '../../db/client';
import { billingTypeRules, type BillingType, type PlanShape } from '../../domain/billing-types';
import { AppError, refuse } from '../../domain/errors';

/**
 * A plan's periods must fit its billing type (spec 02 §4.10: vendor types take no one-off fees, no refund has one
 * yearly period, payment in full needs financial day 1, ...); checked when a plan or a period is saved, so no
 * subscription is ever sold on terms its type cannot bill.
 */
export async function requirePlanFitsBillingType(db: Db, o: { billingType: BillingType; provisioningRuleId: number; periods: Array<PlanShape['periods'][number] & { transferFee: number }> }): Promise<void> {
  const [rule] = await db<Array<{ financial_day: number }>>`select financial_day from provisioning_rules where id = ${o.provisioningRuleId}`;
  if (!rule) throw new AppError('invalid_reference', `provisioning rule ${o.provisioningRuleId} does not exist`);
  const refusal = billingTypeRules(o.billingType).planRefusal({
    financialDay: rule.financial_day,
    periods: o.periods.map((p) => ({ ...p, setupFee: p.setupFee + p.transferFee })),
  });
  if (refusal) throw refuse({ ...refusal, code: 'plan_billing_type' });
}
