import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { can, forgetCheckedStaffTokens, type Area } from '../../api/auth';
import { tenantRule } from '../../api/tenancy';
import type { StaffRole } from '../../domain/statuses';
import { staffRoles } from '../../domain/statuses';
import { createTestPlatform, type TestPlatform } from '../support/platform';

let p: TestPlatform;
const tokens = {} as Record<StaffRole, string>;

interface Route {
  method: string;
  path: string;
  permission?: { area: Area; access: 'read' | 'write' };
}
let routes: Route[] = [];

beforeAll(async () => {
  p = await createTestPlatform('roles', { runWorker: false });
  for (const role of staffRoles) {
    const member = await p.api('POST', '/api/v1/staff', { name: `A ${role}`, email: `${role}@example.com`, role });
    expect(member.status).toBe(201);
    const token = await p.api('POST', `/api/v1/staff/${member.body.id}/tokens`, { name: 'tests' });
    expect(token.status).toBe(201);
    tokens[role] = token.body.token;
  }
  const doc = (await p.api('GET', '/api/openapi.json')).body;
  for (const [path, item] of Object.entries<any>(doc.paths)) {
    for (const [method, op] of Object.entries<any>(item)) {
      routes.push({ method: method.toUpperCase(), path, permission: op['x-permission'] });
    }
  }
  routes = routes.filter((r) => r.path.startsWith('/api/v1/'));
});
afterAll(async () => p?.close());

/** Ids that do not exist: the answer is about the role, never about a record. */
const fill = (path: string) => path.replace(/\{id\}/g, path.startsWith('/api/v1/scenarios') ? 'order-999999' : '999999').replace(/\{\w+\}/g, '999999');

describe('role matrix (spec 02 §14.1)', () => {
  it('every /api/v1 route declares the permission it enforces', () => {
    expect(routes.length).toBeGreaterThan(30);
    expect(routes.filter((r) => !r.permission).map((r) => `${r.method} ${r.path}`)).toEqual([]);
  });

  it('every route has a role that may and a role that may not call it', () => {
    for (const r of routes) {
      const write = r.permission!.access === 'write';
      const allowed = staffRoles.filter((role) => can(role, r.permission!.area, write));
      expect(allowed.length, `${r.method} ${r.path}`).toBeGreaterThan(0);
      expect(allowed.length, `${r.method} ${r.path}`).toBeLessThan(staffRoles.length);
    }
  });

  it('each role gets 403 exactly where the matrix forbids it, and is let through where it allows', async () => {
    const wrong: string[] = [];
    for (const r of routes) {
      for (const role of staffRoles) {
        const answer = await p.api(r.method, fill(r.path), r.method === 'POST' ? {} : undefined, { token: tokens[role] });
        const allowed = can(role, r.permission!.area, r.permission!.access === 'write');
        const ok = allowed ? answer.status !== 403 && answer.status !== 401 && answer.status < 500 : answer.status === 403 && answer.body.code === 'forbidden';
        if (!ok) wrong.push(`${role} ${r.method} ${r.path} → ${answer.status} (${allowed ? 'allowed' : 'forbidden'})`);
      }
    }
    expect(wrong).toEqual([]);
  });

  it("the tenant dimension: a reseller's administrator gets 403 exactly on the operator's routes (spec 05 §7.3), and is let through elsewhere", async () => {
    const reseller = await p.api('POST', '/api/v1/resellers', { name: 'Roles reseller', currency: 'EUR' });
    expect(reseller.status, JSON.stringify(reseller.body)).toBe(201);
    const member = await p.api('POST', '/api/v1/staff', { name: 'Reseller admin', email: 'reseller-admin@example.com', role: 'admin', resellerId: reseller.body.id });
    const token = (await p.api('POST', `/api/v1/staff/${member.body.id}/tokens`, { name: 'tests' })).body.token as string;
    const wrong: string[] = [];
    for (const r of routes) {
      const answer = await p.api(r.method, fill(r.path), r.method === 'POST' ? {} : undefined, { token });
      const operatorOnly = tenantRule(r.method, r.path).kind === 'root';
      const ok = operatorOnly ? answer.status === 403 && answer.body.code === 'forbidden' : answer.status !== 403 && answer.status !== 401 && answer.status < 500;
      if (!ok) wrong.push(`${r.method} ${r.path} → ${answer.status} (${operatorOnly ? "operator's" : 'scoped'})`);
    }
    expect(wrong).toEqual([]);
    // The operator's own administrator is let through on those routes, as the matrix above says.
    expect(routes.filter((r) => tenantRule(r.method, r.path).kind === 'root').length).toBeGreaterThan(10);
  });

  it('a revoked token stops working at once', async () => {
    const member = await p.api('POST', '/api/v1/staff', { name: 'Temp', email: 'temp@example.com', role: 'marketing' });
    const issued = await p.api('POST', `/api/v1/staff/${member.body.id}/tokens`, { name: 'laptop' });
    expect((await p.api('GET', '/api/v1/orders', undefined, { token: issued.body.token })).status).toBe(200);
    const revoked = await p.api('POST', `/api/v1/staff/${member.body.id}/tokens/${issued.body.id}/revoke`, { reason: 'laptop lost' });
    expect(revoked.status).toBe(200);
    expect(revoked.body.tokens[0].revokedAt).not.toBeNull();
    expect(JSON.stringify(revoked.body)).not.toContain(issued.body.token);
    const after = await p.api('GET', '/api/v1/orders', undefined, { token: issued.body.token });
    expect(after.status).toBe(401);
  });

  it('a token revoked outside this API process (another process, the database) stops working within a second', async () => {
    const member = await p.api('POST', '/api/v1/staff', { name: 'Elsewhere', email: 'elsewhere@example.com', role: 'marketing' });
    const issued = await p.api('POST', `/api/v1/staff/${member.body.id}/tokens`, { name: 'laptop' });
    expect((await p.api('GET', '/api/v1/orders', undefined, { token: issued.body.token })).status).toBe(200);
    await p.sql`update api_tokens set revoked_at = now() where id = ${issued.body.id}`;
    await new Promise((resolve) => setTimeout(resolve, 1100));
    expect((await p.api('GET', '/api/v1/orders', undefined, { token: issued.body.token })).status).toBe(401);
  });

  it("a token's last use is recorded at most once a minute, so reads do not write on every request", async () => {
    const member = await p.api('POST', '/api/v1/staff', { name: 'Reader', email: 'reader@example.com', role: 'marketing' });
    const issued = await p.api('POST', `/api/v1/staff/${member.body.id}/tokens`, { name: 'dashboard' });
    const lastUse = async () => (await p.sql<Array<{ at: string | null }>>`select last_used_at as at from api_tokens where id = ${issued.body.id}`)[0]!.at;
    expect(await lastUse()).toBeNull();
    expect((await p.api('GET', '/api/v1/orders', undefined, { token: issued.body.token })).status).toBe(200);
    const first = await lastUse();
    expect(first).not.toBeNull();
    expect((await p.api('GET', '/api/v1/orders', undefined, { token: issued.body.token })).status).toBe(200);
    expect(await lastUse()).toEqual(first);
    // Over a minute later, the next request records it again (by then the API has long forgotten its one-second check).
    await p.sql`update api_tokens set last_used_at = now() - interval '2 minutes' where id = ${issued.body.id}`;
    forgetCheckedStaffTokens();
    const old = await lastUse();
    expect((await p.api('GET', '/api/v1/orders', undefined, { token: issued.body.token })).status).toBe(200);
    expect(new Date((await lastUse())!).getTime()).toBeGreaterThan(new Date(old!).getTime() + 60_000);
  });
});
