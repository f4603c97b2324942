import type { Sql } from '../../db/client';
import { AppError, refuse } from '../../domain/errors';
import { resellerCreationRefusal } from '../../domain/resellers';
import { logEvent } from '../event-log/event-log';

export interface CreateResellerInput {
  parentId: number;
  name: string;
  currency: string;
  managerId?: number | undefined;
}

/**
 * A reseller under `parentId` (spec 05 §1-2), created by a staff member of `by.resellerId`: the parent must be in
 * that staff member's subtree, the tree within its depth bound, and the manager (when given) a staff member of the
 * parent. The parent's row is locked so that its path cannot change under the child being written.
 */
export async function createReseller(sql: Sql, input: CreateResellerInput, by: { staffId: number; resellerId: number }): Promise<number> {
  return sql.begin(async (tx) => {
    const [parent] = await tx<Array<{ id: number; path: number[] }>>`select id, path from resellers where id = ${input.parentId} for key share`;
    if (!parent) throw new AppError('invalid_reference', `reseller ${input.parentId} does not exist`);
    const refusal = resellerCreationRefusal(by.resellerId, parent);
    if (refusal) throw refuse(refusal);
    if (input.managerId !== undefined) {
      const [manager] = await tx<Array<{ reseller_id: number }>>`select reseller_id from staff where id = ${input.managerId}`;
      if (!manager || manager.reseller_id !== parent.id) throw new AppError('reseller_manager_not_upstream', `staff member ${input.managerId} is not a staff member of reseller ${parent.id}`);
    }
    // The path ends with the reseller's own id, so the id is drawn first.
    const [drawn] = await tx<Array<{ id: number }>>`select nextval(pg_get_serial_sequence('resellers', 'id'))::int as id`;
    const id = drawn!.id;
    await tx`
      insert into resellers (id, parent_id, path, name, currency, manager_id)
      values (${id}, ${parent.id}, ${[...parent.path, id]}, ${input.name}, ${input.currency}, ${input.managerId ?? null})`;
    await logEvent(tx, { actorId: by.staffId, viaApi: true, entityKind: 'reseller', entityId: id, action: 'created', changes: { parentId: parent.id, name: input.name, currency: input.currency } });
    return id;
  });
}
