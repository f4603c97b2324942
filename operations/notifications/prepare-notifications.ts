import type { Db } from '../../db/client';
import { todayIn } from '../../domain/dates';
import { evaluateRule, parseRule } from '../../domain/notifications/rules';
import { holdUntil } from '../../domain/notifications/schedule';
import { nestVariables, renderTemplate, type TemplateDefinition } from '../../domain/notifications/templates';
import { rootResellerId } from '../../domain/resellers';
import { handlerActiveFor } from '../../db/propagation';
import { effectiveRows } from '../propagation/propagation';
import { loadEventVariables, type EventRow } from './data';
import type { Vars } from './variables';

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

/** A notification's log row as rendered for one handler: failed at once when it cannot render or has no recipient. */
interface RenderedRow {
  language: string;
  recipient: string;
  summary: string;
  content: unknown;
  error: string | null;
}

const recipientField: Record<TemplateDefinition['channel'], 'to' | 'phone' | 'clientUserId'> = { email: 'to', sms: 'phone', panel: 'clientUserId' };

function render(e: EventRow, h: HandlerRow, data: Record<string, unknown>, language: string): RenderedRow {
  try {
    const t: TemplateDefinition = { channel: h.channel, event: h.event, recipients: h.recipients, versions: h.versions, fallbackLanguage: h.fallback_language };
    const r = renderTemplate(t, data, language);
    const recipient = (r.recipients[recipientField[h.channel]] ?? '').trim();
    return {
      language: r.language,
      recipient,
      summary: (r.subject ?? r.text).slice(0, 200),
      content: { subject: r.subject, html: r.html, text: r.text, cc: r.recipients.cc, bcc: r.recipients.bcc },
      error: recipient === '' ? `no recipient: the template's ${recipientField[h.channel]} is empty for this ${e.subject_kind}` : null,
    };
  } catch (err) {
    return { language, recipient: '', summary: `template ${h.template_id} failed to render`, content: {}, error: (err as Error).message };
  }
}

/** One log row per handler whose rule holds, held until its sending hour; a row already there (a retry) stays. */
async function queueForHandlers(sql: Db, e: EventRow, handlers: HandlerRow[], vars: Vars, { timeZone, now }: PrepareOptions) {
  const data = nestVariables(vars);
  const language = String(vars['owner.language'] ?? vars['account.language'] ?? 'en');
  for (const h of handlers) {
    if (!evaluateRule(parseRule(h.rule), vars)) continue;
    const row = render(e, h, data, language);
    const sendAt = holdUntil(now(), h.send_hour, timeZone);
    await sql`
      insert into notifications (event_id, handler_id, template_id, event, channel, client_id, language, recipient, summary, content,
                                 send_hour, send_at, status, last_error, dedupe_key)
      values (${e.id}, ${h.id}, ${h.template_id}, ${e.event}, ${h.channel}, ${e.client_id}, ${row.language}, ${row.recipient}, ${row.summary},
              ${JSON.stringify(row.content)}::jsonb, ${h.send_hour}, ${sendAt.toISOString()}, ${row.error ? 'failed' : 'queued'}, ${row.error}, ${`${e.dedupe_key}/handler-${h.id}`})
      on conflict (dedupe_key) do nothing`;
  }
}

export interface PrepareOptions {
  /** The platform time zone: the business date of the variables and the sending hours. */
  timeZone: string;
  now: () => Date;
}

/**
 * The notification pipeline's first half (spec 03 §1.3): an event's active handlers are matched by their rules and
 * rendered into log rows, once per event and handler whoever retries (the dedupe key). Returns the event's queued
 * notifications and how long each is held (its sending hour, by the platform clock).
 */
export async function prepareNotifications(sql: Db, eventId: number, options: PrepareOptions): Promise<Array<{ id: number; delayMs: number }>> {
  const [e] = await sql<EventRow[]>`select id, event, subject_kind, subject_id, client_id, dedupe_key, facts from notification_events where id = ${eventId}`;
  if (!e) return [];
  // The handlers and templates of the client's reseller, as it sees them down the tenant tree (spec 03 §2): its own
  // modified copies, else its nearest ancestor's, each on or off as that reseller switched it (spec 03 §5.5). An
  // event about no client is the operator's.
  const [owner] = await sql<Array<{ path: number[] }>>`
    select path from resellers where id = coalesce((select reseller_id from clients where id = ${e.client_id}), ${rootResellerId})`;
  const path = owner!.path;
  const handlers = await sql<HandlerRow[]>`
    select h.id, h.rule, h.send_hour, t.id as template_id, t.channel, t.event, t.recipients, t.versions, t.fallback_language
    from ${effectiveRows(sql, 'notification_handlers', path)} h join ${effectiveRows(sql, 'notification_templates', path)} t on t.object_key = h.template_id
    where h.event = ${e.event} and ${handlerActiveFor(sql, path.at(-1)!)} order by h.id`;
  if (handlers.length > 0) {
    const vars = await loadEventVariables(sql, e, todayIn(options.timeZone, options.now()));
    await queueForHandlers(sql, e, handlers, vars, options);
  }
  await sql`update notification_events set handled_at = coalesce(handled_at, now()) where id = ${e.id}`;
  const queued = await sql<Array<{ id: string; send_at_ms: string }>>`
    select id::text, (extract(epoch from send_at) * 1000)::bigint::text as send_at_ms
    from notifications where event_id = ${e.id} and status in ('queued', 'sending') order by id`;
  const at = options.now().getTime();
  return queued.map((q) => ({ id: Number(q.id), delayMs: Math.max(0, Number(q.send_at_ms) - at) }));
}
