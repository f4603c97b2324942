import type { TransactionSql } from 'postgres';
import { AppError } from '../../domain/errors';
import { chargesPaid } from '../charges/charges';
import { postLedgerEntry } from '../ledger/ledger';

/**
 * The low-level moves of an order's money and status, shared by the order activities and merged payments.
 * Every function runs inside the caller's transaction.
 */
export interface OrderRow {
  id: number;
  number: string;
  status: string;
  client_id: number;
  subscription_id: number | null;
  plan_id: number;
  plan_period_id: number;
  payment_model: 'prepay' | 'postpay';
  currency: string;
  amount: string;
  subscription_name: string | null;
  deferred: boolean;
}

export interface PaymentRow {
  id: number;
  number: string;
  status: string;
  amount: string;
  merged_into_id: number | null;
}

export const paidPaymentStatuses = ['completed', 'paid_from_balance'];

/** Where a paid order goes: a deferred renewal waits for its provisioning date (spec 01 §12.4). */
export const paidStatus = (order: OrderRow) => (order.deferred ? 'awaiting_provisioning' : 'provisioning');

export async function lockOrder(tx: TransactionSql, orderId: number): Promise<OrderRow> {
  const [order] = await tx<OrderRow[]>`select * from orders where id = ${orderId} for update`;
  if (!order) throw new AppError('order_not_found', `order ${orderId} does not exist`);
  return order;
}

/** The order's own payment (the latest), locked. */
export async function orderPayment(tx: TransactionSql, orderId: number): Promise<PaymentRow | undefined> {
  const [payment] = await tx<PaymentRow[]>`
    select id, number, status, amount, merged_into_id from payments where order_id = ${orderId} and type = 'order'
    order by id desc limit 1 for update`;
  return payment;
}

/**
 * The payment that paid the order, with the order's share of it: its own payment, or the merged payment
 * that took it over (spec 02 §2.11), whose share is the order's own payment amount.
 */
export async function payingPayment(tx: TransactionSql, orderId: number): Promise<PaymentRow | undefined> {
  const own = await orderPayment(tx, orderId);
  if (!own || own.merged_into_id === null) return own;
  const [merged] = await tx<PaymentRow[]>`
    select id, number, status, ${own.amount}::text as amount, merged_into_id from payments where id = ${own.merged_into_id} for update`;
  return merged;
}

export async function setOrderStatus(tx: TransactionSql, orderId: number, status: string, reason: string | null = null) {
  const closing = status === 'completed' || status === 'cancelled';
  await tx`
    update orders set status = ${status}, status_reason = ${reason}, updated_at = now(),
           closed_at = case when ${closing} then coalesce(closed_at, now()) else closed_at end
    where id = ${orderId}`;
}

/**
 * The order's money is settled: its amount leaves the balance once (by the order's key), its charges are
 * paid and it moves on. The caller has locked the order and, for a payment from outside, credited the money.
 */
export async function settleOrder(
  tx: TransactionSql,
  order: OrderRow,
  { paymentId, description, amount = Number(order.amount) }: { paymentId: number; description: string; amount?: number },
): Promise<{ balanceAfter: number }> {
  const { balanceAfter } = await postLedgerEntry(tx, {
    clientId: order.client_id,
    kind: 'order_paid',
    amount: -amount,
    currency: order.currency,
    description,
    idempotencyKey: `order-paid/${order.id}`,
    paymentId,
    orderId: order.id,
  });
  await chargesPaid(tx, order.id);
  await setOrderStatus(tx, order.id, paidStatus(order));
  return { balanceAfter };
}
