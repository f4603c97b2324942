import type { Db } from '../db/client';

/**
 * A client's working prepaid subscriptions (active or payment overdue), oldest first: what a block would stop. The
 * block scenario's first step and the UI's block confirmation read the same list.
 */
export async function workingPrepaidSubscriptionIds(sql: Db, clientId: number): Promise<number[]> {
  const rows = await sql<Array<{ id: number }>>`
    select id from subscriptions where client_id = ${clientId} and payment_model = 'prepay' and status in ('active', 'payment_overdue') order by id`;
  return rows.map((r) => r.id);
}

/** What the subscription card shows beyond the API's subscription answer: the inputs of the renewal rule, the client's balance. */
export interface SubscriptionCardExtras {
  planName: string | null;
  unlimited: boolean;
  trialRenewable: boolean;
  clientStatus: string;
  balance: number;
  currency: string;
}

export async function subscriptionCardExtras(sql: Db, subscriptionId: number): Promise<SubscriptionCardExtras | null> {
  const [row] = await sql<SubscriptionCardExtras[]>`
      select p.name as "planName", pp.unlimited, coalesce((t.capabilities ->> 'trialRenewable')::boolean, false) as "trialRenewable",
             c.status as "clientStatus", c.balance::int8 as balance, c.currency
      from subscriptions s join plans p on p.id = s.plan_id join plan_periods pp on pp.id = s.plan_period_id
           join service_templates t on t.id = s.service_template_id join clients c on c.id = s.client_id
      where s.id = ${subscriptionId}`;
  return row ?? null;
}

/** A scenario's status if it is about this subscription (null: unknown, or about something else). */
export async function subscriptionScenarioStatus(sql: Db, subscriptionId: number, scenarioId: string): Promise<string | null> {
  const [row] = await sql<Array<{ status: string }>>`
        select status from scenarios where id = ${scenarioId} and subject_kind = 'subscription' and subject_id = ${String(subscriptionId)}`;
  return row?.status ?? null;
}

/** The subscription's latest scenario still under way (running or waiting), or null. */
export async function subscriptionScenarioUnderWay(sql: Db, subscriptionId: number): Promise<{ id: string; status: string } | null> {
  const [row] = await sql<Array<{ id: string; status: string }>>`
      select id, status from scenarios where subject_kind = 'subscription' and subject_id = ${String(subscriptionId)} and status in ('running', 'waiting')
      order by started_at desc limit 1`;
  return row ?? null;
}

export interface SubscriptionCharge {
  id: number;
  kind: string;
  status: string;
  description: string;
  periodFrom: string;
  periodTo: string;
  /** int8: the driver answers it as text. */
  amount: string;
  currency: string;
}

export interface SubscriptionTransaction {
  id: number;
  kind: string;
  /** int8: the driver answers it as text. */
  amount: string;
  balanceAfter: string;
  currency: string;
  description: string | null;
  /** ISO 8601 (db/timestamps.ts). */
  createdAt: string;
}

/** Resources, charges and transactions of the subscription card (its orders and event log come with the API's answer). */
export async function subscriptionCardRecords(sql: Db, subscriptionId: number) {
  const [resources, charges, transactions] = await Promise.all([
    sql<Array<{ key: string; quantity: number }>>`select key, quantity from subscription_resources where subscription_id = ${subscriptionId} order by key`,
    sql<SubscriptionCharge[]>`
        select id, kind, status, description, period_from::text as "periodFrom", period_to::text as "periodTo", amount::int8 as amount, currency
        from charges where subscription_id = ${subscriptionId} order by period_from, id limit 200`,
    sql<SubscriptionTransaction[]>`
        select l.id, l.kind, l.amount::int8 as amount, l.balance_after::int8 as "balanceAfter", l.currency, l.description, l.created_at as "createdAt"
        from ledger_transactions l join orders o on o.id = l.order_id where o.subscription_id = ${subscriptionId} order by l.id desc limit 200`,
  ]);
  return { resources, charges, transactions };
}
