import type { Sql } from '../../db/client';
import { AppError } from '../../domain/errors';
import { logEvent } from '../event-log/event-log';
import { postLedgerEntry } from '../ledger/ledger';
import { lockOrder, orderPayment, paidPaymentStatuses, settleOrder } from '../orders/order-settlement';

export interface ConfirmOrderPaymentInput {
  orderId: number;
  method: string;
  by: number | null;
}

/**
 * An operator confirmed the order's payment (cash, bank transfer, ...), asked through the order's scenario: money in
 * (by the payment's key), order paid. Idempotent: a payment already paid answers its status and moves nothing.
 */
export async function confirmOrderPayment(sql: Sql, { orderId, method, by }: ConfirmOrderPaymentInput): Promise<{ paymentId: number; status: string }> {
  return sql.begin(async (tx) => {
    const order = await lockOrder(tx, orderId);
    const payment = await orderPayment(tx, orderId);
    if (!payment) throw new AppError('payment_missing', `order ${order.number} has no payment`);
    if (paidPaymentStatuses.includes(payment.status)) return { paymentId: payment.id, status: payment.status };
    if (payment.status === 'cancelled' || order.status !== 'awaiting_payment') {
      throw new AppError('payment_not_confirmable', `payment ${payment.number} is ${payment.status}`);
    }
    const amount = Number(payment.amount);
    await postLedgerEntry(tx, {
      clientId: order.client_id,
      kind: 'payment_received',
      amount,
      currency: order.currency,
      description: `Payment ${payment.number} received (${method})`,
      idempotencyKey: `payment-received/${payment.id}`,
      paymentId: payment.id,
      orderId,
    });
    // The order's amount leaves the balance, not the payment's: a payment rounded up (spec 02 §13.3) leaves the
    // difference on the balance (decision 26).
    const { balanceAfter } = await settleOrder(tx, order, { paymentId: payment.id, description: `Order ${order.number} paid by payment ${payment.number}` });
    await tx`
      update payments set status = 'completed', method = ${method}, confirmed_by = ${by},
             balance_after = ${balanceAfter}, closed_at = now(), updated_at = now()
      where id = ${payment.id}`;
    await logEvent(tx, {
      actorId: by,
      entityKind: 'payment',
      entityId: payment.id,
      action: 'confirmed',
      changes: { status: ['waiting_for_payment', 'completed'], method, order: order.number },
      dedupeKey: `payment-confirmed/${payment.id}`,
    });
    return { paymentId: payment.id, status: 'completed' };
  });
}
