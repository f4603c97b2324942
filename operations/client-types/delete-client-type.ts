import { inTransaction, type Db } from '../../db/client';
import { visibleClientTypes } from '../../db/client-types';
import { AppError, refuse } from '../../domain/errors';
import { deleteRefusal } from '../../domain/propagation';
import { clientTypeKind } from '../propagation/kinds';
import { deleteObject, lockKind } from '../propagation/propagation';

/**
 * Deletes a client type its reseller created (spec 02 §10, 05 §3.5 rule 3): refused while the reseller's own clients
 * have it; every descendant without clients of it loses it, and the shallowest descendants with clients keep it as
 * their own (no longer delegated, editable), their subtrees and clients re-pointed to the kept type
 * (operations/propagation deleteObject with the kind's keepers). A reseller whose default it was falls back to
 * another type (domain/client-types.ts defaultClientTypeId).
 */
export async function deleteClientType(db: Db, resellerId: number, id: number): Promise<void> {
  await inTransaction(db, async (tx) => {
    await lockKind(tx, 'client_types');
    const { types } = await visibleClientTypes(tx, resellerId);
    const type = types.find((t) => t.id === id);
    if (!type) throw new AppError('not_found', `client type ${id} does not exist`);
    const refusal = deleteRefusal(resellerId, { resellerId: type.resellerId, originResellerId: type.resellerId, modified: false, shipped: false });
    if (refusal) throw refuse(refusal);
    if (types.length === 1) throw new AppError('last_client_type', 'the only client type cannot be deleted: every client needs one');
    // A client being created with the type holds its row (`for key share`); this waits for it, so its client counts below.
    await tx`select id from client_types where id = ${id} for update`;
    const [used] = await tx`select 1 from clients where client_type_id = ${id} and reseller_id = ${resellerId} limit 1`;
    if (used) throw new AppError('client_type_in_use', `clients of this reseller have the client type ${type.key}; it cannot be deleted`);
    await deleteObject(tx, clientTypeKind, resellerId, id);
  });
}
