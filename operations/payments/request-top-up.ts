import type { Db } from '../../db/client';
import { AppError } from '../../domain/errors';
import { nextDocumentNumber } from '../documents/next-document-number';
import { logEvent, type EventEntry } from '../event-log/event-log';

/** Who asked for the top-up: a staff member, or a client user in the client panel. */
export type TopUpActor = Pick<EventEntry, 'actorId' | 'actorKind'>;

export interface WaitingTopUp {
  clientId: number;
  amount: number;
  currency: string;
  comment: string | null;
  actor: TopUpActor;
}

/** Writes a top-up payment that waits for the money, with its event; shared by every way one is asked for. */
export async function insertWaitingTopUp(db: Db, { clientId, amount, currency, comment, actor }: WaitingTopUp): Promise<{ paymentId: number; number: string }> {
  const number = await nextDocumentNumber(db, 'payment');
  const [row] = await db<Array<{ id: number }>>`
    insert into payments (number, client_id, type, status, amount, currency, comment)
    values (${number}, ${clientId}, 'manual_topup', 'waiting_for_payment', ${amount}, ${currency}, ${comment}) returning id`;
  await logEvent(db, { ...actor, viaApi: true, entityKind: 'payment', entityId: row!.id, action: 'created', changes: { number, amount } });
  return { paymentId: row!.id, number };
}

export interface RequestTopUpInput {
  clientId: number;
  amount: number;
  comment?: string;
  actor: TopUpActor;
}

/** Spec 02 §2.5: a top-up payment that waits for the money, in the client's currency; confirmed when it arrives. */
export async function requestTopUp(db: Db, { clientId, amount, comment, actor }: RequestTopUpInput): Promise<{ paymentId: number }> {
  const [client] = await db<Array<{ status: string; currency: string }>>`select status, currency from clients where id = ${clientId}`;
  if (!client) throw new AppError('not_found', `client ${clientId} does not exist`);
  if (client.status === 'deleted') throw new AppError('client_deleted', `client ${clientId} is deleted`);
  return insertWaitingTopUp(db, { clientId, amount, currency: client.currency, comment: comment ?? null, actor });
}
