import type { Db } from '../../../db/client';
import { perpetualUpdateQuote, type MajorRelease, type TermType, type UpdateQuote } from '../../../domain/licensing/commercial';
import { notFound } from '../refusals';

export interface QuoteMajorUpdateInput {
  entitlementId: number;
  /** M: not stored yet, so the caller passes it. */
  entitledMajor: number;
  /** T. */
  targetMajor: number;
  /** Purchase date or date of the last update; default: the date the license started. */
  anchor: Date | null;
  majorReleases: MajorRelease[];
  retailPrice: number;
  now: Date;
}

/**
 * §5.3 `requestMajorUpdate`: the quote for moving a license to major `targetMajor`. The schema keeps neither the
 * product's major releases nor the license's `entitledMajor` / `updateAnchorAt` yet, so the caller passes them (a
 * quote calculator); what exists is read: the license (404 when missing), its product's term type (term licenses
 * update free, §5.2) and its start as the default anchor. Nothing is stored.
 */
export async function quoteMajorUpdate(db: Db, input: QuoteMajorUpdateInput): Promise<UpdateQuote & { termType: TermType; anchor: Date }> {
  const [ent] = await db<Array<{ starts_at: string; term_type: TermType }>>`
    select e.starts_at, p.term_type from entitlements e join licensing_products p on p.id = e.product_id where e.id = ${input.entitlementId}`;
  if (!ent) throw notFound('entitlement', input.entitlementId);
  const anchor = input.anchor ?? new Date(ent.starts_at);
  const quote = perpetualUpdateQuote({
    termType: ent.term_type,
    entitledMajor: input.entitledMajor,
    targetMajor: input.targetMajor,
    anchor,
    majorReleases: input.majorReleases,
    retailPrice: input.retailPrice,
    now: input.now,
  });
  return { termType: ent.term_type, anchor, ...quote };
}
