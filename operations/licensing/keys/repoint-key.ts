import { inTransaction, type Db } from '../../../db/client';
import { AppError } from '../../../domain/errors';
import { logEvent, type EventEntry } from '../../event-log/event-log';

/**
 * Re-points a key to another customer (spec 04 §3.6): the key, with all its licenses and activations, belongs to
 * the billing client `clientId` from now on. The client must be one of the caller's reseller's and not deleted
 * (otherwise 422 `invalid_reference`, the tenant gate's answer for another tenant's client, so the two cannot be told apart); a client holds one active key
 * per vendor (§1.2), so a client that already has one answers 409 `KEY_HAS_CLIENT_KEY`. Licenses billed by a
 * subscription of the former client stay linked to it: billing keeps charging the subscription it sold.
 */
export async function repointKey(db: Db, input: { keyId: number; clientId: number; resellerId: number; actor: Pick<EventEntry, 'actorId' | 'actorKind'> }): Promise<void> {
  await inTransaction(db, async (tx) => {
    const [client] = await tx<Array<{ status: string }>>`select status from clients where id = ${input.clientId} and reseller_id = ${input.resellerId}`;
    if (!client || client.status === 'deleted') throw new AppError('invalid_reference', `clientId: ${input.clientId} does not exist`);
    const [key] = await tx<Array<{ vendor_id: number; client_id: number | null; status: string }>>`
      select vendor_id, client_id, status from license_keys where id = ${input.keyId} for update`;
    if (key!.client_id === input.clientId) return;
    const [other] = await tx<Array<{ code: string }>>`
      select code from license_keys where client_id = ${input.clientId} and vendor_id = ${key!.vendor_id} and status = 'active' and id <> ${input.keyId}`;
    if (other) throw new AppError('KEY_HAS_CLIENT_KEY', `client ${input.clientId} already holds an active key of this vendor`);
    await tx`update license_keys set client_id = ${input.clientId}, updated_at = now() where id = ${input.keyId}`;
    await logEvent(tx, { ...input.actor, viaApi: true, entityKind: 'license_key', entityId: input.keyId, action: 'repointed', changes: { clientId: { from: key!.client_id, to: input.clientId } } });
  });
}
