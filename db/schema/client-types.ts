import { boolean, index, integer, pgTable, primaryKey, serial, text, uniqueIndex, type AnyPgColumn } from 'drizzle-orm/pg-core';
import { sql } from 'drizzle-orm';
import { timestamps } from './columns';
import { objectKey, propagatedColumns, resellers } from './tenants';

/** The invoice (CheckCash) payment methods a client type may name as its default (spec 02 §10, §12.2). */
export const invoicePaymentMethods = ['bank_transfer', 'cash'] as const;

/**
 * A client type (spec 02 §10, 05 §3.5), propagated down the tenant tree like provisioning rules: the row of the
 * reseller that created it is what every descendant uses, read-only (domain/propagation.ts). The installation's
 * first types are the root's (migration 0064: individual, sole_proprietor, legal_entity). A key is unique in a
 * reseller's view when it is written; an upstream creating a key a descendant already has is allowed (the
 * descendant is told to re-key its own), so the database does not enforce it.
 */
export const clientTypes = pgTable(
  'client_types',
  {
    id: serial('id').primaryKey(),
    ...propagatedColumns((): AnyPgColumn => clientTypes.id),
    key: text('key').notNull(),
    name: text('name').notNull(),
    ...timestamps,
  },
  (t) => [uniqueIndex('client_types_reseller_key').on(t.resellerId, objectKey(t)), index('client_types_reseller_idx').on(t.resellerId)],
);

/**
 * What each reseller sets for itself on a client type it sees (spec 05 §3.5 rule 2): the default payment method
 * (its own, never inherited: payment methods are a reseller's own, 02 §12.2) and whether the type is its default
 * for new clients (one per reseller; a reseller that chose none uses its nearest ancestor's choice).
 */
export const clientTypeSettings = pgTable(
  'client_type_settings',
  {
    resellerId: integer('reseller_id').notNull().references(() => resellers.id),
    /** The client type's object key (its origin row). */
    clientTypeId: integer('client_type_id').notNull().references(() => clientTypes.id, { onDelete: 'cascade' }),
    defaultPaymentMethod: text('default_payment_method', { enum: invoicePaymentMethods }),
    isDefault: boolean('is_default').notNull().default(false),
  },
  (t) => [primaryKey({ columns: [t.resellerId, t.clientTypeId] }), uniqueIndex('client_type_settings_one_default').on(t.resellerId).where(sql`${t.isDefault}`)],
);
