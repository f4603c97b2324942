import type { Db } from '../../db/client';
import { columnList, effectiveRows, resellerPath, type PropagatedTable } from '../../db/propagation';
import { AppError, refuse } from '../../domain/errors';
import {
  deleteRefusal,
  deletionSurvivors,
  editTarget,
  propagationFlags,
  restoreRefusal,
  type PropagatedRow,
  type PropagationFlags,
  type PropagationPolicy,
} from '../../domain/propagation';

export { effectiveRows, type PropagatedTable };

// The one propagation mechanism (domain/propagation.ts): every kind of propagated object is a table with the
// columns of db/schema/tenants.ts propagatedColumns, described below, and every write that creates, edits,
// restores or deletes such an object goes through these functions. Reads resolve the row effective for a reseller
// in SQL (`effectiveRows`), the same choice as the domain's rule.


/** One kind of propagated object. */
export interface PropagatedKind {
  table: PropagatedTable;
  /** Its name in messages. */
  label: string;
  policy: PropagationPolicy;
  /** The columns a reseller's own copy takes from the row it copies (besides the propagation columns). */
  copyColumns: readonly string[];
  /** Whether the table has factory defaults (`default_key`, operator only). */
  shipped?: boolean;
  /** Objects naming this one by key (handlers name a template): deleted with it, and a modified one keeps it alive downstream. */
  dependents?: ReadonlyArray<{ kind: PropagatedKind; column: string }>;
  /**
   * Rows of other tables that name the object by key (clients name their client type; a reseller's own on/off of a
   * handler, spec 03 §5.5): when a descendant keeps the object its upstream deletes, they are re-pointed to the kept
   * copy in that descendant's subtree.
   */
  references?: ReadonlyArray<{ table: string; column: string }>;
  /**
   * The resellers that keep the object when its creator deletes it, besides those holding a modified copy (client
   * types: where clients of the type exist, spec 05 §3.5 rule 3): a subquery of reseller ids.
   */
  keepers?: (tx: Db, key: number) => ReturnType<Db>;
}

/** A row effective for a viewer, with what the rules need. */
export interface EffectiveRow extends PropagatedRow {
  id: number;
  key: number;
}

/** The path (root → reseller) of a reseller. */
export async function pathOf(db: Db, resellerId: number): Promise<number[]> {
  const path = await resellerPath(db, resellerId);
  if (!path) throw new AppError('invalid_reference', `reseller ${resellerId} does not exist`);
  return path;
}

/** The viewer's effective row of the object that row `id` (a row the viewer can see) belongs to; not found otherwise. */
export async function findEffective(db: Db, kind: PropagatedKind, viewerId: number, id: number): Promise<EffectiveRow> {
  const path = await pathOf(db, viewerId);
  const [row] = await db<Array<EffectiveRow>>`
    select e.id, e.object_key as key, e.reseller_id as "resellerId", e.origin_reseller_id as "originResellerId", e.modified, e.shipped
    from ${effectiveRows(db, kind.table, path)} e
    where e.object_key = (select coalesce(origin_id, id) from ${db(kind.table)} where id = ${id} and reseller_id = any(${path}::int[]))`;
  if (!row) throw new AppError('not_found', `${kind.label} ${id} does not exist`);
  return row;
}

/** The flags of a viewer's effective row (for lists and cards). */
export const flagsFor = (viewerId: number, row: PropagatedRow): PropagationFlags => propagationFlags(viewerId, row);

/** Serialises the writes of one kind: key checks across the subtree must see each other's rows. */
export async function lockKind(db: Db, table: PropagatedTable): Promise<void> {
  await db`select pg_advisory_xact_lock(hashtext(${`propagation:${table}`}))`;
}

/**
 * Edits the object for `viewerId` (spec 03 §2.3): its own row is written in place; an inherited object gets the
 * viewer's own copy first, marked modified, so upstream changes stop there. `write` changes the row whose id it is
 * given. Must run in a transaction. Returns the id of the row written.
 */
export async function editObject(tx: Db, kind: PropagatedKind, viewerId: number, id: number, write: (rowId: number) => Promise<void>): Promise<number> {
  await lockKind(tx, kind.table);
  const row = await findEffective(tx, kind, viewerId, id);
  const target = editTarget(viewerId, row, kind.policy);
  if (typeof target === 'object') throw refuse(target);
  let rowId = row.id;
  if (target === 'new_copy') {
    const columns = columnList(tx, kind.copyColumns);
    const [copy] = await tx<Array<{ id: number }>>`
      insert into ${tx(kind.table)} (reseller_id, origin_id, modified, ${columns})
      select ${viewerId}, ${row.key}, true, ${columns} from ${tx(kind.table)} where id = ${row.id} returning id`;
    rowId = copy!.id;
  }
  await write(rowId);
  // Modified is a copy's or a factory default's state; an object the viewer created is never "modified" (spec 03 §2.4).
  const shipped = kind.shipped ? tx`default_key is not null` : tx`false`;
  await tx`update ${tx(kind.table)} set modified = (origin_id is not null or ${shipped}), updated_at = now() where id = ${rowId}`;
  return rowId;
}

/**
 * Restores the viewer's object to the upstream state (spec 03 §2.5): its modified copy is dropped, so the viewer
 * (and the descendants that see through it) use the upstream row again; an edited factory default is reset by
 * `factoryReset`. Must run in a transaction. Returns the row now effective.
 */
export async function restoreObject(tx: Db, kind: PropagatedKind, viewerId: number, id: number, factoryReset?: (rowId: number) => Promise<void>): Promise<number> {
  await lockKind(tx, kind.table);
  const row = await findEffective(tx, kind, viewerId, id);
  const refusal = restoreRefusal(viewerId, row);
  if (refusal) throw refuse(refusal);
  if (row.originResellerId === viewerId) {
    if (!factoryReset) throw refuse({ code: 'nothing_to_restore', message: `a ${kind.label} has no factory default` });
    await factoryReset(row.id);
    await tx`update ${tx(kind.table)} set modified = false, updated_at = now() where id = ${row.id}`;
    return row.id;
  }
  await tx`delete from ${tx(kind.table)} where id = ${row.id}`;
  return (await findEffective(tx, kind, viewerId, row.key)).id;
}

/**
 * Deletes an object its creator deletes (spec 03 §2.6, §3.5, §4.8, §5.7): every descendant that did not modify it
 * loses it; a descendant holding a modified copy (or a modified dependent) keeps it as its own object, and its
 * subtree is re-keyed to that copy. Dependents left on the deleted object go with it. Must run in a transaction.
 */
export async function deleteObject(tx: Db, kind: PropagatedKind, viewerId: number, id: number): Promise<void> {
  await lockKind(tx, kind.table);
  for (const d of kind.dependents ?? []) await lockKind(tx, d.kind.table);
  const row = await findEffective(tx, kind, viewerId, id);
  const refusal = deleteRefusal(viewerId, row);
  if (refusal) throw refuse(refusal);
  const key = row.key;
  for (const survivor of deletionSurvivors(await modifiedHolders(tx, kind, key))) await keepAt(tx, kind, key, survivor);
  for (const d of kind.dependents ?? []) {
    // A dependent created upstream of a survivor goes, but the survivor's modified copy of it stays, as its own.
    const origins = await tx<Array<{ id: number }>>`select id from ${tx(d.kind.table)} where ${tx(d.column)} = ${key} and origin_id is null`;
    for (const o of origins) for (const survivor of deletionSurvivors(await modifiedHolders(tx, d.kind, o.id))) await keepAt(tx, d.kind, o.id, survivor);
    const gone = tx`select id from ${tx(d.kind.table)} where ${tx(d.column)} = ${key}`;
    await tx`delete from ${tx(d.kind.table)} where origin_id in (${gone})`;
    await tx`delete from ${tx(d.kind.table)} where ${tx(d.column)} = ${key}`;
  }
  await tx`delete from ${tx(kind.table)} where origin_id = ${key}`;
  await tx`delete from ${tx(kind.table)} where id = ${key}`;
}

/** The paths of the resellers holding a modified copy of the object or a modified dependent of it, or keeping it (`keepers`). */
async function modifiedHolders(tx: Db, kind: PropagatedKind, key: number): Promise<number[][]> {
  const dependentHolders = (kind.dependents ?? []).map((d) => tx`union select reseller_id from ${tx(d.kind.table)} where ${tx(d.column)} = ${key} and origin_id is not null`);
  const keepers = kind.keepers ? [tx`union ${kind.keepers(tx, key)}`] : [];
  const holders = [...dependentHolders, ...keepers].reduce((acc, part) => tx`${acc} ${part}`, tx`select reseller_id from ${tx(kind.table)} where origin_id = ${key}`);
  const rows = await tx<Array<{ path: number[] }>>`select path from resellers where id in (${holders})`;
  return rows.map((r) => r.path);
}

/** A descendant keeps the object its upstream deletes: its copy (or a new copy of the origin) becomes the origin for its subtree. */
async function keepAt(tx: Db, kind: PropagatedKind, key: number, resellerId: number): Promise<void> {
  const [own] = await tx<Array<{ id: number }>>`select id from ${tx(kind.table)} where origin_id = ${key} and reseller_id = ${resellerId}`;
  let newKey: number;
  if (own) {
    await tx`update ${tx(kind.table)} set origin_id = null, modified = false, updated_at = now() where id = ${own.id}`;
    newKey = own.id;
  } else {
    const columns = columnList(tx, kind.copyColumns);
    const [copy] = await tx<Array<{ id: number }>>`
      insert into ${tx(kind.table)} (reseller_id, ${columns}) select ${resellerId}, ${columns} from ${tx(kind.table)} where id = ${key} returning id`;
    newKey = copy!.id;
  }
  const subtree = tx`select id from resellers where path @> array[${resellerId}::int]`;
  await tx`update ${tx(kind.table)} set origin_id = ${newKey} where origin_id = ${key} and reseller_id in (${subtree})`;
  for (const d of kind.dependents ?? []) await tx`update ${tx(d.kind.table)} set ${tx(d.column)} = ${newKey} where ${tx(d.column)} = ${key} and reseller_id in (${subtree})`;
  for (const r of kind.references ?? []) await tx`update ${tx(r.table)} set ${tx(r.column)} = ${newKey} where ${tx(r.column)} = ${key} and reseller_id in (${subtree})`;
}

/** The resellers strictly below `resellerId` (for key checks across the subtree). */
export const strictSubtree = (db: Db, resellerId: number) => db`select id from resellers where path @> array[${resellerId}::int] and id <> ${resellerId}`;

