import { describe, expect, it } from 'vitest';
import {
  addCalendarMonths,
  CommercialRuleError,
  extendSupport,
  legalFormOf,
  perpetualOrderRefusal,
  perpetualUpdateQuote,
  renewEntitlement,
  supportUntilAtPurchase,
  type MajorRelease,
  type UpdateQuoteInput,
} from './commercial';

/** Midnight UTC of a calendar date. */
const d = (date: string) => new Date(`${date}T00:00:00.000Z`);

describe('calendar months (spec 04 Conventions)', () => {
  it('adds calendar months, keeping the time of day and clamping to the last day of the month', () => {
    expect(addCalendarMonths(d('2025-03-01'), 12)).toEqual(d('2026-03-01'));
    expect(addCalendarMonths(d('2025-01-31'), 1)).toEqual(d('2025-02-28'));
    expect(addCalendarMonths(d('2024-01-31'), 1)).toEqual(d('2024-02-29'));
    expect(addCalendarMonths(d('2024-02-29'), 12)).toEqual(d('2025-02-28'));
    expect(addCalendarMonths(d('2025-12-15'), 3)).toEqual(d('2026-03-15'));
    expect(addCalendarMonths(new Date('2025-08-31T17:45:12.345Z'), 1)).toEqual(new Date('2025-09-30T17:45:12.345Z'));
    expect(addCalendarMonths(d('2025-03-31'), -1)).toEqual(d('2025-02-28'));
  });
});

describe('§4.2 renew and §8 #30 (exact dates: the integration test checks the same rule with the real clock)', () => {
  it('§8 #30 a license valid until 2025-03-01 renewed for 12 months is valid until 2026-03-01', () => {
    for (const now of [d('2025-01-15'), new Date('2025-02-28T23:59:59Z'), d('2025-03-01')]) {
      expect(renewEntitlement({ status: 'active', expiresAt: d('2025-03-01'), now, periodMonths: 12 })).toEqual({ ok: true, expiresAt: d('2026-03-01'), status: 'active' });
    }
  });

  it('§8 #30 an expired license renewed on 2025-04-10 for 1 month is active until 2025-05-10', () => {
    expect(renewEntitlement({ status: 'expired', expiresAt: d('2025-03-01'), now: d('2025-04-10'), periodMonths: 1 })).toEqual({ ok: true, expiresAt: d('2025-05-10'), status: 'active' });
  });

  it('counts from now when the expiry has passed even if the status still says active (the expiry timer runs late)', () => {
    expect(renewEntitlement({ status: 'active', expiresAt: d('2025-03-01'), now: d('2025-03-20'), periodMonths: 1 })).toMatchObject({ ok: true, expiresAt: d('2025-04-20') });
  });

  it('clamps the month end: valid until 31 Jan, renewed for a month, valid until the last day of February', () => {
    expect(renewEntitlement({ status: 'active', expiresAt: d('2025-01-31'), now: d('2025-01-02'), periodMonths: 1 })).toMatchObject({ expiresAt: d('2025-02-28') });
  });

  it('refuses in_progress (OPERATION_IN_PROGRESS), perpetual, and statuses other than active / expired', () => {
    const now = d('2025-04-10');
    expect(renewEntitlement({ status: 'in_progress', expiresAt: d('2025-05-01'), now, periodMonths: 1 })).toMatchObject({ ok: false, code: 'OPERATION_IN_PROGRESS' });
    expect(renewEntitlement({ status: 'active', expiresAt: null, now, periodMonths: 1 })).toMatchObject({ ok: false, code: 'PERPETUAL_NOT_RENEWABLE' });
    for (const status of ['ordered', 'suspended', 'superseded', 'deleted'] as const) {
      expect(renewEntitlement({ status, expiresAt: d('2025-05-01'), now, periodMonths: 1 }), status).toMatchObject({ ok: false, code: 'ENTITLEMENT_NOT_RENEWABLE' });
    }
  });

  it('takes 1 to 120 whole months only', () => {
    for (const periodMonths of [0, -1, 1.5, 121, Number.NaN]) {
      expect(() => renewEntitlement({ status: 'active', expiresAt: d('2025-05-01'), now: d('2025-04-10'), periodMonths }), String(periodMonths)).toThrow(RangeError);
    }
  });
});

describe('§5.3 perpetual update quotes and §8 #34', () => {
  const base = (over: Partial<UpdateQuoteInput> & { releases?: Array<[number, string]> }): UpdateQuoteInput => ({
    termType: 'perpetual',
    entitledMajor: 1,
    targetMajor: 2,
    anchor: d('2024-01-10'),
    majorReleases: (over.releases ?? []).map(([major, at]): MajorRelease => ({ major, releasedAt: d(at) })),
    retailPrice: 120_000,
    now: d('2025-06-01'),
    ...over,
  });

  it('§8 #34 v1 bought 2024-01-10, v2 released 2024-05-01 → free', () => {
    expect(perpetualUpdateQuote(base({ releases: [[1, '2023-06-01'], [2, '2024-05-01']] }))).toMatchObject({ outcome: 'free', percent: 0, price: 0 });
  });

  it('§8 #34 v2 released 2024-09-01 with v3 not out → 50 % of the current retail price, support not included', () => {
    expect(perpetualUpdateQuote(base({ releases: [[1, '2023-06-01'], [2, '2024-09-01']] }))).toMatchObject({
      outcome: 'half_price',
      percent: 50,
      price: 60_000,
      supportIncluded: false,
    });
    // v3 announced with a release date after now is not out yet.
    expect(perpetualUpdateQuote(base({ releases: [[2, '2024-09-01'], [3, '2025-09-01']] }))).toMatchObject({ outcome: 'half_price' });
  });

  it('§8 #34 v3 requested while entitled to v1 → 100 %', () => {
    expect(perpetualUpdateQuote(base({ targetMajor: 3, releases: [[2, '2024-05-01'], [3, '2025-03-01']] }))).toMatchObject({
      outcome: 'full_price',
      percent: 100,
      price: 120_000,
      supportIncluded: true,
    });
  });

  it('the free window is anchor ≤ R(M+1) ≤ anchor + 6 calendar months, both ends included', () => {
    const quote = (released: string) => perpetualUpdateQuote(base({ releases: [[2, released]] })).outcome;
    expect(quote('2024-01-10')).toBe('free');
    expect(quote('2024-07-10')).toBe('free');
    expect(quote('2024-07-11')).toBe('half_price');
    // Released before the purchase (bought v1 while v2 was out): not free.
    expect(quote('2024-01-09')).toBe('half_price');
    // The window follows calendar months with clamping: 31 Aug + 6 months = 28 Feb.
    const fromAugust = (released: string) => perpetualUpdateQuote(base({ anchor: d('2024-08-31'), releases: [[2, released]] })).outcome;
    expect(fromAugust('2025-02-28')).toBe('free');
    expect(fromAugust('2025-03-01')).toBe('half_price');
  });

  it('T = M + 1 after M + 2 is out → 100 %; a free update earned inside the window stays free', () => {
    expect(perpetualUpdateQuote(base({ releases: [[2, '2024-09-01'], [3, '2025-03-01']] }))).toMatchObject({ outcome: 'full_price', price: 120_000 });
    // A later major released out of order ends the 50 % offer as well.
    expect(perpetualUpdateQuote(base({ releases: [[2, '2024-09-01'], [4, '2025-03-01']] }))).toMatchObject({ outcome: 'full_price' });
    expect(perpetualUpdateQuote(base({ releases: [[2, '2024-05-01'], [3, '2025-03-01']] }))).toMatchObject({ outcome: 'free' });
  });

  it('the anchor moves with the last update: entitled to v2 since 2025-01-20, v3 on 2025-05-01 is free', () => {
    expect(perpetualUpdateQuote(base({ entitledMajor: 2, targetMajor: 3, anchor: d('2025-01-20'), releases: [[2, '2024-09-01'], [3, '2025-05-01']] }))).toMatchObject({ outcome: 'free' });
  });

  it('a major already held is free; a term license updates for free; 50 % of an odd price is rounded up', () => {
    expect(perpetualUpdateQuote(base({ entitledMajor: 2, targetMajor: 2, releases: [] }))).toMatchObject({ outcome: 'already_entitled', price: 0 });
    expect(perpetualUpdateQuote(base({ termType: 'term', targetMajor: 5, releases: [] }))).toMatchObject({ outcome: 'free', price: 0 });
    expect(perpetualUpdateQuote(base({ retailPrice: 999, releases: [[2, '2024-09-01']] }))).toMatchObject({ outcome: 'half_price', price: 500 });
  });

  it('refuses to quote a major that is not released (MAJOR_NOT_RELEASED)', () => {
    const notOut = () => perpetualUpdateQuote(base({ releases: [[2, '2025-09-01']] }));
    expect(notOut).toThrow(CommercialRuleError);
    expect(notOut).toThrow(expect.objectContaining({ code: 'MAJOR_NOT_RELEASED' }));
    expect(() => perpetualUpdateQuote(base({ targetMajor: 3, releases: [[2, '2024-05-01']] }))).toThrow(expect.objectContaining({ code: 'MAJOR_NOT_RELEASED' }));
  });
});

describe('§5.4 support and §8 #35', () => {
  it('§8 #35 perpetual bought 2024-01-10 → supportUntil 2025-01-10; an extension bought 2024-12-01 → 2026-01-10', () => {
    const supportUntil = supportUntilAtPurchase({ termType: 'perpetual', purchasedAt: d('2024-01-10'), expiresAt: null });
    expect(supportUntil).toEqual(d('2025-01-10'));
    expect(extendSupport({ supportUntil: supportUntil!, now: d('2024-12-01') })).toEqual(d('2026-01-10'));
  });

  it('an extension bought after support lapsed counts from the day it is bought, with month-end clamping', () => {
    expect(extendSupport({ supportUntil: d('2025-01-10'), now: d('2025-03-31') })).toEqual(d('2026-03-31'));
    expect(supportUntilAtPurchase({ termType: 'perpetual', purchasedAt: d('2024-02-29'), expiresAt: null })).toEqual(d('2025-02-28'));
  });

  it('a term license has support for its whole term (supportUntil = expiresAt)', () => {
    expect(supportUntilAtPurchase({ termType: 'term', purchasedAt: d('2024-01-10'), expiresAt: d('2024-07-10') })).toEqual(d('2024-07-10'));
  });
});

describe('§5.2 perpetual licenses for organisations and §8 #36', () => {
  it('§8 #36 ordering a perpetual product for an individual → PERPETUAL_REQUIRES_ORGANIZATION', () => {
    expect(perpetualOrderRefusal({ termType: 'perpetual', legalForm: 'individual' })).toMatchObject({ code: 'PERPETUAL_REQUIRES_ORGANIZATION' });
    expect(perpetualOrderRefusal({ termType: 'perpetual', legalForm: null })).toMatchObject({ code: 'PERPETUAL_REQUIRES_ORGANIZATION' });
    expect(perpetualOrderRefusal({ termType: 'perpetual', legalForm: 'organization' })).toBeNull();
    expect(perpetualOrderRefusal({ termType: 'term', legalForm: 'individual' })).toBeNull();
  });

  it('reads the legal form from the key card, else from the billing client', () => {
    expect(legalFormOf({ customer: { companyName: 'Acme', legalForm: 'organization' }, clientType: 'individual' })).toBe('organization');
    expect(legalFormOf({ customer: { legalForm: 'individual' } })).toBe('individual');
    expect(legalFormOf({ customer: null, clientType: 'legal_entity' })).toBe('organization');
    expect(legalFormOf({ customer: { companyName: 'Acme' }, clientType: 'sole_proprietor' })).toBe('individual');
    expect(legalFormOf({ customer: { legalForm: 'partnership' }, clientType: 'individual' })).toBe('individual');
    expect(legalFormOf({ customer: ['organization'] })).toBeNull();
    expect(legalFormOf({})).toBeNull();
  });
});
