import type { Db } from '../db/client';
import { effectiveRows, handlerActiveFor, resellerPath, type PropagatedTable } from '../db/propagation';
import { propagationFlags, type PropagationFlags } from '../domain/propagation';

// Lists and cards of propagated objects (notification templates, handlers and categories, provisioning rules) as one reseller
// sees them: the rows effective for it (domain/propagation.ts) with the flags of spec 03 §2.4.

type Row = Record<string, unknown> & { id: number };
type Raw = Row & { resellerId: number; originResellerId: number; modified: boolean; shipped: boolean };

const columns: Record<PropagatedTable, (db: Db, path: number[], viewerId: number) => ReturnType<Db>> = {
  notification_templates: (db) => db`
    e.name, e.channel, e.event, e.recipients, e.versions, e.fallback_language as "fallbackLanguage", e.default_key as "defaultKey"`,
  // `active` is the viewer's own status where it switched the handler (spec 03 §5.5).
  notification_handlers: (db, _path, viewerId) => db`
    e.event, e.template_id as "templateId", (select channel from notification_templates where id = e.template_id) as channel, e.rule,
    e.send_hour as "sendHour", ${handlerActiveFor(db, viewerId, 'e')} as active`,
  notification_categories: (db) => db`
    e.name, e.description, e.published, e.enabled_on_client_creation as "enabledOnClientCreation"`,
  // Listed through queries/client-types.ts (with each reseller's own settings); here for the mechanism's completeness.
  client_types: (db) => db`e.key, e.name`,
  // A rule's client types are its own plus those the resellers on the viewer's path added to it (spec 05 §3.4 rule 4).
  provisioning_rules: (db, path) => db`
    e.key, e.name, e.financial_day as "financialDay", e.promised_payment_allowed as "promisedPaymentAllowed",
    e.manual_renew_point_days as "manualRenewPointDays", e.auto_renew_point_days as "autoRenewPointDays",
    e.unpaid_stop_after_days as "unpaidStopAfterDays", e.blocking_period_days as "blockingPeriodDays",
    e.client_types || array(
      select k from provisioning_rule_client_types a cross join unnest(a.client_types) with ordinality as u(k, n)
      where a.rule_id = e.object_key and a.reseller_id = any(${path}::int[]) and k <> all(e.client_types)
      group by k order by min(array_position(${path}::int[], a.reseller_id)), min(n)) as "clientTypes"`,
  // Read through operations/documents/document-templates.ts (the body falls back to the factory default there).
  document_templates: (db) => db`e.kind, e.language, e.body, e.default_key as "defaultKey"`,
};

/** Shapes a row: its flags replace the propagation columns; provisioning rules say `delegated` (spec 05 §3.2 rule 1). */
function present(table: PropagatedTable, viewerId: number, raw: Raw): Row & PropagationFlags {
  const { resellerId, originResellerId, modified, shipped, ...row } = raw;
  const flags = propagationFlags(viewerId, { resellerId, originResellerId, modified, shipped });
  if (table === 'provisioning_rules' || table === 'client_types') return { ...row, ...flags, delegated: flags.inherited };
  return { ...row, ...flags };
}

export interface PropagatedListOptions {
  after?: number | undefined;
  limit: number;
  /** Notification objects: only this event. */
  event?: string | undefined;
}

/** The objects of `table` a reseller uses, newest row first (one more than `limit`, for paging). */
export async function listPropagated(db: Db, table: PropagatedTable, viewerId: number, o: PropagatedListOptions): Promise<Array<Row & PropagationFlags>> {
  const path = (await resellerPath(db, viewerId)) ?? [];
  const byEvent = o.event !== undefined && (table === 'notification_templates' || table === 'notification_handlers') ? db`and e.event = ${o.event}` : db``;
  const rows = await db<Raw[]>`
    select e.id, e.object_key as "objectKey", e.reseller_id as "resellerId", e.origin_reseller_id as "originResellerId", e.modified, e.shipped, ${columns[table](db, path, viewerId)},
           e.created_at as "createdAt", e.updated_at as "updatedAt"
    from ${effectiveRows(db, table, path)} e
    where (${o.after ?? null}::int is null or e.id < ${o.after ?? null}) ${byEvent}
    order by e.id desc limit ${o.limit + 1}`;
  return rows.map((r) => present(table, viewerId, r));
}

/** The object a row id names, as the reseller uses it (its own row or the nearest ancestor's); null when it sees no such object. */
export async function findPropagated(db: Db, table: PropagatedTable, viewerId: number, id: number): Promise<(Row & PropagationFlags) | null> {
  const path = (await resellerPath(db, viewerId)) ?? [];
  const [row] = await db<Raw[]>`
    select e.id, e.object_key as "objectKey", e.reseller_id as "resellerId", e.origin_reseller_id as "originResellerId", e.modified, e.shipped, ${columns[table](db, path, viewerId)},
           e.created_at as "createdAt", e.updated_at as "updatedAt"
    from ${effectiveRows(db, table, path)} e
    where e.object_key = (select coalesce(origin_id, id) from ${db(table)} where id = ${id} and reseller_id = any(${path}::int[]))`;
  return row ? present(table, viewerId, row) : null;
}
