import type { Db } from '../../../db/client';
import { AppError } from '../../../domain/errors';
import { formatCoupon } from '../../../domain/licensing/codes';
import { notFound } from '../refusals';

/**
 * Voids an unused coupon (spec 04 §3.1; a reusable one stops working for further keys). Voiding a void coupon
 * changes nothing; a used one answers 409 `COUPON_ALREADY_USED` (reverse its activation first). The coupon comes
 * back in display form.
 */
export async function voidCoupon(db: Db, input: { couponId: number }): Promise<{ id: number; code: string; status: string }> {
  const id = input.couponId;
  const [voided] = await db<Array<{ id: number; code: string; status: string }>>`
    update coupons set status = 'void', updated_at = now() where id = ${id} and status = 'unused' returning id, code, status`;
  const coupon = voided ?? (await db<Array<{ id: number; code: string; status: string }>>`select id, code, status from coupons where id = ${id}`)[0];
  if (!coupon) throw notFound('coupon', id);
  if (!voided && coupon.status === 'used') throw new AppError('COUPON_ALREADY_USED', 'a used coupon cannot be voided; reverse its activation first');
  return { ...coupon, code: formatCoupon(coupon.code) };
}
