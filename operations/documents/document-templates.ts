import type { Db, Sql } from '../../db/client';
import { defaultDocumentTemplates, validateDocumentTemplate, type DocumentLanguage, type DocumentTemplateKind } from '../../domain/documents/templates';
import { logEvent } from '../event-log/event-log';

export interface ResolvedTemplate {
  body: string;
  /** `own`: the reseller's modified copy; `inherited`: the nearest ancestor's; `default`: the factory's. */
  origin: 'own' | 'inherited' | 'default';
  /** Whose copy it is (null: the factory default). */
  resellerId: number | null;
}

/**
 * The template a reseller's documents are rendered from: its own modified copy, else the nearest ancestor's, else
 * the factory default (spec 05 §3.6: the Invoice templates are the act layout, inherited down the tree). The one
 * place that answers this: the generic propagation of templates (branch `propagate`) replaces its body.
 */
export async function resolveDocumentTemplate(db: Db, resellerId: number, kind: DocumentTemplateKind, language: DocumentLanguage): Promise<ResolvedTemplate> {
  const [row] = await db<Array<{ body: string; reseller_id: number }>>`
    select t.body, t.reseller_id from resellers r
      join document_templates t on t.reseller_id = any(r.path) and t.kind = ${kind} and t.language = ${language}
    where r.id = ${resellerId}
    order by array_position(r.path, t.reseller_id) desc limit 1`;
  if (!row) return { body: defaultDocumentTemplates[kind][language], origin: 'default', resellerId: null };
  return { body: row.body, origin: row.reseller_id === resellerId ? 'own' : 'inherited', resellerId: row.reseller_id };
}

/** Stores a reseller's modified copy (null body: drops it, so the inherited one applies again). Refuses a template that does not render. */
export async function saveDocumentTemplate(
  sql: Sql,
  { resellerId, kind, language, body, by }: { resellerId: number; kind: DocumentTemplateKind; language: DocumentLanguage; body: string | null; by: number },
): Promise<void> {
  if (body !== null) validateDocumentTemplate(body, kind, language);
  await sql.begin(async (tx) => {
    if (body === null) await tx`delete from document_templates where reseller_id = ${resellerId} and kind = ${kind} and language = ${language}`;
    else {
      await tx`insert into document_templates (reseller_id, kind, language, body, updated_by) values (${resellerId}, ${kind}, ${language}, ${body}, ${by})
               on conflict (reseller_id, kind, language) do update set body = excluded.body, updated_by = excluded.updated_by, updated_at = now()`;
    }
    await logEvent(tx, { actorId: by, viaApi: true, entityKind: 'reseller', entityId: resellerId, action: body === null ? 'document_template_restored' : 'document_template_changed', changes: { kind, language } });
  });
}
