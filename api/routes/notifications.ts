import { createRoute, z } from '@hono/zod-openapi';
import { loadEventVariables } from '../../operations/notifications/data';
import { todayIn } from '../../domain/dates';
import {
  eventPlaceholders,
  eventVariables,
  notificationChannels,
  notificationEventKeys,
  notificationEvents,
  notificationLanguages,
  type EventDefinition,
  type NotificationEvent,
} from '../../domain/notifications/catalog';
import { RuleSyntaxError, RuleVariableError, validateRule } from '../../domain/notifications/rules';
import { nestVariables, renderTemplate, sampleVariables, TemplateError, validateTemplate, type TemplateDefinition } from '../../domain/notifications/templates';
import { literalAddressRefusal, publicEgressOnly, urlShapeProblem } from '../../infra/egress';
import { startOnce, startScenario } from '../../contracts/scenario-client';
import { sendNotificationScenarioId } from '../../contracts/scenarios';
import { guard } from '../auth';
import { clientAccess } from '../client-access';
import { router, type ApiDeps } from '../deps';
import { AppError, notFound } from '../errors';
import { idParam, jsonBody, jsonResponses, looseObject, name, page, pageOf, pageQuery } from '../schemas';
import { saveSetting } from './settings';
import { listRows } from '../../queries/lists/engine';
import { notificationList, type NotificationFilters } from '../../queries/lists/notifications';

const field = z.string().max(100_000);
const contentInput = z.object({ subject: field.optional(), html: field.optional(), text: field }).strict();
const templateInput = z
  .object({
    name,
    channel: z.enum(notificationChannels),
    event: z.enum(notificationEventKeys as [NotificationEvent, ...NotificationEvent[]]),
    recipients: z
      .object({ to: z.string().max(2000).optional(), cc: z.string().max(2000).optional(), bcc: z.string().max(2000).optional(), phone: z.string().max(200).optional(), clientUserId: z.string().max(200).optional() })
      .strict(),
    versions: z.object({ en: contentInput.optional(), ru: contentInput.optional() }).strict(),
    fallbackLanguage: z.enum(notificationLanguages).default('en'),
  })
  .strict()
  .openapi('NotificationTemplateInput');
const handlerInput = z
  .object({
    event: z.enum(notificationEventKeys as [NotificationEvent, ...NotificationEvent[]]),
    templateId: z.number().int().positive(),
    rule: z.string().max(2000).default(''),
    sendHour: z.number().int().min(0).max(23).nullable().default(null).describe('hold until this hour (platform time zone); null = at once'),
    active: z.boolean().default(true),
  })
  .strict()
  .openapi('NotificationHandlerInput');
const handlerUpdate = z
  .object({ rule: z.string().max(2000).optional(), sendHour: z.number().int().min(0).max(23).nullable().optional(), active: z.boolean().optional() })
  .strict()
  .openapi('NotificationHandlerUpdate');
const previewInput = z
  .object({
    subject: z.object({ kind: z.enum(['order', 'subscription', 'payment', 'client', 'promised_payment', 'manual_operation', 'task', 'license']), id: z.number().int().positive() }).strict().optional(),
    language: z.enum(notificationLanguages).optional(),
  })
  .strict()
  .openapi('NotificationPreviewInput');
const smsGatewayInput = z
  .object({
    // A GET gateway carries {phone} and {text} in its query; they are filled in, encoded, when an SMS is sent.
    url: z
      .string()
      .max(2000)
      .superRefine((value, ctx) => {
        const problem = urlShapeProblem(value);
        if (problem) ctx.addIssue({ code: 'custom', message: problem });
      })
      .openapi({ format: 'uri' }),
    method: z.enum(['POST', 'PUT', 'GET']).default('POST'),
    body: z.string().max(10_000).default('{"to":"{phone}","text":"{text}"}'),
    contentType: z.string().max(200).default('application/json'),
    authorization: z.string().max(2000).optional(),
    messageIdField: z.string().max(100).optional(),
    timeoutMs: z.number().int().min(100).max(60_000).optional(),
  })
  .strict()
  .openapi('SmsGatewayInput');
const logStatuses = ['queued', 'sending', 'sent', 'failed'] as const;

/** Template and rule problems are 422 with what is wrong in `details` (unknown names, the error's position). */
function refusal(err: unknown): never {
  if (err instanceof TemplateError) throw new AppError(err.code, err.message, { unknown: err.unknown });
  if (err instanceof RuleVariableError) throw new AppError(err.code, err.message, { unknown: err.names, position: err.position });
  if (err instanceof RuleSyntaxError) throw new AppError(err.code, err.message, { position: err.position });
  throw err;
}

interface TemplateRow {
  id: number;
  name: string;
  channel: TemplateDefinition['channel'];
  event: NotificationEvent;
  recipients: TemplateDefinition['recipients'];
  versions: TemplateDefinition['versions'];
  fallbackLanguage: TemplateDefinition['fallbackLanguage'];
  defaultKey: string | null;
  modified: boolean;
}

/**
 * Notifications (spec 03 §4-10): the event catalogue with each event's variables and placeholders;
 * templates validated on save and previewed without sending; handlers whose rules are parsed on save;
 * the notification log with resend; the SMS gateway; the client panel's notifications.
 */
export function notificationRoutes(deps: ApiDeps) {
  const { sql } = deps;
  const app = router();

  async function loadTemplate(id: number): Promise<TemplateRow> {
    const [t] = await sql<TemplateRow[]>`
      select id, name, channel, event, recipients, versions, fallback_language as "fallbackLanguage", default_key as "defaultKey", modified,
             created_at as "createdAt", updated_at as "updatedAt"
      from notification_templates where id = ${id}`;
    if (!t) throw notFound('notification template', id);
    return t;
  }

  async function loadHandler(id: number) {
    const [h] = await sql`
      select h.id, h.event, h.template_id as "templateId", t.name as "templateName", t.channel, h.rule, h.send_hour as "sendHour", h.active,
             h.created_at as "createdAt", h.updated_at as "updatedAt"
      from notification_handlers h join notification_templates t on t.id = h.template_id where h.id = ${id}`;
    if (!h) throw notFound('notification handler', id);
    return h;
  }

  const definition = (t: Pick<TemplateRow, 'channel' | 'event' | 'recipients' | 'versions' | 'fallbackLanguage'>): TemplateDefinition => ({
    channel: t.channel,
    event: t.event,
    recipients: t.recipients,
    versions: t.versions,
    fallbackLanguage: t.fallbackLanguage,
  });

  app.openapi(
    createRoute({
      method: 'get',
      path: '/notification-events',
      tags: ['Notifications'],
      summary: 'The event catalogue: when each event fires, its rule variables and its template placeholders',
      ...guard('billing_config', false),
      responses: jsonResponses(200, z.object({ items: z.array(looseObject) }), 'every event'),
    }),
    async (c) =>
      c.json(
        {
          items: notificationEventKeys.map((key) => {
            const def: EventDefinition = notificationEvents[key];
            return {
              key,
              name: def.name,
              fires: def.fires,
              subject: def.subject,
              audience: def.audience,
              daily: def.daily ?? false,
              ruleRequired: def.ruleRequired ?? false,
              variables: eventVariables(key),
              placeholders: eventPlaceholders(key),
            };
          }),
        },
        200,
      ),
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/notification-templates',
      tags: ['Notifications'],
      summary: 'Create a template; it must compile and use only its event placeholders',
      ...guard('billing_config', true),
      request: jsonBody(templateInput),
      responses: jsonResponses(201, looseObject, 'the template'),
    }),
    async (c) => {
      const input = c.req.valid('json');
      try {
        validateTemplate(definition(input));
      } catch (err) {
        refusal(err);
      }
      const [row] = await sql<Array<{ id: number }>>`
        insert into notification_templates (name, channel, event, recipients, versions, fallback_language)
        values (${input.name}, ${input.channel}, ${input.event}, ${JSON.stringify(input.recipients)}::jsonb, ${JSON.stringify(input.versions)}::jsonb, ${input.fallbackLanguage})
        returning id`;
      return c.json(await loadTemplate(row!.id), 201);
    },
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/notification-templates/{id}',
      tags: ['Notifications'],
      summary: 'Replace a template (a shipped template becomes "modified" and upgrades leave it alone)',
      ...guard('billing_config', true),
      request: { params: idParam, ...jsonBody(templateInput) },
      responses: jsonResponses(200, looseObject, 'the template'),
    }),
    async (c) => {
      const { id } = c.req.valid('param');
      const input = c.req.valid('json');
      const current = await loadTemplate(id);
      if (input.event !== current.event || input.channel !== current.channel) {
        const [used] = await sql`select 1 from notification_handlers where template_id = ${id} limit 1`;
        if (used) throw new AppError('template_in_use', 'handlers use this template: its event and channel cannot change');
      }
      try {
        validateTemplate(definition(input));
      } catch (err) {
        refusal(err);
      }
      await sql`
        update notification_templates set name = ${input.name}, channel = ${input.channel}, event = ${input.event},
               recipients = ${JSON.stringify(input.recipients)}::jsonb, versions = ${JSON.stringify(input.versions)}::jsonb,
               fallback_language = ${input.fallbackLanguage}, modified = true, updated_at = now()
        where id = ${id}`;
      return c.json(await loadTemplate(id), 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/notification-templates',
      tags: ['Notifications'],
      ...guard('billing_config', false),
      request: { query: z.object({ ...pageQuery, event: z.enum(notificationEventKeys as [NotificationEvent, ...NotificationEvent[]]).optional() }) },
      responses: jsonResponses(200, pageOf(looseObject), 'templates, newest first'),
    }),
    async (c) => {
      const { limit, after, event } = c.req.valid('query');
      const rows = await sql<Array<{ id: number }>>`
        select id, name, channel, event, fallback_language as "fallbackLanguage", default_key as "defaultKey", modified, updated_at as "updatedAt"
        from notification_templates
        where (${after ?? null}::int is null or id < ${after ?? null}) and (${event ?? null}::text is null or event = ${event ?? null})
        order by id desc limit ${limit + 1}`;
      return c.json(page(rows, limit), 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/notification-templates/{id}',
      tags: ['Notifications'],
      ...guard('billing_config', false),
      request: { params: idParam },
      responses: jsonResponses(200, looseObject, 'the template'),
    }),
    async (c) => c.json(await loadTemplate(c.req.valid('param').id), 200),
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/notification-templates/{id}/preview',
      tags: ['Notifications'],
      summary: 'Render the template for a real record, or for generated sample data; nothing is sent',
      ...guard('billing_config', false),
      request: { params: idParam, ...jsonBody(previewInput) },
      responses: jsonResponses(200, looseObject, 'the rendered message'),
    }),
    async (c) => {
      const { id } = c.req.valid('param');
      const { subject, language } = c.req.valid('json');
      const t = await loadTemplate(id);
      let vars: Record<string, unknown>;
      if (subject) {
        const expected = notificationEvents[t.event].subject;
        if (subject.kind !== expected) throw new AppError('preview_subject', `a ${t.event} template previews a ${expected}, not a ${subject.kind}`);
        const table = { order: 'orders', subscription: 'subscriptions', payment: 'payments', client: 'clients', promised_payment: 'promised_payments', manual_operation: 'manual_operations', task: 'scenario_steps', license: 'entitlements' }[subject.kind];
        const clientColumn = { client: sql`id`, task: sql`null::int`, license: sql`(select client_id from license_keys k where k.id = key_id)` }[subject.kind as 'client' | 'task' | 'license'] ?? sql`client_id`;
        const [row] = await sql<Array<{ client_id: number | null }>>`select ${clientColumn} as client_id from ${sql(table)} where id = ${subject.id}`;
        if (!row) throw notFound(subject.kind.replace('_', ' '), subject.id);
        const today = todayIn(deps.timeZone, (deps.now ?? (() => new Date()))());
        vars = await loadEventVariables(sql, { id: 0, event: t.event, subject_kind: subject.kind, subject_id: String(subject.id), client_id: row.client_id, dedupe_key: 'preview', facts: {} }, today);
      } else {
        vars = sampleVariables(t.event);
      }
      const rendered = renderTemplate(definition(t), nestVariables(vars), language ?? String(vars['owner.language'] ?? t.fallbackLanguage));
      return c.json({ ...rendered, sample: !subject }, 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/notification-handlers',
      tags: ['Notifications'],
      summary: "Send a template when an event happens and the rule holds; the rule is checked against the event's variables",
      ...guard('billing_config', true),
      request: jsonBody(handlerInput),
      responses: jsonResponses(201, looseObject, 'the handler'),
    }),
    async (c) => {
      const input = c.req.valid('json');
      const [template] = await sql<Array<{ event: string }>>`select event from notification_templates where id = ${input.templateId}`;
      if (!template) throw new AppError('invalid_reference', `notification template ${input.templateId} does not exist`);
      if (template.event !== input.event) throw new AppError('template_event', `template ${input.templateId} is written for ${template.event}, not ${input.event}`);
      const def = notificationEvents[input.event] as { ruleRequired?: boolean };
      if (def.ruleRequired && input.rule.trim() === '') throw new AppError('rule_required', `${input.event} fires every day for every record: give a rule (e.g. on days left)`);
      try {
        validateRule(input.rule, eventVariables(input.event));
      } catch (err) {
        refusal(err);
      }
      const [row] = await sql<Array<{ id: number }>>`
        insert into notification_handlers (event, template_id, rule, send_hour, active)
        values (${input.event}, ${input.templateId}, ${input.rule.trim()}, ${input.sendHour}, ${input.active})
        on conflict (event, template_id, rule) do nothing returning id`;
      if (!row) throw new AppError('handler_exists', 'a handler with this event, template and rule exists');
      return c.json(await loadHandler(row.id), 201);
    },
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/notification-handlers/{id}',
      tags: ['Notifications'],
      summary: 'Change a handler: its rule, sending hour or active flag',
      ...guard('billing_config', true),
      request: { params: idParam, ...jsonBody(handlerUpdate) },
      responses: jsonResponses(200, looseObject, 'the handler'),
    }),
    async (c) => {
      const { id } = c.req.valid('param');
      const input = c.req.valid('json');
      const current = (await loadHandler(id)) as { event: string; rule: string; sendHour: number | null; active: boolean };
      const event = current.event as NotificationEvent;
      const rule = input.rule?.trim() ?? current.rule;
      if ((notificationEvents[event] as { ruleRequired?: boolean }).ruleRequired && rule === '') throw new AppError('rule_required', `${event} needs a rule`);
      try {
        validateRule(rule, eventVariables(event));
      } catch (err) {
        refusal(err);
      }
      await sql`
        update notification_handlers set rule = ${rule}, send_hour = ${input.sendHour === undefined ? current.sendHour : input.sendHour},
               active = ${input.active ?? current.active}, updated_at = now()
        where id = ${id}`;
      return c.json(await loadHandler(id), 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/notification-handlers',
      tags: ['Notifications'],
      ...guard('billing_config', false),
      request: { query: z.object(pageQuery) },
      responses: jsonResponses(200, pageOf(looseObject), 'handlers, newest first'),
    }),
    async (c) => {
      const { limit, after } = c.req.valid('query');
      const rows = await sql<Array<{ id: number }>>`
        select h.id, h.event, h.template_id as "templateId", t.channel, h.rule, h.send_hour as "sendHour", h.active
        from notification_handlers h join notification_templates t on t.id = h.template_id
        where (${after ?? null}::int is null or h.id < ${after ?? null}) order by h.id desc limit ${limit + 1}`;
      return c.json(page(rows, limit), 200);
    },
  );

  async function loadNotification(id: number) {
    const [n] = await sql<Array<Record<string, unknown> & { status: string }>>`
      select id::int, event_id::int as "eventId", handler_id as "handlerId", template_id as "templateId", event, channel, client_id as "clientId",
             language, recipient, summary, content, send_hour as "sendHour", send_at as "sendAt", status, attempts, last_error as "lastError",
             provider_message_id as "providerMessageId", resent_from_id::int as "resentFromId", created_at as "createdAt", sent_at as "sentAt"
      from notifications where id = ${id}`;
    if (!n) throw notFound('notification', id);
    const attempts = await sql`
      select attempt, status, error, provider_message_id as "providerMessageId", created_at as "createdAt"
      from notification_attempts where notification_id = ${id} order by id`;
    return { ...n, attemptLog: attempts };
  }

  app.openapi(
    createRoute({
      method: 'get',
      path: '/notifications',
      tags: ['Notifications'],
      summary: 'The notification log (spec 03 §10), newest first',
      ...guard('operations', false),
      request: {
        query: z.object({
          ...pageQuery,
          status: z.enum(logStatuses).optional(),
          channel: z.enum(notificationChannels).optional(),
          event: z.enum(notificationEventKeys as [NotificationEvent, ...NotificationEvent[]]).optional(),
          clientId: z.coerce.number().int().positive().optional(),
          recipient: z.string().max(320).optional(),
        }),
      },
      responses: jsonResponses(200, pageOf(looseObject), 'a page of notifications'),
    }),
    async (c) => {
      const { limit, ...filters } = c.req.valid('query');
      const rows = await listRows<NotificationFilters, { id: string }>(sql, notificationList, {
        columns: ['id', 'event', 'channel', 'clientId', 'recipient', 'summary', 'sendHour', 'sendAt', 'status', 'attempts', 'lastError', 'providerMessageId', 'resentFromId', 'createdAt', 'sentAt'],
        filters,
        sort: { column: 'id', dir: 'desc' },
        limit: limit + 1,
      });
      // The id is a bigserial, which the driver answers as text; the API has always answered it as a number.
      return c.json(page(rows.map((r) => ({ ...r, id: Number(r.id) })), limit), 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/notifications/{id}',
      tags: ['Notifications'],
      ...guard('operations', false),
      request: { params: idParam },
      responses: jsonResponses(200, looseObject, 'the notification with its attempts'),
    }),
    async (c) => c.json(await loadNotification(c.req.valid('param').id), 200),
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/notifications/{id}/resend',
      tags: ['Notifications'],
      summary: 'Send a sent or failed notification again, as a new log entry linked to it',
      ...guard('operations', true),
      request: { params: idParam, ...jsonBody(z.object({}).strict().openapi('ResendNotificationInput')) },
      responses: jsonResponses(201, looseObject, 'the new notification'),
    }),
    async (c) => {
      const { id } = c.req.valid('param');
      const original = await loadNotification(id);
      if (original.status !== 'sent' && original.status !== 'failed') throw new AppError('notification_in_flight', `notification ${id} is ${original.status}; resend a sent or failed one`);
      const [copy] = await sql<Array<{ id: string }>>`
        insert into notifications (event_id, handler_id, template_id, event, channel, client_id, language, recipient, summary, content, send_hour, send_at,
                                   status, resent_from_id, dedupe_key)
        select event_id, handler_id, template_id, event, channel, client_id, language, recipient, summary, content, null, now(), 'queued', id,
               ${`resend/${id}/`} || (select count(*) + 1 from notifications r where r.resent_from_id = ${id})
        from notifications where id = ${id}
        returning id::text`;
      const newId = Number(copy!.id);
      await startOnce(
        startScenario(deps.temporal, 'sendNotification', { workflowId: sendNotificationScenarioId(newId), taskQueue: deps.taskQueue, input: { notificationId: newId, delayMs: 0, ...(deps.notificationPolicy ? { policy: deps.notificationPolicy } : {}) } }),
      );
      return c.json(await loadNotification(newId), 201);
    },
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/settings/sms-gateway',
      tags: ['Notifications', 'Settings'],
      summary: 'The HTTP SMS gateway: URL, method, body with {phone} and {text}, authorization; a non-2xx answer is a failed delivery',
      ...guard('billing_config', true),
      request: jsonBody(smsGatewayInput),
      responses: jsonResponses(200, looseObject, 'the gateway (authorization hidden)'),
    }),
    async (c) => {
      const input = c.req.valid('json');
      const refusal = literalAddressRefusal(deps.egress ?? publicEgressOnly, new URL(input.url));
      if (refusal) throw new AppError('egress_refused', `url: ${refusal}`);
      await saveSetting(sql, 'sms_gateway', input, c.get('staff').id, { url: input.url, method: input.method });
      // The authorization is a secret: it is stored, never shown again.
      const { authorization, ...shown } = input;
      return c.json({ ...shown, authorizationSet: authorization !== undefined }, 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/clients/{id}/panel-notifications',
      tags: ['Notifications', 'Clients'],
      summary: "The client panel's notifications for this client, newest first",
      ...guard('operations', false, clientAccess.clientPath(sql, 'sign_in')),
      request: { params: idParam, query: z.object(pageQuery) },
      responses: jsonResponses(200, pageOf(looseObject), 'a page of panel notifications'),
    }),
    async (c) => {
      const { id } = c.req.valid('param');
      const { limit, after } = c.req.valid('query');
      const [client] = await sql`select 1 from clients where id = ${id}`;
      if (!client) throw notFound('client', id);
      const rows = await sql<Array<{ id: number }>>`
        select id::int, event, recipient as "clientUserId", content ->> 'subject' as title, content ->> 'text' as body, sent_at as "sentAt", read_at as "readAt"
        from notifications
        where client_id = ${id} and channel = 'panel' and status = 'sent' and (${after ?? null}::int8 is null or id < ${after ?? null})
        order by id desc limit ${limit + 1}`;
      return c.json(page(rows, limit), 200);
    },
  );

  return app;
}
