import { createHash, randomBytes } from 'node:crypto';
import type { Context, MiddlewareHandler } from 'hono';
import type { Sql } from '../db/client';
import { clientCapability, type ClientCapability } from '../domain/client-capabilities';
import type { ClientAccessLevel, ClientStatus, StaffRole } from '../domain/statuses';
import { AppError } from './errors';

export interface Staff {
  id: number;
  name: string;
  role: StaffRole;
  /** The reseller the staff member belongs to (spec 05 §7.1): what it sees and acts on is that reseller's subtree. */
  resellerId: number;
  /** The API token this request came with (negative: the operator UI session's id). */
  tokenId: number;
}

/** A client user signed in with a client-panel token (spec 01 §4.2). */
export interface ClientUser {
  id: number;
  name: string;
  tokenId: number;
}

/** The client a client user's request acts on, and the user's access level there (set by the guard). */
export interface ClientScope {
  clientId: number;
  accessLevel: ClientAccessLevel;
}

/**
 * `staff` is set for staff tokens; `clientUser` for client-panel tokens. A client user only reaches routes
 * whose guard names a client access rule (see client-access.ts), so other handlers may read `staff`.
 */
export type AppEnv = {
  Variables: {
    staff: Staff;
    clientUser?: ClientUser;
    clientScope?: ClientScope;
    requestId: string;
    /**
     * The tenant checks of api/tenancy.ts, set for every /api/v1 request: the operator's areas, right after the role
     * check; the rows a request names, after its validation (api/deps.ts `router`).
     */
    tenancy?: { refuseOperatorOnly: (c: Context<AppEnv>) => void; checkRows: (c: Context<AppEnv>) => Promise<void> };
    /** The Idempotency-Key this request claimed (see api/idempotency.ts). */
    idempotencyClaim?: { staffId: number; key: string };
  };
};

/** Operator UI sessions (web/): the cookie's value, also accepted as a bearer token by the in-process API calls. */
export const SESSION_TOKEN_PREFIX = 'bps_';

export const hashToken = (token: string) => createHash('sha256').update(token).digest('hex');

/** A new API token: shown once, stored only as a hash. Staff tokens start `bpt_`, client-panel tokens `bpc_`. */
export function generateToken(kind: 'staff' | 'client_user' = 'staff'): string {
  return `${kind === 'staff' ? 'bpt' : 'bpc'}_${randomBytes(24).toString('base64url')}`;
}

/**
 * Areas of the permission matrix (spec 02 §14.1, decision 29). A route names the area it touches and
 * whether it writes; the matrix says which roles may do that.
 */
export type Area = 'operations' | 'finance' | 'catalog' | 'billing_config' | 'scenarios' | 'tasks' | 'staff' | 'resellers';

const matrix: Record<Area, { read: StaffRole[]; write: StaffRole[] }> = {
  operations: { read: ['admin', 'sales_manager', 'marketing', 'support'], write: ['admin', 'sales_manager', 'marketing'] },
  finance: { read: ['admin', 'sales_manager', 'marketing', 'support'], write: ['admin', 'sales_manager', 'marketing'] },
  catalog: { read: ['admin', 'product_manager', 'marketing'], write: ['admin', 'product_manager', 'marketing'] },
  billing_config: { read: ['admin'], write: ['admin'] },
  // Scenarios are "operations" to read; deciding on a failed step is support work, like the task list.
  scenarios: { read: ['admin', 'sales_manager', 'marketing', 'support'], write: ['admin', 'support'] },
  // The task list is the root administrators' (spec 02 §14.1: "Task queue, resellers") and support's.
  tasks: { read: ['admin', 'support'], write: ['admin', 'support'] },
  staff: { read: ['admin'], write: ['admin'] },
  // Only system administrators see the resellers section (spec 05 §7.1 rule 2).
  resellers: { read: ['admin'], write: ['admin'] },
};

export function can(role: StaffRole, area: Area, write: boolean): boolean {
  return matrix[area][write ? 'write' : 'read'].includes(role);
}

/**
 * How a route is opened to client users (spec 01 §4.2): which client a request acts on, and what it does
 * there. The guard refuses client users on every route that does not name one of these.
 */
export interface ClientAccess {
  sql: Sql;
  /** Documented in the route's `x-permission`. */
  label: string;
  /** The client the request acts on; null when the request does not say (it is refused). */
  clientOf: (c: Context<AppEnv>) => Promise<number | null>;
  capability: ClientCapability | ((c: Context<AppEnv>, clientId: number) => Promise<ClientCapability>);
  /** The route is about the user, not one client (the account switcher); its handler shows only their clients. */
  unscoped?: true;
}

/** The token of an `Authorization: Bearer <token>` header, or null. */
export function bearerToken(header: string | undefined): string | null {
  return /^Bearer\s+(\S+)$/i.exec(header ?? '')?.[1] ?? null;
}

/**
 * Staff API tokens checked in the last second, by their hash (issue 20: at 1,000 single-record usage requests a
 * second this lookup was the one database round trip left per request). Only a successful check is kept, for one
 * second: a token revoked through this process is forgotten at once (`forgetCheckedStaffTokens`, called by the revoke
 * route); another API process sees a revocation within the second.
 */
const STAFF_TOKEN_TTL_MS = 1000;
const MAX_CHECKED_STAFF_TOKENS = 10_000;
const checkedStaffTokens = new Map<string, { staff: Staff; until: number }>();

export function forgetCheckedStaffTokens(): void {
  checkedStaffTokens.clear();
}

function rememberStaffToken(hash: string, staff: Staff): void {
  if (checkedStaffTokens.size >= MAX_CHECKED_STAFF_TOKENS) checkedStaffTokens.clear();
  checkedStaffTokens.set(hash, { staff, until: Date.now() + STAFF_TOKEN_TTL_MS });
}

export function bearerAuth(sql: Sql): MiddlewareHandler<AppEnv> {
  /**
   * A token's `last_used_at` is written when it is over a minute old: writing it on every request made every read
   * a write transaction with a commit to flush, and requests with the same token queue on its row lock.
   */
  const staleUse = () => sql`(t.last_used_at is null or t.last_used_at < now() - interval '1 minute')`;
  return async function authenticate(c, next) {
    const token = bearerToken(c.req.header('authorization'));
    if (!token) throw new AppError('unauthenticated', 'an API token is required: Authorization: Bearer <token>');
    if (token.startsWith('bpc_')) {
      const [found] = await sql<Array<ClientUser & { stale: boolean }>>`
        select u.id, u.name, t.id as "tokenId", ${staleUse()} as stale
        from client_user_tokens t join client_users u on u.id = t.client_user_id
        where t.token_hash = ${hashToken(token)} and t.revoked_at is null and u.status = 'active'`;
      if (!found) throw new AppError('unauthenticated', 'the API token is unknown or revoked');
      if (found.stale) await sql`update client_user_tokens set last_used_at = now() where id = ${found.tokenId}`;
      const { stale: _stale, ...user } = found;
      c.set('clientUser', user);
      return next();
    }
    if (token.startsWith(SESSION_TOKEN_PREFIX)) {
      // The operator UI calls the API in-process with the signed-in staff member's session (web/api-bridge.ts).
      const [member] = await sql<Array<{ id: number; name: string; role: StaffRole; resellerId: number; tokenId: number }>>`
        select s.id, s.name, s.role, s.reseller_id as "resellerId", -ss.id as "tokenId"
        from staff_sessions ss join staff s on s.id = ss.staff_id
        where ss.token_hash = ${hashToken(token)} and ss.ended_at is null and ss.expires_at > now() and s.status = 'active'`;
      if (!member) throw new AppError('unauthenticated', 'the session has ended: sign in again');
      c.set('staff', member);
      return next();
    }
    const hash = hashToken(token);
    const checked = checkedStaffTokens.get(hash);
    if (checked && checked.until > Date.now()) {
      c.set('staff', { ...checked.staff });
      return next();
    }
    const [found] = await sql<Array<{ id: number; name: string; role: StaffRole; resellerId: number; tokenId: number; stale: boolean }>>`
      select s.id, s.name, s.role, s.reseller_id as "resellerId", t.id as "tokenId", ${staleUse()} as stale
      from api_tokens t join staff s on s.id = t.staff_id
      where t.token_hash = ${hash} and t.revoked_at is null and s.status = 'active'`;
    if (!found) throw new AppError('unauthenticated', 'the API token is unknown or revoked');
    if (found.stale) await sql`update api_tokens set last_used_at = now() where id = ${found.tokenId}`;
    const { stale: _stale, ...row } = found;
    rememberStaffToken(hash, row);
    c.set('staff', row);
    await next();
  };
}

export function requirePermission(area: Area, write: boolean, client?: ClientAccess): MiddlewareHandler<AppEnv> {
  return async function authorize(c, next) {
    const clientUser = c.get('clientUser');
    if (clientUser) {
      if (!client) throw new AppError('forbidden', 'client-panel tokens may not use this route');
      c.set('clientScope', await authorizeClientUser(c, clientUser, client));
      return next();
    }
    const staff = c.get('staff');
    if (!can(staff.role, area, write)) {
      throw new AppError('forbidden', `the role ${staff.role} may not ${write ? 'change' : 'read'} ${area.replace('_', ' ')}`);
    }
    c.get('tenancy')?.refuseOperatorOnly(c);
    await next();
  };
}

/** Creates the first administrator with a token, if there is no staff yet. Returns the token, if made. */
export async function bootstrapAdmin(sql: Sql, presetToken?: string): Promise<{ token: string; created: boolean }> {
  const token = presetToken ?? generateToken();
  return sql.begin(async (tx) => {
    await tx`select pg_advisory_xact_lock(42001)`;
    const [existing] = await tx<Array<{ id: number }>>`
      select t.id from api_tokens t where t.token_hash = ${hashToken(token)} and t.revoked_at is null`;
    if (existing) return { token, created: false };
    const [admin] = await tx<Array<{ id: number }>>`
      insert into staff (name, email, role) values ('Administrator', 'admin@localhost', 'admin')
      on conflict (email) do update set updated_at = now()
      returning id`;
    await tx`
      insert into api_tokens (staff_id, name, token_hash, prefix)
      values (${admin!.id}, 'bootstrap', ${hashToken(token)}, ${token.slice(0, 8)})`;
    return { token, created: true };
  });
}

/**
 * A route's permission, enforced and documented from one place: the middleware checks the role, and the
 * OpenAPI document carries `x-permission`, which the role-matrix test reads to try every route.
 */
export function guard(area: Area, write: boolean, client?: ClientAccess) {
  return {
    middleware: [requirePermission(area, write, client)],
    'x-permission': { area, access: write ? ('write' as const) : ('read' as const), ...(client ? { clientUsers: client.label } : {}) },
  };
}

/**
 * A client user's request: it must name one of the user's clients, and the client's status and the
 * user's access level there must allow what the route does (spec 01 §4.2, domain/client-capabilities.ts).
 */
async function authorizeClientUser(c: Context<AppEnv>, user: ClientUser, access: ClientAccess): Promise<ClientScope | undefined> {
  if (access.unscoped) return undefined;
  const clientId = await access.clientOf(c);
  if (clientId === null) throw new AppError('client_scope_required', 'a client-panel request must name one of your clients');
  const [link] = await access.sql<Array<{ access_level: ClientAccessLevel; status: ClientStatus }>>`
    select l.access_level, c.status from client_user_links l join clients c on c.id = l.client_id
    where l.client_user_id = ${user.id} and l.client_id = ${clientId}`;
  if (!link) throw new AppError('not_your_client', `this token has no access to client ${clientId}`);
  const capability = typeof access.capability === 'function' ? await access.capability(c, clientId) : access.capability;
  const answer = clientCapability(link.status, link.access_level, capability);
  if (!answer.allowed) throw new AppError(answer.code, answer.message);
  return { clientId, accessLevel: link.access_level };
}

/** Who acts, for the event log: a staff member or a client user. */
export function eventActor(c: Context<AppEnv>): { actorId: number; actorKind?: 'client_user' } {
  const user = c.get('clientUser');
  return user ? { actorId: user.id, actorKind: 'client_user' } : { actorId: c.get('staff').id };
}

/** The staff member behind the request, or null for a client user (records such as `created_by` name staff only). */
export const staffIdOf = (c: Context<AppEnv>): number | null => c.get('staff')?.id ?? null;
