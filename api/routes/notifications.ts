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
import { nestVariables, renderTemplate, sampleVariables, type TemplateDefinition } from '../../domain/notifications/templates';
import { publicEgressOnly, urlShapeProblem } from '../../infra/egress';
import { startOnce, startScenario } from '../../contracts/scenario-client';
import { sendNotificationScenarioId } from '../../contracts/scenarios';
import { listViewer } from '../tenancy';
import { guard } from '../auth';
import { clientAccess } from '../client-access';
import { router, type ApiDeps } from '../deps';
import { AppError, notFound } from '../errors';
import { idParam, jsonBody, jsonResponses, looseObject, name, page, pageOf, pageQuery } from '../schemas';
import { newestFirst } from '../../queries/lists/engine';
import { notificationList, type NotificationFilters } from '../../queries/lists/notifications';
import { createNotificationHandler, changeNotificationHandler, deleteNotificationHandler, restoreNotificationHandler } from '../../operations/notifications/notification-handlers';
import { createNotificationTemplate, deleteNotificationTemplate, replaceNotificationTemplate, restoreNotificationTemplate } from '../../operations/notifications/notification-templates';
import { findPropagated, listPropagated } from '../../queries/propagated';
import { resendNotification } from '../../operations/notifications/resend-notification';
import { saveSmsGateway } from '../../operations/notifications/save-sms-gateway';

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

interface TemplateRow {
  id: number;
  name: string;
  channel: TemplateDefinition['channel'];
  event: NotificationEvent;
  recipients: TemplateDefinition['recipients'];
  versions: TemplateDefinition['versions'];
  fallbackLanguage: TemplateDefinition['fallbackLanguage'];
  defaultKey: string | null;
}

/**
 * Notifications (spec 03 §4-10): the event catalogue with each event's variables and placeholders;
 * templates validated on save and previewed without sending; handlers whose rules are parsed on save;
 * the notification log with resend; the SMS gateway; the client panel's notifications. Long because it registers every route of the resource;
 * each handler validates, guards, calls its operation or query and shapes the answer.
 */
export function notificationRoutes(deps: ApiDeps) {
  const { sql } = deps;
  const app = router();

  /** A template or handler as the caller's reseller uses it (its own row, else the nearest ancestor's), with its flags. */
  async function loadTemplate(viewerId: number, id: number): Promise<TemplateRow> {
    const t = await findPropagated(sql, 'notification_templates', viewerId, id);
    if (!t) throw notFound('notification template', id);
    return t as unknown as TemplateRow;
  }

  async function loadHandler(viewerId: number, id: number) {
    const h = await findPropagated(sql, 'notification_handlers', viewerId, id);
    if (!h) throw notFound('notification handler', id);
    return h;
  }

  /** Restore to upstream (spec 03 §2.5) and delete (§2.6) of the caller's reseller's template or handler. */
  function restoreAndDelete(o: {
    path: string;
    tag: string;
    restore: (db: typeof sql, resellerId: number, id: number) => Promise<number>;
    remove: (db: typeof sql, resellerId: number, id: number) => Promise<void>;
    load: (viewerId: number, id: number) => Promise<unknown>;
  }) {
    app.openapi(
      createRoute({
        method: 'post',
        path: `${o.path}/{id}/restore`,
        tags: ['Notifications'],
        summary: `Restore the caller's reseller's modified ${o.tag} to the upstream's current state (or a factory default to the shipped text)`,
        ...guard('billing_config', true),
        request: { params: idParam, ...jsonBody(z.object({}).strict()) },
        responses: jsonResponses(200, looseObject, `the ${o.tag} now in use`),
      }),
      async (c) => {
        const by = c.get('staff').resellerId;
        return c.json((await o.load(by, await o.restore(sql, by, c.req.valid('param').id))) as Record<string, unknown>, 200);
      },
    );
    app.openapi(
      createRoute({
        method: 'delete',
        path: `${o.path}/{id}`,
        tags: ['Notifications'],
        summary: `Delete a ${o.tag} the caller's reseller created; descendants that modified it keep it`,
        ...guard('billing_config', true),
        request: { params: idParam },
        responses: jsonResponses(200, z.object({ deleted: z.literal(true) }), 'deleted'),
      }),
      async (c) => {
        await o.remove(sql, c.get('staff').resellerId, c.req.valid('param').id);
        return c.json({ deleted: true as const }, 200);
      },
    );
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
      const by = c.get('staff').resellerId;
      return c.json(await loadTemplate(by, await createNotificationTemplate(sql, c.req.valid('json'), by)), 201);
    },
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/notification-templates/{id}',
      tags: ['Notifications'],
      summary: "Replace a template for the caller's reseller: an inherited one becomes its modified copy (upstream changes stop there); a shipped one becomes modified and upgrades leave it alone",
      ...guard('billing_config', true),
      request: { params: idParam, ...jsonBody(templateInput) },
      responses: jsonResponses(200, looseObject, 'the template'),
    }),
    async (c) => {
      const by = c.get('staff').resellerId;
      const rowId = await replaceNotificationTemplate(sql, by, c.req.valid('param').id, c.req.valid('json'));
      return c.json(await loadTemplate(by, rowId), 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/notification-templates',
      tags: ['Notifications'],
      ...guard('billing_config', false),
      request: { query: z.object({ ...pageQuery, event: z.enum(notificationEventKeys as [NotificationEvent, ...NotificationEvent[]]).optional() }) },
      summary: "The templates the caller's reseller uses (its own, else inherited), with the Installed / Inherited / Modified flags",
      responses: jsonResponses(200, pageOf(looseObject), 'templates, newest first'),
    }),
    async (c) => {
      const { limit, after, event } = c.req.valid('query');
      const rows = await listPropagated(sql, 'notification_templates', c.get('staff').resellerId, { after, limit, event });
      return c.json(page(rows.map(({ recipients: _r, versions: _v, ...brief }) => brief), limit), 200);
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
    async (c) => c.json(await loadTemplate(c.get('staff').resellerId, c.req.valid('param').id), 200),
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
      const t = await loadTemplate(c.get('staff').resellerId, id);
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
      const by = c.get('staff').resellerId;
      return c.json(await loadHandler(by, await createNotificationHandler(sql, c.req.valid('json'), by)), 201);
    },
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/notification-handlers/{id}',
      tags: ['Notifications'],
      summary: "Change a handler for the caller's reseller: a new rule or sending hour makes an inherited one its modified copy; `active` switches it on or off for the caller's reseller alone, as no modification (spec 03 §5.5)",
      ...guard('billing_config', true),
      request: { params: idParam, ...jsonBody(handlerUpdate) },
      responses: jsonResponses(200, looseObject, 'the handler'),
    }),
    async (c) => {
      const by = c.get('staff').resellerId;
      const rowId = await changeNotificationHandler(sql, by, c.req.valid('param').id, c.req.valid('json'));
      return c.json(await loadHandler(by, rowId), 200);
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
      return c.json(page(await listPropagated(sql, 'notification_handlers', c.get('staff').resellerId, { after, limit }), limit), 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/notification-handlers/{id}',
      tags: ['Notifications'],
      ...guard('billing_config', false),
      request: { params: idParam },
      responses: jsonResponses(200, looseObject, "the handler as the caller's reseller uses it"),
    }),
    async (c) => c.json(await loadHandler(c.get('staff').resellerId, c.req.valid('param').id), 200),
  );

  restoreAndDelete({ path: '/notification-templates', tag: 'notification template', restore: restoreNotificationTemplate, remove: deleteNotificationTemplate, load: loadTemplate });
  restoreAndDelete({ path: '/notification-handlers', tag: 'notification handler', restore: restoreNotificationHandler, remove: deleteNotificationHandler, load: loadHandler });

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
      const rows = await newestFirst<NotificationFilters, { id: string }>(sql, listViewer(c), notificationList, ['id', 'event', 'channel', 'clientId', 'recipient', 'summary', 'sendHour', 'sendAt', 'status', 'attempts', 'lastError', 'providerMessageId', 'resentFromId', 'createdAt', 'sentAt'], filters, limit);
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
      const newId = await resendNotification(sql, c.req.valid('param').id);
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
      await saveSmsGateway(sql, input, { egress: deps.egress ?? publicEgressOnly, by: c.get('staff').id });
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
