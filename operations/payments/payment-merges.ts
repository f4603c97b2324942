import type { TransactionSql } from 'postgres';
import { nextDocumentNumber } from '../documents/next-document-number';
import { type Db, type Sql } from '../../db/client';
import { AppError } from '../../domain/errors';
import { logEvent } from '../event-log/event-log';
import { postLedgerEntry } from '../ledger/ledger';
import { lockOrder, paidPaymentStatuses, settleOrder } from '../orders/order-settlement';
import { coverPromisedPaymentsByTopUp } from './promised-payments';

/**
 * Merged payments (spec 02 §2.11): one payment for several waiting payments of one client. The merged
 * payments are cancelled with `merged_into_id` pointing at the new one and their orders stay awaiting
 * payment; paying the merged payment pays every order in it at once. Merging a merged payment again moves
 * its parts to the new one, so a part always points at the payment that carries it now.
 */

/** Orders whose scenario waits for a payment signal; a purchase is paid through its own scenario. */
const mergeableOrderTypes = ['renewal', 'prolongation', 'resource_change', 'plan_switch'];

export class PaymentMergeError extends AppError {}

interface Candidate {
  id: number;
  number: string;
  client_id: number;
  type: string;
  status: string;
  amount: string;
  currency: string;
  merged: boolean;
  order_id: number | null;
  order_type: string | null;
  order_status: string | null;
}

export interface MergedPayment {
  paymentId: number;
  number: string;
  amount: number;
  orderIds: number[];
}

/** The orders a merged payment pays for (its parts that are order payments). */
export async function mergedOrderIds(tx: Db, paymentId: number): Promise<number[]> {
  const rows = await tx<Array<{ order_id: number }>>`
    select order_id from payments where merged_into_id = ${paymentId} and not merged and order_id is not null order by order_id`;
  return rows.map((r) => r.order_id);
}

/**
 * Merges waiting payments of one client into a new waiting payment for their sum. Order payments of
 * renewal, prolongation, resource-change and plan-switch orders, top-ups and earlier merged payments may
 * be merged; payments for postpay services never (spec 02 §2.11), purchases are paid on their own.
 */
export async function mergePayments(
  tx: TransactionSql,
  { clientId, paymentIds, by, automatic }: { clientId: number; paymentIds: number[]; by: number | null; automatic: boolean },
): Promise<MergedPayment> {
  const ids = [...new Set(paymentIds)].sort((a, b) => a - b);
  if (ids.length < 2) throw new PaymentMergeError('merge_needs_two_payments', 'name at least two different waiting payments to merge');
  const [client] = await tx<Array<{ id: number }>>`select id from clients where id = ${clientId} for no key update`;
  if (!client) throw new PaymentMergeError('client_not_found', `client ${clientId} does not exist`);
  const rows = await tx<Candidate[]>`
    select p.id, p.number, p.client_id, p.type, p.status, p.amount::text, p.currency, p.merged, p.order_id,
           o.type as order_type, o.status as order_status
    from payments p left join orders o on o.id = p.order_id
    where p.id = any(${ids}::int[]) order by p.id for update of p`;
  const found = new Set(rows.map((r) => r.id));
  const missing = ids.filter((id) => !found.has(id));
  if (missing.length > 0) throw new PaymentMergeError('payment_not_found', `no payment ${missing.join(', ')}`);
  for (const p of rows) {
    if (p.client_id !== clientId) throw new PaymentMergeError('payment_of_another_client', `payment ${p.number} belongs to another client`);
    if (p.status !== 'waiting_for_payment') throw new PaymentMergeError('payment_not_waiting', `payment ${p.number} is ${p.status}; only waiting payments are merged`);
    if (p.type === 'postpay_services') throw new PaymentMergeError('payment_not_mergeable', `payment ${p.number} is for postpay services, which are never merged`);
    if (p.type === 'order' && !p.merged && (p.order_type === null || !mergeableOrderTypes.includes(p.order_type))) {
      throw new PaymentMergeError('payment_not_mergeable', `payment ${p.number} pays a ${p.order_type ?? 'missing'} order, which is paid on its own`);
    }
    if (p.type === 'order' && !p.merged && p.order_status !== 'awaiting_payment') {
      throw new PaymentMergeError('payment_not_waiting', `the order of payment ${p.number} is ${p.order_status}`);
    }
  }
  const currencies = new Set(rows.map((r) => r.currency));
  if (currencies.size > 1) throw new PaymentMergeError('currency_mismatch', `the payments are in different currencies (${[...currencies].join(', ')})`);
  if (!rows.some((r) => r.type === 'order')) throw new PaymentMergeError('merge_needs_an_order', 'a merged payment pays for at least one order; top-ups alone are not merged');

  const amount = rows.reduce((sum, r) => sum + Number(r.amount), 0);
  const number = await nextDocumentNumber(tx, 'payment');
  const [created] = await tx<Array<{ id: number }>>`
    insert into payments (number, client_id, type, status, amount, currency, merged, comment)
    values (${number}, ${clientId}, 'order', 'waiting_for_payment', ${amount}, ${rows[0]!.currency}, true,
            ${`${automatic ? 'Merged automatically' : 'Merged'}: ${rows.map((r) => r.number).join(', ')}`})
    returning id`;
  const mergedId = created!.id;
  const earlierMerged = rows.filter((r) => r.merged).map((r) => r.id);
  if (earlierMerged.length > 0) {
    await tx`update payments set merged_into_id = ${mergedId}, updated_at = now() where merged_into_id = any(${earlierMerged}::int[])`;
  }
  await tx`
    update payments set status = 'cancelled', merged_into_id = ${mergedId}, closed_at = now(), updated_at = now()
    where id = any(${ids}::int[])`;
  const orderIds = await mergedOrderIds(tx, mergedId);
  await logEvent(tx, {
    actorId: by,
    entityKind: 'payment',
    entityId: mergedId,
    action: 'merged',
    changes: { number, amount, automatic, payments: rows.map((r) => r.number), orders: orderIds },
  });
  return { paymentId: mergedId, number, amount, orderIds };
}

type PayVia = { kind: 'balance' } | { kind: 'confirmed'; method: string; by: number | null };

/**
 * Pays a merged payment: from the balance (when it covers every order in it; a merged payment with a
 * top-up in it is never paid from the balance, like a top-up) or by money received. Every order in it is
 * settled in the same transaction. Returns the orders now paid, for their scenarios to be told.
 */
export async function payMergedPayment(tx: TransactionSql, { paymentId, via }: { paymentId: number; via: PayVia }): Promise<{ paid: boolean; orderIds: number[]; reason?: string }> {
  const [payment] = await tx<Array<{ id: number; number: string; client_id: number; status: string; amount: string; currency: string; merged: boolean }>>`
    select id, number, client_id, status, amount::text, currency, merged from payments where id = ${paymentId} for update`;
  if (!payment?.merged) throw new PaymentMergeError('payment_not_merged', `payment ${payment?.number ?? paymentId} is not a merged payment`);
  const orderIds = await mergedOrderIds(tx, paymentId);
  if (paidPaymentStatuses.includes(payment.status)) return { paid: true, orderIds };
  if (payment.status !== 'waiting_for_payment') return { paid: false, orderIds: [], reason: `payment ${payment.number} is ${payment.status}` };
  const parts = await tx<Array<{ type: string; amount: string }>>`
    select type, amount::text from payments where merged_into_id = ${paymentId} and not merged`;
  const topUps = parts.filter((p) => p.type === 'manual_topup').reduce((sum, p) => sum + Number(p.amount), 0);
  const orders = [];
  for (const id of orderIds) {
    const order = await lockOrder(tx, id);
    if (order.status === 'awaiting_payment') orders.push(order);
  }
  const ordersTotal = orders.reduce((sum, o) => sum + Number(o.amount), 0);

  let balanceAfter: number;
  if (via.kind === 'balance') {
    if (topUps > 0) return { paid: false, orderIds: [], reason: `payment ${payment.number} holds a top-up, which is never paid from the balance` };
    const [client] = await tx<Array<{ balance: string }>>`select balance from clients where id = ${payment.client_id} for no key update`;
    if (Number(client!.balance) < ordersTotal) return { paid: false, orderIds: [], reason: 'the balance does not cover the merged payment' };
    balanceAfter = Number(client!.balance);
  } else {
    ({ balanceAfter } = await postLedgerEntry(tx, {
      clientId: payment.client_id,
      kind: 'payment_received',
      amount: Number(payment.amount),
      currency: payment.currency,
      description: `Merged payment ${payment.number} received (${via.method})`,
      idempotencyKey: `payment-received/${paymentId}`,
      paymentId,
    }));
  }
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
  if (confirmed && topUps > 0) await coverPromisedPaymentsByTopUp(tx, { clientId: payment.client_id, amount: topUps, by: via.by });
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

/**
 * An order in a merged payment was cancelled: the merged payment now asks for the rest, and is cancelled
 * itself when no order is left in it. Called inside the order's cancellation.
 */
export async function shrinkMergedPayment(tx: TransactionSql, orderId: number): Promise<void> {
  const [merged] = await tx<Array<{ id: number; status: string }>>`
    select m.id, m.status from payments s join payments m on m.id = s.merged_into_id
    where s.order_id = ${orderId} and not s.merged and m.merged
    for update of m`;
  if (!merged || merged.status !== 'waiting_for_payment') return;
  const [rest] = await tx<Array<{ amount: string; orders: number }>>`
    select coalesce(sum(s.amount), 0)::text as amount, count(s.order_id)::int as orders
    from payments s left join orders o on o.id = s.order_id
    where s.merged_into_id = ${merged.id} and not s.merged and (o.id is null or o.status <> 'cancelled')`;
  if (rest!.orders === 0) {
    await tx`update payments set status = 'cancelled', closed_at = now(), updated_at = now() where id = ${merged.id}`;
  } else {
    await tx`update payments set amount = ${rest!.amount}, updated_at = now() where id = ${merged.id}`;
  }
}

/**
 * The nightly automatic merge (spec 02 §2.11, when the setting is on): per client, the waiting payments of
 * prolongation orders and of renewal orders of auto-renewing subscriptions — with an earlier automatic
 * merged payment — become one merged payment when there are at least two.
 */
export async function mergeWaitingPayments(sql: Sql): Promise<{ clients: number; merged: number }> {
  const [setting] = await sql<Array<{ value: unknown }>>`select value from settings where key = 'merge_payments'`;
  if (setting?.value !== true) return { clients: 0, merged: 0 };
  const rows = await sql<Array<{ id: number; client_id: number }>>`
    select p.id, p.client_id from payments p
      left join orders o on o.id = p.order_id
      left join subscriptions s on s.id = o.subscription_id
    where p.status = 'waiting_for_payment' and p.type = 'order'
      and ((p.merged and not exists (select 1 from payments t where t.merged_into_id = p.id and t.type = 'manual_topup'))
           or (not p.merged and o.status = 'awaiting_payment' and (o.type = 'prolongation' or (o.type = 'renewal' and s.auto_renew))))
    order by p.client_id, p.id`;
  const byClient = new Map<number, number[]>();
  for (const r of rows) byClient.set(r.client_id, [...(byClient.get(r.client_id) ?? []), r.id]);
  let merged = 0;
  for (const [clientId, paymentIds] of byClient) {
    if (paymentIds.length < 2) continue;
    try {
      await sql.begin((tx) => mergePayments(tx, { clientId, paymentIds, by: null, automatic: true }));
      merged += 1;
    } catch (err) {
      // A payment paid or cancelled since the selection: tomorrow's run finds the client again.
      if (!(err instanceof PaymentMergeError)) throw err;
    }
  }
  return { clients: byClient.size, merged };
}
