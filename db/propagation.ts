import type { Db } from './client';

// The read side of propagation down the tenant tree (domain/propagation.ts): which row of a propagated object a
// reseller uses. Operations (writes) and queries (lists) both resolve through here.

export type PropagatedTable =
  | 'notification_templates'
  | 'notification_handlers'
  | 'notification_categories'
  | 'provisioning_rules'
  | 'client_types'
  | 'document_templates';

/**
 * A subquery of the rows of `table` effective for the reseller whose path (root → reseller) is `path`: per key,
 * the row of the deepest reseller on the path (its own, else its nearest ancestor's), the rule of domain
 * effectiveRows. Every column of the table, plus `object_key`, `origin_reseller_id` and `shipped`.
 */
export function effectiveRows(db: Db, table: PropagatedTable, path: readonly number[]) {
  /** The tables with factory defaults (`default_key`, operator only). */
  const shipped = table === 'notification_templates' || table === 'document_templates' ? db`t.default_key is not null` : db`false`;
  const p = path as number[];
  return db`(
    select distinct on (coalesce(t.origin_id, t.id)) t.*, coalesce(t.origin_id, t.id) as object_key, o.reseller_id as origin_reseller_id, ${shipped} as shipped
    from ${db(table)} t join ${db(table)} o on o.id = coalesce(t.origin_id, t.id)
    where t.reseller_id = any(${p}::int[])
    order by coalesce(t.origin_id, t.id), array_position(${p}::int[], t.reseller_id) desc)`;
}

/** The path (root → reseller) of a reseller; null when there is none. */
export async function resellerPath(db: Db, resellerId: number): Promise<number[] | null> {
  const [r] = await db<Array<{ path: number[] }>>`select path from resellers where id = ${resellerId}`;
  return r?.path ?? null;
}

/**
 * A column list for copying rows (`insert into t (cols) select cols from t`). postgres.js reads `sql(array)` after
 * `insert into` as a values builder, so the list is written out; the names are the code's constants, never input.
 */
export function columnList(db: Db, names: readonly string[]) {
  for (const n of names) if (!/^[a-z_]+$/.test(n)) throw new Error(`not a column name: ${n}`);
  return db.unsafe(names.map((n) => `"${n}"`).join(', '));
}

/**
 * Whether a handler row (alias `alias` of an effective-rows subquery: `object_key`, `active`) is on for a reseller:
 * the reseller's own status (spec 03 §5.5, notification_handler_statuses), else the row's own flag.
 */
export function handlerActiveFor(db: Db, resellerId: number, alias = 'h') {
  return db`coalesce((select s.active from notification_handler_statuses s where s.reseller_id = ${resellerId} and s.handler_key = ${db(alias)}.object_key), ${db(alias)}.active)`;
}
