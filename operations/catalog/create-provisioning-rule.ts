import { oneRow, type Db } from '../../db/client';

/** A plan-level policy (spec 02 §9), as validated by the API (defaults filled in). */
export interface ProvisioningRuleInput {
  key: string;
  name: string;
  financialDay: number;
  promisedPaymentAllowed: boolean;
  manualRenewPointDays: number;
  autoRenewPointDays: number;
  unpaidStopAfterDays: number;
  blockingPeriodDays: number;
  clientTypes: string[];
}

/** Creates a provisioning rule; a taken key or name is the database's unique violation. Returns its id. */
export async function createProvisioningRule(db: Db, r: ProvisioningRuleInput): Promise<number> {
  const row = await oneRow(db<Array<{ id: number }>>`
    insert into provisioning_rules (key, name, financial_day, promised_payment_allowed, manual_renew_point_days, auto_renew_point_days,
                                    unpaid_stop_after_days, blocking_period_days, client_types)
    values (${r.key}, ${r.name}, ${r.financialDay}, ${r.promisedPaymentAllowed}, ${r.manualRenewPointDays}, ${r.autoRenewPointDays},
            ${r.unpaidStopAfterDays}, ${r.blockingPeriodDays}, ${r.clientTypes}::text[])
    returning id`);
  return row.id;
}
