import type { Sql } from '../../db/client';

export interface LedgerDiscrepancy {
  clientId: number;
  check: 'balance_is_sum_of_transactions' | 'balance_is_last_balance_after' | 'balance_after_chain' | 'negative_since' | 'paid_order_has_debit' | 'order_charges_add_up' | 'charges_hold_what_was_taken' | 'usage_charges_hold_what_was_taken';
  expected: string | null;
  actual: string | null;
  detail?: string;
}

/**
 * Recomputes every figure the ledger stores from its history and reports what disagrees: the balance
 * against the sum of the client's transactions and against the last `balance_after`; each `balance_after`
 * against the previous one plus the amount; the negative-since mark against the sign of the balance; and
 * every order paid from the balance or by a confirmed payment against its debit; and the charges of every
 * order against its amount (of a cancelled one, against the money it kept). Read-only.
 */
export async function checkLedger(sql: Sql, { clientId }: { clientId?: number } = {}): Promise<{ clients: number; transactions: number; discrepancies: LedgerDiscrepancy[] }> {
  const only = clientId ?? null;
  const discrepancies: LedgerDiscrepancy[] = [];

  const balances = await sql<Array<{ id: number; balance: string; negative: boolean; total: string | null; last: string | null; n: number }>>`
    select c.id, c.balance::text, c.negative_since is not null as negative, t.total::text, t.last::text, coalesce(t.n, 0)::int as n
    from clients c
    left join lateral (
      select sum(amount) as total, count(*) as n,
             (select balance_after from ledger_transactions l2 where l2.client_id = c.id order by id desc limit 1) as last
      from ledger_transactions l where l.client_id = c.id
    ) t on true
    where ${only}::int is null or c.id = ${only}`;
  let transactions = 0;
  for (const b of balances) {
    transactions += b.n;
    const total = b.total ?? '0';
    if (BigInt(total) !== BigInt(b.balance)) discrepancies.push({ clientId: b.id, check: 'balance_is_sum_of_transactions', expected: total, actual: b.balance });
    if ((b.last ?? '0') !== b.balance) discrepancies.push({ clientId: b.id, check: 'balance_is_last_balance_after', expected: b.last ?? '0', actual: b.balance });
    if (b.negative !== BigInt(b.balance) < 0n) discrepancies.push({ clientId: b.id, check: 'negative_since', expected: String(BigInt(b.balance) < 0n), actual: String(b.negative) });
  }

  const broken = await sql<Array<{ client_id: number; id: string; expected: string; actual: string }>>`
    select client_id, id::text, (coalesce(previous, 0) + amount)::text as expected, balance_after::text as actual
    from (select client_id, id, amount, balance_after, lag(balance_after) over (partition by client_id order by id) as previous
          from ledger_transactions where ${only}::int is null or client_id = ${only}) chain
    where coalesce(previous, 0) + amount <> balance_after
    limit 1000`;
  for (const r of broken) discrepancies.push({ clientId: r.client_id, check: 'balance_after_chain', expected: r.expected, actual: r.actual, detail: `transaction ${r.id}` });

  // The order's amount is debited, not its payment's: a payment rounded up (spec 02 §13.3) leaves the rest on the
  // balance (decision 26).
  const unpaid = await sql<Array<{ client_id: number; order_id: number; amount: string; debited: string | null }>>`
    select p.client_id, p.order_id, o.amount::text, (select sum(-l.amount) from ledger_transactions l where l.order_id = p.order_id and l.kind = 'order_paid')::text as debited
    from payments p join orders o on o.id = p.order_id
    where p.type = 'order' and not p.merged and p.status in ('paid_from_balance', 'completed') and (${only}::int is null or p.client_id = ${only})
      and o.amount <> coalesce((select sum(-l.amount) from ledger_transactions l where l.order_id = p.order_id and l.kind = 'order_paid'), 0)
    limit 1000`;
  for (const r of unpaid) discrepancies.push({ clientId: r.client_id, check: 'paid_order_has_debit', expected: r.amount, actual: r.debited, detail: `order ${r.order_id}` });
  // A paid merged payment debited each of its orders' amounts; its top-up parts, and what payment rounding added
  // (spec 02 §13.3), stay on the balance.
  const unpaidMerged = await sql<Array<{ client_id: number; id: number; expected: string; debited: string }>>`
    select p.client_id, p.id, coalesce(t.orders, 0)::text as expected, coalesce(d.debited, 0)::text as debited
    from payments p
      left join lateral (select sum(o.amount) as orders from payments s join orders o on o.id = s.order_id where s.merged_into_id = p.id and s.type = 'order') t on true
      left join lateral (select sum(-l.amount) as debited from ledger_transactions l where l.payment_id = p.id and l.kind = 'order_paid') d on true
    where p.merged and p.status in ('paid_from_balance', 'completed') and (${only}::int is null or p.client_id = ${only})
      and coalesce(t.orders, 0) <> coalesce(d.debited, 0)
    limit 1000`;
  for (const r of unpaidMerged) discrepancies.push({ clientId: r.client_id, check: 'paid_order_has_debit', expected: r.expected, actual: r.debited, detail: `merged payment ${r.id}` });

  // An order's charges add up to its amount. A cancelled order keeps only what it did not give back: a prepaid
  // one the money it paid less its refund (charges the billing run closed before the cancel), a postpay one only
  // closed charges (debt already billed).
  const uneven = await sql<Array<{ client_id: number; order_id: number; expected: string; actual: string }>>`
    select client_id, order_id, expected::text, actual::text from (
      select o.id as order_id, o.client_id,
             -- A split charge's parts replace it (the deleted part included: its money went back by the ledger); a
             -- no-refund commitment month is in no order's amount.
             coalesce(case when o.status <> 'cancelled' then sum(c.amount) filter (where not c.superseded and not c.refund and not c.commitment)
                           else sum(c.amount) filter (where c.status <> 'deleted' and not c.superseded and not c.refund and not c.commitment) end, 0) as actual,
             case when o.status <> 'cancelled' then o.amount
                  when o.payment_model = 'postpay' then coalesce(sum(c.amount) filter (where c.status = 'closed'), 0)
                  else coalesce((select -sum(l.amount) from ledger_transactions l
                                 where l.order_id = o.id and (l.kind in ('order_paid', 'charge_split') or l.idempotency_key = 'order-refund/' || o.id)), 0)
             end as expected
      -- Usage charges hang on their free purchase order but are not its money: they are checked on their own below.
      from orders o join charges c on c.order_id = o.id and c.kind <> 'usage'
      where ${only}::int is null or o.client_id = ${only}
      group by o.id
    ) per_order
    where actual <> expected
    limit 1000`;
  for (const r of uneven) discrepancies.push({ clientId: r.client_id, check: 'order_charges_add_up', expected: r.expected, actual: r.actual, detail: `order ${r.order_id}` });

  discrepancies.push(...(await chargesHoldWhatWasTaken(sql, only)));

  return { clients: balances.length, transactions, discrepancies };
}

/**
 * The money a prepaid order's charges hold or consumed (blocked and closed, spec 02 §4.12) is what the ledger took
 * for the order: its payment less what splits gave back (issue 19: every charge movement is in the ledger).
 */
async function chargesHoldWhatWasTaken(sql: Sql, only: number | null): Promise<LedgerDiscrepancy[]> {
  const untaken = await sql<Array<{ client_id: number; order_id: number; expected: string; actual: string }>>`
    select o.client_id, o.id as order_id, taken.amount::text as actual, ledger.amount::text as expected
    from orders o
      join lateral (select coalesce(sum(c.amount) filter (where c.status in ('blocked', 'closed') and not c.refund), 0) as amount
                    from charges c where c.order_id = o.id and c.kind <> 'usage') taken on true
      join lateral (select coalesce(-sum(l.amount), 0) as amount from ledger_transactions l
                    where l.order_id = o.id and l.kind in ('order_paid', 'charge_split')) ledger on true
    where o.payment_model = 'prepay' and o.status <> 'cancelled' and not (o.type = 'plan_switch' and o.details ? 'credit')
      and exists (select 1 from ledger_transactions l where l.order_id = o.id and l.kind = 'order_paid')
      and exists (select 1 from charges c where c.order_id = o.id and c.kind <> 'usage')
      and (${only}::int is null or o.client_id = ${only}) and taken.amount <> ledger.amount
    limit 1000`;
  const usage = await sql<Array<{ client_id: number; order_id: number; expected: string; actual: string }>>`
    select o.client_id, o.id as order_id, taken.amount::text as actual, ledger.amount::text as expected
    from orders o
      join lateral (select coalesce(sum(c.amount) filter (where c.status in ('blocked', 'closed') and not c.superseded), 0) as amount
                    from charges c where c.order_id = o.id and c.kind = 'usage') taken on true
      join lateral (select coalesce(-sum(l.amount), 0) as amount from ledger_transactions l
                    where l.order_id = o.id and l.kind in ('usage_charge')) ledger on true
    where o.payment_model = 'prepay' and exists (select 1 from charges c where c.order_id = o.id and c.kind = 'usage')
      and (${only}::int is null or o.client_id = ${only}) and taken.amount <> ledger.amount
    limit 1000`;
  return [
    ...untaken.map((r) => ({ clientId: r.client_id, check: 'charges_hold_what_was_taken' as const, expected: r.expected, actual: r.actual, detail: `order ${r.order_id}` })),
    // Issue 20: a prepaid subscription's usage charges hold exactly what the ledger blocked for them, batch by batch.
    ...usage.map((r) => ({ clientId: r.client_id, check: 'usage_charges_hold_what_was_taken' as const, expected: r.expected, actual: r.actual, detail: `order ${r.order_id}` })),
  ];
}
