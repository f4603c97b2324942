import { type Db, type Sql } from '../../db/client';
import { addDays } from '../../domain/dates';
import { nextDocumentNumber } from './next-document-number';
import { logEvent } from '../event-log/event-log';


/** Spec 01 §15.2: the reason an overdue-payment block carries. */
export const overdueReason = 'payment overdue';

/**
 * Spec 02 §7, spec 01 §15.1: the day after a financial day, each postpay client's charges closed by then
 * and not yet billed go into one act, with a payment for rendered services due after the service rule's
 * deferral period. One act per client and day: a re-run issues nothing twice.
 */
export async function issueActs(sql: Sql, businessDate: string) {
  const clients = await sql<Array<{ client_id: number }>>`
    select distinct ch.client_id from charges ch join orders o on o.id = ch.order_id
    where o.payment_model = 'postpay' and ch.status = 'closed' and ch.act_id is null and ch.close_date < ${businessDate}::date`;
  let issued = 0;
  for (const { client_id: clientId } of clients) {
    await sql.begin(async (tx) => {
      const [c] = await tx<Array<{ currency: string; deferral: number; reseller: number }>>`
        select c.currency, r.payment_deferral_days as deferral, c.reseller_id as reseller from clients c join service_rules r on r.id = c.service_rule_id where c.id = ${clientId} for no key update of c`;
      const due = await tx<Array<{ id: number; amount: string; close_date: string }>>`
        select ch.id, ch.amount::text, ch.close_date::text from charges ch join orders o on o.id = ch.order_id
        where ch.client_id = ${clientId} and o.payment_model = 'postpay' and ch.status = 'closed' and ch.act_id is null and ch.close_date < ${businessDate}::date
        for update of ch`;
      if (due.length === 0) return;
      const amount = due.reduce((s, d) => s + Number(d.amount), 0);
      const financialDay = due.map((d) => d.close_date).sort().at(-1)!;
      // The act is the client's reseller's document: numbered in its sequence (issue 21 point 6).
      const number = await nextDocumentNumber(tx, 'act', c!.reseller);
      const [act] = await tx<Array<{ id: number }>>`
        insert into acts (number, reseller_id, client_id, financial_day, amount, currency) values (${number}, ${c!.reseller}, ${clientId}, ${financialDay}, ${amount}, ${c!.currency})
        on conflict (client_id, financial_day) do nothing returning id`;
      if (!act) return;
      await tx`update charges set act_id = ${act.id}, updated_at = now() where id = any(${due.map((d) => d.id)}::int[])`;
      if (amount > 0) {
        const paymentNumber = await nextDocumentNumber(tx, 'payment');
        const [payment] = await tx<Array<{ id: number }>>`
          insert into payments (number, client_id, type, status, amount, currency, pay_by, comment)
          values (${paymentNumber}, ${clientId}, 'postpay_services', 'waiting_for_payment', ${amount}, ${c!.currency}, ${addDays(businessDate, c!.deferral)}, ${`act ${number}`})
          returning id`;
        await tx`update acts set payment_id = ${payment!.id} where id = ${act.id}`;
      }
      await logEvent(tx, { actorId: null, entityKind: 'act', entityId: act.id, action: 'issued', changes: { number, amount, charges: due.length } });
      issued += 1;
    });
  }
  return { found: clients.length, issued };
}

/** Spec 01 §15.2 (1): payments for rendered services past their last day become overdue; their acts' subscriptions are to be blocked. */
export async function markOverduePayments(sql: Sql, businessDate: string) {
  const overdue = await sql<Array<{ id: number }>>`
    update payments set status = 'overdue', updated_at = now()
    where type = 'postpay_services' and status = 'waiting_for_payment' and pay_by < ${businessDate}::date
    returning id`;
  const toBlock = await overdueBlockCandidates(sql);
  return { overdue: overdue.length, toBlock };
}

/** Working postpay subscriptions that have a charge in an act whose payment is overdue. */
export async function overdueBlockCandidates(sql: Db) {
  const rows = await sql<Array<{ id: number; act: string }>>`
    select distinct on (s.id) s.id, a.number as act from subscriptions s
      join charges ch on ch.subscription_id = s.id join acts a on a.id = ch.act_id join payments p on p.id = a.payment_id
    where p.status = 'overdue' and s.status in ('active', 'payment_overdue', 'stopped')
    order by s.id, a.id`;
  return rows.map((r) => ({ subscriptionId: r.id, act: r.act }));
}

/**
 * Spec 01 §15.4: subscriptions blocked for an overdue payment that no longer have one, and whose debt fits
 * their credit limit (no other blocking condition holds).
 */
export async function overdueUnblockCandidates(sql: Db) {
  const rows = await sql<Array<{ id: number }>>`
    select s.id from subscriptions s join clients c on c.id = s.client_id join service_rules r on r.id = c.service_rule_id
    where s.status = 'blocked' and s.status_reason like ${`${overdueReason}%`}
      and not exists (select 1 from charges ch join acts a on a.id = ch.act_id join payments p on p.id = a.payment_id
                      where ch.subscription_id = s.id and p.status = 'overdue')
      and (select coalesce(sum(amount), 0) from charges where subscription_id = s.id and status = 'blocked')
          <= coalesce(s.credit_limit_override, c.subscription_credit_limit_override, r.subscription_credit_limit)
    order by s.id`;
  return rows.map((r) => r.id);
}
