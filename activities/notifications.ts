import { ApplicationFailure } from '@temporalio/common';
import type { Sql } from '../db/client';
import { todayIn } from '../domain/dates';
import { evaluateRule, parseRule } from '../domain/notifications/rules';
import { holdUntil } from '../domain/notifications/schedule';
import { nestVariables, renderTemplate, type TemplateDefinition } from '../domain/notifications/templates';
import { createOutboundFetch, type EgressPolicy } from '../infra/egress';
import { DeliveryError, sendMail, sendSms, type MailConfig, type SmsGatewayConfig } from '../operations/notifications/channels';
import { loadEventVariables, type EventRow } from '../operations/notifications/data';

export interface NotificationActivityDeps {
  sql: Sql;
  timeZone: string;
  now: () => Date;
  mail: MailConfig;
  /** The SMS gateway is called under the egress policy (infra/egress.ts). */
  egress: EgressPolicy;
}

interface HandlerRow {
  id: number;
  rule: string;
  send_hour: number | null;
  template_id: number;
  channel: TemplateDefinition['channel'];
  event: TemplateDefinition['event'];
  recipients: TemplateDefinition['recipients'];
  versions: TemplateDefinition['versions'];
  fallback_language: TemplateDefinition['fallbackLanguage'];
}

const recipientField: Record<TemplateDefinition['channel'], 'to' | 'phone' | 'clientUserId'> = { email: 'to', sms: 'phone', panel: 'clientUserId' };

/**
 * The notification pipeline (spec 03 §1.3) as activities: an event's active handlers are matched by their
 * rules and rendered into log rows (once per event and handler, whoever retries), then each row is
 * delivered through its channel with every attempt recorded.
 */
export function createNotificationActivities({ sql, timeZone, now, mail, egress }: NotificationActivityDeps) {
  const outboundFetch = createOutboundFetch(egress);
  return {
    /** Returns the event's queued notifications and how long each is held (its sending hour, by the platform clock). */
    async prepareNotifications({ eventId }: { eventId: number }): Promise<Array<{ id: number; delayMs: number }>> {
      const [e] = await sql<EventRow[]>`select id, event, subject_kind, subject_id, client_id, dedupe_key, facts from notification_events where id = ${eventId}`;
      if (!e) return [];
      const handlers = await sql<HandlerRow[]>`
        select h.id, h.rule, h.send_hour, t.id as template_id, t.channel, t.event, t.recipients, t.versions, t.fallback_language
        from notification_handlers h join notification_templates t on t.id = h.template_id
        where h.event = ${e.event} and h.active order by h.id`;
      if (handlers.length > 0) {
        const vars = await loadEventVariables(sql, e, todayIn(timeZone, now()));
        const data = nestVariables(vars);
        const language = String(vars['owner.language'] ?? vars['account.language'] ?? 'en');
        for (const h of handlers) {
          if (!evaluateRule(parseRule(h.rule), vars)) continue;
          let row: { language: string; recipient: string; summary: string; content: unknown; error: string | null };
          try {
            const t: TemplateDefinition = { channel: h.channel, event: h.event, recipients: h.recipients, versions: h.versions, fallbackLanguage: h.fallback_language };
            const r = renderTemplate(t, data, language);
            const recipient = (r.recipients[recipientField[h.channel]] ?? '').trim();
            row = {
              language: r.language,
              recipient,
              summary: (r.subject ?? r.text).slice(0, 200),
              content: { subject: r.subject, html: r.html, text: r.text, cc: r.recipients.cc, bcc: r.recipients.bcc },
              error: recipient === '' ? `no recipient: the template's ${recipientField[h.channel]} is empty for this ${e.subject_kind}` : null,
            };
          } catch (err) {
            row = { language, recipient: '', summary: `template ${h.template_id} failed to render`, content: {}, error: (err as Error).message };
          }
          const sendAt = holdUntil(now(), h.send_hour, timeZone);
          await sql`
            insert into notifications (event_id, handler_id, template_id, event, channel, client_id, language, recipient, summary, content,
                                       send_hour, send_at, status, last_error, dedupe_key)
            values (${e.id}, ${h.id}, ${h.template_id}, ${e.event}, ${h.channel}, ${e.client_id}, ${row.language}, ${row.recipient}, ${row.summary},
                    ${JSON.stringify(row.content)}::jsonb, ${h.send_hour}, ${sendAt.toISOString()}, ${row.error ? 'failed' : 'queued'}, ${row.error}, ${`${e.dedupe_key}/handler-${h.id}`})
            on conflict (dedupe_key) do nothing`;
        }
      }
      await sql`update notification_events set handled_at = coalesce(handled_at, now()) where id = ${e.id}`;
      const queued = await sql<Array<{ id: string; send_at_ms: string }>>`
        select id::text, (extract(epoch from send_at) * 1000)::bigint::text as send_at_ms
        from notifications where event_id = ${e.id} and status in ('queued', 'sending') order by id`;
      const at = now().getTime();
      return queued.map((q) => ({ id: Number(q.id), delayMs: Math.max(0, Number(q.send_at_ms) - at) }));
    },

    /** One delivery attempt; a failure is recorded and thrown so Temporal retries it with back-off. */
    async deliverNotification({ notificationId }: { notificationId: number }): Promise<{ status: string; providerMessageId: string | null }> {
      const [n] = await sql<Array<{ status: string; channel: string; recipient: string; content: { subject: string | null; html: string | null; text: string; cc?: string | null; bcc?: string | null }; attempts: number; provider_message_id: string | null }>>`
        update notifications set status = case when status = 'sent' then status else 'sending' end,
               attempts = attempts + case when status = 'sent' then 0 else 1 end, updated_at = now()
        where id = ${notificationId}
        returning status, channel, recipient, content, attempts, provider_message_id`;
      if (!n) throw ApplicationFailure.nonRetryable(`notification ${notificationId} does not exist`, 'notification_missing');
      if (n.status === 'sent') return { status: 'sent', providerMessageId: n.provider_message_id };
      try {
        let providerMessageId: string;
        if (n.channel === 'email') {
          providerMessageId = await sendMail(mail, { to: n.recipient, cc: n.content.cc, bcc: n.content.bcc, subject: n.content.subject ?? '', text: n.content.text, html: n.content.html });
        } else if (n.channel === 'sms') {
          const [setting] = await sql<Array<{ value: SmsGatewayConfig }>>`select value from settings where key = 'sms_gateway'`;
          providerMessageId = await sendSms(setting?.value ?? null, n.recipient, n.content.text, outboundFetch);
        } else {
          // Client-panel notifications are delivered by being stored; the panel lists them.
          providerMessageId = `panel-${notificationId}`;
        }
        await sql.begin(async (tx) => {
          await tx`insert into notification_attempts (notification_id, attempt, status, provider_message_id) values (${notificationId}, ${n.attempts}, 'sent', ${providerMessageId})`;
          await tx`update notifications set status = 'sent', provider_message_id = ${providerMessageId}, last_error = null, sent_at = now(), updated_at = now() where id = ${notificationId}`;
        });
        return { status: 'sent', providerMessageId };
      } catch (err) {
        const message = (err as Error).message;
        await sql.begin(async (tx) => {
          await tx`insert into notification_attempts (notification_id, attempt, status, error) values (${notificationId}, ${n.attempts}, 'failed', ${message})`;
          await tx`update notifications set status = 'queued', last_error = ${message}, updated_at = now() where id = ${notificationId}`;
        });
        if (err instanceof DeliveryError && !err.retryable) throw ApplicationFailure.nonRetryable(message, 'delivery_not_retryable');
        throw ApplicationFailure.retryable(message, 'delivery_failed');
      }
    },

    /** The retries are spent: the notification is `failed` with its last error, and can be resent by hand. */
    async markNotificationFailed({ notificationId, error }: { notificationId: number; error: string }) {
      await sql`
        update notifications set status = 'failed', last_error = coalesce(last_error, ${error}), updated_at = now()
        where id = ${notificationId} and status <> 'sent'`;
    },
  };
}

export type NotificationActivities = ReturnType<typeof createNotificationActivities>;

/**
 * The daily events (spec 03 §6.3) for a business date, set-based: one outbox row per record and date, for
 * events that have an active handler. The dedupe key holds the date, so re-running the date adds nothing.
 */
export async function emitDailyNotificationEvents(sql: Sql, businessDate: string): Promise<{ found: number; emitted: number }> {
  const active = new Set((await sql<Array<{ event: string }>>`select distinct event from notification_handlers where active`).map((r) => r.event));
  const facts = JSON.stringify({ current_date: businessDate });
  const daily: Array<{ event: string; kind: string; rows: () => Promise<Array<{ id: number; client_id: number }>> }> = [
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
  let found = 0;
  let emitted = 0;
  for (const d of daily) {
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
