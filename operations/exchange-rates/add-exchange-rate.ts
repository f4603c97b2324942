import type { Sql } from '../../db/client';
import type { IsoDate } from '../../domain/dates';
import { checkExchangeRate } from '../../domain/exchange';
import { logEvent } from '../event-log/event-log';
import type { ExchangeRateRow } from './rate-in-force';

export interface AddExchangeRateInput {
  /** The client's (operator's) currency: what the rate is counted in. */
  baseCurrency: string;
  /** The plan's currency: what `nominal` units of are priced. */
  quotedCurrency: string;
  /** Decimal text, at most 4 decimals, > 0. */
  rate: string;
  nominal: number;
  validFrom: IsoDate;
  /** The staff member who set it. */
  by: number;
}

/**
 * Adds a rate of a pair (spec 02 §4.13, seed manual 8.7.2.1): checked (ISO 4217 codes, distinct; rate > 0 with at
 * most 4 decimals; nominal 1..1 000 000) before anything is written. It never edits an older rate: it supersedes
 * it from `validFrom` on; orders already placed keep the rate they were charged at.
 */
export async function addExchangeRate(sql: Sql, input: AddExchangeRateInput): Promise<ExchangeRateRow> {
  const checked = checkExchangeRate({ clientCurrency: input.baseCurrency, planCurrency: input.quotedCurrency, rate: input.rate, nominal: input.nominal });
  return sql.begin(async (tx) => {
    const [row] = await tx<ExchangeRateRow[]>`
      insert into exchange_rates (base_currency, quoted_currency, rate, nominal, valid_from, created_by)
      values (${checked.clientCurrency}, ${checked.planCurrency}, ${checked.rate}, ${checked.nominal}, ${input.validFrom}, ${input.by})
      returning id, base_currency as "baseCurrency", quoted_currency as "quotedCurrency", rate::text as rate, nominal,
                valid_from::text as "validFrom", created_by as "createdBy", created_at as "createdAt"`;
    await logEvent(tx, {
      actorId: input.by,
      viaApi: true,
      entityKind: 'exchange_rate',
      entityId: row!.id,
      action: 'created',
      changes: { pair: `${checked.clientCurrency}/${checked.planCurrency}`, rate: checked.rate, nominal: checked.nominal, validFrom: input.validFrom },
    });
    return row!;
  });
}
