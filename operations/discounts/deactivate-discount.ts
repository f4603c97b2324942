import type { Db } from '../../db/client';
import { AppError } from '../../domain/errors';
import { logEvent, type EventEntry } from '../event-log/event-log';

/**
 * Deactivates a discount (the seed manual's 13.5.3): its promo codes give no discount from now on; orders already
 * discounted keep theirs. Deactivating an inactive discount changes nothing. Throws not_found for an unknown id.
 */
export async function deactivateDiscount(db: Db, o: { discountId: number; reason?: string | undefined; actor: Pick<EventEntry, 'actorId' | 'actorKind'> }): Promise<void> {
  const [row] = await db<Array<{ was: string }>>`
    update discounts d set status = 'inactive', updated_at = now() from (select id, status as was from discounts where id = ${o.discountId} for update) old
    where d.id = old.id returning old.was`;
  if (!row) throw new AppError('not_found', `discount ${o.discountId} does not exist`);
  if (row.was === 'active') await logEvent(db, { ...o.actor, viaApi: true, entityKind: 'discount', entityId: o.discountId, action: 'deactivated', reason: o.reason ?? null });
}
