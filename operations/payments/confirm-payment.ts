import type { Sql } from '../../db/client';
import { AppError } from '../../domain/errors';
import { confirmMergedPayment } from './confirm-merged-payment';
import { confirmPostpayPayment } from './confirm-postpay-payment';
import { confirmTopUp } from './confirm-top-up';
import type { LoadedPayment } from './loaded-payment';

export interface ConfirmPaymentInput {
  payment: LoadedPayment;
  method: 'bank_transfer' | 'cash' | 'card' | 'other';
  by: number;
}

/**
 * What the confirmation did. An order's own payment is the order scenario's business (architecture rule 2): it is
 * not confirmed here, the caller asks that scenario. Otherwise the money is in, and the caller tells the scenarios of
 * the orders it paid and unblocks the subscriptions it released.
 */
export type PaymentConfirmation =
  | { kind: 'confirmed'; paidOrderIds: number[]; releasedSubscriptionIds: number[] }
  | { kind: 'ask_order_scenario'; orderId: number };

/** Payment statuses an operator may confirm an order's payment from (an invoice may be on its way). */
const confirmableOrderPaymentStatuses = ['waiting_for_payment', 'invoice_sent', 'invoice_preparing'];

/** An operator confirms a payment received by cash or bank transfer: each kind of payment is settled its own way. */
export async function confirmPayment(sql: Sql, { payment, method, by }: ConfirmPaymentInput): Promise<PaymentConfirmation> {
  const input = { paymentId: payment.id, method, by };
  // An overdue payment for rendered services can still be paid (and releases its subscriptions).
  if (payment.type === 'postpay_services') return { kind: 'confirmed', paidOrderIds: [], ...(await confirmPostpayPayment(sql, input)) };
  if (payment.type === 'manual_topup') {
    await confirmTopUp(sql, input);
    return { kind: 'confirmed', paidOrderIds: [], releasedSubscriptionIds: [] };
  }
  if (!confirmableOrderPaymentStatuses.includes(payment.status)) {
    throw new AppError('payment_not_confirmable', `payment ${payment.number} is ${payment.status}`);
  }
  if (payment.merged) return { kind: 'confirmed', ...(await confirmMergedPayment(sql, input)), releasedSubscriptionIds: [] };
  if (payment.type !== 'order' || payment.orderId === null) {
    throw new AppError('payment_type_not_confirmable', `payments of type ${payment.type} are confirmed on creation`);
  }
  // An order on a subscription deleted in the meantime (expired and not renewed) can no longer be provided.
  const [gone] = await sql`
    select 1 from orders o join subscriptions s on s.id = o.subscription_id where o.id = ${payment.orderId} and s.status in ('deleting', 'deleted')`;
  if (gone) throw new AppError('subscription_deleted', `the subscription of this order is deleted; cancel payment ${payment.number} instead`);
  return { kind: 'ask_order_scenario', orderId: payment.orderId };
}
