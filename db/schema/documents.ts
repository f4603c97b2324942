import { sql } from 'drizzle-orm';
import { bigserial, check, customType, integer, jsonb, pgSequence, pgTable, primaryKey, serial, text, timestamp, uniqueIndex, type AnyPgColumn } from 'drizzle-orm/pg-core';
import { timestamps } from './columns';
import { objectKey, propagatedColumns, resellers } from './tenants';

// Issue 21 point 6: what a reseller prints and sends as its own — its settings (language, sender, SMTP, seal,
// logo), its document templates, its document numbers, and the PDF files rendered once and served as stored.

const bytea = customType<{ data: Buffer; driverData: Buffer }>({ dataType: () => 'bytea' });

/**
 * A reseller's own settings (spec 05 §8, spec 02 §13.6). A null field is not set: language, time zone, sender and
 * SMTP are then taken from the nearest ancestor that has them (queries/reseller-settings.ts); the seal and the logo
 * are never inherited (a seal is the reseller's legal stamp). The SMTP password is written, never read back out.
 */
export const resellerSettings = pgTable(
  'reseller_settings',
  {
    resellerId: integer('reseller_id').primaryKey().references(() => resellers.id),
    language: text('language'),
    timeZone: text('time_zone'),
    senderName: text('sender_name'),
    senderEmail: text('sender_email'),
    smtpHost: text('smtp_host'),
    smtpPort: integer('smtp_port'),
    /** `tls`: TLS from the first byte (port 465); `starttls`: upgraded when the server offers it. */
    smtpSecurity: text('smtp_security'),
    smtpUser: text('smtp_user'),
    smtpPassword: text('smtp_password'),
    seal: bytea('seal'),
    sealType: text('seal_type'),
    logo: bytea('logo'),
    logoType: text('logo_type'),
    /** Document number masks of this reseller's own numbering, by document kind (domain/document-numbers.ts). */
    documentMasks: jsonb('document_masks').$type<Record<string, string>>(),
    ...timestamps,
  },
  (t) => [check('reseller_settings_smtp_port', sql`${t.smtpPort} between 1 and 65535`)],
);

/**
 * Document templates (act, invoice) per language, on the one propagation mechanism (spec 05 §3.6, columns of
 * propagatedColumns): the operator's factory row of each (`default_key` `<kind>.<language>`; a null body is the
 * factory default of domain/documents/templates.ts) is the object's key; a reseller's row is its modified copy.
 * A reseller without one uses the nearest ancestor's (operations/documents/document-templates.ts).
 */
export const documentTemplates = pgTable(
  'document_templates',
  {
    id: serial('id').primaryKey(),
    ...propagatedColumns((): AnyPgColumn => documentTemplates.id),
    kind: text('kind').notNull(),
    language: text('language').notNull(),
    /** Handlebars; null only on an unmodified factory row (the factory default applies). */
    body: text('body'),
    defaultKey: text('default_key').unique(),
    updatedBy: integer('updated_by'),
    ...timestamps,
  },
  (t) => [uniqueIndex('document_templates_reseller_key').on(t.resellerId, objectKey(t))],
);

/** The operator numbers order invoices in a PostgreSQL sequence, like its other documents. */
export const docSeqInvoice = pgSequence('doc_seq_invoice');

/** The last number issued per reseller and document kind (the operator keeps its PostgreSQL sequences). */
export const documentCounters = pgTable(
  'document_counters',
  {
    resellerId: integer('reseller_id').notNull().references(() => resellers.id),
    kind: text('kind').notNull(),
    lastValue: integer('last_value').notNull(),
  },
  (t) => [primaryKey({ columns: [t.resellerId, t.kind] })],
);

/**
 * A rendered document: the PDF bytes as first rendered, served as they are on every download (and attached to
 * e-mails). One per subject: an act, or an order's invoice.
 */
export const documentFiles = pgTable(
  'document_files',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    kind: text('kind', { enum: ['act', 'invoice'] }).notNull(),
    subjectId: integer('subject_id').notNull(),
    resellerId: integer('reseller_id').notNull().references(() => resellers.id),
    number: text('number').notNull(),
    language: text('language').notNull(),
    fileName: text('file_name').notNull(),
    sha256: text('sha256').notNull(),
    pdf: bytea('pdf').notNull(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [uniqueIndex('document_files_subject').on(t.kind, t.subjectId), uniqueIndex('document_files_number').on(t.resellerId, t.kind, t.number)],
);
