import type { Db } from '../../../db/client';
import { applyMajorUpdate } from '../../../domain/licensing/major-updates';

export interface MajorUpdateRow {
  id: number;
  entitlement_id: number;
  from_major: number;
  target_major: number;
  outcome: 'free' | 'half_price' | 'full_price';
  percent: number;
  price: string;
  currency: string | null;
  support_included: boolean;
  status: 'quoted' | 'applied' | 'cancelled';
}

/**
 * Moves the license as a paid (or free) update says (§5.3: `entitledMajor = T`, `updateAnchorAt = now`; §5.4 support)
 * and marks the update applied. In the caller's transaction, with the entitlement locked.
 */
export async function applyMajorUpdateRow(tx: Db, input: { update: MajorUpdateRow; paidVia: 'free' | 'balance' | 'external'; reference: string | null; now: Date }): Promise<void> {
  const { update, now } = input;
  const [e] = await tx<Array<{ support_until: string | null }>>`select support_until from entitlements where id = ${update.entitlement_id}`;
  const effect = applyMajorUpdate({
    quote: { supportIncluded: update.support_included },
    targetMajor: update.target_major,
    supportUntil: e!.support_until ? new Date(e!.support_until) : null,
    now,
  });
  await tx`
    update entitlements set entitled_major = ${effect.entitledMajor}, update_anchor_at = ${effect.updateAnchorAt.toISOString()},
           support_until = ${effect.supportUntil?.toISOString() ?? null}, updated_at = now()
    where id = ${update.entitlement_id}`;
  await tx`
    update license_major_updates set status = 'applied', paid_via = ${input.paidVia}, payment_reference = ${input.reference}, applied_at = ${now.toISOString()}
    where id = ${update.id}`;
}
