import { inTransaction, type Db } from '../../../db/client';
import { revokeLicenseUseLogged } from '../revoke-license-use';

export interface SetSubscriptionLicenseStatusInput {
  entitlementId: number;
  status: 'active' | 'suspended' | 'deleted';
  /** The statuses it may move from; from any other the call changes nothing, so repeating it is harmless. */
  from: string[];
}

/**
 * Billing moves a subscription's license (spec 04 §7.2 stop, activate, renew, prolong, delete): stop suspends,
 * activate and renewals make it active, delete revokes it with its machine bindings and leases.
 */
export async function setSubscriptionLicenseStatus(db: Db, input: SetSubscriptionLicenseStatusInput): Promise<void> {
  await inTransaction(db, async (tx) => {
    await tx`update entitlements set status = ${input.status}, updated_at = now() where id = ${input.entitlementId} and status = any(${input.from}::text[])`;
    if (input.status === 'deleted') await revokeLicenseUseLogged(tx, [input.entitlementId], 'subscription_deleted');
  });
}
