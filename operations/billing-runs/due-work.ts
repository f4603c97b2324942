import type { Sql } from '../../db/client';

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

/** The charges the run of a date closes (spec 02 §4.7) and the postpay ones whose period opens (spec 02 §4.11). */
export function dueCharges(sql: Sql, businessDate: string) {
  return {
    closing: sql`status = 'blocked' and close_date <= ${businessDate}::date`,
    opening: sql`status = 'open' and period_from <= ${businessDate}::date`,
  };
}
