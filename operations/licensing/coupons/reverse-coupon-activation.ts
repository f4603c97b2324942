import { inTransaction, type Db } from '../../../db/client';
import { AppError } from '../../../domain/errors';
import { entitlementIdsOf, planReversal, type EntitlementSnapshot, type ReversalPlan } from '../../../domain/licensing/coupons';
import { keyEntitlements, type KeyEntitlement } from '../key-entitlements';
import { notFound } from '../refusals';
import { revokeLicenseUseLogged } from '../revoke-license-use';
import { entitlementSnapshots } from './entitlement-snapshots';

export interface ReverseCouponActivationInput {
  activationId: number;
  staffId: number | null;
  reason: string;
  now: Date;
}

export interface ReversedActivation {
  couponActivationId: number;
  status: 'reversed';
  coupon: { id: number; status: string };
  entitlements: KeyEntitlement[];
}

type Snapshots = { before: EntitlementSnapshot[]; after: EntitlementSnapshot[] };

/**
 * Reverses a coupon activation made by mistake (spec 04 §3.5) in one transaction: the key, the coupon and the
 * activation are locked (in the order an application locks them), every touched entitlement goes back to its
 * `before` snapshot, the ones it created become `deleted`, bindings and leases on removed, deactivated or
 * shortened entitlements are revoked, a single-use coupon returns to `unused` (a reusable one is free for this
 * key again because the activation is no longer `applied`), and the activation becomes `reversed` with who, when
 * and why. 404 for an unknown activation, 409 `already_reversed`, and CouponError COUPON_REVERSAL_CONFLICT when a
 * later change is in the way.
 */
export async function reverseCouponActivation(db: Db, input: ReverseCouponActivationInput): Promise<ReversedActivation> {
  return inTransaction(db, async (tx) => {
    const [found] = await tx<Array<{ key_id: number; coupon_id: number }>>`select key_id, coupon_id from coupon_activations where id = ${input.activationId}`;
    if (!found) throw notFound('coupon activation', input.activationId);
    await tx`select id from license_keys where id = ${found.key_id} for update`;
    const [coupon] = await tx<Array<{ id: number; reusable: boolean; status: string }>>`select id, reusable, status from coupons where id = ${found.coupon_id} for update`;
    const [activation] = await tx<Array<Snapshots & { status: string }>>`
      select status, before, after from coupon_activations where id = ${input.activationId} for update`;
    if (activation!.status !== 'applied') throw new AppError('already_reversed', `coupon activation ${input.activationId} is already reversed`);

    const later = await tx<Array<Snapshots & { id: number }>>`
      select id, before, after from coupon_activations where key_id = ${found.key_id} and status = 'applied' and id > ${input.activationId} order by id`;
    const current = await entitlementSnapshots(tx, found.key_id, activation!.after.map((e) => e.id));
    const plan = planReversal({
      before: activation!.before,
      after: activation!.after,
      current,
      laterActivations: later.map((a) => ({ id: a.id, entitlementIds: entitlementIdsOf(a) })),
    });
    await restoreEntitlements(tx, plan);
    let couponStatus = coupon!.status;
    if (!coupon!.reusable && coupon!.status === 'used') {
      await tx`update coupons set status = 'unused', updated_at = now() where id = ${coupon!.id}`;
      couponStatus = 'unused';
    }
    await tx`
      update coupon_activations set status = 'reversed', reversed_at = ${input.now.toISOString()}, reversed_by = ${input.staffId}, reversal_reason = ${input.reason}
      where id = ${input.activationId}`;
    return { couponActivationId: input.activationId, status: 'reversed' as const, coupon: { id: coupon!.id, status: couponStatus }, entitlements: await keyEntitlements(tx, found.key_id) };
  });
}

/** Writes a reversal plan: entitlements restored to their snapshots, created ones deleted, their use revoked. */
async function restoreEntitlements(tx: Db, plan: ReversalPlan): Promise<void> {
  for (const e of plan.restore) {
    await tx`
      update entitlements set status = ${e.status}, kind = ${e.kind}, seats = ${e.seats}, starts_at = ${e.startsAt}, expires_at = ${e.expiresAt},
             superseded_by = ${e.supersededBy}, updated_at = now()
      where id = ${e.id}`;
  }
  if (plan.remove.length) await tx`update entitlements set status = 'deleted', updated_at = now() where id = any(${plan.remove}::int[])`;
  await revokeLicenseUseLogged(tx, plan.revokeBindingsOf, 'coupon_reversal');
}
