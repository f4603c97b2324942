import { inTransaction, type Db } from '../../db/client';
import { provisioningRuleKind } from '../propagation/kinds';
import { editObject } from '../propagation/propagation';
import { refuseTakenKey, refuseUnknownClientTypes, type ProvisioningRuleInput } from './create-provisioning-rule';

/**
 * Replaces a provisioning rule its reseller created; the change reaches every descendant (spec 05 §3.4). A rule
 * delegated from upstream is read-only (`copy_read_only`). Returns its id.
 */
export async function replaceProvisioningRule(db: Db, resellerId: number, id: number, r: ProvisioningRuleInput): Promise<number> {
  return inTransaction(db, (tx) =>
    editObject(tx, provisioningRuleKind, resellerId, id, async (rowId) => {
      await refuseTakenKey(tx, resellerId, r.key, rowId);
      await refuseUnknownClientTypes(tx, resellerId, r.clientTypes);
      await tx`
        update provisioning_rules set key = ${r.key}, name = ${r.name}, financial_day = ${r.financialDay}, promised_payment_allowed = ${r.promisedPaymentAllowed},
               manual_renew_point_days = ${r.manualRenewPointDays}, auto_renew_point_days = ${r.autoRenewPointDays},
               unpaid_stop_after_days = ${r.unpaidStopAfterDays}, blocking_period_days = ${r.blockingPeriodDays}, client_types = ${r.clientTypes}::text[]
        where id = ${rowId}`;
    }),
  );
}
