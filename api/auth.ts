import { createHash, randomBytes } from 'node:crypto';
import type { MiddlewareHandler } from 'hono';
import type { Sql } from '../db/client';
import type { StaffRole } from '../domain/statuses';
import { ApiError } from './errors';

export interface Staff {
  id: number;
  name: string;
  role: StaffRole;
  /** The API token this request came with. */
  tokenId: number;
}

export type AppEnv = { Variables: { staff: Staff; requestId: string } };

export const hashToken = (token: string) => createHash('sha256').update(token).digest('hex');

/** A new API token: shown once, stored only as a hash. */
export function generateToken(): string {
  return `bpt_${randomBytes(24).toString('base64url')}`;
}

/**
 * Areas of the permission matrix (spec 02 §14.1, decision 29). A route names the area it touches and
 * whether it writes; the matrix says which roles may do that.
 */
export type Area = 'operations' | 'finance' | 'catalog' | 'billing_config' | 'scenarios' | 'tasks' | 'staff';

const matrix: Record<Area, { read: StaffRole[]; write: StaffRole[] }> = {
  operations: { read: ['admin', 'sales_manager', 'marketing'], write: ['admin', 'sales_manager', 'marketing'] },
  finance: { read: ['admin', 'sales_manager', 'marketing'], write: ['admin', 'sales_manager', 'marketing'] },
  catalog: { read: ['admin', 'product_manager', 'marketing'], write: ['admin', 'product_manager', 'marketing'] },
  billing_config: { read: ['admin'], write: ['admin'] },
  // Scenarios are "operations" to read; deciding on a failed step is support work, like the task queue.
  scenarios: { read: ['admin', 'sales_manager', 'marketing'], write: ['admin'] },
  // The task queue is the root administrators' (spec 02 §14.1: "Task queue, resellers").
  tasks: { read: ['admin'], write: ['admin'] },
  staff: { read: ['admin'], write: ['admin'] },
};

export function can(role: StaffRole, area: Area, write: boolean): boolean {
  return matrix[area][write ? 'write' : 'read'].includes(role);
}

export function bearerAuth(sql: Sql): MiddlewareHandler<AppEnv> {
  return async function authenticate(c, next) {
    const header = c.req.header('authorization') ?? '';
    const match = /^Bearer\s+(\S+)$/i.exec(header);
    if (!match) throw new ApiError(401, 'unauthenticated', 'an API token is required: Authorization: Bearer <token>');
    const [row] = await sql<Array<{ id: number; name: string; role: StaffRole; tokenId: number }>>`
      update api_tokens t set last_used_at = now()
      from staff s
      where t.token_hash = ${hashToken(match[1]!)} and t.revoked_at is null and s.id = t.staff_id and s.status = 'active'
      returning s.id, s.name, s.role, t.id as "tokenId"`;
    if (!row) throw new ApiError(401, 'unauthenticated', 'the API token is unknown or revoked');
    c.set('staff', row);
    await next();
  };
}

export function requirePermission(area: Area, write: boolean): MiddlewareHandler<AppEnv> {
  return async function authorize(c, next) {
    const staff = c.get('staff');
    if (!can(staff.role, area, write)) {
      throw new ApiError(403, 'forbidden', `the role ${staff.role} may not ${write ? 'change' : 'read'} ${area.replace('_', ' ')}`);
    }
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
export function guard(area: Area, write: boolean) {
  return {
    middleware: [requirePermission(area, write)],
    'x-permission': { area, access: write ? ('write' as const) : ('read' as const) },
  };
}
