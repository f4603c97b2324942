import type { Db } from '../../../db/client';
import { perpetualUpdateQuote, type MajorRelease, type TermType, type UpdateQuote } from '../../../domain/licensing/commercial';
import { notFound } from '../refusals';

export interface QuoteMajorUpdateInput {
  entitlementId: number;
  /** M, as the caller supposes it. */
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
 * A what-if §5.3 quote with the caller's figures (entitled major, anchor, releases, price): kept for integrators who
 * priced updates before licenses stored them. The real `requestMajorUpdate` quotes from the stored `entitledMajor`,
 * `updateAnchorAt`, the product's releases and retail price, and orders the update: major-updates/. Reads the license
 * (404 when missing), its product's term type and its start as the default anchor. Nothing is stored.
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
