// Commercial rules of licenses (spec 04 §4.2 Renew, §5.2 term vs perpetual, §5.3 update quotes for
// perpetual licenses, §5.4 support period): what a renewal does to the validity, which payment methods a
// renewal offers, what a major update costs, until when support runs, and who may buy a perpetual license.
//
// Pure: no database, no I/O, no clock reads. The caller passes `now` and persists what a rule answers.
// Times are UTC instants (`Date`); month periods are calendar months that keep the time of day and clamp
// the day of month to the target month's last day (spec 04 "Conventions": 31 Jan + 1 month = last day of
// February).
//
// Choices the spec leaves open are marked "Choice:" in the doc comments.

import { addMonthsClamped } from '../dates';
import { AppError, type ErrorCode } from '../errors';
import type { EntitlementStatus } from './activation';

/**
 * Refusal codes of these rules (spec 04 §7.4 where it names them; their statuses are the catalogue's, domain/errors.ts).
 * Choices: a perpetual license has no expiry to move, so it cannot be renewed (§5.2, 422); only `active` and
 * `expired` licenses are renewed (§7.2, 409); an update to a major not released yet cannot be quoted (§5.3, 422).
 */
export type CommercialErrorCode = Extract<
  ErrorCode,
  'OPERATION_IN_PROGRESS' | 'PERPETUAL_REQUIRES_ORGANIZATION' | 'PERPETUAL_NOT_RENEWABLE' | 'ENTITLEMENT_NOT_RENEWABLE' | 'MAJOR_NOT_RELEASED'
>;

/** A rule's "no", with the §7.4 code the API answers. */
export interface CommercialRefusal {
  code: CommercialErrorCode;
  message: string;
}

// ---------------------------------------------------------------------------------------------------------
// Calendar arithmetic
// ---------------------------------------------------------------------------------------------------------

/**
 * `at` moved by `months` calendar months in UTC, keeping the time of day; the day of month is clamped to
 * the target month's last day (2025-01-31 + 1 month = 2025-02-28, 2024-01-31 + 1 month = 2024-02-29).
 */
export function addCalendarMonths(at: Date, months: number): Date {
  const day = at.toISOString().slice(0, 10);
  const timeOfDay = at.getTime() - Date.parse(`${day}T00:00:00.000Z`);
  return new Date(Date.parse(`${addMonthsClamped(day, months)}T00:00:00.000Z`) + timeOfDay);
}

/** The later of two instants. */
export const laterOf = (a: Date, b: Date): Date => (a.getTime() >= b.getTime() ? a : b);

// ---------------------------------------------------------------------------------------------------------
// §5.2 Perpetual licenses are for organisations only
// ---------------------------------------------------------------------------------------------------------

export type LegalForm = 'organization' | 'individual';
export type TermType = 'term' | 'perpetual';
/**
 * The key of the billing client's type (client_types.key). The installation's first three keys carry a legal form;
 * a type a reseller creates later does not (unknown, null), until client types say their legal form.
 */
export type ClientType = string;

/**
 * The legal form of a key's customer (§1.2 Customer `legalForm`): the registration data of the key card when
 * it names one, else derived from the billing client the key belongs to, else unknown (null).
 * Choice: a sole proprietor is a natural person in business, not an organisation, so it counts as
 * `individual`; only a `legal_entity` client is an `organization`.
 */
export function legalFormOf(input: { customer?: unknown; clientType?: ClientType | null }): LegalForm | null {
  const { customer, clientType } = input;
  if (customer && typeof customer === 'object' && !Array.isArray(customer)) {
    const form = (customer as { legalForm?: unknown }).legalForm;
    if (form === 'organization' || form === 'individual') return form;
  }
  if (clientType === 'legal_entity') return 'organization';
  if (clientType === 'individual' || clientType === 'sole_proprietor') return 'individual';
  return null;
}

/**
 * §5.2: a perpetual product is only sold to customers whose `legalForm` is `organization`; ordering (or
 * granting) it for anyone else is refused with `PERPETUAL_REQUIRES_ORGANIZATION`. Term products are open
 * to everyone. Choice: an unknown legal form is not an organisation, so it is refused too (the rule names
 * the one form that qualifies).
 */
export function perpetualOrderRefusal(input: { termType: TermType; legalForm: LegalForm | null }): CommercialRefusal | null {
  if (input.termType !== 'perpetual' || input.legalForm === 'organization') return null;
  return {
    code: 'PERPETUAL_REQUIRES_ORGANIZATION',
    message:
      input.legalForm === 'individual'
        ? 'a perpetual license is only sold to organisations; the customer is an individual (spec 04 §5.2)'
        : 'a perpetual license is only sold to organisations; the customer has no legal form on record (spec 04 §5.2)',
  };
}

// ---------------------------------------------------------------------------------------------------------
// §5.3 Update quote for perpetual licenses
// ---------------------------------------------------------------------------------------------------------

export interface MajorRelease {
  major: number;
  releasedAt: Date;
}

export interface UpdateQuoteInput {
  /** `term` licenses update for free (§5.2); the table of §5.3 applies to `perpetual` ones. */
  termType: TermType;
  /** M: the major the license entitles to. */
  entitledMajor: number;
  /** T: the major asked for. */
  targetMajor: number;
  /** The purchase date or the date of the last update (`updateAnchorAt`). */
  anchor: Date;
  /** The product's majors with their release dates (§1.2 `majorReleases`); a date after `now` is not out yet. */
  majorReleases: readonly MajorRelease[];
  /** The current retail price of a perpetual license of the product, integer minor units. */
  retailPrice: number;
  now: Date;
}

export type UpdateQuoteOutcome = 'already_entitled' | 'free' | 'half_price' | 'full_price';

export interface UpdateQuote {
  outcome: UpdateQuoteOutcome;
  /** Share of the retail price: 0, 50 or 100. */
  percent: 0 | 50 | 100;
  /** What the customer pays, integer minor units. */
  price: number;
  /** Whether the purchase includes 12 months of support (§5.4: a new license does, a 50 % update does not). */
  supportIncluded: boolean;
  /** The row of the §5.3 table that decided, in words. */
  rule: string;
}

/** The free-update window after the anchor (§5.3: "anchor ≤ R(M+1) ≤ anchor + 6 months"). */
export const FREE_UPDATE_WINDOW_MONTHS = 6;

/**
 * The price of moving a license from major M to major T (§5.3, §8 #34):
 *
 * | condition                                                                  | price  |
 * |----------------------------------------------------------------------------|--------|
 * | T ≤ M (minor updates within M, or a major already held)                    | free   |
 * | T = M + 1 and anchor ≤ R(M+1) ≤ anchor + 6 months                          | free   |
 * | T = M + 1, R(M+1) outside that window, no major ≥ M + 2 released yet        | 50 %   |
 * | T ≥ M + 2, or T = M + 1 (outside the window) once a major ≥ M + 2 is out    | 100 %  |
 *
 * Term licenses get every update free (§5.2). Both ends of the window count as inside it.
 * Choice: the free row is checked first and has no "M + 2" condition, so an update earned by a release
 * inside the window stays free after the next major is out (the 50 % row alone is "valid until the next
 * major version"). Choice: "released" means `releasedAt ≤ now`; a major released out of order (M + 3
 * without M + 2) also ends the 50 % offer. Choice: 50 % of an odd number of minor units is rounded up.
 * Throws `CommercialRuleError('MAJOR_NOT_RELEASED')` when T > M and T is not released.
 */
export function perpetualUpdateQuote(input: UpdateQuoteInput): UpdateQuote {
  const { entitledMajor: m, targetMajor: t, anchor, now, retailPrice } = input;
  if (!Number.isInteger(m) || !Number.isInteger(t) || m < 0 || t < 0) throw new RangeError('majors are non-negative integers');
  if (!Number.isInteger(retailPrice) || retailPrice < 0) throw new RangeError('the retail price is a non-negative integer of minor units');
  const free = (outcome: UpdateQuoteOutcome, rule: string): UpdateQuote => ({ outcome, percent: 0, price: 0, supportIncluded: false, rule });
  if (t <= m) return free('already_entitled', `major ${t} is within the entitled major ${m}: minor updates are always free`);
  if (input.termType === 'term') return free('free', 'a term license gets minor and major updates free for its whole term (§5.2)');

  const released = (major: number): Date | null => {
    const release = input.majorReleases.find((r) => r.major === major);
    return release && release.releasedAt.getTime() <= now.getTime() ? release.releasedAt : null;
  };
  if (!released(t)) throw new CommercialRuleError('MAJOR_NOT_RELEASED', `major ${t} is not released yet, so it cannot be quoted`);

  const full = (rule: string): UpdateQuote => ({ outcome: 'full_price', percent: 100, price: retailPrice, supportIncluded: true, rule });
  if (t >= m + 2) return full(`major ${t} skips one or more majors after ${m}: new licenses at 100 %`);

  const next = released(m + 1)!;
  const windowEnd = addCalendarMonths(anchor, FREE_UPDATE_WINDOW_MONTHS);
  if (next.getTime() >= anchor.getTime() && next.getTime() <= windowEnd.getTime()) {
    return free('free', `major ${t} was released within ${FREE_UPDATE_WINDOW_MONTHS} months of the purchase or last update`);
  }
  const nextAfterOut = input.majorReleases.some((r) => r.major >= m + 2 && r.releasedAt.getTime() <= now.getTime());
  if (!nextAfterOut) {
    return {
      outcome: 'half_price',
      percent: 50,
      price: Math.ceil(retailPrice / 2),
      supportIncluded: false,
      rule: `major ${t} was released outside the ${FREE_UPDATE_WINDOW_MONTHS}-month window and major ${m + 2} is not out: 50 %, support not included`,
    };
  }
  return full(`a major after ${t} is out, so the 50 % offer for major ${t} has ended: new licenses at 100 %`);
}

// ---------------------------------------------------------------------------------------------------------
// §5.4 Support period
// ---------------------------------------------------------------------------------------------------------

/** Months of support included with a perpetual purchase and added by one extension (§5.4). */
export const SUPPORT_MONTHS = 12;

/**
 * Support at purchase (§5.2, §5.4): a term license has support for its whole term (`supportUntil =
 * expiresAt`); a perpetual one for 12 calendar months from the purchase (2024-01-10 → 2025-01-10, §8 #35).
 */
export function supportUntilAtPurchase(input: { termType: TermType; purchasedAt: Date; expiresAt: Date | null; supportMonths?: number }): Date | null {
  if (input.termType === 'term') return input.expiresAt;
  return addCalendarMonths(input.purchasedAt, input.supportMonths ?? SUPPORT_MONTHS);
}

/**
 * A paid support extension (§5.4, §8 #35): `supportUntil = max(supportUntil, now) + 12 months`, so an
 * extension bought before support ends adds to its end (2025-01-10 extended on 2024-12-01 → 2026-01-10) and
 * one bought after it lapsed starts from the day of purchase.
 */
export function extendSupport(input: { supportUntil: Date; now: Date; months?: number }): Date {
  return addCalendarMonths(laterOf(input.supportUntil, input.now), input.months ?? SUPPORT_MONTHS);
}

// ---------------------------------------------------------------------------------------------------------
// §4.2 Renew, §7.2 renew, §8 #30
// ---------------------------------------------------------------------------------------------------------

/** The license statuses (§4.1), declared once with the activation rules. */
export type { EntitlementStatus };

/** The longest renewal period taken at once (10 years), as a guard against typing errors. */
export const MAX_RENEWAL_MONTHS = 120;

export type RenewalDecision = { ok: true; expiresAt: Date; status: 'active' } | ({ ok: false } & CommercialRefusal);

/**
 * A renewal for `periodMonths` calendar months (§4.2 Renew, §7.2 renew): `expiresAt = max(expiresAt, now) +
 * period`, and the license is `active` afterwards (an `expired` one becomes `active`). A license valid until
 * 2025-03-01 renewed for 12 months on any day before that is valid until 2026-03-01; one that expired and is
 * renewed on 2025-04-10 for 1 month is active until 2025-05-10 (§8 #30).
 * Refused: `in_progress` (`OPERATION_IN_PROGRESS`, §4.1), a perpetual license (`PERPETUAL_NOT_RENEWABLE`),
 * any status other than `active` / `expired` (`ENTITLEMENT_NOT_RENEWABLE`: a suspended license is resumed,
 * not renewed; ordered, superseded and deleted ones have nothing to renew).
 */
export function renewEntitlement(input: { status: EntitlementStatus; expiresAt: Date | null; now: Date; periodMonths: number }): RenewalDecision {
  const { status, expiresAt, now, periodMonths } = input;
  if (!Number.isInteger(periodMonths) || periodMonths < 1 || periodMonths > MAX_RENEWAL_MONTHS) {
    throw new RangeError(`a renewal period is 1 to ${MAX_RENEWAL_MONTHS} whole months`);
  }
  if (status === 'in_progress') return { ok: false, code: 'OPERATION_IN_PROGRESS', message: 'an operation on this license is running' };
  if (status !== 'active' && status !== 'expired') {
    return { ok: false, code: 'ENTITLEMENT_NOT_RENEWABLE', message: `a ${status} license cannot be renewed; only active and expired ones can` };
  }
  if (expiresAt === null) return { ok: false, code: 'PERPETUAL_NOT_RENEWABLE', message: 'a perpetual license has no expiry to renew (spec 04 §5.2)' };
  return { ok: true, expiresAt: addCalendarMonths(laterOf(expiresAt, now), periodMonths), status: 'active' };
}

// The payment methods a renewal offers are in panel.ts (`panelPaymentMethods`).

// ---------------------------------------------------------------------------------------------------------

/** A refusal of a commercial rule thrown where returning one would not fit (a quote that cannot be made). */
export class CommercialRuleError extends AppError {
  constructor(
    readonly rule: CommercialErrorCode,
    message: string,
  ) {
    super(rule, message);
  }
}
