import type { Db } from '../../../db/client';
import { AppError } from '../../../domain/errors';
import { compositionDraft, type CompositionItem } from '../../../domain/licensing/panel';
import { generateCoupons, type GeneratedCoupons } from '../coupons/generate-coupons';

/** A key's products as a composition coupon starts from them (spec 04 §3.1, §3.6). */
export async function keyCompositionDraft(db: Db, input: { keyId: number; now: Date }): Promise<CompositionItem[]> {
  const held = await db<Array<{ productCode: string; status: string; seats: number; expiresAt: Date | null }>>`
    select p.code as "productCode", e.status, e.seats, e.expires_at as "expiresAt"
    from entitlements e join licensing_products p on p.id = e.product_id where e.key_id = ${input.keyId} order by e.id`;
  return compositionDraft(held.map((h) => ({ ...h, expiresAt: h.expiresAt === null ? null : new Date(h.expiresAt) })), input.now);
}

export interface KeyCompositionCouponInput {
  keyId: number;
  keyCode: string;
  vendorPrefix: string;
  /** The target composition; absent: the key's active products as they are (the prefill, edited or not). */
  items?: CompositionItem[] | undefined;
  activateImmediately?: boolean | undefined;
  distributorId?: number | undefined;
  comment?: string | undefined;
  staffId: number | null;
  now: Date;
}

/**
 * "Generate an upgrade coupon" from the key card (spec 04 §3.6): a change_composition coupon whose target key is
 * this key, its product list prefilled with the key's active products (§3.1 [Proposal]) unless the caller sends
 * the edited list; applied at once with `activateImmediately` (channel vendor_portal).
 */
export async function generateKeyCompositionCoupon(db: Db, input: KeyCompositionCouponInput): Promise<GeneratedCoupons & { items: CompositionItem[] }> {
  const items = input.items ?? (await keyCompositionDraft(db, { keyId: input.keyId, now: input.now }));
  if (items.length === 0) throw new AppError('COUPON_NOT_APPLICABLE', 'the key holds no active product to prefill the composition with: send the items');
  const made = await generateCoupons(db, {
    vendorPrefix: input.vendorPrefix,
    type: 'change_composition',
    items,
    targetKey: input.keyCode,
    activateImmediately: input.activateImmediately,
    distributorId: input.distributorId,
    comment: input.comment,
    staffId: input.staffId,
    now: input.now,
  });
  return { ...made, items };
}
