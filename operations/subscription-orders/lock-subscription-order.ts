import type { TransactionSql } from 'postgres';
import { AppError } from '../../domain/errors';
import type { SubscriptionOrderType } from '../../domain/order-effects';

/** An order on an existing subscription (renewal, prolongation, resource change, plan switch), as its scenario's operations read it. */
export interface OrderOnSubscription {
  id: number;
  number: string;
  type: SubscriptionOrderType;
  status: string;
  client_id: number;
  subscription_id: number;
  plan_period_id: number;
  amount: string;
  currency: string;
  deferred: boolean;
  automatic: boolean;
  auto_pay_date: string | null;
  provisioning_date: string | null;
  details: Record<string, unknown>;
  applied_at: Date | null;
}

/** Locks an order on a subscription for the caller's transaction; a purchase order is refused as not found. */
export async function lockSubscriptionOrder(tx: TransactionSql, orderId: number): Promise<OrderOnSubscription> {
  const [order] = await tx<OrderOnSubscription[]>`
    select id, number, type, status, client_id, subscription_id, plan_period_id, amount, currency, deferred, automatic,
           auto_pay_date::text, provisioning_date::text, details, applied_at
    from orders where id = ${orderId} for update`;
  if (!order || order.type === ('purchase' as string)) throw new AppError('order_not_found', `order ${orderId} is not an order on a subscription`);
  return order;
}
