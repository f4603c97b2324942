import type { Sql } from '../../db/client';
import { AppError } from '../../domain/errors';
import { logEvent } from '../event-log/event-log';
import type { LoadedPayment } from './loaded-payment';

export interface CancelPaymentInput {
  payment: LoadedPayment;
  reason: string;
  by: number;
}

/**
 * Asks the order's scenario to cancel its order (the caller sends the update and waits for it); the scenario cancels
 * the order's payment with it (architecture rule 2: an order's state is its scenario's business).
 */
export type CancelOrderThroughScenario = (orderId: number) => Promise<void>;

/**
 * Cancels a waiting payment. An order's payment is cancelled by cancelling its order; a merged payment cancels its
 * orders still awaiting payment (spec 02 §2.10), and then itself if the last order did not; a top-up just ends.
 */
export async function cancelPayment(sql: Sql, { payment, reason, by }: CancelPaymentInput, cancelOrder: CancelOrderThroughScenario): Promise<void> {
  if (payment.status !== 'waiting_for_payment') throw new AppError('payment_not_cancellable', `payment ${payment.number} is ${payment.status}`);
  if (payment.type === 'postpay_services') throw new AppError('payment_type_not_cancellable', 'a payment for rendered services cannot be cancelled');
  if (payment.orderId !== null) return cancelOrder(payment.orderId);
  if (payment.merged) {
    for (const orderId of payment.mergedOrderIds) {
      const [order] = await sql<Array<{ status: string }>>`select status from orders where id = ${orderId}`;
      if (order?.status !== 'awaiting_payment') continue;
      await cancelOrder(orderId);
    }
  }
  await sql.begin(async (tx) => {
    await tx`update payments set status = 'cancelled', closed_at = now(), updated_at = now() where id = ${payment.id} and status = 'waiting_for_payment'`;
    await logEvent(tx, { actorId: by, viaApi: true, entityKind: 'payment', entityId: payment.id, action: 'cancelled', reason });
  });
}
