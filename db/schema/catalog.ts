import { sql } from 'drizzle-orm';
import {
  boolean,
  check,
  date,
  numeric,
  integer,
  jsonb,
  pgTable,
  primaryKey,
  serial,
  text,
  index,
  timestamp,
  uniqueIndex,
  type AnyPgColumn,
} from 'drizzle-orm/pg-core';
import { timestamps, money } from './columns';
import { propagatedColumns, resellers } from './tenants';
import { paymentModels } from '../../domain/statuses';
import { billingTypes } from '../../domain/billing-types/types';
import { planStatuses } from '../../domain/plan-delegation';



/** Client-level policy (spec 02 §11). Every parameter is stored even where later issues use it. */
export const serviceRules = pgTable(
  'service_rules',
  {
    id: serial('id').primaryKey(),
    /** The reseller whose rule it is (spec 05 §2.2): its own, or copied once from the parent at creation. */
    resellerId: integer('reseller_id').notNull().default(1).references(() => resellers.id),
    key: text('key').notNull(),
    name: text('name').notNull(),
    color: text('color'),
    isDefault: boolean('is_default').notNull().default(false),
    stopMode: text('stop_mode', { enum: ['automatic', 'manual'] }).notNull().default('automatic'),
    deleteMode: text('delete_mode', { enum: ['automatic', 'manual'] }).notNull().default('automatic'),
    defaultPaymentModel: text('default_payment_model', { enum: paymentModels }).notNull().default('prepay'),
    creditThreshold: money('credit_threshold').notNull().default(0),
    allowNegativeBalancePayment: boolean('allow_negative_balance_payment').notNull().default(false),
    negativeBalanceDays: integer('negative_balance_days').notNull().default(-1),
    unpaidOrderCancelDays: integer('unpaid_order_cancel_days').notNull().default(14),
    subscriptionCreditLimit: money('subscription_credit_limit').notNull().default(0),
    paymentDeferralDays: integer('payment_deferral_days').notNull().default(0),
    promisedPaymentLimit: money('promised_payment_limit').notNull().default(0),
    promisedPaymentDays: integer('promised_payment_days').notNull().default(0),
    manualFirstPrepaidProvisioning: boolean('manual_first_prepaid_provisioning').notNull().default(false),
    ...timestamps,
  },
  (t) => [
    check('service_rules_threshold_nonnegative', sql`${t.creditThreshold} >= 0`),
    check('service_rules_negative_days', sql`${t.negativeBalanceDays} >= -1`),
    check('service_rules_cancel_days', sql`${t.unpaidOrderCancelDays} >= 0`),
    uniqueIndex('service_rules_reseller_key').on(t.resellerId, t.key),
    // One default rule per reseller (the flag is not copied to a new reseller, spec 05 §2.2).
    uniqueIndex('service_rules_one_default').on(t.resellerId, t.isDefault).where(sql`${t.isDefault}`),
  ],
);

/** Plan-level policy (spec 02 §9). */
export const provisioningRules = pgTable(
  'provisioning_rules',
  {
    id: serial('id').primaryKey(),
    /**
     * The reseller that created the rule. Its descendants use it live and read-only (spec 05 §3.4; the copy columns
     * stay unused while copies cannot be edited), so an upstream edit reaches every level (operations/propagation).
     */
    ...propagatedColumns((): AnyPgColumn => provisioningRules.id),
    key: text('key').notNull(),
    name: text('name').notNull(),
    financialDay: integer('financial_day').notNull().default(1),
    promisedPaymentAllowed: boolean('promised_payment_allowed').notNull().default(false),
    manualRenewPointDays: integer('manual_renew_point_days').notNull().default(-1),
    autoRenewPointDays: integer('auto_renew_point_days').notNull().default(0),
    unpaidStopAfterDays: integer('unpaid_stop_after_days').notNull().default(0),
    blockingPeriodDays: integer('blocking_period_days').notNull().default(30),
    clientTypes: text('client_types').array().notNull().default(sql`'{}'::text[]`),
    ...timestamps,
  },
  (t) => [
    check('provisioning_rules_financial_day', sql`${t.financialDay} between 1 and 28`),
    check('provisioning_rules_auto_point', sql`${t.autoRenewPointDays} >= 0`),
    check(
      'provisioning_rules_manual_point',
      sql`${t.manualRenewPointDays} = -1 or ${t.manualRenewPointDays} >= ${t.autoRenewPointDays}`,
    ),
    check('provisioning_rules_periods', sql`${t.unpaidStopAfterDays} >= 0 and ${t.blockingPeriodDays} >= 0`),
    // Key and name are unique within a reseller; across levels the operations refuse a key (spec 05 §3.4 rule 2) and
    // allow a name clash (rule 3).
    uniqueIndex('provisioning_rules_reseller_key').on(t.resellerId, t.key),
    uniqueIndex('provisioning_rules_reseller_name').on(t.resellerId, t.name),
  ],
);

/**
 * The client types a reseller adds to a provisioning rule delegated to it (spec 05 §3.4 rule 4: a delegated rule is
 * read-only below except for adding client types), by key like the rule's own `client_types`. The reseller and its
 * descendants see the rule's types plus the additions of every reseller on their path.
 */
export const provisioningRuleClientTypes = pgTable(
  'provisioning_rule_client_types',
  {
    resellerId: integer('reseller_id').notNull().references(() => resellers.id),
    /** The rule's object key (its origin row). */
    ruleId: integer('rule_id').notNull().references(() => provisioningRules.id, { onDelete: 'cascade' }),
    clientTypes: text('client_types').array().notNull(),
  },
  (t) => [primaryKey({ columns: [t.resellerId, t.ruleId] })],
);

export const products = pgTable('products', {
  id: serial('id').primaryKey(),
  name: text('name').notNull(),
  description: text('description'),
  status: text('status', { enum: ['active', 'inactive'] }).notNull().default('active'),
  ...timestamps,
});

/** Which plugin provisions a plan's service, and that plugin's settings (secrets included; never echoed). */
export const serviceTemplates = pgTable('service_templates', {
  id: serial('id').primaryKey(),
  name: text('name').notNull(),
  plugin: text('plugin').notNull(),
  settings: jsonb('settings').$type<Record<string, unknown>>().notNull().default({}),
  /** Capability flags, e.g. `{ trialRenewable: true, approvals: ['install'] }`. */
  capabilities: jsonb('capabilities').$type<Record<string, unknown>>().notNull().default({}),
  ...timestamps,
});

export const plans = pgTable('plans', {
  id: serial('id').primaryKey(),
  /** The reseller that owns and sells the plan (spec 05 §3); the operator's (1) on a single-tenant installation. */
  resellerId: integer('reseller_id').notNull().default(1).references(() => resellers.id),
  productId: integer('product_id').notNull().references(() => products.id),
  serviceTemplateId: integer('service_template_id').notNull().references(() => serviceTemplates.id),
  provisioningRuleId: integer('provisioning_rule_id').notNull().references(() => provisioningRules.id),
  name: text('name').notNull(),
  sku: text('sku'),
  description: text('description'),
  billingType: text('billing_type', { enum: billingTypes })
    .notNull()
    .default('prepaid_term'),
  currency: text('currency').notNull().default('EUR'),
  /** `deactivated_by_provider`: a delegated copy whose upstream plan was deactivated (spec 05 §3.3 rule 11): not orderable. */
  status: text('status', { enum: planStatuses }).notNull().default('active'),
  published: boolean('published').notNull().default(true),
  single: boolean('single').notNull().default(false),
  autoRenew: boolean('auto_renew').notNull().default(true),
  lockAutoRenew: boolean('lock_auto_renew').notNull().default(false),
  /** Pay-as-you-go (external): the markup on the provider's price; each price change bumps the version from its date (issue 20). */
  usageMarkup: numeric('usage_markup', { precision: 10, scale: 4 }).notNull().default('1'),
  usageRateVersion: integer('usage_rate_version').notNull().default(1),
  usageRateSince: date('usage_rate_since', { mode: 'string' }),
  /** A delegated copy (spec 05 §3.3): the same plan one level up, whose owner is the parent of this plan's owner. */
  sourcePlanId: integer('source_plan_id').references((): AnyPgColumn => plans.id),
  delegated: boolean('delegated').notNull().default(false),
  /** How many delegations separate this copy from the plan it was first created as (0: an own plan). */
  chainLength: integer('chain_length').notNull().default(0),
  /**
   * The level's automatic markup on its cost (the upstream copy's prices), 2 decimals (spec 05 §4.2); null = "not
   * set": prices were entered by hand (or delegated without a markup) and do not follow upstream price changes.
   */
  markup: numeric('markup', { precision: 10, scale: 2 }),
  /**
   * "Fixed price" (spec 05 §3.3 rule 7, §4.6): synced down the chain from where the plan was created. On, the reseller
   * charges of a subscription use the upstream prices frozen when it was created (or last renewed): `reseller_cost_snapshots`.
   * usage_external: the coefficients of the levels above the seller too (`reseller_cost_snapshots.usage_markup`).
   */
  fixedPrice: boolean('fixed_price').notNull().default(false),
  ...timestamps,
}, (t) => [
  uniqueIndex('plans_one_copy_per_reseller').on(t.sourcePlanId, t.resellerId).where(sql`${t.sourcePlanId} is not null`),
  check('plans_markup_positive', sql`${t.markup} is null or ${t.markup} > 0`),
  check('plans_copy_is_delegated', sql`(${t.sourcePlanId} is null) = (not ${t.delegated})`),
]);

/** An orderable term of a plan with its prices (spec 02 §8.2). `recurringFee` is per month. */
export const planPeriods = pgTable(
  'plan_periods',
  {
    id: serial('id').primaryKey(),
    planId: integer('plan_id').notNull().references(() => plans.id),
    duration: integer('duration').notNull(),
    unit: text('unit', { enum: ['day', 'month', 'year'] }).notNull(),
    trial: boolean('trial').notNull().default(false),
    unlimited: boolean('unlimited').notNull().default(false),
    published: boolean('published').notNull().default(true),
    setupFee: money('setup_fee').notNull().default(0),
    recurringFee: money('recurring_fee').notNull().default(0),
    renewalFee: money('renewal_fee').notNull().default(0),
    transferFee: money('transfer_fee').notNull().default(0),
    description: text('description'),
    /** A delegated plan's period: the same period of the upstream copy (spec 05 §3.3). */
    sourcePeriodId: integer('source_period_id').references((): AnyPgColumn => planPeriods.id),
    ...timestamps,
  },
  (t) => [
    index('plan_periods_source_idx').on(t.sourcePeriodId).where(sql`${t.sourcePeriodId} is not null`),
    check('plan_periods_duration', sql`${t.duration} > 0`),
    check(
      'plan_periods_prices',
      sql`${t.setupFee} >= 0 and ${t.recurringFee} >= 0 and ${t.renewalFee} >= 0 and ${t.transferFee} >= 0`,
    ),
    check('plan_periods_trial_not_unlimited', sql`not (${t.trial} and ${t.unlimited})`),
  ],
);

/** A countable item of a plan (spec 02 §8.3). */
export const planResources = pgTable('plan_resources', {
  id: serial('id').primaryKey(),
  planId: integer('plan_id').notNull().references(() => plans.id),
  key: text('key').notNull(),
  name: text('name').notNull(),
  unitType: text('unit_type', { enum: ['units', 'boolean'] }).notNull().default('units'),
  included: integer('included').notNull().default(0),
  minimum: integer('minimum').notNull().default(0),
  maximum: integer('maximum'),
  setupPrice: money('setup_price').notNull().default(0),
  recurringPrice: money('recurring_price').notNull().default(0),
  renewalPrice: money('renewal_price').notNull().default(0),
  priority: integer('priority').notNull().default(0),
  ...timestamps,
});

/** Platform settings (postpay mode, document number masks, ...), one JSON value per key. */
export const settings = pgTable('settings', {
  key: text('key').primaryKey(),
  value: jsonb('value').notNull(),
  updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
});
