import { oneRow, type Db } from '../../db/client';

/** A client-level policy (spec 02 §11), as validated by the API (defaults filled in). */
export interface ServiceRuleInput {
  key: string;
  name: string;
  color?: string | undefined;
  isDefault: boolean;
  stopMode: 'automatic' | 'manual';
  deleteMode: 'automatic' | 'manual';
  defaultPaymentModel: 'prepay' | 'postpay';
  creditThreshold: number;
  allowNegativeBalancePayment: boolean;
  negativeBalanceDays: number;
  unpaidOrderCancelDays: number;
  subscriptionCreditLimit: number;
  paymentDeferralDays: number;
  promisedPaymentLimit: number;
  promisedPaymentDays: number;
  manualFirstPrepaidProvisioning: boolean;
}

/**
 * Creates a service rule of `resellerId` (its own: service rules do not propagate, spec 05 §3.1); a key taken at
 * that reseller (or its second default rule) is the database's unique violation. Returns its id.
 */
export async function createServiceRule(db: Db, r: ServiceRuleInput, resellerId: number): Promise<number> {
  const row = await oneRow(db<Array<{ id: number }>>`
    insert into service_rules (reseller_id, key, name, color, is_default, stop_mode, delete_mode, default_payment_model, credit_threshold,
                               allow_negative_balance_payment, negative_balance_days, unpaid_order_cancel_days, subscription_credit_limit,
                               payment_deferral_days, promised_payment_limit, promised_payment_days, manual_first_prepaid_provisioning)
    values (${resellerId}, ${r.key}, ${r.name}, ${r.color ?? null}, ${r.isDefault}, ${r.stopMode}, ${r.deleteMode}, ${r.defaultPaymentModel}, ${r.creditThreshold},
            ${r.allowNegativeBalancePayment}, ${r.negativeBalanceDays}, ${r.unpaidOrderCancelDays}, ${r.subscriptionCreditLimit},
            ${r.paymentDeferralDays}, ${r.promisedPaymentLimit}, ${r.promisedPaymentDays}, ${r.manualFirstPrepaidProvisioning})
    returning id`);
  return row.id;
}
