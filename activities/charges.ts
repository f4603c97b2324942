import type { TransactionSql } from 'postgres';
import type { Sql } from '../db/client';
import { firstExpirationDate, type IsoDate, type PeriodUnit } from '../domain/dates';
import { firstTermChargeSpan, orderCharges, type PlannedCharge } from '../domain/charges';
import { prolongedUntilAfter } from '../domain/lifecycle';
import { addDays } from '../domain/dates';

type Db = Sql | TransactionSql;

/** Writes an order's charges, all `new` (spec 02 §4.7): nothing is blocked until the order is paid. */
export async function insertOrderCharges(
  tx: Db,
  o: { orderId: number; clientId: number; subscriptionId: number | null; currency: string; label: string; planned: PlannedCharge[] },
) {
  for (const c of o.planned) {
    const what = c.kind === 'recurring' ? 'recurring fee' : `${c.kind} fee`;
    await tx`
      insert into charges (client_id, order_id, subscription_id, kind, status, description, period_from, period_to, close_date, amount, currency)
      values (${o.clientId}, ${o.orderId}, ${o.subscriptionId}, ${c.kind}, 'new', ${`${o.label} (${what}) from ${c.from} to ${c.to}`},
              ${c.from}, ${c.to}, ${c.closeDate}, ${c.amount}, ${o.currency})`;
  }
}

/**
 * The charges of a prepaid purchase bought on `today` (spec 02 §4.6): the setup fee, then the recurring fee
 * per financial period of the first term ([today, expiration − 1]); per-period billing pays the current
 * financial period only; day periods are one charge for the whole period.
 */
export function purchaseCharges(p: {
  today: IsoDate;
  billingType: string;
  period: { duration: number; unit: PeriodUnit; unlimited: boolean };
  financialDay: number;
  setupFee: number;
  recurringFee: number;
  total: number;
}): PlannedCharge[] {
  if (p.total === 0) return [];
  const oneOff = { kind: 'setup' as const, amount: Math.min(p.setupFee, p.total) };
  if (p.period.unlimited) return [{ kind: 'setup', from: p.today, to: p.today, closeDate: p.today, amount: p.total }];
  const exp = firstExpirationDate(p.today, p.period);
  let span = firstTermChargeSpan(p.today, exp);
  if (p.billingType === 'monthly_flexible') span = { from: p.today, to: addDays(prolongedUntilAfter(p.today, exp, p.financialDay), -1) };
  if (p.period.unit === 'day') {
    const planned: PlannedCharge[] = oneOff.amount > 0 ? [{ ...oneOff, from: span.from, to: span.to, closeDate: span.from }] : [];
    return [...planned, { kind: 'recurring', from: span.from, to: span.to, closeDate: addDays(span.to, 1), amount: p.total - oneOff.amount }];
  }
  return orderCharges({ span, financialDay: p.financialDay, monthlyFee: p.recurringFee, oneOff, total: p.total });
}

/** Paid: one-off fees close, recurring charges block their money (spec 02 §4.7). */
export async function chargesPaid(tx: TransactionSql, orderId: number) {
  await tx`
    update charges set status = case when kind = 'recurring' then 'blocked' else 'closed' end,
           closed_at = case when kind = 'recurring' then null else now() end, updated_at = now()
    where order_id = ${orderId} and status = 'new'`;
}

/** Cancelled unpaid, or cancelled and refunded: the order's charges are deleted (decision 8). */
export async function deleteOrderCharges(tx: TransactionSql, orderId: number) {
  await tx`update charges set status = 'deleted', updated_at = now() where order_id = ${orderId} and status <> 'deleted'`;
}

/** Funds in the spec's terms: available = the ledger balance; blocked = Σ blocked charges; balance = both. */
export async function clientFunds(sql: Db, clientId: number) {
  const [row] = await sql<Array<{ available: string; blocked: string }>>`
    select c.balance::text as available,
           (select coalesce(sum(amount), 0) from charges where client_id = c.id and status = 'blocked')::text as blocked
    from clients c where c.id = ${clientId}`;
  if (!row) return null;
  const available = Number(row.available);
  const blocked = Number(row.blocked);
  return { balance: available + blocked, blocked, available };
}
