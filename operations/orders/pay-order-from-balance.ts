import type { Sql } from '../../db/client';
import { AppError } from '../../domain/errors';
import { logEvent } from '../event-log/event-log';
import { chargesPaid } from '../charges/charges';
import { payMergedPayment } from '../payments/pay-merged-payment';
import { lockOrder, orderPayment, paidStatus, setOrderStatus, settleOrder } from './order-settlement';

export interface PayOrderFromBalanceInput {
  orderId: number;
}

export interface OrderPaidFromBalance {
  paid: boolean;
  /** How: `balance`, `zero_amount`, `postpay`, `merged_payment`, `already` (a re-run), or null when not paid. */
  via: string | null;
  /** The orders a merged payment paid with this one, for their scenarios to be told. */
  orderIds?: number[];
}

/**
 * Pays a prepaid order from the client's balance when it covers the amount; a zero amount needs no payment at all
 * (decision 27) and a postpay order is billed later. An order whose payment was merged pays the merged payment with
 * all its orders (spec 02 §2.11). Idempotent: an order already paid answers `already` (by the order's ledger key).
 */
export async function payOrderFromBalance(sql: Sql, { orderId }: PayOrderFromBalanceInput): Promise<OrderPaidFromBalance> {
  return sql.begin(async (tx) => {
    const order = await lockOrder(tx, orderId);
    if (order.status !== 'awaiting_payment') return { paid: order.status !== 'cancelled', via: 'already' };
    const amount = Number(order.amount);
    const payment = await orderPayment(tx, orderId);
    if (amount === 0 || order.payment_model === 'postpay') {
      // A prepaid order a 100 % discount made free still has its charges (amount 0, each with its discount): paid now.
      if (amount === 0 && order.payment_model === 'prepay') await chargesPaid(tx, orderId);
      await setOrderStatus(tx, orderId, paidStatus(order));
      return { paid: true, via: amount === 0 ? 'zero_amount' : 'postpay' };
    }
    if (!payment) throw new AppError('payment_missing', `order ${order.number} has no payment`);
    if (payment.status === 'cancelled' && payment.merged_into_id !== null) {
      const merged = await payMergedPayment(tx, { paymentId: payment.merged_into_id, via: { kind: 'balance' } });
      return { paid: merged.paid, via: merged.paid ? 'merged_payment' : null, orderIds: merged.orderIds };
    }
    const [client] = await tx<Array<{ balance: string }>>`select balance from clients where id = ${order.client_id} for no key update`;
    if (!client || Number(client.balance) < amount) return { paid: false, via: null };
    const { balanceAfter } = await settleOrder(tx, order, { paymentId: payment.id, description: `Order ${order.number} paid from balance` });
    await tx`
      update payments set status = 'paid_from_balance', balance_after = ${balanceAfter}, method = 'balance',
             closed_at = now(), updated_at = now()
      where id = ${payment.id}`;
    await logEvent(tx, {
      actorId: null,
      entityKind: 'order',
      entityId: orderId,
      action: 'paid_from_balance',
      changes: { payment: payment.number, amount, balanceAfter },
      dedupeKey: `order-paid-from-balance/${orderId}`,
    });
    return { paid: true, via: 'balance' };
  });
}
