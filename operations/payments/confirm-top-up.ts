import type { Sql } from '../../db/client';
import { AppError } from '../../domain/errors';
import { logEvent } from '../event-log/event-log';
import { receiveTopUp } from './receive-top-up';

export interface ConfirmTopUpInput {
  paymentId: number;
  method: string;
  /** The staff member who confirmed the money. */
  by: number;
}

/** Spec 02 §2.5-2.6: a waiting top-up is confirmed: the balance is credited and promised payments are covered first. */
export async function confirmTopUp(sql: Sql, { paymentId, method, by }: ConfirmTopUpInput): Promise<void> {
  await sql.begin(async (tx) => {
    const [p] = await tx<Array<{ client_id: number; amount: string; currency: string; status: string; number: string }>>`
      select client_id, amount::text, currency, status, number from payments where id = ${paymentId} for update`;
    if (!p || p.status !== 'waiting_for_payment') throw new AppError('payment_not_confirmable', `payment ${p?.number ?? paymentId} is ${p?.status}`);
    // Credits the balance and applies what the money pays for (promised payments, license renewals invoiced on it).
    await receiveTopUp(tx, { paymentId, number: p.number, clientId: p.client_id, amount: Number(p.amount), currency: p.currency, method, by });
    await logEvent(tx, { actorId: by, viaApi: true, entityKind: 'payment', entityId: paymentId, action: 'confirmed', changes: { status: ['waiting_for_payment', 'completed'], method } });
  });
}
