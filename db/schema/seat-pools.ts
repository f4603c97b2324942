import { sql } from 'drizzle-orm';
import { check, index, integer, jsonb, pgTable, serial, text, timestamp, uniqueIndex } from 'drizzle-orm/pg-core';
import { timestamps } from './columns';
import { entitlements, licenseKeys } from './licensing';
import { staff } from './tenants';

/**
 * Local license servers (spec 04 §1.2 LicenseServer, §5.5): a server in a customer's network that pools seats of the
 * customer's key. It is registered on its first obtain, under the key it proves itself with and its own machine id
 * (`server_id`, unique per key); each obtain or renewal is a sync. Staff may revoke one: its pools' seats return at
 * once and it obtains and renews nothing more (403 `LICENSE_SERVER_REVOKED`). The root server is the platform
 * itself and has no row; the customer is the key's.
 */
export const licenseServers = pgTable(
  'license_servers',
  {
    id: serial('id').primaryKey(),
    keyId: integer('key_id').notNull().references(() => licenseKeys.id),
    /** The local server's own stable identifier (its LICENSE_SERVER_ID; the host name by default). */
    serverId: text('server_id').notNull(),
    status: text('status', { enum: ['active', 'revoked'] }).notNull().default('active'),
    registeredAt: timestamp('registered_at', { withTimezone: true }).notNull(),
    /** Its last obtain or renewal that the root granted (spec 04 §1.2 `lastSyncAt`). */
    lastSyncAt: timestamp('last_sync_at', { withTimezone: true }).notNull(),
    revokedAt: timestamp('revoked_at', { withTimezone: true }),
    revokedBy: integer('revoked_by').references(() => staff.id),
    revocationReason: text('revocation_reason'),
    ...timestamps,
  },
  (t) => [uniqueIndex('license_servers_key_server').on(t.keyId, t.serverId)],
);

/**
 * Seat pools (spec 04 §5.5): a local license server in a customer's network holds `seats` seats of a floating
 * entitlement until `valid_until` (at most 24 h ahead) and leases them to its own clients. The root counts an
 * active pool's seats as used while `valid_until` is in the future: a lapsed pool gives its seats back by the
 * time comparison in every seat check, with no job that must run first.
 */
export const seatPools = pgTable(
  'seat_pools',
  {
    /** A random UUID: the local server names its pool with it, so it must not be guessable. */
    id: text('id').primaryKey(),
    entitlementId: integer('entitlement_id').notNull().references(() => entitlements.id),
    /** The local server holding it. */
    licenseServerId: integer('license_server_id').notNull().references(() => licenseServers.id),
    /** The local server's machine id (its own stable identifier, as a client's machineId). */
    serverId: text('server_id').notNull(),
    seats: integer('seats').notNull(),
    validUntil: timestamp('valid_until', { withTimezone: true }).notNull(),
    /**
     * `released` by the local server (or with the license's registrations), `revoked` with its server; a lapsed
     * pool stays `active` with `valid_until` in the past.
     */
    status: text('status', { enum: ['active', 'released', 'revoked'] }).notNull().default('active'),
    /** The local server's request key of the obtain call: a retried obtain answers the same pool. */
    requestKey: text('request_key').notNull(),
    /** The signed pool document last issued (obtain or renew), answered again to a retried call. */
    document: jsonb('document').notNull(),
    renewedAt: timestamp('renewed_at', { withTimezone: true }),
    releasedAt: timestamp('released_at', { withTimezone: true }),
    ...timestamps,
  },
  (t) => [
    uniqueIndex('seat_pools_request').on(t.entitlementId, t.requestKey),
    index('seat_pools_entitlement_idx').on(t.entitlementId, t.validUntil).where(sql`${t.status} = 'active'`),
    index('seat_pools_license_server_idx').on(t.licenseServerId),
    check('seat_pools_seats', sql`${t.seats} >= 1`),
  ],
);
