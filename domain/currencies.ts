// Currencies: which codes the platform takes, and which currency a client can pay.
//
// The ISO 4217 list is kept here, not taken from a package or from Intl: it changes a few times a year, a
// reviewed list in the repository makes every process (API, workers of any Node version) agree on it, and
// ICU's list (Intl.supportedValuesOf('currency')) still carries withdrawn codes such as HRK and SLL. Update
// it with ISO 4217 amendments.

import { AppError } from './errors';

/**
 * ISO 4217 list one, the currencies in circulation (as of the amendments of 2025: XCG replaced ANG, ZWG replaced
 * ZWL, SLE replaced SLL; BGN left with Bulgaria's move to the euro on 2026-01-01). Left out on purpose: fund codes
 * (BOV, CHE, CHW, CLF, COU, MXV, USN, UYI, UYW), precious metals (XAU, XAG, XPD, XPT), bond-market units
 * (XBA-XBD), special drawing rights and similar (XDR, XSU, XUA), the testing code XTS and "no currency" XXX:
 * nobody pays a subscription in them.
 */
export const isoCurrencyCodes: readonly string[] = [
  'AED', 'AFN', 'ALL', 'AMD', 'AOA', 'ARS', 'AUD', 'AWG', 'AZN', 'BAM', 'BBD', 'BDT', 'BHD', 'BIF', 'BMD', 'BND',
  'BOB', 'BRL', 'BSD', 'BTN', 'BWP', 'BYN', 'BZD', 'CAD', 'CDF', 'CHF', 'CLP', 'CNY', 'COP', 'CRC', 'CUP', 'CVE',
  'CZK', 'DJF', 'DKK', 'DOP', 'DZD', 'EGP', 'ERN', 'ETB', 'EUR', 'FJD', 'FKP', 'GBP', 'GEL', 'GHS', 'GIP', 'GMD',
  'GNF', 'GTQ', 'GYD', 'HKD', 'HNL', 'HTG', 'HUF', 'IDR', 'ILS', 'INR', 'IQD', 'IRR', 'ISK', 'JMD', 'JOD', 'JPY',
  'KES', 'KGS', 'KHR', 'KMF', 'KPW', 'KRW', 'KWD', 'KYD', 'KZT', 'LAK', 'LBP', 'LKR', 'LRD', 'LSL', 'LYD', 'MAD',
  'MDL', 'MGA', 'MKD', 'MMK', 'MNT', 'MOP', 'MRU', 'MUR', 'MVR', 'MWK', 'MXN', 'MYR', 'MZN', 'NAD', 'NGN', 'NIO',
  'NOK', 'NPR', 'NZD', 'OMR', 'PAB', 'PEN', 'PGK', 'PHP', 'PKR', 'PLN', 'PYG', 'QAR', 'RON', 'RSD', 'RUB', 'RWF',
  'SAR', 'SBD', 'SCR', 'SDG', 'SEK', 'SGD', 'SHP', 'SLE', 'SOS', 'SRD', 'SSP', 'STN', 'SVC', 'SYP', 'SZL', 'THB',
  'TJS', 'TMT', 'TND', 'TOP', 'TRY', 'TTD', 'TWD', 'TZS', 'UAH', 'UGX', 'USD', 'UYU', 'UZS', 'VED', 'VES', 'VND',
  'VUV', 'WST', 'XAF', 'XCD', 'XCG', 'XOF', 'XPF', 'YER', 'ZAR', 'ZMW', 'ZWG',
];

const known = new Set(isoCurrencyCodes);

/** Whether the code names a currency in circulation (ISO 4217): 'EUR' yes, 'XYZ', 'eur' and 'XXX' no. */
export function isIsoCurrency(code: string): boolean {
  return known.has(code);
}

/**
 * An order is paid from (or owed to) the client's balance, which is kept in the client's currency; a plan priced in
 * another currency is converted at the operator's exchange rate (domain/exchange.ts, spec 02 §4.13). What no rate
 * can convert is refused here: a code that names no currency at all (a plan or client saved before codes were
 * checked). Whether a rate is in force is the operation's question (it needs the rates).
 */
export function requirePayableCurrency(clientCurrency: string, orderCurrency: string): void {
  if (!isIsoCurrency(orderCurrency) || !isIsoCurrency(clientCurrency)) {
    throw new AppError(
      'currency_mismatch',
      `the client pays in ${clientCurrency} and the plan is priced in ${orderCurrency}, which is not a currency in circulation: no rate converts it`,
    );
  }
}
