import type { Db } from '../db/client';

export interface ClientCardSubscription {
  id: number;
  name: string;
  status: string;
  expirationDate: string | null;
}

export interface ClientCardPayment {
  id: number;
  number: string;
  type: string;
  status: string;
  /** int8: the driver answers it as text. */
  amount: string;
  currency: string;
  /** ISO 8601 (db/timestamps.ts). */
  createdAt: string;
}

/** The client card's tables (its latest subscriptions and payments) and what its unpaid payments add up to. */
export async function clientCardRecords(sql: Db, clientId: number) {
  const [subscriptions, payments, [debt]] = await Promise.all([
    sql<ClientCardSubscription[]>`select id, name, status, expiration_date::text as "expirationDate" from subscriptions where client_id = ${clientId} order by id desc limit 200`,
    sql<ClientCardPayment[]>`select id, number, type, status, amount::int8 as amount, currency, created_at as "createdAt" from payments where client_id = ${clientId} order by id desc limit 200`,
    sql<Array<{ unpaid: number }>>`select coalesce(sum(amount), 0)::int8 as unpaid from payments where client_id = ${clientId} and status in ('waiting_for_payment', 'overdue', 'invoice_sent', 'invoice_preparing')`,
  ]);
  return { subscriptions, payments, unpaid: Number(debt?.unpaid ?? 0) };
}
