import { inTransaction, type Db } from '../../../db/client';
import { AppError } from '../../../domain/errors';
import { revokeLicenseUseLogged } from '../revoke-license-use';
import { entitlementCard } from './entitlement-card';

/**
 * Deletes a license given by hand or by a coupon (spec 04 §4.2): its activations and leases are revoked, its
 * history kept. A license billed by a live subscription goes with the subscription: 409 `LICENSE_HAS_SUBSCRIPTION`.
 * Deleting a deleted license changes nothing.
 */
export async function deleteEntitlement(db: Db, input: { entitlementId: number }): Promise<void> {
  const id = input.entitlementId;
  const current = await entitlementCard(db, id);
  const [linked] = await db`select 1 from entitlements e join subscriptions s on s.id = e.subscription_id where e.id = ${id} and s.status <> 'deleted'`;
  if (linked) throw new AppError('LICENSE_HAS_SUBSCRIPTION', 'this license is billed by a subscription: delete the subscription, and the license goes with it');
  if (current.status === 'deleted') return;
  await inTransaction(db, async (tx) => {
    await tx`update entitlements set status = 'deleted', updated_at = now() where id = ${id}`;
    await revokeLicenseUseLogged(tx, [id], 'license_deleted', { always: true });
  });
}
