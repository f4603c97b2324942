import { inTransaction, type Db } from '../../../db/client';
import {
  checkCodes,
  checkCouponUse,
  CouponError,
  planCouponEffect,
  type CheckedCodes,
  type CouponChannel,
  type CouponPlan,
  type CouponState,
  type CouponToApply,
  type KeyState,
  type PeriodItem,
  type TrialItem,
} from '../../../domain/licensing/coupons';
import { keyEntitlements, type KeyEntitlement } from '../key-entitlements';
import { revokeLicenseUseLogged } from '../revoke-license-use';
import { entitlementSnapshots } from './entitlement-snapshots';

/** Who applies a coupon, how, and when (§3.4 channels; the actor as the activation records it). */
export interface CouponApplication {
  channel: CouponChannel;
  actor: string | null;
  now: Date;
}

export interface ApplyCouponInput extends CouponApplication {
  /** The key and the coupon as the caller typed them (display or canonical form). */
  key: string;
  coupon: string;
}

/** What a successful application answers: the activation and the key's entitlements afterwards. */
export interface AppliedCoupon {
  couponActivationId: number;
  entitlements: KeyEntitlement[];
}

interface CouponRow {
  id: number;
  vendor_id: number;
  type: CouponState['type'];
  status: CouponState['status'];
  reusable: boolean;
  target_key_id: number | null;
  distributor_id: number | null;
  items: PeriodItem[] | TrialItem[];
}

/**
 * Applies a coupon with a key (spec 04 §3.2, §3.3): the codes are checked offline first (steps 1-3, domain
 * `checkCodes`), then the coupon is applied in one transaction (`applyCheckedCoupon`). A refusal throws a
 * CouponError with its §7.4 code and nothing is written.
 */
export async function applyCoupon(db: Db, input: ApplyCouponInput): Promise<AppliedCoupon> {
  const codes = checkCodes(input.coupon, input.key);
  return inTransaction(db, (tx) => applyCheckedCoupon(tx, codes, input));
}

/**
 * Applies a coupon whose codes are checked (§3.3 steps 4-8) in the caller's transaction. The key row and then the
 * coupon row are locked (`SELECT … FOR UPDATE`, always in this order), so two concurrent uses of a single-use
 * coupon serialize on the coupon row and the second one sees it `used`; the key's entitlements are locked too. A
 * refusal throws a CouponError and the caller's transaction rolls back: the coupon stays as it was.
 */
export async function applyCheckedCoupon(tx: Db, codes: CheckedCodes, how: CouponApplication): Promise<AppliedCoupon> {
  const [key] = await tx<KeyState[]>`select id, status from license_keys where code = ${codes.keyCode} for update`;
  const [coupon] = await tx<CouponRow[]>`
    select id, vendor_id, type, status, reusable, target_key_id, distributor_id, items from coupons where code = ${codes.couponCode} for update`;
  const [used] = key && coupon ? await tx`select 1 from coupon_activations where coupon_id = ${coupon.id} and key_id = ${key.id} and status = 'applied'` : [];
  checkCouponUse(key, coupon && { id: coupon.id, type: coupon.type, status: coupon.status, reusable: coupon.reusable, targetKeyId: coupon.target_key_id }, used !== undefined);
  const keyId = key!.id;
  const theCoupon = coupon!;

  const before = await entitlementSnapshots(tx, keyId);
  const plan = planCouponEffect(await resolveItems(tx, theCoupon), before, how.now);
  const [sequence] = await tx<Array<{ id: number }>>`select nextval(pg_get_serial_sequence('coupon_activations', 'id'))::int as id`;
  const activationId = sequence!.id;
  const touched = await writePlan(tx, { plan, keyId, activationId, distributorId: theCoupon.distributor_id });

  const after = await entitlementSnapshots(tx, keyId, [...new Set(touched)]);
  await tx`
    insert into coupon_activations (id, coupon_id, key_id, channel, actor, before, after, status, activated_at)
    values (${activationId}, ${theCoupon.id}, ${keyId}, ${how.channel}, ${how.actor},
            ${JSON.stringify(before.filter((e) => touched.includes(e.id)))}::jsonb, ${JSON.stringify(after)}::jsonb, 'applied', ${how.now.toISOString()})`;
  // A reusable coupon stays unused (§3.2 reuse rules); its once-per-key rule is the activation row itself.
  if (!theCoupon.reusable) await tx`update coupons set status = 'used', updated_at = now() where id = ${theCoupon.id}`;
  return { couponActivationId: activationId, entitlements: await keyEntitlements(tx, keyId) };
}

/** The coupon's items with their products (of the coupon's vendor) resolved. */
async function resolveItems(tx: Db, coupon: CouponRow): Promise<CouponToApply> {
  const codes = coupon.items.map((i) => i.productCode);
  const products = await tx<Array<{ id: number; code: string }>>`select id, code from licensing_products where vendor_id = ${coupon.vendor_id} and code = any(${codes}::text[])`;
  const idOf = (code: string) => {
    const product = products.find((p) => p.code === code);
    if (!product) throw new CouponError('COUPON_NOT_APPLICABLE', `the product ${code} of this coupon no longer exists`, { product: code });
    return product.id;
  };
  if (coupon.type === 'extend_trial') return { type: 'extend_trial', items: (coupon.items as TrialItem[]).map((i) => ({ ...i, productId: idOf(i.productCode) })) };
  return { type: coupon.type, items: (coupon.items as PeriodItem[]).map((i) => ({ ...i, productId: idOf(i.productCode) })) };
}

/**
 * Writes what the plan says: new entitlements (created by this activation), updated ones with `superseded_by`
 * pointing at the entitlement that holds the replacing product, and the bindings of superseded ones revoked.
 * Returns the ids of every entitlement it touched.
 */
async function writePlan(tx: Db, p: { plan: CouponPlan; keyId: number; activationId: number; distributorId: number | null }): Promise<number[]> {
  const { plan } = p;
  // Which entitlement holds each product once the plan is written (for `superseded_by`).
  const holder = new Map<number, number>();
  for (const create of plan.creates) {
    const [row] = await tx<Array<{ id: number }>>`
      insert into entitlements (key_id, product_id, seats, status, source, kind, partner_id, starts_at, expires_at, created_by)
      values (${p.keyId}, ${create.productId}, ${create.seats}, 'active', 'coupon', 'paid', ${p.distributorId}, ${create.startsAt}, ${create.expiresAt},
              ${`coupon-activation/${p.activationId}/${create.productId}`})
      returning id`;
    holder.set(create.productId, row!.id);
  }
  for (const update of plan.updates) if (update.status === 'active') holder.set(update.productId, update.entitlementId);
  for (const update of plan.updates) {
    const supersededBy = update.supersededByProductId === null ? null : (holder.get(update.supersededByProductId) ?? null);
    await tx`
      update entitlements set status = ${update.status}, kind = ${update.kind}, seats = ${update.seats}, expires_at = ${update.expiresAt},
             superseded_by = ${supersededBy}, updated_at = now()
      where id = ${update.entitlementId}`;
  }
  await revokeLicenseUseLogged(tx, plan.updates.filter((u) => u.revokeBindings).map((u) => u.entitlementId), 'composition_change');
  return [...plan.updates.map((u) => u.entitlementId), ...holder.values()];
}
