import type { TransactionSql } from 'postgres';
import { type Db } from '../../db/client';
import { firstExpirationDate, type IsoDate, type PeriodUnit } from '../../domain/dates';
import { discountPlannedCharges, firstTermChargeSpan, orderCharges, recurringCharges, type PlannedCharge } from '../../domain/charges';
import type { DiscountTerms } from '../../domain/discounts';
import { prolongedUntilAfter } from '../../domain/lifecycle';
import { addDays } from '../../domain/dates';
import { billingTypeRules, type BillingType, type ChargeKind } from '../../domain/billing-types';
import { billedPerPeriod } from '../../domain/billing-types/payment';
import { convertAmount, convertCharges, type Exchange } from '../../domain/exchange';

/**
 * Writes an order's charges: prepaid ones `new` (spec 02 §4.7: nothing is blocked until the order is paid);
 * postpay ones as `statusOf` says (spec 02 §4.11). `planned` is in the plan's currency; each charge is written in
 * the client's, converted at `exchange` (rate 1 for the same currency), with what it was converted from (spec 02
 * §4.13): Σ written charges = the converted Σ planned, which is the order's amount (domain/exchange.ts convertCharges).
 */
export async function insertOrderCharges(
  tx: Db,
  o: { orderId: number; clientId: number; subscriptionId: number | null; exchange: Exchange; label: string; planned: PlannedCharge[]; statusOf?: (c: PlannedCharge) => 'new' | 'open' | 'blocked' },
) {
  const e = o.exchange;
  // Commitment charges are in no order's amount: converted apart, so the order's own still add up to it.
  const convert = (planned: PlannedCharge[]) => convertCharges(planned, planned.reduce((s, c) => s + c.amount, 0), e);
  const converted = [...convert(o.planned.filter((c) => !c.commitment)), ...convert(o.planned.filter((c) => c.commitment))];
  for (const c of converted) {
    const what = c.resourceKey ? `${c.resourceKey} × ${c.quantity}` : c.kind === 'recurring' ? 'recurring fee' : `${c.kind} fee`;
    await tx`
      insert into charges (client_id, order_id, subscription_id, kind, status, description, period_from, period_to, close_date, amount, discount, currency,
                           original_amount, original_currency, exchange_rate, exchange_nominal, resource_key, quantity, commitment)
      values (${o.clientId}, ${o.orderId}, ${o.subscriptionId}, ${c.kind}, ${c.commitment ? 'open' : (o.statusOf?.(c) ?? 'new')}, ${`${o.label} (${c.commitment ? 'commitment' : what}) from ${c.from} to ${c.to}`},
              ${c.from}, ${c.to}, ${c.closeDate}, ${c.amount}, ${convertAmount(c.discount ?? 0, e)}, ${e.clientCurrency}, ${c.originalAmount}, ${e.planCurrency}, ${e.rate}, ${e.nominal},
              ${c.resourceKey ?? null}, ${c.quantity ?? null}, ${c.commitment ?? false})`;
  }
  await replaceCommitments(tx, o.subscriptionId, o.planned);
}

/**
 * An order that bills a period a no-refund commitment showed open (its month's prolongation) replaces that
 * commitment charge: deleted and superseded, so the month is shown once, by the charge that bills it.
 */
async function replaceCommitments(tx: Db, subscriptionId: number | null, planned: PlannedCharge[]) {
  const billed = planned.filter((c) => c.kind === 'recurring' && !c.commitment);
  if (subscriptionId === null || billed.length === 0) return;
  const from = billed.reduce((m, c) => (c.from < m ? c.from : m), billed[0]!.from);
  const to = billed.reduce((m, c) => (c.to > m ? c.to : m), billed[0]!.to);
  await tx`
    update charges set status = 'deleted', superseded = true, updated_at = now()
    where subscription_id = ${subscriptionId} and commitment and status = 'open' and period_from <= ${to} and period_to >= ${from}`;
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
  discount?: DiscountTerms | null;
  /** A plan switch's order day: its charge is the current period's in the §4.14 target rule (domain/charges.ts). */
  currentPeriod?: IsoDate;
}): PlannedCharge[] {
  if (p.total === 0) return [];
  if (p.period.unlimited) return discountPlannedCharges([{ kind: 'setup', from: p.today, to: p.today, closeDate: p.today, amount: p.total }], p.total, p.discount);
  const exp = firstExpirationDate(p.today, p.period);
  let span = firstTermChargeSpan(p.today, exp);
  if (billedPerPeriod(p.billingType)) span = { from: p.today, to: addDays(prolongedUntilAfter(p.today, exp, p.financialDay), -1) };
  if (billingTypeRules(p.billingType as BillingType).commitsTerm) return [...billedPurchase(p, span), ...commitmentCharges(addDays(span.to, 1), addDays(exp, -1), p)];
  return billedPurchase(p, span);
}

/** The later financial periods of a committed term, open, at the full price (no refund; seed 8.3.4.6.4). */
function commitmentCharges(from: IsoDate, to: IsoDate, p: { financialDay: number; recurringFee: number }): PlannedCharge[] {
  if (to < from) return [];
  return recurringCharges(from, to, p.financialDay, p.recurringFee).map((c) => ({ kind: 'recurring', from: c.from, to: c.to, closeDate: addDays(c.to, 1), amount: c.amount, commitment: true }));
}

function billedPurchase(p: Parameters<typeof purchaseCharges>[0], span: { from: IsoDate; to: IsoDate }): PlannedCharge[] {
  const oneOff = { kind: 'setup' as const, amount: Math.min(p.setupFee, p.total) };
  if (p.period.unit === 'day') {
    const planned: PlannedCharge[] = oneOff.amount > 0 ? [{ ...oneOff, from: span.from, to: span.to, closeDate: span.from }] : [];
    return discountPlannedCharges([...planned, { kind: 'recurring', from: span.from, to: span.to, closeDate: addDays(span.to, 1), amount: p.total - oneOff.amount }], p.total, p.discount);
  }
  return orderCharges({ span, financialDay: p.financialDay, monthlyFee: p.recurringFee, oneOff, total: p.total, discount: p.discount ?? null, currentPeriod: p.currentPeriod });
}

/**
 * Paid on `date`: each charge takes the status its billing type gives a paid charge (spec 02 §4.7, §4.10): one-off
 * fees close, recurring charges block their money, a no-refund month is debited at once (closed).
 */
export async function chargesPaid(tx: TransactionSql, orderId: number, date: IsoDate = new Date().toISOString().slice(0, 10)) {
  const [order] = await tx<Array<{ billing_type: BillingType | null }>>`
    select case when o.type = 'plan_switch' then p.billing_type else coalesce(s.billing_type, p.billing_type) end as billing_type
    from orders o left join subscriptions s on s.id = o.subscription_id left join plans p on p.id = o.plan_id where o.id = ${orderId}`;
  const rules = billingTypeRules(order?.billing_type ?? 'prepaid_term');
  const unpaid = await tx<Array<{ id: number; kind: ChargeKind; from: string }>>`
    select id, kind, period_from::text as "from" from charges where order_id = ${orderId} and status = 'new'`;
  for (const status of ['blocked', 'closed', 'open'] as const) {
    const ids = unpaid.filter((c) => rules.paidStatus(c, date) === status).map((c) => c.id);
    if (ids.length === 0) continue;
    await tx`
      update charges set status = ${status}, updated_at = now(), closed_at = case when ${status} = 'closed' then now() else null end
      where id = any(${ids}::int[])`;
  }
}

/**
 * Cancelled unpaid, or cancelled and refunded: the order's charges are deleted (decision 8, spec 02 §4.9), the
 * new, open and blocked ones (blocked money is released) and the one-off fees its payment closed (the order's
 * effect never reached the subscription, so they paid for nothing). A recurring charge the billing run has
 * closed is final: its period has passed and its money is consumed (spec 02 §4.4), so it stays closed. Returns
 * the amount of the charges that stay: the part of the order's money a refund keeps back (decision 40).
 */
export async function deleteOrderCharges(tx: TransactionSql, orderId: number): Promise<number> {
  await tx`
    update charges set status = 'deleted', updated_at = now()
    where order_id = ${orderId} and status <> 'deleted' and not (status = 'closed' and kind = 'recurring')`;
  const [kept] = await tx<Array<{ amount: string }>>`
    select coalesce(sum(amount), 0)::text as amount from charges where order_id = ${orderId} and status <> 'deleted'`;
  return Number(kept!.amount);
}

/** Funds in the spec's terms: available = the ledger balance; blocked = Σ blocked prepaid charges (spec 02 §4.12); balance = both. */
export async function clientFunds(sql: Db, clientId: number) {
  const [row] = await sql<Array<{ available: string; blocked: string }>>`
    select c.balance::text as available,
           (select coalesce(sum(ch.amount), 0) from charges ch join orders o on o.id = ch.order_id
            where ch.client_id = c.id and ch.status = 'blocked' and o.payment_model = 'prepay')::text as blocked
    from clients c where c.id = ${clientId}`;
  if (!row) return null;
  const available = Number(row.available);
  const blocked = Number(row.blocked);
  return { balance: available + blocked, blocked, available };
}

/** Spec 02 §4.11: postpay one-off fees and the current period's recurring charge are blocked at once (debt); later periods open. */
export const postpayChargeStatus = (today: IsoDate) => (c: PlannedCharge): 'open' | 'blocked' =>
  c.kind !== 'recurring' || c.from <= today ? 'blocked' : 'open';

/** Spec 01 §15.2: a postpay subscription's current debt is the sum of its blocked charges. */
export async function currentDebt(sql: Db, subscriptionId: number): Promise<number> {
  const [row] = await sql<Array<{ debt: string }>>`
    select coalesce(sum(amount), 0)::text as debt from charges where subscription_id = ${subscriptionId} and status = 'blocked'`;
  return Number(row!.debt);
}

// The charges of a renewal or prolongation order are a pure rule (the charge forecast prices them too).
export { extensionCharges } from '../../domain/billing-types/extension-charges';
