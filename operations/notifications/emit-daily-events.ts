import type { Db } from '../../db/client';

interface DailyEvent {
  event: string;
  kind: string;
  rows: () => Promise<Array<{ id: number; client_id: number }>>;
}

/** The records each daily event (spec 03 §6.3) fires for on a business date. */
function dailyEvents(sql: Db, businessDate: string): DailyEvent[] {
  return [
    {
      event: 'before_subscription_expiration',
      kind: 'subscription',
      // Not for a subscription whose renewal is already being provided (spec 03 §6 #14).
      rows: () => sql`
        select s.id, s.client_id from subscriptions s
        where s.expiration_date >= ${businessDate}::date and s.status in ('active', 'payment_overdue', 'stopped', 'blocked', 'awaiting_manual_confirmation')
          and not exists (select 1 from orders o where o.subscription_id = s.id and o.type = 'renewal' and o.status in ('awaiting_provisioning', 'provisioning'))`,
    },
    {
      event: 'after_subscription_expiration',
      kind: 'subscription',
      rows: () => sql`select id, client_id from subscriptions where expiration_date < ${businessDate}::date and status not in ('deleted', 'deleting', 'new_order', 'installing', 'install_error')`,
    },
    {
      event: 'payment_due_date_coming',
      kind: 'payment',
      rows: () => sql`select id, client_id from payments where type = 'postpay_services' and status = 'waiting_for_payment' and pay_by >= ${businessDate}::date`,
    },
    {
      event: 'promised_payment_expiring',
      kind: 'promised_payment',
      rows: () => sql`select id, client_id from promised_payments where status in ('provided', 'provided_by_topup') and expires_on >= ${businessDate}::date`,
    },
  ];
}

/**
 * The daily events (spec 03 §6.3) for a business date, set-based: one outbox row per record and date, for
 * events that have an active handler. The dedupe key holds the date, so re-running the date adds nothing.
 */
export async function emitDailyNotificationEvents(sql: Db, businessDate: string): Promise<{ found: number; emitted: number }> {
  const active = new Set((await sql<Array<{ event: string }>>`select distinct h.event from notification_handlers h
    where h.active or exists (select 1 from notification_handler_statuses s where s.handler_key = coalesce(h.origin_id, h.id) and s.active)`).map((r) => r.event));
  const facts = JSON.stringify({ current_date: businessDate });
  let found = 0;
  let emitted = 0;
  for (const d of dailyEvents(sql, businessDate)) {
    if (!active.has(d.event)) continue;
    const rows = await d.rows();
    found += rows.length;
    for (const r of rows) {
      const [made] = await sql`
        insert into notification_events (event, subject_kind, subject_id, client_id, dedupe_key, facts)
        values (${d.event}, ${d.kind}, ${String(r.id)}, ${r.client_id}, ${`${d.event}/${d.kind}-${r.id}/${businessDate}`}, ${facts}::jsonb)
        on conflict (dedupe_key) do nothing returning id`;
      if (made) emitted += 1;
    }
  }
  return { found, emitted };
}
