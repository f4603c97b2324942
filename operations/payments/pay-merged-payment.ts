import type { TransactionSql } from 'postgres';
import { logEvent } from '../event-log/event-log';
import { postLedgerEntry } from '../ledger/ledger';
import { lockOrder, paidPaymentStatuses, settleOrder, type OrderRow } from '../orders/order-settlement';
import { PaymentMergeError } from './merge-payments';
import { mergedOrderIds } from './merged-order-ids';
import { applyTopUpMoney } from './receive-top-up';

/** How a merged payment is paid: from the client's balance, or by money an operator (or nobody: null) confirmed. */
export type PayVia = { kind: 'balance' } | { kind: 'confirmed'; method: string; by: number | null };

export interface PayMergedPaymentInput {
  paymentId: number;
  via: PayVia;
}

export interface MergedPaymentPaid {
  paid: boolean;
  /** The orders now paid, for their scenarios to be told. */
  orderIds: number[];
  reason?: string;
}

interface MergedPaymentRow {
  id: number;
  number: string;
  client_id: number;
  status: string;
  amount: string;
  currency: string;
  merged: boolean;
}

/** The merged payment's orders still awaiting payment (locked), and the sum of the top-ups merged into it. */
async function lockParts(tx: TransactionSql, paymentId: number, orderIds: number[]) {
  const parts = await tx<Array<{ type: string; amount: string }>>`
    select type, amount::text from payments where merged_into_id = ${paymentId} and not merged`;
  const topUps = parts.filter((p) => p.type === 'manual_topup').reduce((sum, p) => sum + Number(p.amount), 0);
  const orders: OrderRow[] = [];
  for (const id of orderIds) {
    const order = await lockOrder(tx, id);
    if (order.status === 'awaiting_payment') orders.push(order);
  }
  return { topUps, orders };
}

/**
 * The money comes in: money received is credited (by the payment's key); from the balance, nothing moves yet, but
 * the balance must cover the orders and a merged payment with a top-up in it is never paid from the balance. Returns
 * the balance after, or why the payment cannot be paid.
 */
async function takeMoney(tx: TransactionSql, payment: MergedPaymentRow, via: PayVia, topUps: number, ordersTotal: number): Promise<{ balanceAfter: number } | { refused: string }> {
  if (via.kind === 'balance') {
    if (topUps > 0) return { refused: `payment ${payment.number} holds a top-up, which is never paid from the balance` };
    const [client] = await tx<Array<{ balance: string }>>`select balance from clients where id = ${payment.client_id} for no key update`;
    if (Number(client!.balance) < ordersTotal) return { refused: 'the balance does not cover the merged payment' };
    return { balanceAfter: Number(client!.balance) };
  }
  return postLedgerEntry(tx, {
    clientId: payment.client_id,
    kind: 'payment_received',
    amount: Number(payment.amount),
    currency: payment.currency,
    description: `Merged payment ${payment.number} received (${via.method})`,
    idempotencyKey: `payment-received/${payment.id}`,
    paymentId: payment.id,
  });
}

/**
 * Pays a merged payment (spec 02 §2.11): from the balance (when it covers every order in it) or by money received.
 * Every order in it is settled in the caller's transaction. Idempotent: a payment already paid answers paid with its
 * orders and moves nothing.
 */
export async function payMergedPayment(tx: TransactionSql, { paymentId, via }: PayMergedPaymentInput): Promise<MergedPaymentPaid> {
  const [payment] = await tx<MergedPaymentRow[]>`
    select id, number, client_id, status, amount::text, currency, merged from payments where id = ${paymentId} for update`;
  if (!payment?.merged) throw new PaymentMergeError('payment_not_merged', `payment ${payment?.number ?? paymentId} is not a merged payment`);
  const orderIds = await mergedOrderIds(tx, paymentId);
  if (paidPaymentStatuses.includes(payment.status)) return { paid: true, orderIds };
  if (payment.status !== 'waiting_for_payment') return { paid: false, orderIds: [], reason: `payment ${payment.number} is ${payment.status}` };
  const { topUps, orders } = await lockParts(tx, paymentId, orderIds);
  const money = await takeMoney(tx, payment, via, topUps, orders.reduce((sum, o) => sum + Number(o.amount), 0));
  if ('refused' in money) return { paid: false, orderIds: [], reason: money.refused };
  let { balanceAfter } = money;
  for (const order of orders) {
    ({ balanceAfter } = await settleOrder(tx, order, {
      paymentId,
      description: `Order ${order.number} paid by merged payment ${payment.number}${via.kind === 'balance' ? ' from balance' : ''}`,
    }));
  }
  const confirmed = via.kind === 'confirmed';
  await tx`
    update payments set status = ${confirmed ? 'completed' : 'paid_from_balance'}, method = ${confirmed ? via.method : 'balance'},
           confirmed_by = ${confirmed ? via.by : null}, balance_after = ${balanceAfter}, closed_at = now(), updated_at = now()
    where id = ${paymentId}`;
  // The top-ups merged in do what a top-up paid alone does: cover promised payments, apply the license renewals on them.
  if (confirmed && topUps > 0) await applyTopUpMoney(tx, { paymentId, clientId: payment.client_id, amount: topUps, by: via.by, now: new Date() });
  await logEvent(tx, {
    actorId: confirmed ? via.by : null,
    entityKind: 'payment',
    entityId: paymentId,
    action: confirmed ? 'confirmed' : 'paid_from_balance',
    changes: { status: ['waiting_for_payment', confirmed ? 'completed' : 'paid_from_balance'], orders: orders.map((o) => o.number) },
    dedupeKey: `merged-payment-paid/${paymentId}`,
  });
  return { paid: true, orderIds };
}
