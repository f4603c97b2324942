import { sql } from 'drizzle-orm';
import { check, index, integer, pgTable, serial, text, timestamp, uniqueIndex } from 'drizzle-orm/pg-core';
import { money, timestamps } from './columns';
import { payments } from './billing';
import { entitlements } from './licensing';
import { staff } from './tenants';

/**
 * Renewals of standalone licenses (spec 04 §4.2 Renew): one row per renewal asked for, with how it is paid. Paid
 * from the balance it is applied at once; added to an unpaid invoice or on a new invoice it waits for that payment
 * (`payment_id`) and is applied when the payment is confirmed. A license billed by a subscription is renewed by
 * renewing the subscription instead. `refused`: the license could no longer be renewed when its payment came (it was
 * deleted, say); the money stays on the balance.
 */
export const licenseRenewals = pgTable(
  'license_renewals',
  {
    id: serial('id').primaryKey(),
    entitlementId: integer('entitlement_id').notNull().references(() => entitlements.id),
    periodMonths: integer('period_months').notNull(),
    price: money('price').notNull(),
    currency: text('currency').notNull(),
    paymentMethod: text('payment_method', { enum: ['balance', 'unpaid_invoice', 'invoice'] }).notNull(),
    paymentId: integer('payment_id').references(() => payments.id),
    status: text('status', { enum: ['awaiting_payment', 'applied', 'refused', 'cancelled'] }).notNull(),
    expiresAtBefore: timestamp('expires_at_before', { withTimezone: true }),
    expiresAtAfter: timestamp('expires_at_after', { withTimezone: true }),
    appliedAt: timestamp('applied_at', { withTimezone: true }),
    createdBy: integer('created_by').references(() => staff.id),
    /** A renewal that must happen once per business event (the auto-renewal of one valid-until): `license-auto-renewal/<entitlement>/<expiresAt>`. */
    idempotencyKey: text('idempotency_key'),
    ...timestamps,
  },
  (t) => [
    index('license_renewals_payment_idx').on(t.paymentId).where(sql`${t.status} = 'awaiting_payment'`),
    // One renewal waits for payment per license at a time: a second would extend twice for one decision.
    uniqueIndex('license_renewals_one_waiting').on(t.entitlementId).where(sql`${t.status} = 'awaiting_payment'`),
    uniqueIndex('license_renewals_idempotency_key').on(t.idempotencyKey),
    check('license_renewals_price', sql`${t.price} >= 0 and ${t.periodMonths} >= 1`),
  ],
);
