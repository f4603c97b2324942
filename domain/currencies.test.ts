import { describe, expect, it } from 'vitest';
import { AppError } from './errors';
import { isIsoCurrency, isoCurrencyCodes, requirePayableCurrency } from './currencies';

describe('isIsoCurrency', () => {
  it('takes the ISO 4217 codes of currencies in circulation', () => {
    for (const code of ['EUR', 'USD', 'RUB', 'GBP', 'JPY', 'CHF', 'XCG', 'ZWG', 'SLE']) expect(isIsoCurrency(code), code).toBe(true);
  });

  it('refuses made-up, lower-case, withdrawn and non-payable codes', () => {
    for (const code of ['XYZ', 'ZZZ', 'AAA', 'eur', 'EURO', '', 'HRK', 'SLL', 'ZWL', 'ANG', 'XXX', 'XTS', 'XAU', 'XDR', 'CHE']) expect(isIsoCurrency(code), code).toBe(false);
  });

  it('holds each code once, as three capital letters', () => {
    expect(new Set(isoCurrencyCodes).size).toBe(isoCurrencyCodes.length);
    for (const code of isoCurrencyCodes) expect(code).toMatch(/^[A-Z]{3}$/);
  });
});

describe('requirePayableCurrency', () => {
  it('lets a client order in its own currency', () => {
    expect(() => requirePayableCurrency('EUR', 'EUR')).not.toThrow();
  });

  it('lets a client order in another currency: the exchange rate converts it (spec 02 §4.13)', () => {
    expect(() => requirePayableCurrency('RUB', 'USD')).not.toThrow();
  });

  it('refuses an order in a code that names no currency, with currency_mismatch', () => {
    for (const [client, order] of [['EUR', 'ZZZ'], ['ZZZ', 'ZZZ'], ['ZZZ', 'EUR']] as const) {
      const err = (() => {
        try {
          requirePayableCurrency(client, order);
        } catch (e) {
          return e;
        }
        return null;
      })();
      expect(err, `${client} → ${order}`).toBeInstanceOf(AppError);
      expect((err as AppError).code).toBe('currency_mismatch');
    }
  });
});
