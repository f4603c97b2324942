import type { TransactionSql } from 'postgres';
import type { Sql } from '../../db/client';
import { AppError } from '../../domain/errors';
import { insertSubscriptionOrder, isSecondOpenOrder, type NewSubscriptionOrder } from './subscription-orders';

/**
 * Places an operator's (or a client user's) order on a subscription, priced and checked by its draft. `answer` runs
 * in the order's transaction with its id, so what the caller answers (and keeps for a retry) commits with the order.
 * A second open order on the subscription is refused (spec 01 §16.3: its orders are processed one at a time). The
 * order's scenario is the caller's to start, after the commit.
 */
export async function placeSubscriptionOrder<T>(sql: Sql, order: NewSubscriptionOrder, answer: (tx: TransactionSql, orderId: number) => Promise<T>): Promise<T> {
  // Kept outside begin(): its result type unwraps promises and arrays, which a generic answer cannot be checked against.
  let answered: { value: T } | undefined;
  try {
    await sql.begin(async (tx) => {
      const placed = await insertSubscriptionOrder(tx, order);
      answered = { value: await answer(tx, placed.orderId) };
    });
  } catch (err) {
    if (!isSecondOpenOrder(err)) throw err;
    const [open] = await sql<Array<{ number: string; type: string; status: string }>>`
      select number, type, status from orders where subscription_id = ${order.subscriptionId} and status not in ('completed', 'cancelled') limit 1`;
    throw new AppError('open_order_exists', `subscription ${order.subscriptionId} already has an open ${open?.type ?? ''} order ${open?.number ?? ''} (${open?.status ?? 'open'}); the orders of a subscription are processed one at a time, so complete or cancel it first`);
  }
  return answered!.value;
}
