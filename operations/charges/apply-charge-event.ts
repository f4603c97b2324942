import type { TransactionSql } from 'postgres';
import type { Db } from '../../db/client';
import { type BillingType, type ChargeChanges, type ChargeEvent, type ChargeView } from '../../domain/billing-types';
import { applyChanges } from '../../domain/billing-types/movements';
import { chargeChangesOf } from '../../domain/billing-types/postpay';
import { moneyTaken } from '../../domain/billing-types/types';
import { postLedgerEntry } from '../ledger/ledger';

export interface ChargeEventInput {
  subscriptionId: number;
  event: ChargeEvent;
  /**
   * The event's business key (the status move's, the financial day's, the switch order's): its ledger movements are
   * keyed by it and the order, so the same event never moves money twice and two events never share a key.
   */
  key: string;
  /** Stopped (or blocked) when the event happens. */
  stopped: boolean;
  /** Charges of this order are not the event's (a plan switch leaves its own order's charges alone). */
  excludeOrderId?: number;
  /** The billing type whose rules apply, when not the subscription's current one (a switch splits by the old plan's). */
  billingType?: BillingType;
}

interface ChargeRow extends ChargeView {
  description: string;
}

/**
 * An event on a subscription (stop, activation, deletion, a financial day while stopped, close-all) changes its
 * charges the way its billing type says (domain/billing-types), inside the caller's transaction, which holds the
 * subscription's row lock. The money that follows goes through the ledger, one movement per order, keyed by the
 * event's business key, so a repeated call cannot move it twice (an earlier key, the first charge changed, let a
 * second stop on a payment-in-full's first day after an activation share the first stop's key and lose its money).
 * A postpay subscription's charges are split too (spec 02 §4.11, domain/billing-types/postpay.ts), but they are
 * debt, not money taken: nothing reaches the ledger. Returns the money given back (negative: taken).
 */
export async function applyChargeEvent(tx: TransactionSql, { subscriptionId, event, stopped, excludeOrderId, billingType, key }: ChargeEventInput): Promise<number> {
  const found = await chargesOfEvent(tx, { subscriptionId, event, stopped, excludeOrderId, billingType });
  if (!found) return 0;
  const { sub, charges, changes } = found;
  const byId = new Map(charges.map((c) => [c.id, c] as const));
  for (const s of changes.set) {
    await tx`
      update charges set status = ${s.status}, superseded = superseded or ${s.superseded ?? false}, updated_at = now(),
             closed_at = case when ${s.status} = 'closed' then coalesce(closed_at, now()) else closed_at end,
             period_to = coalesce(${s.to ?? null}::date, period_to), close_date = coalesce(${s.closeDate ?? null}::date, close_date)
      where id = ${s.id}`;
  }
  for (const a of changes.add) {
    const parent = byId.get(a.splitOf)!;
    // A part keeps its parent's currency and rate (spec 02 §4.12: a split is never re-converted); its discount and
    // original amount are its share of the parent's.
    await tx`
      insert into charges (client_id, order_id, subscription_id, kind, status, description, period_from, period_to, close_date, amount, currency,
                           split_of, refund, closed_at, discount, original_amount, original_currency, exchange_rate, exchange_nominal, resource_key, quantity)
      select p.client_id, p.order_id, p.subscription_id, ${a.kind}, ${a.status}, ${`${parent.description}: ${a.part} ${a.from} – ${a.to}`},
             ${a.from}, ${a.to}, ${a.closeDate}, ${a.amount}, p.currency, p.id, ${a.refund}, case when ${a.status}::text = 'closed' then now() end,
             coalesce(round(p.discount * ${a.amount}::numeric / nullif(p.amount, 0)), 0), round(p.original_amount * ${a.amount}::numeric / nullif(p.amount, 0)),
             p.original_currency, p.exchange_rate, p.exchange_nominal, p.resource_key, coalesce(${a.quantity ?? null}::int, p.quantity)
      from charges p where p.id = ${a.splitOf}`;
    for (const merged of a.mergeOf ?? []) await tx`update charges set superseded = true where id = ${merged}`;
  }
  if (!found.prepay) return 0;
  return postMovements(tx, { clientId: sub.client_id, currency: sub.currency, subscriptionId, event, key, charges, changes });
}

/** The subscription, its live charges and the changes its billing type makes for the event (null: nothing to do). */
async function chargesOfEvent(db: Db, { subscriptionId, event, stopped, excludeOrderId, billingType }: Omit<ChargeEventInput, 'key'>) {
  // The money moves in the client's currency (the balance's), whatever the plan's (spec 02 §4.13).
  const [sub] = await db<Array<{ client_id: number; billing_type: BillingType; payment_model: string; financial_day: number; expiration_date: string | null; currency: string }>>`
    select s.client_id, s.billing_type, s.payment_model, pr.financial_day, s.expiration_date::text, c.currency
    from subscriptions s join provisioning_rules pr on pr.id = s.provisioning_rule_id join clients c on c.id = s.client_id where s.id = ${subscriptionId}`;
  if (!sub) return null;
  const charges = await db<ChargeRow[]>`
    select id, order_id as "orderId", kind, status, period_from::text as "from", period_to::text as "to", close_date::text as "closeDate",
           amount::float8 as amount, refund, description, resource_key as "resourceKey", quantity, commitment
    from charges where subscription_id = ${subscriptionId} and not superseded and status in ('new', 'open', 'blocked', 'closed')
      and order_id <> ${excludeOrderId ?? 0}
    order by period_from, id`;
  const type = billingType ?? sub.billing_type;
  const prepay = sub.payment_model === 'prepay';
  const terms = { billingType: type, financialDay: sub.financial_day, prepay, expirationDate: sub.expiration_date, stopped };
  const changes = chargeChangesOf(terms, charges, event);
  if (changes.set.length === 0 && changes.add.length === 0) return null;
  return { sub, charges, changes, prepay };
}

/**
 * What the event would move on the client's available balance, without doing it (positive: given back). The
 * restore after a block asks it: a per-period subscription comes back only if the balance covers what its
 * activation blocks again (spec 01 §4.5.5, seed 8.3.4.4.7).
 */
export async function chargeEventMovement(db: Db, o: Omit<ChargeEventInput, 'key'>): Promise<number> {
  return (await planChargeEvent(db, o))?.movement ?? 0;
}

/** The changes the event would make and the money they would move, without making them (null: nothing to do). */
export async function planChargeEvent(db: Db, o: Omit<ChargeEventInput, 'key'>): Promise<{ changes: ChargeChanges; movement: number } | null> {
  const found = await chargesOfEvent(db, o);
  return found ? { changes: found.changes, movement: found.prepay ? applyChanges(found.charges, found.changes, 0).movement : 0 } : null;
}

/** One ledger movement per order whose charges took or gave back money. */
async function postMovements(
  tx: TransactionSql,
  o: { clientId: number; currency: string; subscriptionId: number; event: ChargeEvent; key: string; charges: ChargeRow[]; changes: Parameters<typeof applyChanges>[1] },
): Promise<number> {
  const applied = applyChanges(o.charges, o.changes, 0);
  const perOrder = new Map<number, number>();
  for (const c of o.charges) perOrder.set(c.orderId, (perOrder.get(c.orderId) ?? 0) + moneyTaken(c));
  for (const c of applied.charges) perOrder.set(c.orderId, (perOrder.get(c.orderId) ?? 0) - moneyTaken(c));
  let total = 0;
  for (const [orderId, back] of perOrder) {
    if (back === 0) continue;
    total += back;
    await postLedgerEntry(tx, {
      clientId: o.clientId,
      kind: 'charge_split',
      amount: back,
      currency: o.currency,
      description: `${back > 0 ? 'Returned' : 'Taken'} by the charges of subscription ${o.subscriptionId}: ${describeEvent(o.event)}`,
      idempotencyKey: `charges/${o.key}/${orderId}`,
      orderId,
    });
  }
  return total;
}

function describeEvent(e: ChargeEvent): string {
  const what = { stop: 'stopped', activate: 'activated', delete: 'deleted', financial_day_stopped: 'financial day while stopped', switch: 'plan switched', manual_close: 'charges closed by hand', decrease: 'resources decreased' }[e.kind];
  return `${what} on ${e.date}`;
}
