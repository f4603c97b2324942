import { sql } from 'drizzle-orm';
import { bigserial, boolean, check, index, integer, jsonb, pgTable, serial, text, timestamp, uniqueIndex } from 'drizzle-orm/pg-core';
import { timestamps } from './columns';
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
  /** Ed25519, PEM (SPKI). Published at /licensing/v1/vendors/{prefix}/public-key. */
  publicKey: text('public_key').notNull(),
  /** Ed25519, PEM (PKCS#8). Never leaves the server. */
  privateKey: text('private_key').notNull(),
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
    /** The master licence (spec 04 §6.1): limits and features every issued licence starts from. */
    masterLicense: jsonb('master_license').notNull().default({}),
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
    status: text('status', { enum: ['active', 'suspended', 'expired', 'deleted'] }).notNull().default('active'),
    startsAt: timestamp('starts_at', { withTimezone: true }).notNull().defaultNow(),
    /** Null: perpetual. */
    expiresAt: timestamp('expires_at', { withTimezone: true }),
    /** The plugin call that created it (its idempotency key). */
    createdBy: text('created_by').notNull().unique(),
    ...timestamps,
  },
  (t) => [
    uniqueIndex('entitlements_subscription').on(t.subscriptionId).where(sql`${t.subscriptionId} is not null and ${t.status} <> 'deleted'`),
    index('entitlements_key_idx').on(t.keyId),
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
    status: text('status', { enum: ['active', 'deactivated', 'replaced', 'revoked'] }).notNull().default('active'),
    issued: jsonb('issued'),
    activatedAt: timestamp('activated_at', { withTimezone: true }).notNull().defaultNow(),
    deactivatedAt: timestamp('deactivated_at', { withTimezone: true }),
    lastSeenAt: timestamp('last_seen_at', { withTimezone: true }),
  },
  (t) => [index('machine_bindings_account_idx').on(t.accountId)],
);

export const activationLogs = pgTable('activation_logs', {
  id: bigserial('id', { mode: 'number' }).primaryKey(),
  entitlementId: integer('entitlement_id').notNull().references(() => entitlements.id),
  accountId: integer('account_id').references(() => activationAccounts.id),
  bindingId: integer('binding_id').references(() => machineBindings.id),
  action: text('action', { enum: ['Activated', 'Replaced', 'Customized', 'Deactivated', 'Refused', 'Revoked'] }).notNull(),
  errorCode: text('error_code'),
  signatures: jsonb('signatures'),
  at: timestamp('at', { withTimezone: true }).notNull().defaultNow(),
});
