// What a major update does to a perpetual license once it is paid (spec 04 §5.3, §5.4), and which major a license
// document lets the program run (§5.3 last sentence). Pure: the caller passes `now` and stores the answer.

import { addCalendarMonths, laterOf, SUPPORT_MONTHS, type TermType, type UpdateQuote } from './commercial';

export interface MajorUpdateEffect {
  entitledMajor: number;
  /** The anchor of the next free-update window (§5.3: "the date of the last update"). */
  updateAnchorAt: Date;
  supportUntil: Date | null;
}

/**
 * §5.3: after payment (or at once if free) `entitledMajor = T`, `updateAnchorAt = now`. §5.4: a 50 % update neither
 * includes nor extends support, nor does a free one. Choice: a 100 % update is a new license bought now, so it
 * brings the 12 months of support a purchase includes, without shortening support already bought
 * (`supportUntil = max(supportUntil, now + 12 months)`).
 */
export function applyMajorUpdate(input: { quote: Pick<UpdateQuote, 'supportIncluded'>; targetMajor: number; supportUntil: Date | null; now: Date }): MajorUpdateEffect {
  const { quote, targetMajor, supportUntil, now } = input;
  const bought = addCalendarMonths(now, SUPPORT_MONTHS);
  return {
    entitledMajor: targetMajor,
    updateAnchorAt: now,
    supportUntil: quote.supportIncluded ? (supportUntil ? laterOf(supportUntil, bought) : bought) : supportUntil,
  };
}

/** §5.3: documents of perpetual licenses carry `maxMajor = entitledMajor`; term documents carry none. */
export function documentMaxMajor(input: { termType: TermType; entitledMajor: number }): number | null {
  return input.termType === 'perpetual' ? input.entitledMajor : null;
}
