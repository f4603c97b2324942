import type { Sql } from '../../db/client';
import { deleteOrderCharges } from '../charges/charges';
import { postLedgerEntry } from '../ledger/ledger';
import { lockOrder, paidPaymentStatuses, payingPayment } from './order-settlement';

export interface OrderRefund {
  refunded: number;
  /** What the charges the billing run has already closed keep of the payment. */
  consumed?: number;
  balanceAfter?: number;
}

/**
 * Compensation: money paid for an order that is cancelled goes back to the client's balance, once (by the
 * order's key), less what charges the billing run has already closed keep (see `deleteOrderCharges`).
 * The order's other charges are deleted. A re-run finds the refund posted and moves nothing.
 */
export async function refundOrderPayment(sql: Sql, { orderId }: { orderId: number }): Promise<OrderRefund> {
  return sql.begin(async (tx) => {
    const order = await lockOrder(tx, orderId);
    const payment = await payingPayment(tx, orderId);
    if (!payment || !paidPaymentStatuses.includes(payment.status)) return { refunded: 0 };
    const consumed = await deleteOrderCharges(tx, orderId);
    // What the order's settlement debited is its amount (a payment rounded up, spec 02 §13.3, left the rest on the
    // balance already), so that is what comes back.
    const amount = Number(order.amount) - consumed;
    if (amount <= 0) return { refunded: 0, consumed };
    const { applied, balanceAfter } = await postLedgerEntry(tx, {
      clientId: order.client_id,
      kind: 'order_refund',
      amount,
      currency: order.currency,
      description: `Order ${order.number} cancelled: payment ${payment.number} returned to the balance${consumed > 0 ? ` less ${consumed} of charges already closed` : ''}`,
      idempotencyKey: `order-refund/${orderId}`,
      paymentId: payment.id,
      orderId,
    });
    return { refunded: applied ? amount : 0, consumed, balanceAfter };
  });
}
