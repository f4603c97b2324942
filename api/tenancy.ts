import type { Context } from 'hono';
import type { Sql } from '../db/client';
import { rootResellerId } from '../domain/resellers';
import { ownedBy, visibility, type OwnedKind, type Viewer } from '../queries/tenancy';
import type { AppEnv, Staff } from './auth';
import { AppError } from './errors';

// The API's tenant gate (issue 21 point 5, spec 05 §7): every staff route, once the role matrix let the request
// through, is one of
// - an entity route: its path names a row (`/clients/{id}/…`, `/licensing/keys/{code}`) that must be the
//   viewer's, else it answers 404 not_found exactly as an unknown id does, never 403, so ids cannot be probed;
// - a list or create route whose query filters by the viewer (queries/tenancy.ts `ownedBy`) or whose handler
//   puts the new row in the viewer's reseller;
// - installation-wide: no tenant data (the product catalogue, exchange rates, `/me`);
// - root-only: everything else, answered 403 forbidden to a reseller's staff, like any area its role may not use.
// A route nobody classified is root-only, so a route added later is closed to resellers until someone scopes it.
// Ids a write body names (`clientId`, `planPeriodId`, …) must be the viewer's too, else 422 invalid_reference.

/** Path prefixes whose `{id}` / `{code}` names a row of this kind (the longest prefix wins). */
const entityPaths: Array<[prefix: string, kind: OwnedKind]> = [
  ['/api/v1/clients/{id}', 'client'],
  ['/api/v1/subscriptions/{id}', 'subscription'],
  ['/api/v1/orders/{id}', 'order'],
  ['/api/v1/payments/{id}', 'payment'],
  ['/api/v1/adjustments/{id}', 'adjustment'],
  ['/api/v1/promised-payments/{id}', 'promised_payment'],
  ['/api/v1/charges/{id}', 'charge'],
  ['/api/v1/manual-operations/{id}', 'manual_operation'],
  ['/api/v1/notifications/{id}', 'notification'],
  ['/api/v1/scenarios/{id}', 'scenario'],
  ['/api/v1/client-users/{id}', 'client_user'],
  ['/api/v1/staff/{id}', 'staff'],
  ['/api/v1/licensing/keys/{code}', 'license_key'],
  ['/api/v1/licensing/entitlements/{id}', 'entitlement'],
];

/** Lists filtered by the viewer in their query, and creates that put the row in the viewer's reseller. */
const scopedInHandler = new Set([
  'GET /api/v1/clients',
  'POST /api/v1/clients',
  'GET /api/v1/orders',
  'POST /api/v1/orders',
  'GET /api/v1/payments',
  'GET /api/v1/subscriptions',
  'GET /api/v1/scenarios',
  'GET /api/v1/manual-operations',
  'GET /api/v1/notifications',
  'GET /api/v1/adjustments',
  'GET /api/v1/promised-payments',
  'GET /api/v1/charges',
  'GET /api/v1/client-users',
  'POST /api/v1/client-users',
  'GET /api/v1/staff',
  'POST /api/v1/staff',
  'GET /api/v1/plans',
  'GET /api/v1/licensing/keys',
  'GET /api/v1/licensing/entitlements',
  // The reseller routes answer only the viewer's subtree themselves (queries/resellers.ts).
  'GET /api/v1/resellers',
  'POST /api/v1/resellers',
  'GET /api/v1/resellers/{id}',
  // A reseller's settings and document templates: the reseller itself or an ancestor (operations/resellers).
  'GET /api/v1/resellers/{id}/settings',
  'POST /api/v1/resellers/{id}/settings',
  'GET /api/v1/resellers/{id}/document-templates/{key}',
  'POST /api/v1/resellers/{id}/document-templates/{key}',
  // A reseller's own plans (spec 05 §4.8): created in the caller's reseller, its currency by default, on a
  // provisioning rule the caller uses (operations/catalog/create-plan.ts).
  'POST /api/v1/plans',
  // Delegated plans (spec 05 §3.3): the plan must be the caller's, the target its direct child (operations/catalog).
  'POST /api/v1/plans/{id}/delegations',
  'PATCH /api/v1/plans/{id}',
  'PATCH /api/v1/plans/{id}/periods/{periodId}',
  // Reseller charges, discounts, own rates and the reports: owed to or by the caller's reseller only.
  'GET /api/v1/reseller-charges',
  'GET /api/v1/reseller-charges/balances',
  'POST /api/v1/reseller-discounts',
  'POST /api/v1/exchange-rates/own',
  'GET /api/v1/reports/closed-client-charges',
  'GET /api/v1/reports/closed-reseller-charges',
  // An act's PDF: the act's client must be the caller's (api/routes/documents.ts).
  'GET /api/v1/acts/{id}/pdf',
  // Licensing logs of the caller's clients' keys.
  'GET /api/v1/licensing/activation-logs',
  'GET /api/v1/licensing/activation-logs/export',
  'GET /api/v1/licensing/upgrade-logs',
  // Objects propagated down the tree (operations/propagation): each reseller sees what it uses and edits its own.
  'GET /api/v1/notification-templates',
  'POST /api/v1/notification-templates',
  'GET /api/v1/notification-templates/{id}',
  'POST /api/v1/notification-templates/{id}',
  'DELETE /api/v1/notification-templates/{id}',
  'POST /api/v1/notification-templates/{id}/restore',
  'POST /api/v1/notification-templates/{id}/preview',
  'GET /api/v1/notification-handlers',
  'POST /api/v1/notification-handlers',
  'GET /api/v1/notification-handlers/{id}',
  'POST /api/v1/notification-handlers/{id}',
  'DELETE /api/v1/notification-handlers/{id}',
  'POST /api/v1/notification-handlers/{id}/restore',
  'GET /api/v1/provisioning-rules',
  'POST /api/v1/provisioning-rules',
  'GET /api/v1/provisioning-rules/{id}',
  'POST /api/v1/provisioning-rules/{id}',
  'POST /api/v1/provisioning-rules/{id}/client-types',
  // Client types: each reseller sees its own and its upstreams' (operations/client-types, spec 05 §3.5).
  'GET /api/v1/client-types',
  'POST /api/v1/client-types',
  'GET /api/v1/client-types/{id}',
  'PATCH /api/v1/client-types/{id}',
  'DELETE /api/v1/client-types/{id}',
  // Notification categories propagate like templates (spec 03 §3).
  'GET /api/v1/notification-categories',
  'POST /api/v1/notification-categories',
  'GET /api/v1/notification-categories/{id}',
  'POST /api/v1/notification-categories/{id}',
  'DELETE /api/v1/notification-categories/{id}',
  'POST /api/v1/notification-categories/{id}/restore',
  // Service rules are each reseller's own (copied at its creation, spec 05 §2.2).
  'GET /api/v1/service-rules',
  'POST /api/v1/service-rules',
  'GET /api/v1/service-rules/{id}',
]);

/** Installation-wide reads with no tenant's data in them. */
const installationWide = new Set([
  'GET /api/v1/me',
  'GET /api/v1/products',
  'GET /api/v1/products/{id}',
  'GET /api/v1/service-templates',
  'GET /api/v1/service-templates/{id}',
  'GET /api/v1/exchange-rates',
  'GET /api/v1/exchange-rates/in-force',
]);

/** Entity routes that stay the operator's although their path names a client's row: installation-wide settings. */
const rootOnlyEntityRoutes = new Set(['POST /api/v1/clients/{id}/postpay-permission']);

/**
 * Routes on one plan, open when the plan is the viewer's own (its reseller's: an own plan or the copy delegated to it;
 * spec 05 §3.3, §4.8); the operation checks the owner again and refuses a copy's synced structure.
 */
const planEntityRoutes = new Set(['GET /api/v1/plans/{id}', 'POST /api/v1/plans/{id}/periods']);

/** Body fields that name a row, and what kind of row. */
const bodyReferences: Record<string, OwnedKind> = {
  clientId: 'client',
  clientIds: 'client',
  subscriptionId: 'subscription',
  subscriptionIds: 'subscription',
  orderId: 'order',
  orderIds: 'order',
  paymentIds: 'payment',
  planId: 'plan',
  planPeriodId: 'plan_period',
  planPeriodIds: 'plan_period',
  clientUserId: 'client_user',
  managerId: 'staff',
  entitlementId: 'entitlement',
  serviceRuleId: 'service_rule',
};

export type TenantRule = { kind: 'entity'; entity: OwnedKind } | { kind: 'scoped' } | { kind: 'installation' } | { kind: 'root' };

/** How a route (`GET /api/v1/clients/{id}`, as the OpenAPI document writes it) is scoped. */
export function tenantRule(method: string, path: string): TenantRule {
  const key = `${method.toUpperCase()} ${path}`;
  if (installationWide.has(key)) return { kind: 'installation' };
  if (scopedInHandler.has(key)) return { kind: 'scoped' };
  if (planEntityRoutes.has(key)) return { kind: 'entity', entity: 'plan' };
  if (rootOnlyEntityRoutes.has(key)) return { kind: 'root' };
  const entity = entityPaths.find(([prefix]) => path === prefix || path.startsWith(`${prefix}/`));
  return entity ? { kind: 'entity', entity: entity[1] } : { kind: 'root' };
}

const isRoot = (staff: Staff) => staff.resellerId === rootResellerId;

/**
 * Whether a reseller's staff may use what a route serves (`GET /api/v1/tasks`, as the OpenAPI document writes it):
 * every rule but root-only. The operator UI asks this of the API route each page stands on (web/layout.tsx
 * `sections`), so its menu and pages follow this one classification. `null` names no API route (a UI page of no
 * tenant's rows, such as the system event log): unclassified, so root-only like any route nobody scoped.
 */
export function openToResellers(route: `${string} /api/v1/${string}` | null): boolean {
  if (route === null) return false;
  const [method, path] = route.split(' ') as [string, string];
  return tenantRule(method, path).kind !== 'root';
}

/** Whether `resellerId`'s staff may use the route: the operator's staff use everything (spec 05 §7.3). */
export const mayUseRoute = (resellerId: number, route: Parameters<typeof openToResellers>[0]) => resellerId === rootResellerId || openToResellers(route);

/** The matched route as the OpenAPI document writes it (hono's `:id` → `{id}`). */
function routeOf(c: Context<AppEnv>): { method: string; path: string } {
  const route = c.req.matchedRoutes.filter((r) => r.method !== 'ALL').at(-1);
  return { method: c.req.method, path: (route?.path ?? c.req.path).replace(/:(\w+)/g, '{$1}') };
}

async function jsonBody(c: Context<AppEnv>): Promise<Record<string, unknown> | undefined> {
  if (!(c.req.header('content-type') ?? '').includes('json')) return undefined;
  try {
    const body: unknown = await c.req.json();
    return body && typeof body === 'object' && !Array.isArray(body) ? (body as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

/** Refuses, as unknown, a body that names another tenant's row. */
async function checkBody(c: Context<AppEnv>, sql: Sql, viewer: Viewer): Promise<void> {
  if (c.req.method === 'GET') return;
  const body = await jsonBody(c);
  if (!body) return;
  for (const [field, kind] of Object.entries(bodyReferences)) {
    const value = body[field];
    const ids = (Array.isArray(value) ? value : [value]).slice(0, 1000);
    for (const id of ids) {
      if ((typeof id !== 'number' && typeof id !== 'string') || String(id).length > 40) continue;
      if ((await visibility(sql, viewer, kind, String(id))) === 'foreign') {
        throw new AppError('invalid_reference', `${field}: ${String(id)} does not exist`);
      }
    }
  }
}

const notFoundWords: Partial<Record<OwnedKind, string>> = { license_key: 'license key', client_user: 'client user', promised_payment: 'promised payment', manual_operation: 'manual operation' };

/**
 * A reseller's staff on a route that is the operator's alone: 403, as for an area its role may not use. Run by the
 * route guard right after the role check (api/auth.ts `requirePermission`, through the `tenancy` variable that
 * api/app.ts sets), before anything reads the request.
 */
export function refuseOperatorOnly(c: Context<AppEnv>): void {
  const staff = c.get('staff') as Staff | undefined;
  if (!staff || isRoot(staff)) return;
  const { method, path } = routeOf(c);
  if (tenantRule(method, path).kind === 'root') throw new AppError('forbidden', "this area is the operator's: a reseller's staff may not use it");
}

/**
 * The row check, run right before the handler (api/deps.ts `router`), after the role check and the validation: a
 * foreign id then answers exactly as an unknown one, whatever else the request gets wrong.
 */
export function tenantGate(sql: Sql) {
  return async function gate(c: Context<AppEnv>): Promise<void> {
    const staff = c.get('staff') as Staff | undefined;
    if (!staff) return;
    const { method, path } = routeOf(c);
    const rule = tenantRule(method, path);
    if (rule.kind === 'root') return;
    if (rule.kind === 'entity') {
      const id = c.req.param('id') ?? c.req.param('code') ?? '';
      if ((await visibility(sql, staff, rule.entity, id)) === 'foreign') {
        throw new AppError('not_found', `${notFoundWords[rule.entity] ?? rule.entity} ${id} does not exist`);
      }
    }
    await checkBody(c, sql, staff);
  };
}

/**
 * Whose rows a list shows: the staff member's reseller's; for a client user, null, as its route guard already holds
 * the request to one of the user's clients (a request with neither is a bug, refused).
 */
export function listViewer(c: Context<AppEnv>): Viewer | null {
  const staff = c.get('staff') as Staff | undefined;
  if (staff) return staff;
  if (c.get('clientScope')) return null;
  throw new Error('a list read with neither a staff member nor a client scope');
}

/**
 * The list predicate for a hand-written list query: the viewer's rows only (queries/tenancy.ts `ownedBy`). A client
 * user's request is already held to the one client its guard checked, so it adds nothing there.
 */
export function ownRows(c: Context<AppEnv>, sql: Sql, clientIdExpr: string) {
  const staff = c.get('staff') as Staff | undefined;
  return staff ? ownedBy(sql, staff, clientIdExpr) : sql`true`;
}
