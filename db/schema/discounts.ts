import { sql } from 'drizzle-orm';
import { boolean, check, index, integer, pgTable, serial, text, timestamp, uniqueIndex } from 'drizzle-orm/pg-core';
import { orders } from './billing';
import { planPeriods, plans } from './catalog';
import { businessDate, money, timestamps } from './columns';
import { clients } from './parties';

/**
 * A discount of type "promo code" (the seed manual's 13.1): a percentage (basis points, 1..10000: more than 0 and at
 * most 100 with 2 decimals) or a fixed amount in one currency, valid from/to (inclusive business dates, both
 * optional), for every plan or the plans (and plan periods) listed in `discount_plans`, limited in clients and in
 * subscriptions (null: unlimited), on the kinds of fee it names. Redeemed through its promo codes.
 */
export const discounts = pgTable(
  'discounts',
  {
    id: serial('id').primaryKey(),
    name: text('name').notNull(),
    kind: text('kind', { enum: ['percent', 'amount'] }).notNull(),
    percentBp: integer('percent_bp'),
    amount: money('amount'),
    /** A fixed amount's currency: it applies to orders in that currency only. */
    currency: text('currency'),
    validFrom: businessDate('valid_from'),
    validTo: businessDate('valid_to'),
    allPlans: boolean('all_plans').notNull().default(true),
    /** How many clients may use it (distinct clients of its redemptions); null: unlimited. */
    maxClients: integer('max_clients'),
    /** How many subscriptions may use it, counted as its redemptions by orders of every kind (`uses`); null: unlimited. */
    maxSubscriptions: integer('max_subscriptions'),
    appliesSetup: boolean('applies_setup').notNull().default(true),
    appliesRenewal: boolean('applies_renewal').notNull().default(true),
    appliesRecurring: boolean('applies_recurring').notNull().default(true),
    appliesTransfer: boolean('applies_transfer').notNull().default(true),
    status: text('status', { enum: ['active', 'inactive'] }).notNull().default('active'),
    /** Redemptions so far (kept under the row lock that redeems it). */
    uses: integer('uses').notNull().default(0),
    ...timestamps,
  },
  (t) => [
    check(
      'discounts_terms',
      sql`(${t.kind} = 'percent' and ${t.percentBp} between 1 and 10000 and ${t.amount} is null)
          or (${t.kind} = 'amount' and ${t.amount} > 0 and ${t.percentBp} is null and ${t.currency} is not null)`,
    ),
    check('discounts_window', sql`${t.validFrom} is null or ${t.validTo} is null or ${t.validFrom} <= ${t.validTo}`),
    check('discounts_limits', sql`coalesce(${t.maxClients}, 1) >= 1 and coalesce(${t.maxSubscriptions}, 1) >= 1 and ${t.uses} >= 0`),
  ],
);

/** The plans a discount applies to when it is not for every plan; a null period means every period of the plan. */
export const discountPlans = pgTable(
  'discount_plans',
  {
    id: serial('id').primaryKey(),
    discountId: integer('discount_id').notNull().references(() => discounts.id),
    planId: integer('plan_id').notNull().references(() => plans.id),
    planPeriodId: integer('plan_period_id').references(() => planPeriods.id),
  },
  (t) => [index('discount_plans_discount_idx').on(t.discountId, t.planId)],
);

/** A promo code of a discount (the seed's 13.1.2): single-use unless reusable; inactive codes give no discount. */
export const promoCodes = pgTable(
  'promo_codes',
  {
    id: serial('id').primaryKey(),
    discountId: integer('discount_id').notNull().references(() => discounts.id),
    code: text('code').notNull(),
    reusable: boolean('reusable').notNull().default(false),
    status: text('status', { enum: ['active', 'inactive'] }).notNull().default('active'),
    /** How many discounts the code has given ("Количество активаций"). */
    activations: integer('activations').notNull().default(0),
    ...timestamps,
  },
  (t) => [uniqueIndex('promo_codes_code_idx').on(t.code), check('promo_codes_single_use', sql`${t.reusable} or ${t.activations} <= 1`)],
);

/** One use of a promo code: the order it discounted, by how much. */
export const discountRedemptions = pgTable(
  'discount_redemptions',
  {
    id: serial('id').primaryKey(),
    discountId: integer('discount_id').notNull().references(() => discounts.id),
    promoCodeId: integer('promo_code_id').notNull().references(() => promoCodes.id),
    orderId: integer('order_id').notNull().references(() => orders.id),
    clientId: integer('client_id').notNull().references(() => clients.id),
    discount: money('discount').notNull(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [uniqueIndex('discount_redemptions_order_idx').on(t.orderId), index('discount_redemptions_discount_idx').on(t.discountId, t.clientId)],
);
