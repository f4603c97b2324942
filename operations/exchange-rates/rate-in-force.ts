import type { Db } from '../../db/client';
import type { IsoDate } from '../../domain/dates';
import { AppError } from '../../domain/errors';
import { identityExchange, type Exchange, type ExchangeRateRow } from '../../domain/exchange';

export type { ExchangeRateRow };

/**
 * The rate of a pair in force on a date: the latest `valid_from` on or before it, a later entry of the same day
 * superseding an earlier one (domain/exchange.ts rateInForce says the same in memory). Null when none has started.
 */
export async function findRateInForce(db: Db, baseCurrency: string, quotedCurrency: string, date: IsoDate): Promise<ExchangeRateRow | null> {
  const [row] = await db<ExchangeRateRow[]>`
    select id, base_currency as "baseCurrency", quoted_currency as "quotedCurrency", rate::text as rate, nominal,
           valid_from::text as "validFrom", created_by as "createdBy", created_at as "createdAt"
    from exchange_rates
    where base_currency = ${baseCurrency} and quoted_currency = ${quotedCurrency} and valid_from <= ${date}::date
    order by valid_from desc, id desc limit 1`;
  return row ?? null;
}

/**
 * How an order priced in `planCurrency` is charged to a client paying in `clientCurrency` on `date` (spec 02
 * §4.13): rate 1 for the same currency, else the operator's rate in force. Without one the order is refused with
 * `exchange_rate_missing`, before anything is written. (The manual's "all rates are 1 by default" is not taken: a
 * silent 1 USD = 1 RUB would undercharge by two orders of magnitude; the operator sets the rate first.)
 */
export async function exchangeFor(db: Db, clientCurrency: string, planCurrency: string, date: IsoDate): Promise<Exchange> {
  if (clientCurrency === planCurrency) return identityExchange(clientCurrency);
  const found = await findRateInForce(db, clientCurrency, planCurrency, date);
  if (!found) {
    throw new AppError(
      'exchange_rate_missing',
      `no exchange rate ${clientCurrency} per ${planCurrency} is in force on ${date}: the client pays in ${clientCurrency} and the plan is priced in ${planCurrency}; add the rate first`,
      { baseCurrency: clientCurrency, quotedCurrency: planCurrency, date },
    );
  }
  return { planCurrency, clientCurrency, rate: found.rate, nominal: found.nominal };
}
