import { inTransaction, oneRow, type Db } from '../../db/client';
import { visibleClientTypes } from '../../db/client-types';
import { AppError } from '../../domain/errors';
import { lockKind, strictSubtree } from '../propagation/propagation';
import { saveClientTypeSettings, type ClientTypeOwnSettings } from './client-type-settings';

export interface ClientTypeInput extends ClientTypeOwnSettings {
  key: string;
  name: string;
}

/**
 * Creates a client type of `resellerId`; every descendant sees it at once, read-only (spec 05 §3.5). The key must be
 * new in the creator's view (`client_type_key_taken`); a descendant's own type with the same key is allowed and
 * answered in `downstreamKeyConflicts` (those resellers are asked to re-key theirs, spec 05 §3.5 rule 1).
 */
export async function createClientType(db: Db, input: ClientTypeInput, resellerId: number): Promise<{ id: number; downstreamKeyConflicts: number[] }> {
  return inTransaction(db, async (tx) => {
    await lockKind(tx, 'client_types');
    const { types } = await visibleClientTypes(tx, resellerId);
    if (types.some((t) => t.key === input.key)) throw new AppError('client_type_key_taken', `a client type with the key ${input.key} already exists here`);
    const { id } = await oneRow(tx<Array<{ id: number }>>`
      insert into client_types (reseller_id, key, name) values (${resellerId}, ${input.key}, ${input.name}) returning id`);
    const created = (await visibleClientTypes(tx, resellerId)).types.find((t) => t.id === id)!;
    await saveClientTypeSettings(tx, resellerId, created, input);
    const conflicts = await tx<Array<{ reseller_id: number }>>`
      select distinct reseller_id from client_types where key = ${input.key} and reseller_id in (${strictSubtree(tx, resellerId)}) order by reseller_id`;
    return { id, downstreamKeyConflicts: conflicts.map((c) => c.reseller_id) };
  });
}
