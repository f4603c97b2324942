import { sql } from 'drizzle-orm';
import { boolean, check, index, integer, pgTable, serial, text, timestamp, uniqueIndex, type AnyPgColumn } from 'drizzle-orm/pg-core';
import { staffRoles } from '../../domain/statuses';
import { timestamps } from './columns';

// The tenants of the installation and the people who act for them. They sit apart from the parties (clients and
// their users) so that every other schema file can name an owning reseller without importing in a circle.

/**
 * The tenant tree (spec 05 §1): the operator is the root reseller (id 1, written by the migration), every other
 * reseller has one parent. `path` holds the ids from the root down to the reseller itself, so a subtree is one
 * indexed containment test (`path @> array[id]`) and a depth is the path's length.
 */
export const resellers = pgTable(
  'resellers',
  {
    id: serial('id').primaryKey(),
    parentId: integer('parent_id').references((): AnyPgColumn => resellers.id),
    path: integer('path').array().notNull(),
    name: text('name').notNull(),
    /** The national currency of the reseller's clients (spec 05 §1.2). */
    currency: text('currency').notNull(),
    /** A staff member of the parent responsible for this reseller (spec 05 §1.2); none for the root. */
    managerId: integer('manager_id').references(() => staff.id),
    ...timestamps,
  },
  (t) => [
    index('resellers_path_idx').using('gin', t.path),
    index('resellers_parent_idx').on(t.parentId),
    // Exactly one root.
    uniqueIndex('resellers_one_root_idx').on(sql`(${t.parentId} is null)`).where(sql`${t.parentId} is null`),
    check('resellers_path_ends_with_itself', sql`${t.path}[array_length(${t.path}, 1)] = ${t.id}`),
  ],
);

export const staff = pgTable('staff', {
  id: serial('id').primaryKey(),
  name: text('name').notNull(),
  email: text('email').notNull().unique(),
  role: text('role', { enum: staffRoles }).notNull(),
  status: text('status', { enum: ['active', 'inactive'] }).notNull().default('active'),
  language: text('language').notNull().default('en'),
  passwordHash: text('password_hash'),
  /** Sign-in attempts since the last success, counted when they start; the fifth locks the account for a while (`locked_until`). */
  failedLogins: integer('failed_logins').notNull().default(0),
  lockedUntil: timestamp('locked_until', { withTimezone: true }),
  /** The reseller the staff member belongs to (spec 05 §7.1): the root (1) until resellers have staff of their own. */
  resellerId: integer('reseller_id').notNull().default(1).references((): AnyPgColumn => resellers.id),
  ...timestamps,
});

/**
 * The columns of an object propagated down the tenant tree (spec 03 §2, domain/propagation.ts): the reseller whose
 * row it is, and `origin_id`, the row where the object was created when this row is a reseller's modified copy of
 * an upstream object (null: the row is the object's origin). `coalesce(origin_id, id)` is the object's key at every
 * level; a reseller without a row of its own for a key uses its nearest ancestor's.
 */
export const propagatedColumns = (table: () => AnyPgColumn) => ({
  resellerId: integer('reseller_id').notNull().default(1).references(() => resellers.id),
  originId: integer('origin_id').references(table),
  /** A modified copy, or (templates) an edited factory default at the operator. */
  modified: boolean('modified').notNull().default(false),
});

/** An object's key at every level of the tree (see propagatedColumns); unique per reseller. */
export const objectKey = (t: { id: AnyPgColumn; originId: AnyPgColumn }) => sql`coalesce(${t.originId}, ${t.id})`;
