import { describe, expect, it } from 'vitest';
import { compositionDraft, configurationRefusal, currentUseSince, panelPaymentMethods, validUntilChange } from './panel';

const at = (iso: string) => new Date(iso);
const now = at('2026-03-01T12:00:00Z');

describe('§3.6 current usage', () => {
  it('counts what was seen in the last 15 minutes', () => {
    expect(currentUseSince(now)).toEqual(at('2026-03-01T11:45:00Z'));
  });
});

describe('§3.1 / §3.6 the composition a key-card coupon is prefilled with', () => {
  it('lists the active products with the days they have left (rounded up), perpetual ones as null, and their seats', () => {
    const draft = compositionDraft(
      [
        { productCode: 'base', status: 'active', seats: 2, expiresAt: at('2026-03-11T00:00:00Z') },
        { productCode: 'forever', status: 'active', seats: 1, expiresAt: null },
        { productCode: 'old', status: 'superseded', seats: 1, expiresAt: at('2027-01-01T00:00:00Z') },
        { productCode: 'gone', status: 'deleted', seats: 1, expiresAt: null },
      ],
      now,
    );
    expect(draft).toEqual([
      { productCode: 'base', periodDays: 10, seats: 2 },
      { productCode: 'forever', periodDays: null, seats: 1 },
    ]);
  });

  it('never prefills fewer than 1 day or more than the 3650 a coupon takes', () => {
    const draft = compositionDraft(
      [
        { productCode: 'lapsing', status: 'active', seats: 1, expiresAt: at('2026-03-01T11:00:00Z') },
        { productCode: 'long', status: 'active', seats: 1, expiresAt: at('2046-03-01T00:00:00Z') },
      ],
      now,
    );
    expect(draft.map((i) => i.periodDays)).toEqual([1, 3650]);
  });
});

describe('§4.2 license configuration within the product’s limits', () => {
  const product = { reports: true, export: false, users: 10, edition: 'pro' };

  it('accepts booleans the product has on (or off), and whole numbers from 0 to the product’s value', () => {
    expect(configurationRefusal(product, { reports: false, export: false, users: 10 })).toBeNull();
    expect(configurationRefusal(product, { reports: true, users: 0 })).toBeNull();
    expect(configurationRefusal(product, {})).toBeNull();
  });

  it('refuses with CONFIGURATION_OUT_OF_LIMITS, naming each feature: above the limit, switched on where the product has it off, unknown, or of another type', () => {
    const refusal = configurationRefusal(product, { users: 11, export: true, colour: true, edition: 1, reports: 1 });
    expect(refusal?.code).toBe('CONFIGURATION_OUT_OF_LIMITS');
    expect((refusal?.details as Array<{ feature: string }>).map((p) => p.feature)).toEqual(['users', 'export', 'colour', 'edition', 'reports']);
    expect(configurationRefusal(product, { users: 2.5 })?.code).toBe('CONFIGURATION_OUT_OF_LIMITS');
    expect(configurationRefusal(product, { users: -1 })?.code).toBe('CONFIGURATION_OUT_OF_LIMITS');
  });
});

describe('§4.2 valid-until set by staff', () => {
  const base = { status: 'active', termType: 'term' as const, startsAt: at('2026-01-01T00:00:00Z'), now };

  it('moves the date and keeps an active license active while the date is ahead', () => {
    expect(validUntilChange({ ...base, validUntil: at('2026-12-31T00:00:00Z') })).toEqual({ ok: true, status: 'active' });
  });

  it('a date already past makes an active license expired, and a later one brings an expired license back', () => {
    expect(validUntilChange({ ...base, validUntil: at('2026-02-01T00:00:00Z') })).toEqual({ ok: true, status: 'expired' });
    expect(validUntilChange({ ...base, status: 'expired', validUntil: at('2026-04-01T00:00:00Z') })).toEqual({ ok: true, status: 'active' });
    expect(validUntilChange({ ...base, status: 'suspended', validUntil: at('2026-02-01T00:00:00Z') })).toEqual({ ok: true, status: 'suspended' });
  });

  it('refuses a perpetual product’s license and a date not after the start with VALID_UNTIL_INVALID', () => {
    expect(validUntilChange({ ...base, termType: 'perpetual', validUntil: at('2026-12-31T00:00:00Z') })).toMatchObject({ ok: false, code: 'VALID_UNTIL_INVALID' });
    expect(validUntilChange({ ...base, validUntil: base.startsAt })).toMatchObject({ ok: false, code: 'VALID_UNTIL_INVALID' });
  });
});

describe('§4.2 renewal payment methods (§8 #30)', () => {
  it('offers the balance only when it covers the cost, an unpaid invoice only when there is one, a new invoice always', () => {
    expect(panelPaymentMethods({ balance: 12_000, cost: 12_000, unpaidInvoices: 0 })).toEqual(['balance', 'invoice']);
    expect(panelPaymentMethods({ balance: 11_999, cost: 12_000, unpaidInvoices: 0 })).toEqual(['invoice']);
    expect(panelPaymentMethods({ balance: 11_999, cost: 12_000, unpaidInvoices: 2 })).toEqual(['unpaid_invoice', 'invoice']);
    expect(panelPaymentMethods({ balance: -500, cost: 0, unpaidInvoices: 0 })).toEqual(['invoice']);
    expect(panelPaymentMethods({ balance: 0, cost: 0, unpaidInvoices: 1 })).toEqual(['balance', 'unpaid_invoice', 'invoice']);
  });

  it('offers nothing to a key without a billing client (nothing to debit, no one to invoice)', () => {
    expect(panelPaymentMethods({ balance: null, cost: 0, unpaidInvoices: 0 })).toEqual([]);
  });
});
