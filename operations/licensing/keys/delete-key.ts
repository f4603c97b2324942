import { inTransaction, type Db } from '../../../db/client';
import { AppError } from '../../../domain/errors';
import { notFound } from '../refusals';
import { revokeLicenseUseLogged } from '../revoke-license-use';

/**
 * Deletes a key (spec 04 §3.6): all its licenses deleted and their activations and leases revoked. Refused with
 * 422 `KEY_HAS_ACTIVE_SUBSCRIPTIONS` while a subscription still bills one of them.
 */
export async function deleteKey(db: Db, input: { keyCode: string }): Promise<void> {
  const [key] = await db<Array<{ id: number; status: string }>>`select id, status from license_keys where code = ${input.keyCode}`;
  if (!key) throw notFound('license key', input.keyCode);
  const [linked] = await db`
    select 1 from entitlements e join subscriptions s on s.id = e.subscription_id where e.key_id = ${key.id} and e.status <> 'deleted' and s.status <> 'deleted'`;
  if (linked) throw new AppError('KEY_HAS_ACTIVE_SUBSCRIPTIONS', 'a subscription still bills a license of this key');
  await inTransaction(db, async (tx) => {
    const deleted = await tx<Array<{ id: number }>>`update entitlements set status = 'deleted', updated_at = now() where key_id = ${key.id} and status <> 'deleted' returning id`;
    await revokeLicenseUseLogged(tx, deleted.map((r) => r.id), 'key_deleted');
    await tx`update license_keys set status = 'deleted', updated_at = now() where id = ${key.id}`;
  });
}
