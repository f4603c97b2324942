// Propagation down the tenant tree (spec 03 §2, spec 05 §3): one mechanism for every object an upstream creates
// and its descendants receive (notification templates and handlers, provisioning rules). It works by resolution,
// not by copying: an object's rows share a key (the id of the row where it was created); a reseller uses its own
// row for a key when it has one, else its nearest ancestor's. So an upstream change reaches every descendant that
// has no row of its own at once, and stops at a descendant that edited the object (its own row, "modified"), whose
// own descendants then see that edited version (propagation continues level by level through unmodified copies,
// spec 03 §2.3). The SQL in operations/propagation makes the same choices; these are the rules it follows.

import type { Refusal } from './errors';

/** A row of a propagated object as the rules need it. */
export interface PropagatedRow {
  /** The reseller whose row it is. */
  resellerId: number;
  /** The reseller where the object was created (the owner of the key's origin row). */
  originResellerId: number;
  /** A modified copy, or an edited factory default. */
  modified: boolean;
  /** Shipped with the platform (factory default, operator only). */
  shipped: boolean;
}

/** The list flags of spec 03 §2.4 (and 05 §3.2's `delegated`, which is `inherited` for read-only kinds). */
export interface PropagationFlags {
  installed: boolean;
  inherited: boolean;
  modified: boolean;
}

/** How one kind of object may be changed downstream (spec 05 §3.1 matrix). */
export interface PropagationPolicy {
  /** Notification objects: anything (the copy becomes modified). Provisioning rules: nothing (read-only copies). */
  downstreamEdit: boolean;
}

/**
 * The flags a viewer sees on the row effective for it: Installed only for a factory default at its own level;
 * Inherited when the object was created upstream (a modified copy stays inherited); Modified only for the
 * viewer's own row that is a copy it edited (or an edited factory default).
 */
export function propagationFlags(viewerId: number, row: PropagatedRow): PropagationFlags {
  const own = row.resellerId === viewerId;
  return { installed: own && row.shipped, inherited: row.originResellerId !== viewerId, modified: own && row.modified };
}

/**
 * The row a reseller uses for each key: its own, else the one of its nearest ancestor; a row of a reseller outside
 * `path` (root → viewer) is never seen.
 */
export function effectiveRows<T extends { key: number; resellerId: number }>(path: readonly number[], rows: readonly T[]): T[] {
  const best = new Map<number, { row: T; depth: number }>();
  for (const row of rows) {
    const depth = path.indexOf(row.resellerId);
    if (depth < 0) continue;
    const seen = best.get(row.key);
    if (!seen || depth > seen.depth) best.set(row.key, { row, depth });
  }
  return [...best.values()].map((b) => b.row);
}

/** What an edit by `viewerId` of its effective row writes: the row itself (its own), or a new modified copy. */
export function editTarget(viewerId: number, row: PropagatedRow, policy: PropagationPolicy): 'own_row' | 'new_copy' | Refusal {
  if (row.resellerId === viewerId) return row.originResellerId === viewerId || policy.downstreamEdit ? 'own_row' : readOnly();
  return policy.downstreamEdit ? 'new_copy' : readOnly();
}

const readOnly = (): Refusal => ({ code: 'copy_read_only', message: 'the object comes from upstream and is read-only here (spec 05 §3.2 rule 2)' });

/**
 * Why `viewerId` may not restore its row to the upstream state (null: it may): only its own modified copy of an
 * upstream object can be restored (by dropping the copy), or an edited factory default at the operator.
 */
export function restoreRefusal(viewerId: number, row: PropagatedRow): Refusal | null {
  if (row.resellerId === viewerId && row.modified && (row.originResellerId !== viewerId || row.shipped)) return null;
  return { code: 'nothing_to_restore', message: 'only an edited copy of an upstream object (or an edited factory default) can be restored' };
}

/** Why `viewerId` may not delete the object (null: it may): only objects it created itself, never a factory default (spec 03 §2.6). */
export function deleteRefusal(viewerId: number, row: PropagatedRow): Refusal | null {
  if (row.shipped) return { code: 'not_own_object', message: 'a factory default cannot be deleted; edit or restore it' };
  if (row.originResellerId !== viewerId) return { code: 'not_own_object', message: 'an object inherited from upstream cannot be deleted here; only its creator can' };
  return null;
}

/**
 * Which descendants keep an object their upstream deletes (spec 03 §3.5, §4.8, §5.7): those that modified it (or,
 * for a template, a handler based on it). Given the paths of the resellers holding a modified row, answers the
 * shallowest ones; each becomes the owner (origin) of the object for its own subtree, so a deeper modified row
 * below it stays a modified copy of the survivor's version.
 */
export function deletionSurvivors(paths: ReadonlyArray<readonly number[]>): number[] {
  const holders = new Set(paths.map((p) => p[p.length - 1]!));
  return paths.filter((p) => !p.slice(0, -1).some((ancestor) => holders.has(ancestor))).map((p) => p[p.length - 1]!);
}
