import type { Sql } from '../../db/client';
import { AppError } from '../../domain/errors';
import { nextDocumentNumber } from '../documents/next-document-number';
import { logEvent } from '../event-log/event-log';
import { receiveTopUp } from '../payments/receive-top-up';

export interface ClientTopUp {
  clientId: number;
  amount: number;
  method: string;
  comment?: string | undefined;
  /** The staff member who records it. */
  by: number;
}

/**
 * A top-up recorded by staff is a payment confirmed on creation: money in, ledger credited, in one transaction
 * (receiveTopUp). A deleted client takes no money.
 */
export async function topUpClient(sql: Sql, { clientId, amount, method, comment, by }: ClientTopUp) {
  const [client] = await sql<Array<{ status: string; currency: string }>>`select status, currency from clients where id = ${clientId}`;
  if (!client) throw new AppError('not_found', `client ${clientId} does not exist`);
  if (client.status === 'deleted') throw new AppError('client_deleted', `client ${clientId} is deleted`);
  const number = await nextDocumentNumber(sql, 'payment');
  return sql.begin(async (tx) => {
    const [p] = await tx<Array<{ id: number }>>`
      insert into payments (number, client_id, type, status, amount, currency, comment)
      values (${number}, ${clientId}, 'manual_topup', 'waiting_for_payment', ${amount}, ${client.currency}, ${comment ?? null})
      returning id`;
    const { balanceAfter } = await receiveTopUp(tx, { paymentId: p!.id, number, clientId, amount, currency: client.currency, method, by });
    await logEvent(tx, { actorId: by, viaApi: true, entityKind: 'payment', entityId: p!.id, action: 'top_up', changes: { amount, balanceAfter } });
    return { id: p!.id, number, status: 'completed' as const, amount, balanceAfter };
  });
}
