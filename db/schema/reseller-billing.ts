import { sql } from 'drizzle-orm';
import { check, index, integer, jsonb, numeric, pgTable, serial, text, timestamp, uniqueIndex, type AnyPgColumn } from 'drizzle-orm/pg-core';
import { charges, orders, subscriptions } from './billing';
import { planPeriods, plans } from './catalog';
import { businessDate, money, timestamps } from './columns';
import { clients } from './parties';
import { resellers, staff } from './tenants';

// What resellers owe each other (spec 05 §4.5, §4.9, §5; decision 37 option A): no balance, acts or block for a
// reseller, only a receivable ledger per (creditor, debtor) made of reseller charges, reported and exported.

/**
 * A reseller discount (spec 05 §4.5, seed 13.3): what `reseller_id` takes off the reseller charges of its direct
 * children: one child (`child_reseller_id`) or every child (null), narrowed to one subscription, client or plan
 * (the granting level's copy) when given. The largest applicable percentage wins; it applies when its validity
 * covers the whole period of the client charge (the discount is "applied at the end of those periods").
 */
export const resellerDiscounts = pgTable(
  'reseller_discounts',
  {
    id: serial('id').primaryKey(),
    resellerId: integer('reseller_id').notNull().references(() => resellers.id),
    childResellerId: integer('child_reseller_id').references(() => resellers.id),
    subscriptionId: integer('subscription_id').references(() => subscriptions.id),
    clientId: integer('client_id').references(() => clients.id),
    planId: integer('plan_id').references(() => plans.id),
    name: text('name').notNull(),
    /** Basis points: more than 0 and at most 100 % with 2 decimals. */
    percentBp: integer('percent_bp').notNull(),
    validFrom: businessDate('valid_from'),
    validTo: businessDate('valid_to'),
    status: text('status', { enum: ['active', 'inactive'] }).notNull().default('active'),
    createdBy: integer('created_by').references(() => staff.id),
    ...timestamps,
  },
  (t) => [
    index('reseller_discounts_grantor_idx').on(t.resellerId, t.childResellerId),
    check('reseller_discounts_percent', sql`${t.percentBp} between 1 and 10000`),
    check('reseller_discounts_window', sql`${t.validFrom} is null or ${t.validTo} is null or ${t.validFrom} <= ${t.validTo}`),
  ],
);

/**
 * A reseller's own exchange rate ("Set own", spec 05 §4.9 rule 4, seed 8.7.2.3): it applies to that reseller only;
 * its descendants keep the root's rate (`exchange_rates`). Append-only like the root's rates: a later `valid_from`
 * supersedes.
 */
export const resellerExchangeRates = pgTable(
  'reseller_exchange_rates',
  {
    id: serial('id').primaryKey(),
    resellerId: integer('reseller_id').notNull().references(() => resellers.id),
    baseCurrency: text('base_currency').notNull(),
    quotedCurrency: text('quoted_currency').notNull(),
    rate: numeric('rate', { precision: 16, scale: 4 }).notNull(),
    nominal: integer('nominal').notNull(),
    validFrom: businessDate('valid_from').notNull(),
    createdBy: integer('created_by').references(() => staff.id),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    index('reseller_exchange_rates_pair_idx').on(t.resellerId, t.baseCurrency, t.quotedCurrency, t.validFrom, t.id),
    check('reseller_exchange_rates_rate_positive', sql`${t.rate} > 0`),
    check('reseller_exchange_rates_nominal_positive', sql`${t.nominal} >= 1`),
    check('reseller_exchange_rates_distinct', sql`${t.baseCurrency} <> ${t.quotedCurrency}`),
  ],
);

/**
 * A reseller charge (spec 05 §5): for a closed client charge on a delegated plan, what `debtor` (the level below)
 * owes `creditor` (a level above the seller): the creditor's sale price × the client charge's period × quantity,
 * less the discount the creditor gave the debtor, converted at the creditor's rate into its currency. Created
 * closed (Q1); one per (client charge, creditor): that pair is its idempotency key (a reversal's is `reverses_id`).
 */
export const resellerCharges = pgTable(
  'reseller_charges',
  {
    id: serial('id').primaryKey(),
    clientChargeId: integer('client_charge_id').notNull().references(() => charges.id),
    subscriptionId: integer('subscription_id').notNull().references(() => subscriptions.id),
    /** The creditor's copy of the plan. */
    planId: integer('plan_id').notNull().references(() => plans.id),
    creditorResellerId: integer('creditor_reseller_id').notNull().references(() => resellers.id),
    debtorResellerId: integer('debtor_reseller_id').notNull().references(() => resellers.id),
    /** 1: the seller's parent, 2: its grandparent, ... */
    level: integer('level').notNull(),
    kind: text('kind').notNull(),
    resourceKey: text('resource_key'),
    description: text('description').notNull(),
    /** The creditor's sale price, plan currency, minor units (monthly for recurring fees). */
    unitPrice: money('unit_price').notNull(),
    quantity: integer('quantity').notNull(),
    periodMonths: numeric('period_months', { precision: 10, scale: 3 }).notNull(),
    discountId: integer('discount_id').references(() => resellerDiscounts.id),
    discountBp: integer('discount_bp').notNull().default(0),
    /** Plan currency. */
    discountAmount: money('discount_amount').notNull().default(0),
    /** After the discount, plan currency. */
    originalAmount: money('original_amount').notNull(),
    originalCurrency: text('original_currency').notNull(),
    exchangeRate: numeric('exchange_rate', { precision: 16, scale: 4 }).notNull(),
    exchangeNominal: integer('exchange_nominal').notNull(),
    /** The creditor's currency. */
    amount: money('amount').notNull(),
    currency: text('currency').notNull(),
    status: text('status', { enum: ['closed'] }).notNull().default('closed'),
    /**
     * A reversal (05 Q3, decided): the reseller charge this row takes back, in full and at its own rate, because its
     * client charge is no longer earned (deleted, refunded or split after it closed). Its amounts are the original's
     * negated; one per original, so that id is its idempotency key.
     */
    reversesId: integer('reverses_id').references((): AnyPgColumn => resellerCharges.id),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    closedAt: timestamp('closed_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex('reseller_charges_one_per_level').on(t.clientChargeId, t.creditorResellerId).where(sql`${t.reversesId} is null`),
    uniqueIndex('reseller_charges_one_reversal').on(t.reversesId).where(sql`${t.reversesId} is not null`),
    index('reseller_charges_pair_idx').on(t.creditorResellerId, t.debtorResellerId, t.id),
    index('reseller_charges_closed_idx').on(t.closedAt),
    check(
      'reseller_charges_amounts',
      sql`${t.quantity} > 0 and ((${t.reversesId} is null and ${t.amount} >= 0 and ${t.originalAmount} >= 0 and ${t.discountAmount} >= 0) or (${t.reversesId} is not null and ${t.amount} <= 0 and ${t.originalAmount} <= 0 and ${t.discountAmount} <= 0))`,
    ),
  ],
);

/**
 * What the levels above the seller charged for a subscription's plan when a term began (spec 05 §4.6, §11.4): at the
 * subscription's creation (its purchase order) and at each renewal or plan switch (that order), one row per level
 * with that level's copy's prices for the subscription's period and resources (plan currency, minor units). A
 * fixed-price plan's reseller charges read the latest snapshot taken by an order not newer than the client charge's.
 */
export const resellerCostSnapshots = pgTable(
  'reseller_cost_snapshots',
  {
    id: serial('id').primaryKey(),
    subscriptionId: integer('subscription_id').notNull().references(() => subscriptions.id),
    /** The order that began the term: the purchase, a renewal or a plan switch. */
    orderId: integer('order_id').notNull().references(() => orders.id),
    /** 1: the seller's parent, 2: its grandparent, ... */
    level: integer('level').notNull(),
    /** The level's copy of the plan and of the subscription's period. */
    planId: integer('plan_id').notNull().references(() => plans.id),
    planPeriodId: integer('plan_period_id').notNull().references(() => planPeriods.id),
    setupFee: money('setup_fee').notNull(),
    recurringFee: money('recurring_fee').notNull(),
    renewalFee: money('renewal_fee').notNull(),
    transferFee: money('transfer_fee').notNull(),
    /** Per resource key: `{ setup, recurring, renewal }`. */
    resourcePrices: jsonb('resource_prices').$type<Record<string, { setup: number; recurring: number; renewal: number }>>().notNull().default({}),
    /** usage_external: the level's coefficient on the provider's price (spec 05 §4.6, §4.7); null in snapshots taken before it was kept. */
    usageMarkup: numeric('usage_markup', { precision: 10, scale: 4 }),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex('reseller_cost_snapshots_one_per_order_level').on(t.orderId, t.planPeriodId),
    index('reseller_cost_snapshots_lookup_idx').on(t.subscriptionId, t.planPeriodId, t.orderId),
  ],
);
