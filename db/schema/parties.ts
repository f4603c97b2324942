import { sql } from 'drizzle-orm';
import {
  bigint,
  bigserial,
  boolean,
  check,
  index,
  integer,
  jsonb,
  pgTable,
  primaryKey,
  serial,
  text,
  timestamp,
  uniqueIndex,
} from 'drizzle-orm/pg-core';
import { clientAccessLevels, clientStatuses } from '../../domain/statuses';
import { timestamps } from './columns';
import { serviceRules } from './catalog';
import { clientTypes } from './client-types';
import { resellers, staff } from './tenants';


/**
 * Sign-in attempts per source address (web/sign-in.ts): counted when they start, in windows of 15 minutes;
 * too many lock the address out for a while, whichever accounts they tried. Stale rows are pruned as attempts come.
 */
export const signInSources = pgTable(
  'sign_in_sources',
  {
    address: text('address').primaryKey(),
    attempts: integer('attempts').notNull(),
    windowStartedAt: timestamp('window_started_at', { withTimezone: true }).notNull(),
    lockedUntil: timestamp('locked_until', { withTimezone: true }),
  },
  (t) => [index('sign_in_sources_window_idx').on(t.windowStartedAt)],
);

/** Operator UI sessions: the cookie holds a random id whose SHA-256 is stored, with the form (CSRF) token. */
export const staffSessions = pgTable('staff_sessions', {
  id: serial('id').primaryKey(),
  staffId: integer('staff_id').notNull().references(() => staff.id),
  tokenHash: text('token_hash').notNull().unique(),
  csrfToken: text('csrf_token').notNull(),
  language: text('language').notNull().default('en'),
  createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  expiresAt: timestamp('expires_at', { withTimezone: true }).notNull(),
  endedAt: timestamp('ended_at', { withTimezone: true }),
});

/** What a staff member chose on a list page of the operator UI (spec 02 §15.2): the columns and the page size. */
export const staffListPreferences = pgTable(
  'staff_list_preferences',
  {
    staffId: integer('staff_id').notNull().references(() => staff.id),
    list: text('list').notNull(),
    columns: text('columns').array().notNull(),
    pageSize: integer('page_size'),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.staffId, t.list] })],
);

/** Only a SHA-256 of the token is stored; the token itself is shown once, at creation. */
/** The columns of an API token table (staff and client users): a name, the hash, the visible prefix, its use. */
const tokenColumns = () => ({
  /** Where the token is used ("laptop", "client panel"), to tell tokens apart. */
  name: text('name').notNull(),
  tokenHash: text('token_hash').notNull().unique(),
  /** The first characters of the token, to tell tokens apart in lists without revealing them. */
  prefix: text('prefix').notNull(),
  createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  lastUsedAt: timestamp('last_used_at', { withTimezone: true }),
  revokedAt: timestamp('revoked_at', { withTimezone: true }),
});

export const apiTokens = pgTable('api_tokens', {
  id: serial('id').primaryKey(),
  staffId: integer('staff_id').notNull().references(() => staff.id),
  ...tokenColumns(),
});

export const clients = pgTable(
  'clients',
  {
    id: serial('id').primaryKey(),
    /** The reseller whose client this is (spec 05 §1.1 rule 4); every installation's existing clients are the root's. */
    resellerId: integer('reseller_id').notNull().default(1).references(() => resellers.id),
    name: text('name').notNull(),
    status: text('status', { enum: clientStatuses })
      .notNull()
      .default('active'),
    /**
     * The client type (spec 02 §10): its object key (origin row). The default, 3, is the root's `legal_entity` seeded
     * by migration 0064 (what the enum column defaulted to); the API always names the reseller's own default.
     */
    clientTypeId: integer('client_type_id').notNull().default(3).references(() => clientTypes.id),
    serviceRuleId: integer('service_rule_id').notNull().references(() => serviceRules.id),
    managerId: integer('manager_id').references(() => staff.id),
    currency: text('currency').notNull().default('EUR'),
    language: text('language').notNull().default('en'),
    /** Written only together with a ledger transaction, under a row lock on the client. */
    balance: bigint('balance', { mode: 'number' }).notNull().default(0),
    /** Null = use the service rule's value (the "use from service rule" toggle). */
    creditThresholdOverride: bigint('credit_threshold_override', { mode: 'number' }),
    subscriptionCreditLimitOverride: bigint('subscription_credit_limit_override', { mode: 'number' }),
    postpayPermission: text('postpay_permission', {
      enum: ['not_checked', 'awaiting_approval', 'rejected', 'approved'],
    })
      .notNull()
      .default('not_checked'),
    /** The moment the balance first went below zero; null while it is ≥ 0 (decision 1). */
    negativeSince: timestamp('negative_since', { withTimezone: true }),
    trial: boolean('trial').notNull().default(false),
    selfRegistered: boolean('self_registered').notNull().default(false),
    ...timestamps,
  },
  (t) => [
    index('clients_status_idx').on(t.status),
    index('clients_reseller_idx').on(t.resellerId),
    index('clients_client_type_idx').on(t.clientTypeId),
    // The task list view joins client scenarios by text id, like subscriptions (see subscriptions_id_text_idx).
    index('clients_id_text_idx').on(sql`(${t.id}::text)`),
    check('clients_threshold_nonnegative', sql`${t.creditThresholdOverride} is null or ${t.creditThresholdOverride} >= 0`),
  ],
);

export const clientContacts = pgTable('client_contacts', {
  id: serial('id').primaryKey(),
  clientId: integer('client_id').notNull().references(() => clients.id),
  name: text('name').notNull(),
  email: text('email'),
  phone: text('phone'),
  language: text('language'),
  role: text('role', { enum: ['owner', 'technical', 'financial', 'other'] }).notNull().default('owner'),
  ...timestamps,
});

/** Who did what to which entity, and why (spec 02 §15.1). Append-only. */
export const eventLog = pgTable(
  'event_log',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    actorKind: text('actor_kind', { enum: ['staff', 'system', 'client_user'] }).notNull(),
    actorId: integer('actor_id'),
    viaApi: boolean('via_api').notNull().default(false),
    entityKind: text('entity_kind').notNull(),
    entityId: text('entity_id').notNull(),
    action: text('action').notNull(),
    reason: text('reason'),
    changes: jsonb('changes').$type<Record<string, unknown>>(),
    /** Makes writes from retried activities idempotent; null for writes done once by the API. */
    dedupeKey: text('dedupe_key').unique(),
  },
  (t) => [index('event_log_entity_idx').on(t.entityKind, t.entityId, t.id)],
);

/** Responses stored per (staff, Idempotency-Key) so a retried POST gets the same answer. */
export const idempotencyKeys = pgTable(
  'idempotency_keys',
  {
    staffId: integer('staff_id').notNull(),
    key: text('key').notNull(),
    route: text('route').notNull(),
    requestHash: text('request_hash').notNull(),
    statusCode: integer('status_code'),
    responseBody: jsonb('response_body'),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.staffId, t.key] })],
);

/**
 * One period of a client's financial or administrative block (spec 01 §4.4-4.5): opened when the client
 * enters the block, closed when it leaves. Its scenarios (`financial-block-<client>-<n>`, and the unblock
 * one) stop and restore the client's subscriptions; a sweep starts any whose start was lost.
 */
export const clientBlocks = pgTable(
  'client_blocks',
  {
    id: serial('id').primaryKey(),
    clientId: integer('client_id').notNull().references(() => clients.id),
    kind: text('kind', { enum: ['financial', 'administrative'] }).notNull(),
    n: integer('n').notNull(),
    reason: text('reason'),
    startedAt: timestamp('started_at', { withTimezone: true }).notNull().defaultNow(),
    endedAt: timestamp('ended_at', { withTimezone: true }),
    blockScenarioStartedAt: timestamp('block_scenario_started_at', { withTimezone: true }),
    unblockScenarioStartedAt: timestamp('unblock_scenario_started_at', { withTimezone: true }),
  },
  (t) => [
    uniqueIndex('client_blocks_n').on(t.clientId, t.kind, t.n),
    uniqueIndex('client_blocks_one_open').on(t.clientId, t.kind).where(sql`${t.endedAt} is null`),
  ],
);

/** Spec 01 §2, §4.2: a person who uses the client panel, linked to one or more clients. */
export const clientUsers = pgTable('client_users', {
  id: serial('id').primaryKey(),
  /** The reseller whose staff made the login (issue 21 point 5): only its staff see it; existing users are the root's. */
  resellerId: integer('reseller_id').notNull().default(1).references(() => resellers.id),
  name: text('name').notNull(),
  email: text('email').notNull().unique(),
  status: text('status', { enum: ['active', 'inactive'] }).notNull().default('active'),
  language: text('language').notNull().default('en'),
  ...timestamps,
});

/** A client user's access to one client: one owner per client (a new owner makes the previous one an administrator). */
export const clientUserLinks = pgTable(
  'client_user_links',
  {
    clientUserId: integer('client_user_id').notNull().references(() => clientUsers.id),
    clientId: integer('client_id').notNull().references(() => clients.id),
    accessLevel: text('access_level', { enum: clientAccessLevels }).notNull(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    primaryKey({ columns: [t.clientUserId, t.clientId] }),
    index('client_user_links_client_idx').on(t.clientId),
    uniqueIndex('client_user_links_one_owner').on(t.clientId).where(sql`${t.accessLevel} = 'owner'`),
  ],
);

/** Client users' API tokens; like staff tokens, only a SHA-256 is stored. */
export const clientUserTokens = pgTable('client_user_tokens', {
  id: serial('id').primaryKey(),
  clientUserId: integer('client_user_id').notNull().references(() => clientUsers.id),
  ...tokenColumns(),
});
