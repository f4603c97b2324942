import type { Sql } from '../../db/client';
import { holdingTypes } from '../charges/stopped-subscription-charges';

/**
 * Spec 01 §16.8, decision 8: the prepaid orders still awaiting payment after their end date, whose scenarios
 * the run tells to cancel (the run and its dry run select them here).
 */
export async function unpaidOrdersPastEndDate(sql: Sql, businessDate: string, limit = 100_000) {
  return sql<Array<{ orderId: number; subscriptionId: number | null; clientId: number; workflowId: string }>>`
    select id as "orderId", subscription_id as "subscriptionId", client_id as "clientId", workflow_id as "workflowId" from orders
    where status = 'awaiting_payment' and end_date < ${businessDate}::date and scenario_started_at is not null
    order by id limit ${limit}`;
}

/**
 * The charges the run of a date closes (spec 02 §4.7) and the postpay ones whose period opens (spec 02 §4.11). A
 * stopped subscription whose billing type holds its charges (CSP annual) keeps them blocked: its activation or
 * deletion decides (seed 8.3.4.2.8).
 */
export function dueCharges(sql: Sql, businessDate: string) {
  return {
    closing: sql`status = 'blocked' and close_date <= ${businessDate}::date
      and not exists (select 1 from subscriptions s where s.id = charges.subscription_id and s.status in ('stopped', 'blocked')
                      and s.payment_model = 'prepay' and s.billing_type in ${sql(holdingTypes)})`,
    // Only postpay charges block by themselves when their period starts; a prepaid open charge (a stopped
    // subscription's remainder) holds no money, and only an activation blocks it, through the ledger. A stopped
    // (or blocked) postpay subscription's open charges are not owed: its activation blocks them, from its day
    // on, or the financial day deletes them (spec 02 §4.11: blocked subscriptions behave like stopped ones).
    // A no-refund commitment month is never debt by itself: the prolongation order that bills it replaces it.
    opening: sql`status = 'open' and not commitment and period_from <= ${businessDate}::date
      and exists (select 1 from orders o where o.id = charges.order_id and o.payment_model = 'postpay')
      and not exists (select 1 from subscriptions s where s.id = charges.subscription_id and s.status in ('stopped', 'blocked'))`,
  };
}
