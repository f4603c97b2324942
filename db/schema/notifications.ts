import { sql } from 'drizzle-orm';
import { bigint, bigserial, boolean, check, index, integer, jsonb, pgTable, primaryKey, serial, text, timestamp, uniqueIndex, type AnyPgColumn } from 'drizzle-orm/pg-core';
import { notificationChannels, notificationEventKeys, notificationLanguages } from '../../domain/notifications/catalog';
import { timestamps } from './columns';
import { clients } from './parties';
import { objectKey, propagatedColumns, resellers } from './tenants';

export const notificationStatuses = ['queued', 'sending', 'sent', 'failed'] as const;


/**
 * A notification category (spec 03 §3): groups templates for the client's opt-in. Propagated down the tree like
 * templates (Installed/Inherited/Modified, spec 03 §2); a name is unique in a reseller's view and its subtree, which
 * the operation checks (operations/notifications/notification-categories.ts).
 */
export const notificationCategories = pgTable(
  'notification_categories',
  {
    id: serial('id').primaryKey(),
    ...propagatedColumns((): AnyPgColumn => notificationCategories.id),
    name: text('name').notNull(),
    description: text('description').notNull().default(''),
    /** Client users receive this category and may switch it in the client panel. */
    published: boolean('published').notNull().default(false),
    /** Switched on for the users of every new client. */
    enabledOnClientCreation: boolean('enabled_on_client_creation').notNull().default(false),
    ...timestamps,
  },
  (t) => [uniqueIndex('notification_categories_reseller_key').on(t.resellerId, objectKey(t))],
);

/**
 * A notification template (spec 03 §4): one channel, the event whose placeholders it uses, recipients and
 * one version per language. Templates shipped with the platform carry `default_key` (at the operator only); an
 * operator's edit sets `modified`, and an upgrade never overwrites a modified template.
 */
export const notificationTemplates = pgTable('notification_templates', {
  id: serial('id').primaryKey(),
  ...propagatedColumns((): AnyPgColumn => notificationTemplates.id),
  name: text('name').notNull(),
  channel: text('channel', { enum: notificationChannels }).notNull(),
  event: text('event', { enum: notificationEventKeys as [string, ...string[]] }).notNull(),
  recipients: jsonb('recipients').notNull(),
  versions: jsonb('versions').notNull(),
  fallbackLanguage: text('fallback_language', { enum: notificationLanguages }).notNull().default('en'),
  defaultKey: text('default_key').unique(),
  ...timestamps,
}, (t) => [uniqueIndex('notification_templates_reseller_key').on(t.resellerId, objectKey(t))]);

/** An event handler (spec 03 §5): event + template + rule + sending hour + active flag. */
export const notificationHandlers = pgTable(
  'notification_handlers',
  {
    id: serial('id').primaryKey(),
    ...propagatedColumns((): AnyPgColumn => notificationHandlers.id),
    event: text('event', { enum: notificationEventKeys as [string, ...string[]] }).notNull(),
    /** The template's key (its origin row): each reseller renders its own effective version of it. */
    templateId: integer('template_id').notNull().references(() => notificationTemplates.id),
    /** The rule's text ('' = always); parsed and checked on save. */
    rule: text('rule').notNull().default(''),
    /** Null: send at once; otherwise hold until this hour (0-23) in the platform's time zone. */
    sendHour: integer('send_hour'),
    active: boolean('active').notNull().default(true),
    ...timestamps,
  },
  (t) => [
    // Within a reseller; across the subtree the operation refuses a repeated tuple (spec 03 §5.2).
    uniqueIndex('notification_handlers_unique').on(t.resellerId, t.event, t.templateId, t.rule),
    uniqueIndex('notification_handlers_reseller_key').on(t.resellerId, objectKey(t)),
    check('notification_handlers_hour', sql`${t.sendHour} is null or ${t.sendHour} between 0 and 23`),
  ],
);

/**
 * A reseller's own on/off of a handler (spec 03 §5.5), keyed by the handler's key (its origin row): switching it does
 * not reach downstream resellers and is no modification. Without a row, the effective handler row's `active` applies.
 */
export const notificationHandlerStatuses = pgTable(
  'notification_handler_statuses',
  {
    resellerId: integer('reseller_id').notNull().references(() => resellers.id),
    handlerKey: integer('handler_key').notNull().references(() => notificationHandlers.id, { onDelete: 'cascade' }),
    active: boolean('active').notNull(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.resellerId, t.handlerKey] })],
);

/**
 * The outbox of notification events: written in the same transaction as the business change, so an event
 * is never lost; `dedupe_key` (event, record, transition or business date) makes it happen once.
 */
export const notificationEvents = pgTable(
  'notification_events',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    event: text('event', { enum: notificationEventKeys as [string, ...string[]] }).notNull(),
    subjectKind: text('subject_kind').notNull(),
    subjectId: text('subject_id').notNull(),
    clientId: integer('client_id').references(() => clients.id),
    dedupeKey: text('dedupe_key').notNull().unique(),
    /** The event's own facts (previous values, days left, ...); the rest is read from the records when it is handled. */
    facts: jsonb('facts').notNull().default({}),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    /** When its scenario was started; null ones are picked up by the sweep. */
    startedAt: timestamp('started_at', { withTimezone: true }),
    /** When its handlers were matched and its notifications written (or it was closed for having no handler). */
    handledAt: timestamp('handled_at', { withTimezone: true }),
  },
  (t) => [index('notification_events_unstarted_idx').on(t.id).where(sql`${t.startedAt} is null`)],
);

/** The notification log (spec 03 §10): one row per message to one recipient through one channel. */
export const notifications = pgTable(
  'notifications',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    eventId: bigint('event_id', { mode: 'number' }).references(() => notificationEvents.id),
    // The log outlives a deleted handler or template (spec 03 §2.6 deletion).
    handlerId: integer('handler_id').references(() => notificationHandlers.id, { onDelete: 'set null' }),
    templateId: integer('template_id').references(() => notificationTemplates.id, { onDelete: 'set null' }),
    event: text('event').notNull(),
    channel: text('channel', { enum: notificationChannels }).notNull(),
    clientId: integer('client_id').references(() => clients.id),
    language: text('language').notNull(),
    recipient: text('recipient').notNull(),
    /** The subject, or the start of the text for SMS. */
    summary: text('summary').notNull(),
    /** The rendered message: subject, html, text, cc, bcc. */
    content: jsonb('content').notNull(),
    sendHour: integer('send_hour'),
    /** Held until then (the handler's sending hour). */
    sendAt: timestamp('send_at', { withTimezone: true }).notNull(),
    status: text('status', { enum: notificationStatuses }).notNull().default('queued'),
    attempts: integer('attempts').notNull().default(0),
    lastError: text('last_error'),
    providerMessageId: text('provider_message_id'),
    resentFromId: bigint('resent_from_id', { mode: 'number' }).references((): AnyPgColumn => notifications.id),
    dedupeKey: text('dedupe_key').notNull().unique(),
    /** Client-panel notifications: when the user read it. */
    readAt: timestamp('read_at', { withTimezone: true }),
    sentAt: timestamp('sent_at', { withTimezone: true }),
    ...timestamps,
  },
  (t) => [
    index('notifications_client_idx').on(t.clientId, t.id),
    index('notifications_status_idx').on(t.status, t.id),
    index('notifications_event_idx').on(t.eventId),
  ],
);

/** Every delivery attempt of a notification, with its error. */
export const notificationAttempts = pgTable('notification_attempts', {
  id: bigserial('id', { mode: 'number' }).primaryKey(),
  notificationId: bigint('notification_id', { mode: 'number' }).notNull().references(() => notifications.id),
  attempt: integer('attempt').notNull(),
  status: text('status', { enum: ['sent', 'failed'] }).notNull(),
  error: text('error'),
  providerMessageId: text('provider_message_id'),
  createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
});
