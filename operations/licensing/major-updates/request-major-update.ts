import { inTransaction, type Db } from '../../../db/client';
import { AppError } from '../../../domain/errors';
import { perpetualUpdateQuote, type MajorRelease, type TermType, type UpdateQuote } from '../../../domain/licensing/commercial';
import { lockEntitlement } from '../entitlements/lock-entitlement';
import { applyMajorUpdateRow, type MajorUpdateRow } from './apply-major-update';

export interface RequestMajorUpdateInput {
  entitlementId: number;
  /** T: the major the customer asks for. */
  targetMajor: number;
  now: Date;
}

export interface MajorUpdateAnswer extends UpdateQuote {
  entitlementId: number;
  /** Null when nothing is ordered (already entitled to T). */
  updateId: number | null;
  status: 'quoted' | 'applied' | 'already_entitled';
  fromMajor: number;
  targetMajor: number;
  anchor: string;
  currency: string | null;
}

/**
 * `requestMajorUpdate` (spec 04 §5.3): quotes moving the license from its stored `entitledMajor` to `targetMajor`
 * with the product's major releases and retail price, anchored at its `updateAnchorAt` (its start when never set).
 * A free update is ordered and applied at once; a paid one is ordered `quoted` and moves the license when it is
 * paid (pay-major-update.ts). A new request replaces an unpaid quote of the same license (its prices may have
 * changed). Locks the entitlement, so it runs one at a time with the license's other operations.
 */
export async function requestMajorUpdate(db: Db, input: RequestMajorUpdateInput): Promise<MajorUpdateAnswer> {
  return inTransaction(db, async (tx) => {
    await lockEntitlement(tx, input.entitlementId);
    const [e] = await tx<
      Array<{ entitled_major: number; anchor: string; term_type: TermType; major_releases: Array<{ major: number; releasedAt: string }>; retail_price: string | null; retail_currency: string | null }>
    >`
      select e.entitled_major, coalesce(e.update_anchor_at, e.starts_at) as anchor, p.term_type, p.major_releases, p.retail_price, p.retail_currency
      from entitlements e join licensing_products p on p.id = e.product_id where e.id = ${input.entitlementId}`;
    const row = e!;
    const releases: MajorRelease[] = row.major_releases.map((r) => ({ major: r.major, releasedAt: new Date(r.releasedAt) }));
    const anchor = new Date(row.anchor);
    const quote = perpetualUpdateQuote({
      termType: row.term_type,
      entitledMajor: row.entitled_major,
      targetMajor: input.targetMajor,
      anchor,
      majorReleases: releases,
      retailPrice: row.retail_price === null ? 0 : Number(row.retail_price),
      now: input.now,
    });
    const base = { entitlementId: input.entitlementId, fromMajor: row.entitled_major, targetMajor: input.targetMajor, anchor: anchor.toISOString(), currency: row.retail_currency, ...quote };
    if (quote.outcome === 'already_entitled') return { ...base, updateId: null, status: 'already_entitled' };
    if (quote.percent > 0 && row.retail_price === null) throw new AppError('RETAIL_PRICE_UNKNOWN', 'the product has no retail price, so a paid update cannot be quoted');
    await tx`update license_major_updates set status = 'cancelled' where entitlement_id = ${input.entitlementId} and status = 'quoted'`;
    const [ordered] = await tx<MajorUpdateRow[]>`
      insert into license_major_updates (entitlement_id, from_major, target_major, outcome, percent, price, currency, support_included, status, created_at)
      values (${input.entitlementId}, ${row.entitled_major}, ${input.targetMajor}, ${quote.outcome}, ${quote.percent}, ${quote.price}, ${row.retail_currency},
              ${quote.supportIncluded}, 'quoted', ${input.now.toISOString()})
      returning *`;
    if (quote.price === 0) {
      await applyMajorUpdateRow(tx, { update: ordered!, paidVia: 'free', reference: null, now: input.now });
      return { ...base, updateId: ordered!.id, status: 'applied' };
    }
    return { ...base, updateId: ordered!.id, status: 'quoted' };
  });
}
