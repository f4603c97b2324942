import type { Db } from '../../db/client';

export interface RevokedBinding {
  id: number;
  account_id: number;
  entitlement_id: number;
  machine_id: string;
}

/**
 * Why a license's use was revoked, written on its `Revoked` activation log rows (spec 04 §6.7): a reset of the
 * registrations, a suspension, a composition change, a coupon reversal, the license or its key deleted, seats taken
 * away.
 */
export type RevocationCause = 'registrations_reset' | 'suspended' | 'composition_change' | 'coupon_reversal' | 'license_deleted' | 'key_deleted' | 'subscription_deleted' | 'seats_reduced' | 'plan_switched';

/**
 * Ends what uses licenses (spec 04 §3.2, §3.5, §4.2, §7.2 delete): their active machine bindings and leases are
 * revoked, local servers' seat pools released. Returns the bindings it revoked, for callers that log each one. Run it in the caller's transaction.
 */
export async function revokeLicenseUse(tx: Db, entitlementIds: number[]): Promise<RevokedBinding[]> {
  if (entitlementIds.length === 0) return [];
  const revoked = await tx<RevokedBinding[]>`
    update machine_bindings b set status = 'revoked', deactivated_at = now()
    from activation_accounts a
    where a.id = b.account_id and a.entitlement_id = any(${entitlementIds}::int[]) and b.status = 'active'
    returning b.id, b.account_id, a.entitlement_id, b.machine_id`;
  await tx`update leases set status = 'revoked' where entitlement_id = any(${entitlementIds}::int[]) and status = 'active'`;
  // Local servers' pools (spec 04 §5.5) go back too: their seats are free at the root at once, and a renewal is
  // answered POOL_LAPSED. A local server out of reach serves on until the pool's end (at most 24 h): it cannot be told.
  await tx`update seat_pools set status = 'released', released_at = now(), updated_at = now() where entitlement_id = any(${entitlementIds}::int[]) and status = 'active'`;
  return revoked;
}

/**
 * `revokeLicenseUse` with a `Revoked` activation log row per revoked binding carrying the cause (§6.7). With
 * `always`, a license that had no binding to revoke still gets one row (without a binding), so that a reset or a
 * deletion shows in its log.
 */
export async function revokeLicenseUseLogged(tx: Db, entitlementIds: number[], cause: RevocationCause, options: { always?: boolean } = {}): Promise<RevokedBinding[]> {
  const revoked = await revokeLicenseUse(tx, entitlementIds);
  for (const b of revoked) {
    await tx`
      insert into activation_logs (entitlement_id, account_id, binding_id, action, cause, machine_id)
      values (${b.entitlement_id}, ${b.account_id}, ${b.id}, 'Revoked', ${cause}, ${b.machine_id})`;
  }
  if (options.always) {
    for (const id of entitlementIds.filter((e) => !revoked.some((b) => b.entitlement_id === e))) {
      await tx`insert into activation_logs (entitlement_id, action, cause) values (${id}, 'Revoked', ${cause})`;
    }
  }
  return revoked;
}
