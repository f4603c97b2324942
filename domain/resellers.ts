// The tenant tree (spec 05 §1): the operator is the root reseller; every other reseller has one parent, and a
// staff member acts within its own reseller's subtree. A reseller's `path` lists the ids from the root down to
// itself, so the rules below are array tests, the same ones the queries make in SQL.

import type { Refusal } from './errors';

/** The root reseller: the operator (written by the migration that made the tree). */
export const rootResellerId = 1;

/**
 * How deep the tree may grow. The manual gives no limit (spec 05 §1.1 rule 2); a bound keeps every path, every
 * subtree query and every chain of reseller charges small. Eight levels below the operator is far beyond the
 * three of the manual's examples.
 */
export const maxResellerDepth = 9;

/** Whether `path` (a reseller's) lies in the subtree of `ancestorId` (itself included). */
export const inSubtree = (path: readonly number[], ancestorId: number): boolean => path.includes(ancestorId);

/**
 * Why a staff member of `viewerId` may not create a reseller under `parent` (null: it may): the parent must be in
 * the viewer's subtree (its own reseller or a descendant), and the new reseller within the depth bound. Outside the
 * subtree a reseller does not exist for the viewer (spec 05 §7.2): the answer is an unknown id's, so ids cannot be
 * probed.
 */
export function resellerCreationRefusal(viewerId: number, parent: { id: number; path: readonly number[] }): Refusal | null {
  if (!inSubtree(parent.path, viewerId)) return { code: 'invalid_reference', message: `reseller ${parent.id} does not exist` };
  if (parent.path.length >= maxResellerDepth) return { code: 'reseller_tree_too_deep', message: `the tree is at most ${maxResellerDepth} levels deep (the operator included)` };
  return null;
}
