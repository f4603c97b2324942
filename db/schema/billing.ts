import { sql } from 'drizzle-orm';
import {
  bigint,
  bigserial,
  boolean,
  check,
  index,
  integer,
  jsonb,
  numeric,
  pgSequence,
  pgTable,
  primaryKey,
  serial,
  text,
  timestamp,
  uniqueIndex,
  type AnyPgColumn,
} from 'drizzle-orm/pg-core';
import { timestamps, money, businessDate } from './columns';
import { billingTypes, chargeStatuses } from '../../domain/billing-types/types';
import { planPeriods, plans, provisioningRules, serviceTemplates } from './catalog';
import { clients } from './parties';
import { resellers, staff } from './tenants';
import { orderStatuses, orderTypes, paymentModels, paymentStatuses, paymentTypes, subscriptionStatuses } from '../../domain/statuses';


/** One sequence per document kind feeds the document-number masks (spec 02 §13.2). */
export const docSeqPurchaseOrder = pgSequence('doc_seq_purchase_order');
export const docSeqRenewalOrder = pgSequence('doc_seq_renewal_order');
export const docSeqProlongationOrder = pgSequence('doc_seq_prolongation_order');
export const docSeqResourceChangeOrder = pgSequence('doc_seq_resource_change_order');
export const docSeqPlanSwitchOrder = pgSequence('doc_seq_plan_switch_order');
export const docSeqPayment = pgSequence('doc_seq_payment');
export const docSeqPromisedPayment = pgSequence('doc_seq_promised_payment');
export const docSeqAct = pgSequence('doc_seq_act');


/** Spec 01 §6.1: the fields that apply to the platform today. */
export const subscriptions = pgTable(
  'subscriptions',
  {
    id: serial('id').primaryKey(),
    clientId: integer('client_id').notNull().references(() => clients.id),
    planId: integer('plan_id').notNull().references(() => plans.id),
    planPeriodId: integer('plan_period_id').notNull().references(() => planPeriods.id),
    serviceTemplateId: integer('service_template_id').notNull().references(() => serviceTemplates.id),
    provisioningRuleId: integer('provisioning_rule_id').notNull().references(() => provisioningRules.id),
    name: text('name').notNull(),
    status: text('status', { enum: subscriptionStatuses }).notNull().default('new_order'),
    /** The stable status to restore after a block or a rejected stop/delete (decision 14). */
    savedStatus: text('saved_status', { enum: subscriptionStatuses }),
    statusReason: text('status_reason'),
    billingType: text('billing_type', { enum: billingTypes }).notNull(),
    paymentModel: text('payment_model', { enum: paymentModels }).notNull(),
    trial: boolean('trial').notNull().default(false),
    currency: text('currency').notNull(),
    startDate: businessDate('start_date'),
    /** The last valid day, inclusive (decision 12). */
    expirationDate: businessDate('expiration_date'),
    prolongedUntil: businessDate('prolonged_until'),
    autoRenew: boolean('auto_renew').notNull().default(true),
    lockAutoRenew: boolean('lock_auto_renew').notNull().default(false),
    autoRenewPointDays: integer('auto_renew_point_days').notNull().default(0),
    manualRenewPointDays: integer('manual_renew_point_days').notNull().default(-1),
    creditLimitOverride: money('credit_limit_override'),
    /** Pay-as-you-go (external): the individual markup on the provider's price, instead of the plan's (spec 01 §8.3). */
    usageMarkup: numeric('usage_markup', { precision: 10, scale: 4 }),
    /** Bumped by each individual markup change: the subscription's usage price version is the plan's + this. */
    usageRateBump: integer('usage_rate_bump').notNull().default(0),
    individualPrice: boolean('individual_price').notNull().default(false),
    promoCode: text('promo_code'),
    managerId: integer('manager_id').references(() => staff.id),
    vendorReference: text('vendor_reference'),
    ...timestamps,
  },
  (t) => [
    index('subscriptions_client_idx').on(t.clientId),
    index('subscriptions_status_idx').on(t.status),
    index('subscriptions_expiration_idx').on(t.expirationDate),
    // The task list view joins scenarios to their subject by text id (`sub.id::text = sc.subject_id`); without
    // this the planner hashes every subscription and sorts every task before it can page (bench/api-load.ts).
    index('subscriptions_id_text_idx').on(sql`(${t.id}::text)`),
    check(
      'subscriptions_manual_point',
      sql`${t.manualRenewPointDays} = -1 or ${t.manualRenewPointDays} >= ${t.autoRenewPointDays}`,
    ),
  ],
);

export const subscriptionResources = pgTable('subscription_resources', {
  id: serial('id').primaryKey(),
  subscriptionId: integer('subscription_id').notNull().references(() => subscriptions.id),
  key: text('key').notNull(),
  quantity: integer('quantity').notNull(),
  ...timestamps,
});


export const orders = pgTable(
  'orders',
  {
    id: serial('id').primaryKey(),
    number: text('number').notNull().unique(),
    type: text('type', { enum: orderTypes }).notNull(),
    status: text('status', { enum: orderStatuses }).notNull(),
    statusReason: text('status_reason'),
    clientId: integer('client_id').notNull().references(() => clients.id),
    /** Null for a purchase order until its subscription is created. */
    subscriptionId: integer('subscription_id').references(() => subscriptions.id),
    planId: integer('plan_id').notNull().references(() => plans.id),
    planPeriodId: integer('plan_period_id').notNull().references(() => planPeriods.id),
    paymentModel: text('payment_model', { enum: paymentModels }).notNull(),
    currency: text('currency').notNull(),
    amount: money('amount').notNull(),
    discount: money('discount').notNull().default(0),
    /** Spec 01 §16.8: pay or activate by this date, else the order is cancelled. */
    endDate: businessDate('end_date').notNull(),
    provisioningDate: businessDate('provisioning_date'),
    deferred: boolean('deferred').notNull().default(false),
    /** Created by the billing run (auto-renewal, prolongation) rather than by a person; "System" in the UI. */
    automatic: boolean('automatic').notNull().default(false),
    /** Automatic orders: the date the billing run pays it from the balance (spec 01 §12.2, §11.2). */
    autoPayDate: businessDate('auto_pay_date'),
    /** Renewal and prolongation: the paid-through date the order extends (one automatic order per term). */
    termKey: businessDate('term_key'),
    /** Type-specific parameters: target resources, the plan period switched from, the prolonged period, ... */
    details: jsonb('details').$type<Record<string, unknown>>().notNull().default({}),
    /** When the order's effect reached the subscription (the term moved, resources set): applied once. */
    appliedAt: timestamp('applied_at', { withTimezone: true }),
    subscriptionName: text('subscription_name'),
    customerIp: text('customer_ip'),
    /** Null means "System". */
    createdBy: integer('created_by').references(() => staff.id),
    workflowId: text('workflow_id').notNull().unique(),
    /** Set once the scenario has been started; a sweep starts any order whose start was lost. */
    scenarioStartedAt: timestamp('scenario_started_at', { withTimezone: true }),
    closedAt: timestamp('closed_at', { withTimezone: true }),
    ...timestamps,
  },
  (t) => [
    index('orders_client_idx').on(t.clientId, t.id),
    index('orders_status_idx').on(t.status, t.id),
    index('orders_subscription_idx').on(t.subscriptionId),
    // The order list's createdFrom / createdTo filters.
    index('orders_created_idx').on(t.createdAt),
    check('orders_amount_nonnegative', sql`${t.amount} >= 0 and ${t.discount} >= 0`),
    // Spec 01 §16.3: at most one open order per subscription.
    uniqueIndex('orders_one_open_per_subscription')
      .on(t.subscriptionId)
      .where(sql`${t.status} not in ('completed', 'cancelled') and ${t.subscriptionId} is not null`),
    // A billing run re-run for a date never creates a second automatic order for the same term.
    uniqueIndex('orders_one_automatic_per_term').on(t.subscriptionId, t.type, t.termKey).where(sql`${t.automatic}`),
  ],
);

/** Detail lines of an order (spec 01 §16.5). */
export const orderItems = pgTable('order_items', {
  id: serial('id').primaryKey(),
  orderId: integer('order_id').notNull().references(() => orders.id),
  kind: text('kind', { enum: ['subscription', 'resource'] }).notNull().default('subscription'),
  priceType: text('price_type', { enum: ['setup', 'recurring', 'renewal', 'transfer'] }).notNull(),
  description: text('description').notNull(),
  quantity: integer('quantity').notNull().default(1),
  periodMonths: numeric('period_months', { precision: 10, scale: 3 }).notNull(),
  unitPrice: money('unit_price').notNull(),
  discount: money('discount').notNull().default(0),
  amount: money('amount').notNull(),
  status: text('status').notNull().default('new'),
  createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
});

export const payments = pgTable(
  'payments',
  {
    id: serial('id').primaryKey(),
    number: text('number').notNull().unique(),
    clientId: integer('client_id').notNull().references(() => clients.id),
    orderId: integer('order_id').references(() => orders.id),
    type: text('type', { enum: paymentTypes }).notNull(),
    status: text('status', { enum: paymentStatuses }).notNull(),
    amount: money('amount').notNull(),
    currency: text('currency').notNull(),
    method: text('method'),
    comment: text('comment'),
    balanceAfter: money('balance_after'),
    confirmedBy: integer('confirmed_by').references(() => staff.id),
    /** Payments for rendered services: the last day to pay before they become overdue (spec 01 §15.1). */
    payBy: businessDate('pay_by'),
    /** A merged payment (spec 02 §2.11): one payment for the orders and top-ups of the payments merged into it. */
    merged: boolean('merged').notNull().default(false),
    /** A payment cancelled by a merge points at the merged payment that took it over. */
    mergedIntoId: integer('merged_into_id').references((): AnyPgColumn => payments.id),
    closedAt: timestamp('closed_at', { withTimezone: true }),
    ...timestamps,
  },
  (t) => [
    index('payments_client_idx').on(t.clientId, t.id),
    index('payments_order_idx').on(t.orderId),
    index('payments_status_idx').on(t.status, t.id),
    index('payments_merged_into_idx').on(t.mergedIntoId),
    check('payments_amount_nonnegative', sql`${t.amount} >= 0`),
  ],
);

/**
 * The balance ledger. Rows are immutable (a trigger refuses UPDATE and DELETE); `idempotency_key`
 * makes every money movement happen at most once, whoever retries it.
 */
export const ledgerTransactions = pgTable(
  'ledger_transactions',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    clientId: integer('client_id').notNull().references(() => clients.id),
    kind: text('kind', {
      enum: ['payment_received', 'order_paid', 'order_refund', 'adjustment', 'charge_closed', 'promised_payment', 'charge_split', 'usage_charge', 'license_update', 'license_renewal'],
    }).notNull(),
    /** Signed: a credit to the client is positive, a debit negative. */
    amount: money('amount').notNull(),
    balanceAfter: money('balance_after').notNull(),
    currency: text('currency').notNull(),
    paymentId: integer('payment_id').references(() => payments.id),
    orderId: integer('order_id').references(() => orders.id),
    description: text('description').notNull(),
    idempotencyKey: text('idempotency_key').notNull().unique(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index('ledger_client_idx').on(t.clientId, t.id)],
);


/**
 * A staff member's correction of a client's balance (spec 02 §5): created, then approved (the ledger
 * moves) or declined (nothing moves). The direction is explicit instead of a signed amount (decision 21).
 */
export const adjustments = pgTable(
  'adjustments',
  {
    id: serial('id').primaryKey(),
    clientId: integer('client_id').notNull().references(() => clients.id),
    subscriptionId: integer('subscription_id').references(() => subscriptions.id),
    direction: text('direction', { enum: ['credit', 'debit'] }).notNull(),
    amount: money('amount').notNull(),
    currency: text('currency').notNull(),
    comment: text('comment').notNull(),
    includeInAct: boolean('include_in_act').notNull().default(false),
    periodFrom: businessDate('period_from'),
    periodTo: businessDate('period_to'),
    status: text('status', { enum: ['approval_required', 'approved', 'declined'] }).notNull().default('approval_required'),
    createdBy: integer('created_by').references(() => staff.id),
    decidedBy: integer('decided_by').references(() => staff.id),
    decidedAt: timestamp('decided_at', { withTimezone: true }),
    decisionComment: text('decision_comment'),
    ...timestamps,
  },
  (t) => [
    index('adjustments_client_idx').on(t.clientId, t.id),
    index('adjustments_status_idx').on(t.status, t.id),
    check('adjustments_amount_positive', sql`${t.amount} > 0`),
  ],
);

/**
 * Virtual money credited to a client's balance until a real payment covers it (spec 02 §3). Statuses:
 * provided → revoked (by hand, at expiry, by a top-up that covers it) or revoked_by_topup (a smaller top-up;
 * replaced by a provided_by_topup one for the rest, with the same expiry).
 */
export const promisedPayments = pgTable(
  'promised_payments',
  {
    id: serial('id').primaryKey(),
    number: text('number').notNull().unique(),
    clientId: integer('client_id').notNull().references(() => clients.id),
    amount: money('amount').notNull(),
    currency: text('currency').notNull(),
    status: text('status', { enum: ['provided', 'provided_by_topup', 'revoked', 'revoked_by_topup'] }).notNull(),
    /** The last day it may be used: the billing run of the next day revokes it. */
    expiresOn: businessDate('expires_on').notNull(),
    comment: text('comment'),
    replacesId: integer('replaces_id'),
    revokedAt: timestamp('revoked_at', { withTimezone: true }),
    revokedReason: text('revoked_reason'),
    createdBy: integer('created_by').references(() => staff.id),
    /** Created beyond the service rule's limit or period by an administrator (decision 24). */
    overridden: boolean('overridden').notNull().default(false),
    ...timestamps,
  },
  (t) => [index('promised_payments_client_idx').on(t.clientId, t.id), check('promised_payments_amount_positive', sql`${t.amount} > 0`)],
);

/**
 * What an order's money pays for, period by period (spec 02 §4). The order payment takes the money out
 * of the available balance (ledger `order_paid`); its charges are `blocked` while their period is paid but
 * not yet consumed and `closed` by the billing run once it is (OUR MODEL: blocked funds = Σ blocked
 * charges; the spec's balance = available balance + blocked funds). Charges of an order cancelled unpaid
 * are `deleted`. Σ charges of an order = its amount.
 */
export const charges = pgTable(
  'charges',
  {
    id: serial('id').primaryKey(),
    clientId: integer('client_id').notNull().references(() => clients.id),
    orderId: integer('order_id').notNull().references(() => orders.id),
    subscriptionId: integer('subscription_id').references(() => subscriptions.id),
    kind: text('kind', { enum: ['setup', 'renewal', 'transfer', 'recurring', 'usage'] }).notNull(),
    status: text('status', { enum: chargeStatuses }).notNull().default('new'),
    description: text('description').notNull(),
    periodFrom: businessDate('period_from').notNull(),
    periodTo: businessDate('period_to').notNull(),
    /** The financial day after the period (or the order's day for one-off fees): when the billing run closes it. */
    closeDate: businessDate('close_date').notNull(),
    amount: money('amount').notNull(),
    /** The discount the charge carries (spec 02 §4.1, §4.14): Σ over an order's charges = the order's discount. */
    discount: money('discount').notNull().default(0),
    currency: text('currency').notNull(),
    /** Spec 02 §4.13: the amount in the plan's currency this charge was converted from (= amount for the same currency). */
    originalAmount: money('original_amount'),
    /** The plan's currency (= currency when the plan is priced in the client's). */
    originalCurrency: text('original_currency'),
    /** The rate used: client-currency units per `exchangeNominal` plan-currency units (1 for the same currency). */
    exchangeRate: numeric('exchange_rate', { precision: 16, scale: 4 }),
    exchangeNominal: integer('exchange_nominal'),
    closedAt: timestamp('closed_at', { withTimezone: true }),
    /** Postpay: the act the closed charge was billed in. */
    actId: integer('act_id'),
    /** The charge this one is a part of (spec 02 §4.9 splitting); its parts add up to it. */
    splitOf: integer('split_of').references((): AnyPgColumn => charges.id),
    /** Its amount moved into its parts (or a close-all charge): not counted in its order's sum. */
    superseded: boolean('superseded').notNull().default(false),
    /** A refund charge: records money given back, never holds any. */
    refund: boolean('refund').notNull().default(false),
    /**
     * A charge for additional resources (spec 02 §4.9): the plan resource it pays for and how many units above the
     * included ones; null for the service itself. A resource decrease splits only these, and refunds them.
     */
    resourceKey: text('resource_key'),
    quantity: integer('quantity'),
    /**
     * A later month of a no-refund commitment, shown open from the purchase on (seed 8.3.4.6.4): not part of any
     * order's amount; the prolongation order that bills its month replaces it (deleted and superseded).
     */
    commitment: boolean('commitment').notNull().default(false),
    /** Usage charges (issue 20): the financial period they grow in, the plan price version, the exact Σ Δ of their records. */
    usagePeriod: businessDate('usage_period'),
    usageRateVersion: integer('usage_rate_version'),
    usageAmount: numeric('usage_amount', { precision: 34, scale: 8 }),
    /**
     * usage_external: the exact Σ of the provider's cost of its records (unit price × days × quantity / 30), and the
     * coefficients they were priced with, root first, the seller's last (spec 05 §4.7; one price version, one chain):
     * what the reseller charges of each level above the seller are priced from when it closes (05 §5).
     */
    usageCost: numeric('usage_cost', { precision: 34, scale: 8 }),
    usageMarkups: jsonb('usage_markups').$type<string[]>(),
    ...timestamps,
  },
  (t) => [
    index('charges_order_idx').on(t.orderId),
    index('charges_client_status_idx').on(t.clientId, t.status),
    // The charge list by subscription (GET /charges?subscriptionId=), in id order.
    index('charges_subscription_idx').on(t.subscriptionId, t.id),
    index('charges_close_idx').on(t.status, t.closeDate),
    check('charges_amount_nonnegative', sql`${t.amount} >= 0`),
    index('charges_split_of_idx').on(t.splitOf).where(sql`${t.splitOf} is not null`),
    check('charges_discount_nonnegative', sql`${t.discount} >= 0`),
    check('charges_quantity_positive', sql`${t.quantity} is null or ${t.quantity} > 0`),
    // One growing usage charge per subscription, financial period and price version (spec 02 §4.10).
    uniqueIndex('charges_usage_growing')
      .on(t.subscriptionId, t.usagePeriod, t.usageRateVersion)
      .where(sql`${t.kind} = 'usage' and ${t.status} = 'blocked' and not ${t.superseded}`),
  ],
);

/**
 * A postpay act (spec 02 §7): the charges of a client's financial period closed on its financial day,
 * issued the day after with a payment for rendered services due after the payment deferral period.
 */
export const acts = pgTable(
  'acts',
  {
    id: serial('id').primaryKey(),
    /** Unique per reseller: each reseller numbers its clients' acts in its own sequence (issue 21 point 6). */
    number: text('number').notNull(),
    /** The client's reseller when the act was issued, whose numbering, language and seal the act carries. */
    resellerId: integer('reseller_id').notNull().default(1).references(() => resellers.id),
    clientId: integer('client_id').notNull().references(() => clients.id),
    /** The financial day that closed the period (one act per client and financial day). */
    financialDay: businessDate('financial_day').notNull(),
    amount: money('amount').notNull(),
    currency: text('currency').notNull(),
    paymentId: integer('payment_id').references(() => payments.id),
    ...timestamps,
  },
  (t) => [uniqueIndex('acts_client_day').on(t.clientId, t.financialDay), uniqueIndex('acts_reseller_number').on(t.resellerId, t.number)],
);

/**
 * Exchange rates kept by the operator (spec 02 §4.13, seed manual 8.7.2): `rate` units of the base currency (the
 * client's) per `nominal` units of the quoted currency (the plan's), in force from `validFrom` until a rate of the
 * pair with a later `validFrom` starts. Rows are never updated or deleted (a trigger refuses it): a new rate
 * supersedes, so every charge's recorded rate stays traceable.
 */
export const exchangeRates = pgTable(
  'exchange_rates',
  {
    id: serial('id').primaryKey(),
    baseCurrency: text('base_currency').notNull(),
    quotedCurrency: text('quoted_currency').notNull(),
    rate: numeric('rate', { precision: 16, scale: 4 }).notNull(),
    nominal: integer('nominal').notNull(),
    validFrom: businessDate('valid_from').notNull(),
    createdBy: integer('created_by').references(() => staff.id),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    index('exchange_rates_pair_idx').on(t.baseCurrency, t.quotedCurrency, t.validFrom, t.id),
    check('exchange_rates_rate_positive', sql`${t.rate} > 0`),
    check('exchange_rates_nominal_positive', sql`${t.nominal} >= 1`),
    check('exchange_rates_distinct_currencies', sql`${t.baseCurrency} <> ${t.quotedCurrency}`),
  ],
);

/**
 * What a subscription used (issue 20, spec 02 §4.10 "usage records"): append-only (a trigger refuses UPDATE and
 * DELETE), one row per provider record, deduplicated by `(source, record_id)`. `amount` is the record's Δ =
 * monthly unit price × markup × period days × quantity / 30, exact; `charge_id` the usage charge it grew.
 */
export const usageRecords = pgTable(
  'usage_records',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    source: text('source').notNull(),
    recordId: text('record_id').notNull(),
    subscriptionId: integer('subscription_id').notNull().references(() => subscriptions.id),
    resource: text('resource').notNull(),
    quantity: numeric('quantity', { precision: 24, scale: 6 }).notNull(),
    usedOn: businessDate('used_on').notNull(),
    periodDays: integer('period_days').notNull(),
    unitPrice: numeric('unit_price', { precision: 24, scale: 6 }).notNull(),
    /** The product of the chain's coefficients (spec 05 §4.7): exact, so unconstrained. */
    markup: numeric('markup').notNull(),
    amount: numeric('amount', { precision: 30, scale: 8 }).notNull(),
    financialPeriod: businessDate('financial_period').notNull(),
    chargeId: integer('charge_id').notNull().references(() => charges.id),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex('usage_records_source_record').on(t.source, t.recordId),
    index('usage_records_charge_idx').on(t.chargeId, t.id),
    index('usage_records_subscription_idx').on(t.subscriptionId, t.financialPeriod),
    check('usage_records_quantity_nonnegative', sql`${t.quantity} >= 0`),
    check('usage_records_period_days', sql`${t.periodDays} between 1 and 31`),
  ],
);

/** The rollup reads use: one row per subscription, financial period, resource and day, kept by the ingestion's transaction. */
export const usageDaily = pgTable(
  'usage_daily',
  {
    subscriptionId: integer('subscription_id').notNull(),
    financialPeriod: businessDate('financial_period').notNull(),
    resource: text('resource').notNull(),
    day: businessDate('day').notNull(),
    quantity: numeric('quantity', { precision: 30, scale: 6 }).notNull(),
    amount: numeric('amount', { precision: 34, scale: 8 }).notNull(),
    records: integer('records').notNull(),
  },
  (t) => [primaryKey({ name: 'usage_daily_pk', columns: [t.subscriptionId, t.financialPeriod, t.resource, t.day] })],
);

/** The `usage` pull of a usage_external subscription (issue 20): its vendor cursor, moved with the records of each page. */
export const usagePulls = pgTable('usage_pulls', {
  subscriptionId: integer('subscription_id').primaryKey(),
  cursor: text('cursor'),
  pages: integer('pages').notNull().default(0),
  records: bigint('records', { mode: 'number' }).notNull().default(0),
  updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
});
