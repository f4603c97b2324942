import type { Db, Sql } from '../../db/client';
import type { IsoDate } from '../../domain/dates';
import { AppError } from '../../domain/errors';
import { checkExchangeRate, identityExchange, type Exchange } from '../../domain/exchange';
import { rootResellerId } from '../../domain/resellers';
import { logEvent } from '../event-log/event-log';
import { findRateInForce } from './rate-in-force';

/**
 * A reseller's effective rate of a pair on a date (spec 05 §4.9 rules 3-4, Q8 taken as written): its own rate
 * ("Set own") when one has started, else the root's. A parent's override does not reach its children. Null when
 * neither exists; rate 1 for the same currency.
 */
export async function resellerExchange(db: Db, resellerId: number, baseCurrency: string, quotedCurrency: string, date: IsoDate): Promise<Exchange | null> {
  if (baseCurrency === quotedCurrency) return identityExchange(baseCurrency);
  const [own] = await db<Array<{ rate: string; nominal: number }>>`
    select rate::text as rate, nominal from reseller_exchange_rates
    where reseller_id = ${resellerId} and base_currency = ${baseCurrency} and quoted_currency = ${quotedCurrency} and valid_from <= ${date}::date
    order by valid_from desc, id desc limit 1`;
  const found = own ?? (await findRateInForce(db, baseCurrency, quotedCurrency, date));
  return found ? { clientCurrency: baseCurrency, planCurrency: quotedCurrency, rate: found.rate, nominal: found.nominal } : null;
}

export interface OwnRateInput {
  baseCurrency: string;
  quotedCurrency: string;
  rate: string;
  nominal: number;
  validFrom: IsoDate;
}

/** "Set own" (seed 8.7.2.3): a rate of the caller's reseller only. The root's rates are `exchange_rates`. */
export async function setOwnExchangeRate(sql: Sql, input: OwnRateInput, by: { staffId: number; resellerId: number }): Promise<number> {
  if (by.resellerId === rootResellerId) throw new AppError('invalid_reference', "the operator's rates are the root rates (POST /exchange-rates)");
  const checked = checkExchangeRate({ clientCurrency: input.baseCurrency, planCurrency: input.quotedCurrency, rate: input.rate, nominal: input.nominal });
  return sql.begin(async (tx) => {
    const [row] = await tx<Array<{ id: number }>>`
      insert into reseller_exchange_rates (reseller_id, base_currency, quoted_currency, rate, nominal, valid_from, created_by)
      values (${by.resellerId}, ${checked.clientCurrency}, ${checked.planCurrency}, ${checked.rate}, ${checked.nominal}, ${input.validFrom}, ${by.staffId})
      returning id`;
    await logEvent(tx, { actorId: by.staffId, viaApi: true, entityKind: 'exchange_rate', entityId: row!.id, action: 'own_rate_set', changes: { resellerId: by.resellerId, pair: `${checked.clientCurrency}/${checked.planCurrency}`, rate: checked.rate } });
    return row!.id;
  });
}
