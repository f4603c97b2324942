import { inTransaction, type Db } from '../../db/client';
import { visibleClientTypes } from '../../db/client-types';
import { AppError, refuse } from '../../domain/errors';
import { editTarget } from '../../domain/propagation';
import { clientTypeKind } from '../propagation/kinds';
import { lockKind } from '../propagation/propagation';
import { saveClientTypeSettings, type ClientTypeOwnSettings } from './client-type-settings';

export interface ClientTypeChange extends ClientTypeOwnSettings {
  key?: string | undefined;
  name?: string | undefined;
}

/**
 * Changes a client type as `resellerId` sees it (spec 02 §10, 05 §3.5 rule 2). Key and name change only at the
 * type's owner, and every descendant sees the change; on a delegated type they are refused (`copy_read_only`), while
 * the reseller's own settings (default payment method, default type) are always its to change. A key must stay
 * unique in the owner's view: re-keying its own type is how a reseller settles a key conflict.
 */
export async function changeClientType(db: Db, resellerId: number, id: number, change: ClientTypeChange): Promise<void> {
  await inTransaction(db, async (tx) => {
    await lockKind(tx, 'client_types');
    const { types } = await visibleClientTypes(tx, resellerId);
    const type = types.find((t) => t.id === id);
    if (!type) throw new AppError('not_found', `client type ${id} does not exist`);
    const rekey = change.key !== undefined && change.key !== type.key;
    const rename = change.name !== undefined && change.name !== type.name;
    if (rekey || rename) {
      const target = editTarget(resellerId, { resellerId: type.resellerId, originResellerId: type.resellerId, modified: false, shipped: false }, clientTypeKind.policy);
      if (typeof target === 'object') {
        throw refuse({ code: target.code, message: 'the client type comes from upstream: only its default payment method and the default flag can be changed here (spec 05 §3.5)' });
      }
      if (rekey && types.some((t) => t.key === change.key && t.id !== id)) throw new AppError('client_type_key_taken', `a client type with the key ${change.key} already exists here`);
      await tx`update client_types set key = ${change.key ?? type.key}, name = ${change.name ?? type.name}, updated_at = now() where id = ${id}`;
    }
    await saveClientTypeSettings(tx, resellerId, type, change);
  });
}
