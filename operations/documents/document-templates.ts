import type { Db, Sql } from '../../db/client';
import { defaultDocumentTemplates, validateDocumentTemplate, type DocumentLanguage, type DocumentTemplateKind } from '../../domain/documents/templates';
import { AppError } from '../../domain/errors';
import type { PropagationFlags } from '../../domain/propagation';
import { logEvent } from '../event-log/event-log';
import { documentTemplateKind } from '../propagation/kinds';
import { editObject, effectiveRows, flagsFor, pathOf, restoreObject } from '../propagation/propagation';

// Document templates on the one propagation mechanism (spec 05 §3.6, operations/propagation): the operator's factory
// row of each template is the object's key; a reseller edits by getting its own modified copy, which stops upstream
// changes there (its descendants then see its version); restore drops the copy; at the operator, restore is the
// factory default again.

export interface ResolvedTemplate extends PropagationFlags {
  body: string;
  /** `own`: the reseller's own edited row; `inherited`: the nearest ancestor's; `default`: the factory's. */
  origin: 'own' | 'inherited' | 'default';
  /** Whose edited row it is (null: the factory default). */
  resellerId: number | null;
  updatedAt: Date;
}

/** The object's key: the operator's factory row of this template (made by migration 0074 for every kind and language). */
async function templateKey(db: Db, kind: DocumentTemplateKind, language: DocumentLanguage): Promise<number> {
  const [row] = await db<Array<{ id: number }>>`select id from document_templates where default_key = ${`${kind}.${language}`}`;
  if (!row) throw new AppError('not_found', `document template ${kind}.${language} does not exist`);
  return row.id;
}

/**
 * The template a reseller's documents are rendered from, with the flags its settings show (spec 03 §2.4): the row
 * effective for it (its own, else the nearest ancestor's, else the operator's), whose empty body is the factory default.
 */
export async function resolveDocumentTemplate(db: Db, resellerId: number, kind: DocumentTemplateKind, language: DocumentLanguage): Promise<ResolvedTemplate> {
  const key = await templateKey(db, kind, language);
  const path = await pathOf(db, resellerId);
  const [row] = await db<Array<{ body: string | null; reseller_id: number; origin_reseller_id: number; modified: boolean; shipped: boolean; updated_at: Date }>>`
    select e.body, e.reseller_id, e.origin_reseller_id, e.modified, e.shipped, e.updated_at
    from ${effectiveRows(db, documentTemplateKind.table, path)} e where e.object_key = ${key}`;
  const flags = flagsFor(resellerId, { resellerId: row!.reseller_id, originResellerId: row!.origin_reseller_id, modified: row!.modified, shipped: row!.shipped });
  if (row!.body === null) return { body: defaultDocumentTemplates[kind][language], origin: 'default', resellerId: null, ...flags, updatedAt: row!.updated_at };
  return { body: row!.body, origin: row!.reseller_id === resellerId ? 'own' : 'inherited', resellerId: row!.reseller_id, ...flags, updatedAt: row!.updated_at };
}

/** What "compare with upstream" shows (spec 05 §3.6 point 3): the parent's template, or the factory default at the operator. */
export async function upstreamDocumentTemplate(db: Db, resellerId: number, kind: DocumentTemplateKind, language: DocumentLanguage): Promise<{ body: string; resellerId: number | null }> {
  const path = await pathOf(db, resellerId);
  const parent = path.at(-2);
  if (parent === undefined) return { body: defaultDocumentTemplates[kind][language], resellerId: null };
  const resolved = await resolveDocumentTemplate(db, parent, kind, language);
  return { body: resolved.body, resellerId: resolved.resellerId };
}

/**
 * Edits a reseller's template (the propagation mechanism's edit: its own modified copy), or, with a null body,
 * restores it to the upstream state (the copy dropped; at the operator, the factory default). Refuses a template
 * that does not render, and a restore with nothing to restore (409 nothing_to_restore).
 */
export async function saveDocumentTemplate(
  sql: Sql,
  { resellerId, kind, language, body, by }: { resellerId: number; kind: DocumentTemplateKind; language: DocumentLanguage; body: string | null; by: number },
): Promise<void> {
  if (body !== null) validateDocumentTemplate(body, kind, language);
  await sql.begin(async (tx) => {
    const key = await templateKey(tx, kind, language);
    if (body === null) {
      await restoreObject(tx, documentTemplateKind, resellerId, key, async (rowId) => {
        await tx`update document_templates set body = null, updated_by = ${by} where id = ${rowId}`;
      });
    } else {
      await editObject(tx, documentTemplateKind, resellerId, key, async (rowId) => {
        await tx`update document_templates set body = ${body}, updated_by = ${by} where id = ${rowId}`;
      });
    }
    await logEvent(tx, { actorId: by, viaApi: true, entityKind: 'reseller', entityId: resellerId, action: body === null ? 'document_template_restored' : 'document_template_changed', changes: { kind, language } });
  });
}
