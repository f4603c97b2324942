import { inTransaction, type Db } from '../../../db/client';
import { AppError } from '../../../domain/errors';
import { formatCoupon, formatLicenseKey, parseLicenseKey } from '../../../domain/licensing/codes';
import { generateCoupon } from '../keys/new-codes';
import { storedItems, type CouponParams, type CouponType } from '../../../domain/licensing/coupons';
import { applyCheckedCoupon, type AppliedCoupon } from './apply-coupon';

/** Generation parameters (spec 04 §3.1) as validated by the caller (domain `couponParamsProblems`), with who makes them. */
export interface GenerateCouponsInput extends CouponParams {
  vendorPrefix: string;
  /** The partner the products are distributed through (statistics). */
  distributorId?: number | undefined;
  comment?: string | undefined;
  staffId: number | null;
  now: Date;
}

export interface GeneratedCoupons {
  batchId: number;
  type: CouponType;
  /** Display form. */
  coupons: Array<{ id: number; code: string; status: string }>;
  /** The activation of a composition coupon applied at once. */
  activation?: AppliedCoupon;
}

type Vendor = { id: number; prefix: string };
type Target = { id: number; code: string };

/**
 * Generates a batch of coupons (spec 04 §3.1): add_product in batches, extend_trial (possibly reusable),
 * change_composition for one key, optionally applied to it at once (channel vendor_portal) in the same
 * transaction, so a refusal leaves no coupon behind. Unknown vendor, partner, products or target key answer 422
 * `invalid_reference`.
 */
export async function generateCoupons(db: Db, input: GenerateCouponsInput): Promise<GeneratedCoupons> {
  return inTransaction(db, async (tx) => {
    const { vendor, target } = await resolveReferences(tx, input);
    const count = input.type === 'add_product' ? (input.count ?? 1) : 1;
    const items = storedItems(input);
    const reusable = input.type === 'extend_trial' && input.reusable === true;
    const parameters = { type: input.type, items, reusable, targetKey: target?.code ?? null, activateImmediately: input.activateImmediately === true, distributorId: input.distributorId ?? null, comment: input.comment ?? null };
    const [batch] = await tx<Array<{ id: number }>>`
      insert into coupon_batches (vendor_id, count, parameters, created_by) values (${vendor.id}, ${count}, ${JSON.stringify(parameters)}::jsonb, ${input.staffId}) returning id`;
    const coupons: Array<{ id: number; code: string; status: string }> = [];
    // 60 random bits per code: a collision with an existing code is all but impossible, and is simply retried.
    while (coupons.length < count) {
      const codes = Array.from({ length: count - coupons.length }, () => generateCoupon(vendor.prefix, input.type));
      coupons.push(
        ...(await tx<Array<{ id: number; code: string; status: string }>>`
          insert into coupons (vendor_id, code, type, distributor_id, items, reusable, target_key_id, batch_id, comment, status, created_by)
          select ${vendor.id}::int, code, ${input.type}::text, ${input.distributorId ?? null}::int, ${JSON.stringify(items)}::jsonb, ${reusable}::boolean,
                 ${target?.id ?? null}::int, ${batch!.id}::int, ${input.comment ?? null}::text, 'unused', ${input.staffId}::int
          from unnest(${codes}::text[]) as code
          on conflict (code) do nothing
          returning id, code, status`),
      );
    }
    let activation: AppliedCoupon | null = null;
    if (input.activateImmediately === true && target) {
      // §3.1: activated in the same transaction as its generation; a refusal leaves no coupon behind.
      const coupon = coupons[0]!;
      const codes = { couponCode: coupon.code, couponType: input.type, keyCode: target.code, prefix: vendor.prefix };
      activation = await applyCheckedCoupon(tx, codes, { channel: 'vendor_portal', actor: `staff:${input.staffId ?? 'unknown'}`, now: input.now });
      coupon.status = 'used';
    }
    return { batchId: batch!.id, type: input.type, coupons: coupons.map((c) => ({ ...c, code: formatCoupon(c.code) })), ...(activation ? { activation } : {}) };
  });
}

/** The vendor, the partner and the products the parameters name, and the target key of a composition coupon. */
async function resolveReferences(tx: Db, input: GenerateCouponsInput): Promise<{ vendor: Vendor; target: Target | null }> {
  const [vendor] = await tx<Vendor[]>`select id, prefix from licensing_vendors where prefix = ${input.vendorPrefix}`;
  if (!vendor) throw new AppError('invalid_reference', `no vendor with prefix ${input.vendorPrefix}`);
  if (input.distributorId !== undefined) {
    const [partner] = await tx`select id from licensing_partners where id = ${input.distributorId}`;
    if (!partner) throw new AppError('invalid_reference', `no partner ${input.distributorId}`);
  }
  const wanted = input.items.map((i) => i.productCode);
  const products = await tx<Array<{ code: string }>>`select code from licensing_products where vendor_id = ${vendor.id} and code = any(${wanted}::text[])`;
  const missing = wanted.filter((code) => !products.some((p) => p.code === code));
  if (missing.length) throw new AppError('invalid_reference', `the vendor ${vendor.prefix} has no product ${missing.join(', ')}`);
  if (input.targetKey === undefined) return { vendor, target: null };
  const code = parseLicenseKey(input.targetKey).code;
  const [target] = await tx<Target[]>`select id, code from license_keys where code = ${code} and vendor_id = ${vendor.id} and status = 'active'`;
  if (!target) throw new AppError('invalid_reference', `no active key ${formatLicenseKey(code)} of vendor ${vendor.prefix}`);
  return { vendor, target };
}
