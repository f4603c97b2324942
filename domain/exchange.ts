// Exchange rates (spec 02 §4.13, seed manual 8.3.7 and 8.7.2): a plan is priced in its own currency, the client
// pays in theirs, and the operator keeps the rate between the two.
//
//   client amount = plan amount × rate / nominal
//
// The rate is "client (base) currency per `nominal` units of the plan (quoted) currency": 92.5 RUB per 1 USD,
// 61.2 RUB per 100 JPY. It is an exact decimal with at most 4 decimals (the manual's "с точностью до 4 знаков
// после запятой"); nothing here touches a float: the rate is parsed into an integer of ten-thousandths and the
// product is computed with BigInt, then rounded half-up (away from zero for a negative amount) to a minor unit.
//
// OUR READING: every currency has 2 decimals on this platform (domain/money.ts, spec 02 §0), so a minor unit of
// the plan currency and one of the client currency are both hundredths and the formula needs no exponent. A
// currency with another exponent (JPY has 0, KWD 3) is still counted in hundredths here; when the platform learns
// exponents, `convertAmount` is the one place to scale by 10^(client exponent − plan exponent).

import { daysBetween, type IsoDate } from './dates';
import { AppError } from './errors';
import { isIsoCurrency } from './currencies';
import type { MinorUnits } from './money';

/** Decimals a rate may carry (the manual: 4). */
export const rateDecimals = 4;
const rateScale = 10n ** BigInt(rateDecimals);
/** The largest rate taken: 12 integer digits (numeric(16, 4) in the database). */
export const maxRateIntegerDigits = 12;
/** The largest nominal taken (the manual's "Единиц": an integer; central banks quote per 1, 10, 100, 10 000). */
export const maxNominal = 1_000_000;

/** The rate a conversion used: `rate` client-currency units per `nominal` plan-currency units. */
export interface Exchange {
  /** The currency the plan's prices are in (quoted). */
  planCurrency: string;
  /** The currency the client pays in (base). */
  clientCurrency: string;
  /** Exact decimal text, e.g. "92.5000". */
  rate: string;
  nominal: number;
}

/** Same currency: rate 1, nominal 1 (spec 02 §4.13: "Same currency → rate 1"). */
export function identityExchange(currency: string): Exchange {
  return { planCurrency: currency, clientCurrency: currency, rate: '1', nominal: 1 };
}

export const isIdentity = (e: Exchange): boolean => e.planCurrency === e.clientCurrency;

const RATE_TEXT = /^(\d{1,12})(?:\.(\d{1,4}))?$/;

/**
 * The rate as an integer of ten-thousandths: "92.5" → 925000n. Refused with `invalid_exchange_rate`: anything but
 * plain decimal text (no sign, exponent, grouping or comma), more than 4 decimals, more than 12 integer digits, 0.
 */
export function parseRate(text: string): bigint {
  const match = RATE_TEXT.exec(text);
  if (!match) {
    throw new AppError('invalid_exchange_rate', `a rate is a positive decimal with at most ${maxRateIntegerDigits} integer digits and ${rateDecimals} decimals, got "${text.slice(0, 40)}"`);
  }
  const units = BigInt(match[1]!) * rateScale + BigInt((match[2] ?? '').padEnd(rateDecimals, '0'));
  if (units <= 0n) throw new AppError('invalid_exchange_rate', 'a rate must be greater than 0');
  return units;
}

/** The rate in its stored form, 4 decimals: "92.5" → "92.5000". */
export function normalizeRate(text: string): string {
  const units = parseRate(text);
  const whole = units / rateScale;
  const fraction = (units % rateScale).toString().padStart(rateDecimals, '0');
  return `${whole}.${fraction}`;
}

export function requireNominal(nominal: number): void {
  if (!Number.isSafeInteger(nominal) || nominal < 1 || nominal > maxNominal) {
    throw new AppError('invalid_exchange_rate', `a nominal is a whole number of currency units from 1 to ${maxNominal}, got ${nominal}`);
  }
}

/** A rate the operator enters, checked: both codes ISO 4217 and distinct, the rate and the nominal in range. */
export function checkExchangeRate(e: Exchange): Exchange {
  for (const code of [e.clientCurrency, e.planCurrency]) {
    if (!isIsoCurrency(code)) throw new AppError('invalid_currency', `"${code.slice(0, 10)}" is not an ISO 4217 currency in circulation`);
  }
  if (e.clientCurrency === e.planCurrency) throw new AppError('invalid_exchange_rate', `a currency has no rate to itself (${e.planCurrency}): it is always 1`);
  requireNominal(e.nominal);
  return { ...e, rate: normalizeRate(e.rate) };
}

/**
 * Plan amount × rate / nominal in minor units, exact, rounded half-up to a minor unit (a negative amount, such as
 * a switch's credit line, rounds symmetrically: −x converts to −convert(x)).
 */
export function convertAmount(amount: MinorUnits, e: Pick<Exchange, 'rate' | 'nominal'>): MinorUnits {
  if (!Number.isSafeInteger(amount)) throw new AppError('invalid_argument', `an amount is whole minor units, got ${amount}`);
  requireNominal(e.nominal);
  const units = parseRate(e.rate);
  const magnitude = BigInt(Math.abs(amount)) * units;
  const divisor = rateScale * BigInt(e.nominal);
  const rounded = (magnitude * 2n + divisor) / (divisor * 2n);
  if (rounded > BigInt(Number.MAX_SAFE_INTEGER)) throw new AppError('out_of_range', 'the converted amount is too large');
  const result = Number(rounded);
  return amount < 0 ? -result : result;
}

/**
 * Puts `difference` on the amounts in `preference` order (indexes): each takes as much as it can without going
 * below 0, the rest carries to the next, as the rounding correction of spec 02 §4.14 does.
 */
function absorb(amounts: MinorUnits[], difference: MinorUnits, preference: number[]): MinorUnits[] {
  const out = [...amounts];
  let rest = difference;
  for (const i of preference) {
    if (rest === 0) break;
    const corrected = out[i]! + rest;
    out[i] = Math.max(0, corrected);
    rest = Math.min(0, corrected);
  }
  if (rest !== 0) throw new AppError('invalid_price', `converted amounts cannot add up to the converted total (${difference} left)`);
  return out;
}

export interface ConvertibleCharge {
  kind: 'setup' | 'renewal' | 'recurring';
  from: IsoDate;
  to: IsoDate;
  amount: MinorUnits;
}

/**
 * An order's charges in the client's currency, with the plan-currency amount each came from.
 *
 * Σ charges = order amount must hold in the client's currency too, and the order's amount is its plan-currency
 * total converted once. Each charge is converted on its own, and the rounding difference (at most half a minor
 * unit per charge) goes where spec 02 §4.14 puts rounding corrections: on the recurring charge with the longest
 * period (the later of equals), carried on to the next if it would go below 0; an order without recurring
 * charges puts it on its largest charge. Chosen over "convert the monthly fee and let orderCharges correct":
 * that would price each charge from a rounded fee, and an original amount per charge would no longer be the plan
 * charge it was converted from.
 */
export function convertCharges<C extends ConvertibleCharge>(charges: readonly C[], planTotal: MinorUnits, e: Exchange): Array<C & { originalAmount: MinorUnits }> {
  const converted = charges.map((c) => convertAmount(c.amount, e));
  const total = convertAmount(planTotal, e);
  const difference = total - converted.reduce((s, a) => s + a, 0);
  const indexes = charges.map((c, i) => ({ c, i }));
  const recurring = indexes
    .filter(({ c }) => c.kind === 'recurring')
    .sort((a, b) => daysBetween(b.c.from, b.c.to) - daysBetween(a.c.from, a.c.to) || b.i - a.i);
  const others = indexes.filter(({ c }) => c.kind !== 'recurring').sort((a, b) => b.c.amount - a.c.amount || b.i - a.i);
  const amounts = difference === 0 ? converted : absorb(converted, difference, [...recurring, ...others].map(({ i }) => i));
  return charges.map((c, i) => ({ ...c, amount: amounts[i]!, originalAmount: c.amount }));
}

/**
 * An order's lines in the client's currency: each line's unit price and amount converted, and the rounding
 * difference against the converted order total put on the line with the largest amount (so Σ lines = order
 * amount, as in the plan currency).
 */
export function convertLines<L extends { unitPrice: MinorUnits; amount: MinorUnits }>(lines: readonly L[], planTotal: MinorUnits, e: Exchange): L[] {
  const converted = lines.map((l) => ({ ...l, unitPrice: convertAmount(l.unitPrice, e), amount: convertAmount(l.amount, e) }));
  const sumPlan = lines.reduce((s, l) => s + l.amount, 0);
  // Lines that did not add up to the total in the plan currency (a switch's credit floored at 0) are left as they are.
  if (sumPlan !== planTotal || converted.length === 0) return converted;
  const difference = convertAmount(planTotal, e) - converted.reduce((s, l) => s + l.amount, 0);
  if (difference === 0) return converted;
  const largest = converted.reduce((best, l, i) => (l.amount > converted[best]!.amount ? i : best), 0);
  converted[largest] = { ...converted[largest]!, amount: converted[largest]!.amount + difference };
  return converted;
}

/**
 * The rate in force on a date among a pair's rates: the latest `validFrom` on or before it (a later entry of the
 * same day supersedes an earlier one: rates are never edited, a new one is added). Null when none has started.
 */
export function rateInForce<R extends { validFrom: IsoDate; id: number }>(rates: readonly R[], date: IsoDate): R | null {
  let best: R | null = null;
  for (const r of rates) {
    if (r.validFrom > date) continue;
    if (!best || r.validFrom > best.validFrom || (r.validFrom === best.validFrom && r.id > best.id)) best = r;
  }
  return best;
}

/** An exchange rate as stored (`exchange_rates`): what the rate routes answer and the operations read. */
export interface ExchangeRateRow {
  id: number;
  baseCurrency: string;
  quotedCurrency: string;
  /** Exact decimal text with 4 decimals. */
  rate: string;
  nominal: number;
  validFrom: IsoDate;
  createdBy: number | null;
  createdAt: string;
}
