import { sql } from 'drizzle-orm';
import { check, index, integer, jsonb, pgTable, text, timestamp, uniqueIndex } from 'drizzle-orm/pg-core';
import { timestamps } from './columns';
import { entitlements } from './licensing';

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
    /** The local server's machine id (its own stable identifier, as a client's machineId). */
    serverId: text('server_id').notNull(),
    seats: integer('seats').notNull(),
    validUntil: timestamp('valid_until', { withTimezone: true }).notNull(),
    /** `released` by the local server; a lapsed pool stays `active` with `valid_until` in the past. */
    status: text('status', { enum: ['active', 'released'] }).notNull().default('active'),
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
    check('seat_pools_seats', sql`${t.seats} >= 1`),
  ],
);
