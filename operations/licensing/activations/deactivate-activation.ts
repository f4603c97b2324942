import { inTransaction, type Db } from '../../../db/client';
import { AppError } from '../../../domain/errors';
import { transferStateToSave, type ActivationPolicy, type ClientState } from '../../../domain/licensing/activation';

/**
 * Releases a machine binding (spec 04 §6.4): the binding is `deactivated`, the account keeps the state the client
 * hands back (unless the product is non-transferable or its policy keeps no state), and a `Deactivated` log row is
 * written. Deactivating a binding that is no longer active changes nothing.
 */
export async function deactivateActivation(db: Db, input: { bindingId: number; code: string; clientState: ClientState | null; now: Date }): Promise<void> {
  const id = input.bindingId;
  await inTransaction(db, async (tx) => {
    const [row] = await tx<Array<{ account_id: number; entitlement_id: number; machine_id: string; status: string; activation_policy: ActivationPolicy; non_transferable: boolean }>>`
      select b.account_id, a.entitlement_id, b.machine_id, b.status, p.activation_policy, p.non_transferable from machine_bindings b
        join activation_accounts a on a.id = b.account_id join entitlements e on e.id = a.entitlement_id
        join license_keys k on k.id = e.key_id join licensing_products p on p.id = e.product_id
      where b.id = ${id} and k.code = ${input.code} for update of b`;
    if (!row) throw new AppError('ACTIVATION_NOT_FOUND', 'no such activation for this key');
    if (row.status !== 'active') return;
    const state = transferStateToSave({ activationPolicy: row.activation_policy, nonTransferable: row.non_transferable }, input.clientState, input.now);
    await tx`update machine_bindings set status = 'deactivated', deactivated_at = now() where id = ${id}`;
    await tx`update activation_accounts set transfer_state = ${state ? JSON.stringify(state) : null}::jsonb, updated_at = now() where id = ${row.account_id}`;
    await tx`
      insert into activation_logs (entitlement_id, account_id, binding_id, action, machine_id, at)
      values (${row.entitlement_id}, ${row.account_id}, ${id}, 'Deactivated', ${row.machine_id}, ${input.now.toISOString()})`;
  });
}
