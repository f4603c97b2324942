import { ownedDirectly, type Viewer } from './tenancy';
import type { Db } from '../db/client';

/**
 * The catalog's reference tables as the API shows them: every column, camel-cased as the API spells it, money as a
 * number of minor units (PostgreSQL's int8 arrives as text). One column list per table serves the card, the list
 * and the answer to a create, so the three cannot drift apart.
 */
export type CatalogTable = 'service_rules' | 'provisioning_rules' | 'products' | 'service_templates' | 'plans' | 'plan_periods' | 'plan_resources';

export type CatalogRow = Record<string, unknown> & { id: number };

/** The columns of a table, built on the connection that runs the query (a fragment belongs to its connection). */
function columnsOf(db: Db, table: CatalogTable) {
  switch (table) {
    case 'service_rules':
      return db`
      id, key, name, color, is_default as "isDefault", stop_mode as "stopMode", delete_mode as "deleteMode",
      default_payment_model as "defaultPaymentModel", credit_threshold as "creditThreshold",
      allow_negative_balance_payment as "allowNegativeBalancePayment", negative_balance_days as "negativeBalanceDays",
      unpaid_order_cancel_days as "unpaidOrderCancelDays", subscription_credit_limit as "subscriptionCreditLimit",
      payment_deferral_days as "paymentDeferralDays", promised_payment_limit as "promisedPaymentLimit",
      promised_payment_days as "promisedPaymentDays", manual_first_prepaid_provisioning as "manualFirstPrepaidProvisioning",
      created_at as "createdAt", updated_at as "updatedAt"`;
    case 'provisioning_rules':
      return db`
      id, key, name, financial_day as "financialDay", promised_payment_allowed as "promisedPaymentAllowed",
      manual_renew_point_days as "manualRenewPointDays", auto_renew_point_days as "autoRenewPointDays",
      unpaid_stop_after_days as "unpaidStopAfterDays", blocking_period_days as "blockingPeriodDays", client_types as "clientTypes",
      created_at as "createdAt", updated_at as "updatedAt"`;
    case 'products':
      return db`id, name, description, status, created_at as "createdAt", updated_at as "updatedAt"`;
    case 'service_templates':
      return db`id, name, plugin, settings, capabilities, created_at as "createdAt", updated_at as "updatedAt"`;
    case 'plans':
      return db`
      id, product_id as "productId", service_template_id as "serviceTemplateId", provisioning_rule_id as "provisioningRuleId",
      name, sku, description, billing_type as "billingType", currency, status, published, single, auto_renew as "autoRenew",
      lock_auto_renew as "lockAutoRenew", reseller_id as "resellerId", source_plan_id as "sourcePlanId", delegated,
      markup::text as markup, fixed_price as "fixedPrice", created_at as "createdAt", updated_at as "updatedAt"`;
    case 'plan_periods':
      return db`
      id, plan_id as "planId", duration, unit, trial, unlimited, published, setup_fee as "setupFee", recurring_fee as "recurringFee",
      renewal_fee as "renewalFee", transfer_fee as "transferFee", description, source_period_id as "sourcePeriodId",
      created_at as "createdAt", updated_at as "updatedAt"`;
    case 'plan_resources':
      return db`
      id, plan_id as "planId", key, name, unit_type as "unitType", included, minimum, maximum, setup_price as "setupPrice",
      recurring_price as "recurringPrice", renewal_price as "renewalPrice", priority, created_at as "createdAt", updated_at as "updatedAt"`;
  }
}

/** The money columns (int8) of each table, by their API names. */
const moneyFields: Record<CatalogTable, readonly string[]> = {
  service_rules: ['creditThreshold', 'subscriptionCreditLimit', 'promisedPaymentLimit'],
  provisioning_rules: [],
  products: [],
  service_templates: [],
  plans: [],
  plan_periods: ['setupFee', 'recurringFee', 'renewalFee', 'transferFee'],
  plan_resources: ['setupPrice', 'recurringPrice', 'renewalPrice'],
};

function present(table: CatalogTable, row: CatalogRow): CatalogRow {
  const money = moneyFields[table];
  if (money.length === 0) return row;
  return Object.fromEntries(Object.entries(row).map(([k, v]) => [k, money.includes(k) && v !== null ? Number(v) : v])) as CatalogRow;
}

/** Only the rows a reseller owns, for tables with an owner (`reseller_id`); every row when no owner is given. */
const ownedBy = (db: Db, owner: number | undefined) => (owner === undefined ? db`` : db`and reseller_id = ${owner}`);

/** A row of a catalog table by its id (of `owner` when given), or null. */
export async function catalogRecord(db: Db, table: CatalogTable, id: number, owner?: number): Promise<CatalogRow | null> {
  const [row] = await db<CatalogRow[]>`select ${columnsOf(db, table)} from ${db(table)} where id = ${id} ${ownedBy(db, owner)}`;
  return row ? present(table, row) : null;
}

/** A page of a catalog table (of `owner` when given), newest first (keyset: ids below `after`); one row more than `limit` says a next page exists. */
export async function catalogPage(db: Db, table: CatalogTable, { limit, after }: { limit: number; after?: number | undefined }, owner?: number): Promise<CatalogRow[]> {
  const rows = await db<CatalogRow[]>`
    select ${columnsOf(db, table)} from ${db(table)}
    where (${after ?? null}::int is null or id < ${after ?? null}) ${ownedBy(db, owner)} order by id desc limit ${limit + 1}`;
  return rows.map((r) => present(table, r));
}

/** A page of the viewer's own plans (spec 05 §3.3: a reseller sells its plans), newest first, of one product when given. */
export async function planPage(db: Db, viewer: Viewer, { limit, after, productId }: { limit: number; after?: number | undefined; productId?: number | undefined }): Promise<CatalogRow[]> {
  const rows = await db<CatalogRow[]>`
    select ${columnsOf(db, 'plans')} from plans
    where ${ownedDirectly(db, viewer, 'reseller_id')} and (${after ?? null}::int is null or id < ${after ?? null}) and (${productId ?? null}::int is null or product_id = ${productId ?? null})
    order by id desc limit ${limit + 1}`;
  return rows.map((r) => present('plans', r));
}

/** A plan with its periods and resources (each by id), or null. */
export async function planCard(db: Db, id: number): Promise<(CatalogRow & { periods: CatalogRow[]; resources: CatalogRow[] }) | null> {
  const plan = await catalogRecord(db, 'plans', id);
  if (!plan) return null;
  const periods = await db<CatalogRow[]>`select ${columnsOf(db, 'plan_periods')} from plan_periods where plan_id = ${id} order by id`;
  const resources = await db<CatalogRow[]>`select ${columnsOf(db, 'plan_resources')} from plan_resources where plan_id = ${id} order by id`;
  return { ...plan, periods: periods.map((r) => present('plan_periods', r)), resources: resources.map((r) => present('plan_resources', r)) };
}
