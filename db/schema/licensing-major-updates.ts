import { sql } from 'drizzle-orm';
import { boolean, index, integer, pgTable, serial, text, timestamp, uniqueIndex } from 'drizzle-orm/pg-core';
import { money } from './columns';
import { entitlements } from './licensing';

/**
 * Major updates of perpetual licenses (spec 04 §5.3, issue 22 point 3): the order that moves an entitlement from
 * `fromMajor` to `targetMajor` at the price of the §5.3 quote. A free one is applied when asked; a paid one waits
 * `quoted` until it is paid (from the client's balance through the ledger, or outside with a reference), then moves
 * the entitlement. At most one unpaid quote per license.
 */
export const licenseMajorUpdates = pgTable(
  'license_major_updates',
  {
    id: serial('id').primaryKey(),
    entitlementId: integer('entitlement_id')
      .notNull()
      .references(() => entitlements.id),
    fromMajor: integer('from_major').notNull(),
    targetMajor: integer('target_major').notNull(),
    /** The §5.3 row that priced it: free, half_price, full_price. */
    outcome: text('outcome', { enum: ['free', 'half_price', 'full_price'] }).notNull(),
    percent: integer('percent').notNull(),
    price: money('price').notNull(),
    currency: text('currency'),
    /** A purchase at 100 % is a new license and brings 12 months of support; a 50 % update does not (§5.4). */
    supportIncluded: boolean('support_included').notNull(),
    status: text('status', { enum: ['quoted', 'applied', 'cancelled'] })
      .notNull()
      .default('quoted'),
    /** How it was paid: nothing to pay, the client's balance (a ledger entry), or outside the platform. */
    paidVia: text('paid_via', { enum: ['free', 'balance', 'external'] }),
    paymentReference: text('payment_reference'),
    appliedAt: timestamp('applied_at', { withTimezone: true }),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [uniqueIndex('license_major_updates_one_quote').on(t.entitlementId).where(sql`${t.status} = 'quoted'`), index('license_major_updates_entitlement_idx').on(t.entitlementId)],
);
