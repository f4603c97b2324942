import { sql } from 'drizzle-orm';
import { bigserial, boolean, check, index, integer, jsonb, pgTable, serial, text, timestamp, uniqueIndex } from 'drizzle-orm/pg-core';
import { money, timestamps } from './columns';
import { clients } from './parties';
import { subscriptions } from './billing';

/**
 * The built-in licensing plugin's records (spec 04 §1.2): vendors with their prefix and signing key,
 * products with their activation settings, licence keys, entitlements (one product in one key, linked to a
 * subscription), activation accounts (one per seat), machine bindings and the activation log.
 */
export const licensingVendors = pgTable('licensing_vendors', {
  id: serial('id').primaryKey(),
  name: text('name').notNull(),
  /** Exactly four letters A-Z (spec 04 §2); immutable once a key exists. */
  prefix: text('prefix').notNull().unique(),
  status: text('status', { enum: ['active', 'disabled'] }).notNull().default('active'),
  // Its signing keys are in licensing_signing_keys (db/schema/licensing-signing-keys.ts), sealed at rest.
  ...timestamps,
});

export const licensingProducts = pgTable(
  'licensing_products',
  {
    id: serial('id').primaryKey(),
    vendorId: integer('vendor_id').notNull().references(() => licensingVendors.id),
    code: text('code').notNull(),
    name: text('name').notNull(),
    licenseModel: text('license_model', { enum: ['fixed', 'floating'] }).notNull().default('fixed'),
    termType: text('term_type', { enum: ['term', 'perpetual'] }).notNull().default('term'),
    /** −1 = unlimited (spec 04 §6.2). */
    maxActivations: integer('max_activations').notNull().default(-1),
    activationPolicy: text('activation_policy').notNull().default('Medium'),
    signatureComponents: jsonb('signature_components').notNull().default(['hdd', 'cpu', 'bios', 'ethernet']),
    managedExpiration: boolean('managed_expiration').notNull().default(false),
    managedExecution: boolean('managed_execution').notNull().default(false),
    nonTransferable: boolean('non_transferable').notNull().default(false),
    /** Whether a reissued transfer state is recomputed from server time (`managed`) or kept (`preserve`), spec 04 §6.4. */
    transferTimeMode: text('transfer_time_mode', { enum: ['managed', 'preserve'] }).notNull().default('managed'),
    /** 0 = no trial; a first-run registration may start a trial of this many days (spec 04 §1.2). */
    trialDays: integer('trial_days').notNull().default(0),
    /** The master licence (spec 04 §6.1): limits and features every issued licence starts from. */
    masterLicense: jsonb('master_license').notNull().default({}),
    /** Major releases with their dates (spec 04 §1.2 `majorReleases`, §5.3): `[{ major, releasedAt }]`. */
    majorReleases: jsonb('major_releases').notNull().default([]),
    /**
     * The current retail price of a perpetual license (§5.3 prices major updates from it), minor units, and its
     * currency. Null: not sold outside billing plans, so a paid update cannot be quoted.
     */
    retailPrice: money('retail_price'),
    retailCurrency: text('retail_currency'),
    ...timestamps,
  },
  (t) => [uniqueIndex('licensing_products_code').on(t.vendorId, t.code), check('licensing_products_max', sql`${t.maxActivations} = -1 or ${t.maxActivations} >= 1`)],
);

export const licenseKeys = pgTable(
  'license_keys',
  {
    id: serial('id').primaryKey(),
    vendorId: integer('vendor_id').notNull().references(() => licensingVendors.id),
    /** Canonical form (spec 04 §2), without separators. */
    code: text('code').notNull().unique(),
    clientId: integer('client_id').references(() => clients.id),
    /** Registration data of a key made outside billing (first run): company, contact, e-mail, legal form. */
    customer: jsonb('customer'),
    status: text('status', { enum: ['active', 'deleted'] }).notNull().default('active'),
    createdVia: text('created_via', { enum: ['first_run', 'billing', 'vendor_portal'] }).notNull(),
    ...timestamps,
  },
  // One active key per client and vendor; the plugin reuses it (spec 04 §1.2).
  (t) => [uniqueIndex('license_keys_client_vendor').on(t.clientId, t.vendorId).where(sql`${t.status} = 'active' and ${t.clientId} is not null`)],
);

export const entitlements = pgTable(
  'entitlements',
  {
    id: serial('id').primaryKey(),
    keyId: integer('key_id').notNull().references(() => licenseKeys.id),
    productId: integer('product_id').notNull().references(() => licensingProducts.id),
    subscriptionId: integer('subscription_id').references(() => subscriptions.id),
    seats: integer('seats').notNull().default(1),
    status: text('status', { enum: ['ordered', 'in_progress', 'active', 'suspended', 'expired', 'superseded', 'deleted'] }).notNull().default('active'),
    /** What created it (spec 04 §1.2): billing, a coupon, a first-run trial, staff. */
    source: text('source', { enum: ['subscription', 'coupon', 'trial', 'admin'] }).notNull().default('subscription'),
    kind: text('kind', { enum: ['trial', 'paid'] }).notNull().default('paid'),
    /** Activations must declare this address when set (spec 04 §7.4 IP_MISMATCH). */
    boundIp: text('bound_ip'),
    /** The license name of the hosting panel (spec 04 §4.2 Edit). */
    name: text('name'),
    /** The administrator password (spec 04 §4.2 Edit): write-only, sealed by infra/secret-box.ts, never answered. */
    adminPasswordEnc: text('admin_password_enc'),
    /** Months a standalone license renews by automatically (spec 04 §4.2 Edit "auto-renewal"); null: no auto-renewal. */
    autoRenewMonths: integer('auto_renew_months'),
    /**
     * The cost of one automatic renewal in the client's currency, minor units (passed by staff until the billing
     * catalogue is linked, like a renewal's price); the entitlement workflow's hand-off renews only when it is set.
     */
    autoRenewPrice: money('auto_renew_price'),
    /** License configuration (spec 04 §4.2): feature values within the product's master license, merged over it when signing. */
    configuration: jsonb('configuration').notNull().default({}),
    /** The product that replaced it by a composition change (spec 04 §3.2). */
    supersededBy: integer('superseded_by'),
    /** The partner that owns it now (spec 04 §4.2 import). */
    partnerId: integer('partner_id'),
    /** Support (spec 04 §5.4): the term for term licences, 12 months from purchase for perpetual ones, extendable. */
    supportUntil: timestamp('support_until', { withTimezone: true }),
    /** Perpetual licences (spec 04 §5.3): the major release they are entitled to and the date of the last update. */
    entitledMajor: integer('entitled_major').notNull().default(1),
    updateAnchorAt: timestamp('update_anchor_at', { withTimezone: true }),
    startsAt: timestamp('starts_at', { withTimezone: true }).notNull().defaultNow(),
    /** Null: perpetual. */
    expiresAt: timestamp('expires_at', { withTimezone: true }),
    /** The plugin call, coupon activation or request that created it (unique: a retry creates nothing more). */
    createdBy: text('created_by').notNull().unique(),
    ...timestamps,
  },
  (t) => [
    uniqueIndex('entitlements_subscription').on(t.subscriptionId).where(sql`${t.subscriptionId} is not null and ${t.status} <> 'deleted'`),
    index('entitlements_key_idx').on(t.keyId),
    // The public API's limit on anonymous trial registrations counts a product's trials of the last hour.
    index('entitlements_trials_idx').on(t.productId, t.startsAt).where(sql`${t.source} = 'trial'`),
    check('entitlements_seats', sql`${t.seats} >= 1`),
  ],
);

export const activationAccounts = pgTable(
  'activation_accounts',
  {
    id: serial('id').primaryKey(),
    entitlementId: integer('entitlement_id').notNull().references(() => entitlements.id),
    slotNo: integer('slot_no').notNull(),
    activationCount: integer('activation_count').notNull().default(0),
    firstActivatedAt: timestamp('first_activated_at', { withTimezone: true }),
    /** The signatures the next hardware check compares with (spec 04 §6.3). */
    policyReference: jsonb('policy_reference'),
    transferState: jsonb('transfer_state'),
    /** Upgrades (spec 04 §6.5-6.6): the account's own licence replaces the master licence. */
    upgradeSeq: integer('upgrade_seq').notNull().default(0),
    customLicense: jsonb('custom_license'),
    lastUpgradeAt: timestamp('last_upgrade_at', { withTimezone: true }),
    reactivationAllowed: boolean('reactivation_allowed').notNull().default(false),
    ...timestamps,
  },
  (t) => [uniqueIndex('activation_accounts_slot').on(t.entitlementId, t.slotNo)],
);

export const machineBindings = pgTable(
  'machine_bindings',
  {
    id: serial('id').primaryKey(),
    accountId: integer('account_id').notNull().references(() => activationAccounts.id),
    machineId: text('machine_id').notNull(),
    signatures: jsonb('signatures').notNull(),
    hostname: text('hostname'),
    /** What the protected application declared (spec 04 §1.2 MachineBinding), shown in the key card's current usage. */
    ip: text('ip'),
    databaseId: text('database_id'),
    databaseName: text('database_name'),
    userName: text('user_name'),
    status: text('status', { enum: ['active', 'deactivated', 'replaced', 'revoked'] }).notNull().default('active'),
    issued: jsonb('issued'),
    activatedAt: timestamp('activated_at', { withTimezone: true }).notNull().defaultNow(),
    deactivatedAt: timestamp('deactivated_at', { withTimezone: true }),
    lastSeenAt: timestamp('last_seen_at', { withTimezone: true }),
  },
  (t) => [index('machine_bindings_account_idx').on(t.accountId)],
);

export const activationLogs = pgTable(
  'activation_logs',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    entitlementId: integer('entitlement_id').notNull().references(() => entitlements.id),
    accountId: integer('account_id').references(() => activationAccounts.id),
    bindingId: integer('binding_id').references(() => machineBindings.id),
    action: text('action', { enum: ['Activated', 'Replaced', 'Customized', 'Deactivated', 'Refused', 'Revoked'] }).notNull(),
    errorCode: text('error_code'),
    /** Why a `Revoked` row was written (spec 04 §6.7): reset, suspension, composition change, reversal, deletion... */
    cause: text('cause'),
    /** The machine the attempt came from, also for refusals that bound nothing (the log is read per machine). */
    machineId: text('machine_id'),
    signatures: jsonb('signatures'),
    at: timestamp('at', { withTimezone: true }).notNull().defaultNow(),
  },
  // The log is read per license and per machine, newest first (spec 04 §6.7).
  (t) => [index('activation_logs_entitlement_idx').on(t.entitlementId, t.id), index('activation_logs_machine_idx').on(t.machineId)],
);

/** Coupons (spec 04 §3): single-purpose codes that change a key's entitlements when applied with it. */
export const couponBatches = pgTable('coupon_batches', {
  id: serial('id').primaryKey(),
  vendorId: integer('vendor_id').notNull().references(() => licensingVendors.id),
  count: integer('count').notNull(),
  parameters: jsonb('parameters').notNull(),
  createdBy: integer('created_by'),
  createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
});

export const coupons = pgTable(
  'coupons',
  {
    id: serial('id').primaryKey(),
    vendorId: integer('vendor_id').notNull().references(() => licensingVendors.id),
    code: text('code').notNull().unique(),
    type: text('type', { enum: ['add_product', 'extend_trial', 'change_composition'] }).notNull(),
    /** The partner the product is distributed through (statistics). */
    distributorId: integer('distributor_id'),
    /** add_product / change_composition: [{ productCode, periodDays | null (perpetual), seats }]; extend_trial: [{ productCode, remainingDays }]. */
    items: jsonb('items').notNull(),
    reusable: boolean('reusable').notNull().default(false),
    targetKeyId: integer('target_key_id').references(() => licenseKeys.id),
    batchId: integer('batch_id').references(() => couponBatches.id),
    comment: text('comment'),
    status: text('status', { enum: ['unused', 'used', 'void'] }).notNull().default('unused'),
    createdBy: integer('created_by'),
    ...timestamps,
  },
  (t) => [index('coupons_batch_idx').on(t.batchId)],
);

export const couponActivations = pgTable(
  'coupon_activations',
  {
    id: serial('id').primaryKey(),
    couponId: integer('coupon_id').notNull().references(() => coupons.id),
    keyId: integer('key_id').notNull().references(() => licenseKeys.id),
    channel: text('channel', { enum: ['in_app', 'customer_portal', 'vendor_portal', 'billing'] }).notNull(),
    actor: text('actor'),
    /** Every entitlement the activation touched, before and after (for reversal, spec 04 §3.5). */
    before: jsonb('before').notNull(),
    after: jsonb('after').notNull(),
    status: text('status', { enum: ['applied', 'reversed'] }).notNull().default('applied'),
    reversedAt: timestamp('reversed_at', { withTimezone: true }),
    reversedBy: integer('reversed_by'),
    reversalReason: text('reversal_reason'),
    activatedAt: timestamp('activated_at', { withTimezone: true }).notNull().defaultNow(),
  },
  // A reusable coupon works once per key.
  (t) => [uniqueIndex('coupon_activations_once_per_key').on(t.couponId, t.keyId).where(sql`${t.status} = 'applied'`)],
);

/** Floating seats (spec 04 §5.1): a lease holds one seat while its heartbeats keep coming. */
export const leases = pgTable(
  'leases',
  {
    id: serial('id').primaryKey(),
    entitlementId: integer('entitlement_id').notNull().references(() => entitlements.id),
    machineId: text('machine_id').notNull(),
    userName: text('user_name').notNull(),
    hostname: text('hostname'),
    status: text('status', { enum: ['active', 'released', 'expired', 'revoked'] }).notNull().default('active'),
    startedAt: timestamp('started_at', { withTimezone: true }).notNull().defaultNow(),
    lastHeartbeatAt: timestamp('last_heartbeat_at', { withTimezone: true }).notNull().defaultNow(),
    expiresAt: timestamp('expires_at', { withTimezone: true }).notNull(),
  },
  (t) => [index('leases_entitlement_idx').on(t.entitlementId, t.status)],
);

/** Upgrade templates (spec 04 §1.2, §6.5-6.6): deltas added to an account's licence. */
export const upgradeTemplates = pgTable('upgrade_templates', {
  id: serial('id').primaryKey(),
  productId: integer('product_id').notNull().references(() => licensingProducts.id),
  name: text('name').notNull(),
  maxDayPeriod: integer('max_day_period'),
  maxExec: integer('max_exec'),
  addToExisting: boolean('add_to_existing').notNull().default(true),
  ...timestamps,
});

export const upgradeLogs = pgTable('upgrade_logs', {
  id: bigserial('id', { mode: 'number' }).primaryKey(),
  entitlementId: integer('entitlement_id').notNull().references(() => entitlements.id),
  accountId: integer('account_id').notNull().references(() => activationAccounts.id),
  upgradeSeq: integer('upgrade_seq').notNull(),
  templateId: integer('template_id').notNull().references(() => upgradeTemplates.id),
  customLicense: jsonb('custom_license').notNull(),
  at: timestamp('at', { withTimezone: true }).notNull().defaultNow(),
});

/** Partners (spec 04 §1.2): distributors and resellers; licences move between them by transfers (§4.2). */
export const licensingPartners = pgTable('licensing_partners', {
  id: serial('id').primaryKey(),
  publicId: text('public_id').notNull().unique(),
  name: text('name').notNull(),
  kind: text('kind', { enum: ['distributor', 'reseller', 'direct'] }).notNull(),
  ...timestamps,
});

export const licenseTransfers = pgTable(
  'license_transfers',
  {
    id: serial('id').primaryKey(),
    entitlementId: integer('entitlement_id').notNull().references(() => entitlements.id),
    fromPartnerId: integer('from_partner_id').references(() => licensingPartners.id),
    toPartnerId: integer('to_partner_id').notNull().references(() => licensingPartners.id),
    secretHash: text('secret_hash').notNull(),
    failedAttempts: integer('failed_attempts').notNull().default(0),
    status: text('status', { enum: ['pending', 'approved', 'rejected', 'cancelled', 'expired'] }).notNull().default('pending'),
    decidedAt: timestamp('decided_at', { withTimezone: true }),
    ...timestamps,
  },
  // At most one pending transfer per licence (TRANSFER_ALREADY_PENDING).
  (t) => [uniqueIndex('license_transfers_one_pending').on(t.entitlementId).where(sql`${t.status} = 'pending'`)],
);
