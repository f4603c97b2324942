import type { Sql } from '../../db/client';
import { addDays, type IsoDate } from '../../domain/dates';
import { AppError } from '../../domain/errors';
import { grantPromisedPayment } from './promised-payments';

export interface PromisedPaymentRequest {
  clientId: number;
  amount: number;
  /** The last day it may be used; the next billing run revokes it. */
  expiresOn: IsoDate;
  comment?: string | undefined;
  /** Beyond the service rule's limit or period: administrators only (audited). */
  override: boolean;
  by: { id: number; role: string };
}

/**
 * Spec 02 §3, decision 24: a staff member credits virtual money until a date, within the client's service rule (its
 * limit over every promised payment in use, its number of days from `today`) unless an administrator overrides it.
 * The client is locked while the limit is checked and the payment granted. Returns its id.
 */
export async function providePromisedPayment(sql: Sql, input: PromisedPaymentRequest, today: IsoDate): Promise<number> {
  const { clientId } = input;
  if (input.override && input.by.role !== 'admin') throw new AppError('forbidden', 'only administrators may go beyond the service rule');
  if (input.expiresOn < today) throw new AppError('promised_payment_period', `the expiry date ${input.expiresOn} has passed`);
  const created = await sql.begin(async (tx) => {
    const [client] = await tx<Array<{ status: string; currency: string; limit: string; days: number; used: string }>>`
      select c.status, c.currency, r.promised_payment_limit::text as limit, r.promised_payment_days as days,
             (select coalesce(sum(amount), 0) from promised_payments where client_id = c.id and status in ('provided', 'provided_by_topup'))::text as used
      from clients c join service_rules r on r.id = c.service_rule_id where c.id = ${clientId} for no key update of c`;
    if (!client) throw new AppError('not_found', `client ${clientId} does not exist`);
    if (client.status === 'deleted') throw new AppError('client_deleted', `client ${clientId} is deleted`);
    if (!input.override) {
      if (Number(client.used) + input.amount > Number(client.limit)) {
        throw new AppError('promised_payment_limit', `the service rule allows promised payments up to ${client.limit} in all; ${client.used} is in use`);
      }
      const last = addDays(today, client.days);
      if (input.expiresOn > last) throw new AppError('promised_payment_period', `the service rule allows promised payments for ${client.days} days, until ${last}`);
    }
    return grantPromisedPayment(tx, { clientId, amount: input.amount, currency: client.currency, expiresOn: input.expiresOn, comment: input.comment ?? null, by: input.by.id, overridden: input.override });
  });
  return created.id;
}
