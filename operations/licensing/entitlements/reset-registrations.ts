import { inTransaction, type Db } from '../../../db/client';
import { generateLicenseKey } from '../keys/new-codes';
import { revokeLicenseUseLogged } from '../revoke-license-use';
import { entitlementCard } from './entitlement-card';

/**
 * "Delete all existing registrations" (spec 04 §4.2): the license's bindings and leases revoked, the activation
 * counters and hardware references of its accounts cleared, a `Revoked` log row; optionally the key gets a new
 * code. The ManagedExpiration anchor (`first_activated_at`) is kept: the time-limited period does not restart.
 */
export async function resetRegistrations(db: Db, input: { entitlementId: number; regenerateKey: boolean }): Promise<void> {
  const id = input.entitlementId;
  await entitlementCard(db, id);
  await inTransaction(db, async (tx) => {
    const [e] = await tx<Array<{ key_id: number; prefix: string }>>`
      select e.key_id, v.prefix from entitlements e join license_keys k on k.id = e.key_id join licensing_vendors v on v.id = k.vendor_id
      where e.id = ${id} for update of e`;
    await revokeLicenseUseLogged(tx, [id], 'registrations_reset', { always: true });
    await tx`
      update activation_accounts set activation_count = 0, policy_reference = null, transfer_state = null, updated_at = now()
      where entitlement_id = ${id}`;
    if (input.regenerateKey) await tx`update license_keys set code = ${generateLicenseKey(e!.prefix)}, updated_at = now() where id = ${e!.key_id}`;
  });
}
