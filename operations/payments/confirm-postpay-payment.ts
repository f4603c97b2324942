import type { Sql } from '../../db/client';
import { AppError } from '../../domain/errors';
import { overdueUnblockCandidates } from '../documents/acts';
import { logEvent } from '../event-log/event-log';
import { postLedgerEntry } from '../ledger/ledger';

export interface ConfirmPostpayPaymentInput {
  paymentId: number;
  method: string;
  by: number;
}

/**
 * Spec 01 §15.4: a payment for rendered services arrived (an overdue one too). The money comes in and pays the act
 * at once (two ledger rows by the payment's keys, the balance unchanged). Returns the subscriptions blocked for an
 * overdue payment that may come back now (no other blocking condition holds), for the caller to unblock.
 */
export async function confirmPostpayPayment(sql: Sql, { paymentId, method, by }: ConfirmPostpayPaymentInput): Promise<{ releasedSubscriptionIds: number[] }> {
  await sql.begin(async (tx) => {
    const [p] = await tx<Array<{ client_id: number; amount: string; currency: string; status: string; number: string }>>`
      select client_id, amount::text, currency, status, number from payments where id = ${paymentId} for update`;
    if (!p || (p.status !== 'waiting_for_payment' && p.status !== 'overdue')) throw new AppError('payment_not_confirmable', `payment ${p?.number ?? paymentId} is ${p?.status}`);
    const amount = Number(p.amount);
    await postLedgerEntry(tx, { clientId: p.client_id, kind: 'payment_received', amount, currency: p.currency, description: `Payment ${p.number} received (${method})`, idempotencyKey: `payment-received/${paymentId}`, paymentId });
    const { balanceAfter } = await postLedgerEntry(tx, { clientId: p.client_id, kind: 'charge_closed', amount: -amount, currency: p.currency, description: `Payment for postpay services ${p.number}`, idempotencyKey: `postpay-paid/${paymentId}`, paymentId });
    await tx`update payments set status = 'completed', method = ${method}, confirmed_by = ${by}, balance_after = ${balanceAfter}, closed_at = now(), updated_at = now() where id = ${paymentId}`;
    await logEvent(tx, { actorId: by, viaApi: true, entityKind: 'payment', entityId: paymentId, action: 'confirmed', changes: { status: [p.status, 'completed'], method } });
  });
  return { releasedSubscriptionIds: await overdueUnblockCandidates(sql) };
}
