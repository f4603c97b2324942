import type { Db } from '../../../db/client';
import { AppError } from '../../../domain/errors';
import { extendSupport } from '../../../domain/licensing/commercial';
import { entitlementCard } from './entitlement-card';

/**
 * Extends the support of a perpetual license (spec 04 §5.4) by `months` from the later of its end and `now`.
 * A term license is supported for its whole term: 422 `SUPPORT_FOLLOWS_TERM`.
 */
export async function extendEntitlementSupport(db: Db, input: { entitlementId: number; months: number; now: Date }): Promise<void> {
  const id = input.entitlementId;
  await entitlementCard(db, id);
  const [e] = await db<Array<{ support_until: string | null; term_type: string }>>`
    select e.support_until, p.term_type from entitlements e join licensing_products p on p.id = e.product_id where e.id = ${id}`;
  if (e!.term_type !== 'perpetual' || e!.support_until === null) throw new AppError('SUPPORT_FOLLOWS_TERM', 'a term license is supported for its whole term: renew it instead');
  const supportUntil = extendSupport({ supportUntil: new Date(e!.support_until), now: input.now, months: input.months });
  await db`update entitlements set support_until = ${supportUntil.toISOString()}, updated_at = now() where id = ${id}`;
}
