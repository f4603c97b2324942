import type { Db } from '../db/client';
import type { IsoDate } from '../domain/dates';
import type { ExchangeRateRow } from '../domain/exchange';

export interface ExchangeRateFilter {
  baseCurrency?: string;
  quotedCurrency?: string;
  /** Only the rates in force on this date (one per pair); otherwise the whole history. */
  onDate?: IsoDate;
  limit: number;
  /** Keyset paging: the last id of the previous page. */
  after?: number;
}


/**
 * The operator's exchange rates (spec 02 §4.13), newest entry first: a pair's history, or with `onDate` the rate of
 * each pair in force that day. Reads `limit + 1` rows so the caller can tell whether a page follows.
 */
export async function listExchangeRates(sql: Db, f: ExchangeRateFilter): Promise<ExchangeRateRow[]> {
  const base = f.baseCurrency ?? null;
  const quoted = f.quotedCurrency ?? null;
  const onDate = f.onDate ?? null;
  const after = f.after ?? null;
  return sql<ExchangeRateRow[]>`
    select id, base_currency as "baseCurrency", quoted_currency as "quotedCurrency", rate::text as rate, nominal,
           valid_from::text as "validFrom", created_by as "createdBy", created_at as "createdAt"
    from exchange_rates r
    where (${base}::text is null or base_currency = ${base})
      and (${quoted}::text is null or quoted_currency = ${quoted})
      and (${after}::int is null or id < ${after})
      and (${onDate}::date is null or id = (
        select x.id from exchange_rates x
        where x.base_currency = r.base_currency and x.quoted_currency = r.quoted_currency and x.valid_from <= ${onDate}::date
        order by x.valid_from desc, x.id desc limit 1))
    order by id desc limit ${f.limit + 1}`;
}
