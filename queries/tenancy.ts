import type { Db } from '../db/client';
import { rootResellerId } from '../domain/resellers';

// Tenant scoping (issue 21 point 5, spec 05 §1.3.5, §7.2): a staff member sees and acts on its own reseller's
// clients and everything hanging off them, never a descendant's or a sibling's. This file is the one place that
// says which reseller owns a row: the lists ask `ownedBy` (SQL), the API's tenant gate asks `ownerOf` (one row by
// id). A row tied to no client at all (a billing-run scenario, a key not yet given to a client) is the operator's.

export interface Viewer {
  resellerId: number;
}

/**
 * The owning reseller of the client whose id `clientIdExpr` yields, as SQL text: static text written in a query
 * module, never from a request.
 */
const ownerOfClient = (clientIdExpr: string) => `coalesce((select tc.reseller_id from clients tc where tc.id = (${clientIdExpr})), ${rootResellerId})`;

/** The client a scenario is about, from its subject (`order-12`, `subscription-3`, `client-7`), as SQL over `alias`. */
export const scenarioClientExpr = (alias: string) => `(case ${alias}.subject_kind
  when 'client' then (select sc.id from clients sc where sc.id::text = ${alias}.subject_id)
  when 'order' then (select so.client_id from orders so where so.id::text = ${alias}.subject_id)
  when 'subscription' then (select ss.client_id from subscriptions ss where ss.id::text = ${alias}.subject_id) end)`;

/** The row is the viewer's: `clientIdExpr` names the row's client (null: the operator's). The lists' predicate. */
export const ownedBy = (db: Db, viewer: Viewer, clientIdExpr: string) => db`${db.unsafe(ownerOfClient(clientIdExpr))} = ${viewer.resellerId}`;

/** A row that names its reseller itself (a client user): the viewer's own. */
export const ownedDirectly = (db: Db, viewer: Viewer, resellerIdExpr: string) => db`${db.unsafe(`(${resellerIdExpr})`)} = ${viewer.resellerId}`;

/** The viewer's own reseller or one below it: staff and plans a staff member may name (spec 05 §2.1 step 3). */
export const inSubtreeOf = (db: Db, viewer: Viewer, resellerIdExpr: string) =>
  db`exists (select 1 from resellers tr where tr.id = ${db.unsafe(`(${resellerIdExpr})`)} and tr.path @> array[${viewer.resellerId}::int])`;

/** What a path or a body may name, each with how to find its owning reseller. */
export type OwnedKind =
  | 'client'
  | 'subscription'
  | 'order'
  | 'payment'
  | 'adjustment'
  | 'promised_payment'
  | 'charge'
  | 'manual_operation'
  | 'notification'
  | 'scenario'
  | 'license_key'
  | 'entitlement'
  | 'client_user'
  | 'plan'
  | 'plan_period'
  | 'service_rule'
  | 'staff';

/** The owning reseller's SQL for one id `$1` (text, cast in the statement): static text. */
const ownerSql: Record<OwnedKind, string> = {
  client: `select reseller_id as owner from clients where id::text = $1`,
  subscription: `select ${ownerOfClient('x.client_id')} as owner from subscriptions x where x.id::text = $1`,
  order: `select ${ownerOfClient('x.client_id')} as owner from orders x where x.id::text = $1`,
  payment: `select ${ownerOfClient('x.client_id')} as owner from payments x where x.id::text = $1`,
  adjustment: `select ${ownerOfClient('x.client_id')} as owner from adjustments x where x.id::text = $1`,
  promised_payment: `select ${ownerOfClient('x.client_id')} as owner from promised_payments x where x.id::text = $1`,
  charge: `select ${ownerOfClient('x.client_id')} as owner from charges x where x.id::text = $1`,
  manual_operation: `select ${ownerOfClient('x.client_id')} as owner from manual_operations x where x.id::text = $1`,
  notification: `select ${ownerOfClient('x.client_id')} as owner from notifications x where x.id::text = $1`,
  scenario: `select ${ownerOfClient(scenarioClientExpr('x'))} as owner from scenarios x where x.id = $1`,
  license_key: `select ${ownerOfClient('x.client_id')} as owner from license_keys x where x.code = $1`,
  entitlement: `select ${ownerOfClient('k.client_id')} as owner from entitlements x join license_keys k on k.id = x.key_id where x.id::text = $1`,
  client_user: `select reseller_id as owner from client_users where id::text = $1`,
  plan: `select reseller_id as owner from plans where id::text = $1`,
  plan_period: `select p.reseller_id as owner from plan_periods x join plans p on p.id = x.plan_id where x.id::text = $1`,
  service_rule: `select reseller_id as owner from service_rules where id::text = $1`,
  staff: `select reseller_id as owner from staff where id::text = $1`,
};

/** Kinds a staff member reaches in its whole subtree, not only its own reseller (see `inSubtreeOf`). */
const subtreeKinds: ReadonlySet<OwnedKind> = new Set(['staff']);

/**
 * Whether the viewer may see the row of `kind` with this id: 'absent' when there is no such row (the route answers
 * that itself, as it always did), 'visible' or 'foreign' (another tenant's: the caller answers it as unknown).
 */
export async function visibility(db: Db, viewer: Viewer, kind: OwnedKind, id: string): Promise<'absent' | 'visible' | 'foreign'> {
  if (id.length > 200) return 'absent';
  const [row] = await db.unsafe<Array<{ owner: number }>>(ownerSql[kind], [id]);
  if (!row) return 'absent';
  if (row.owner === viewer.resellerId) return 'visible';
  if (!subtreeKinds.has(kind)) return 'foreign';
  const [below] = await db<Array<{ ok: boolean }>>`select true as ok from resellers where id = ${row.owner} and path @> array[${viewer.resellerId}::int]`;
  return below ? 'visible' : 'foreign';
}

/** The reseller is the viewer's own or below it (a new staff member's reseller, spec 05 §2.1 step 3). */
export async function resellerInSubtree(db: Db, viewer: Viewer, resellerId: number): Promise<boolean> {
  const [row] = await db<Array<{ ok: boolean }>>`select true as ok from resellers where id = ${resellerId} and path @> array[${viewer.resellerId}::int]`;
  return Boolean(row);
}
