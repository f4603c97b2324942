import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tenantRule } from '../../api/tenancy';
import { signInInProcess } from '../support/http';
import { createSwitchTargetPlan, createTestPlatform, eventually, seedCatalog, type Catalog, type TestPlatform } from '../support/platform';

// Issue 21 point 5: every staff route scoped by tenant (spec 05 §1.3.5, §7.2). Operator → A → A1, and B → B1 beside
// A. Each reseller has a system administrator; A1 and B have a client with an order (its subscription, payment,
// charges and scenario), a client user and a license key. The walk takes every route from the OpenAPI document, so a
// route added later is walked too, and calls it with A1's token on B's rows: B's rows answer like unknown ones.

let p: TestPlatform;
let catalog: Catalog;

interface Tenant {
  resellerId: number;
  staffId: number;
  staffEmail: string;
  token: string;
  planId: number;
  periodId: number;
  clientId: number;
  clientName: string;
  orderId: number;
  subscriptionId: number;
  paymentId: number;
  chargeId: number;
  clientUserId: number;
  clientUserEmail: string;
  keyCode: string;
  entitlementId: number;
  adjustmentId: number;
  promisedPaymentId: number;
}
const t = {} as Record<'A1' | 'B', Tenant>;
const resellers = {} as Record<'A' | 'A1' | 'B' | 'B1', number>;
const staffTokens = {} as Record<'A' | 'A1' | 'B' | 'B1', { id: number; token: string; email: string }>;
const suffix = randomBytes(3).toString('hex');
const password = 'correct horse battery staple';
let licensingPrefix = '';

const as = (token: string) => (method: string, path: string, body?: unknown) => p.api(method, path, body, { token });

async function adminOf(key: keyof typeof resellers) {
  const email = `admin-${key.toLowerCase()}-${suffix}@example.com`;
  // The upstream (here the operator) creates the reseller's first staff member (spec 05 §2.1 step 3).
  const member = await p.api('POST', '/api/v1/staff', { name: `Admin of ${key}`, email, role: 'admin', resellerId: resellers[key] });
  expect(member.status, JSON.stringify(member.body)).toBe(201);
  expect(member.body.resellerId).toBe(resellers[key]);
  const token = await p.api('POST', `/api/v1/staff/${member.body.id}/tokens`, { name: 'tests' });
  expect(token.status, JSON.stringify(token.body)).toBe(201);
  staffTokens[key] = { id: member.body.id, token: token.body.token, email };
}

async function tenant(key: 'A1' | 'B'): Promise<Tenant> {
  const api = as(staffTokens[key].token);
  // Until delegation (spec 05 §3.3) a reseller's plan is the operator's copy moved to it.
  const periodId = await createSwitchTargetPlan(p, catalog);
  const [plan] = await p.sql<Array<{ plan_id: number }>>`select plan_id from plan_periods where id = ${periodId}`;
  await p.sql`update plans set reseller_id = ${resellers[key]} where id = ${plan!.plan_id}`;
  const clientName = `Client of ${key} ${suffix}`;
  // A reseller's clients take its own service rules (copied from its parent when it was created, spec 05 §2.2).
  const rules = await api('GET', '/api/v1/service-rules?limit=100');
  const serviceRuleId = (rules.body.items as Array<{ id: number }>)[0]!.id;
  expect(serviceRuleId).not.toBe(catalog.serviceRuleId);
  const client = await api('POST', '/api/v1/clients', { name: clientName, serviceRuleId, contacts: [{ name: 'Olga', email: `olga-${key}@example.com`, role: 'owner', language: 'en' }] });
  expect(client.status, JSON.stringify(client.body)).toBe(201);
  const clientId = client.body.id as number;
  expect((await api('POST', `/api/v1/clients/${clientId}/top-ups`, { amount: 50_000 })).status).toBe(201);
  const order = await api('POST', '/api/v1/orders', { clientId, planPeriodId: periodId });
  expect(order.status, JSON.stringify(order.body)).toBe(201);
  // The operator does not see a reseller's order: wait as its own staff.
  await eventually(async () => ((await api('GET', `/api/v1/orders/${order.body.id}`)).body.status === 'completed' ? true : null), { what: `order of ${key} completed` });
  const [sub] = await p.sql<Array<{ id: number }>>`select id from subscriptions where client_id = ${clientId}`;
  const [payment] = await p.sql<Array<{ id: number }>>`select id from payments where client_id = ${clientId} order by id limit 1`;
  const [charge] = await p.sql<Array<{ id: number }>>`select id from charges where client_id = ${clientId} order by id limit 1`;
  const clientUserEmail = `user-${key.toLowerCase()}-${suffix}@example.com`;
  const user = await api('POST', '/api/v1/client-users', { name: `User of ${key}`, email: clientUserEmail });
  expect(user.status, JSON.stringify(user.body)).toBe(201);
  expect((await api('POST', `/api/v1/clients/${clientId}/users`, { clientUserId: user.body.id, accessLevel: 'owner' })).status).toBe(200);
  // A license key registered on first run, then given to the client (as the licensing plugin's keys are).
  const registered = await p.api('POST', '/licensing/v1/keys', { vendorPrefix: licensingPrefix, productCode: 'app', customer: { companyName: clientName }, trial: true }, { token: null });
  expect(registered.status, JSON.stringify(registered.body)).toBe(201);
  const [key_] = await p.sql<Array<{ id: number; code: string }>>`select id, code from license_keys order by id desc limit 1`;
  await p.sql`update license_keys set client_id = ${clientId} where id = ${key_!.id}`;
  const [entitlement] = await p.sql<Array<{ id: number }>>`select id from entitlements where key_id = ${key_!.id}`;
  expect(sub && payment && charge && entitlement).toBeTruthy();
  const adjustment = await api('POST', `/api/v1/clients/${clientId}/adjustments`, { direction: 'credit', amount: 100, comment: 'goodwill' });
  expect(adjustment.status, JSON.stringify(adjustment.body)).toBe(201);
  const expiresOn = new Date(Date.now() + 3 * 86_400_000).toISOString().slice(0, 10);
  const promised = await api('POST', `/api/v1/clients/${clientId}/promised-payments`, { amount: 100, expiresOn, override: true });
  expect(promised.status, JSON.stringify(promised.body)).toBe(201);
  return {
    resellerId: resellers[key],
    staffId: staffTokens[key].id,
    staffEmail: staffTokens[key].email,
    token: staffTokens[key].token,
    planId: plan!.plan_id,
    periodId,
    clientId,
    clientName,
    orderId: order.body.id,
    subscriptionId: sub!.id,
    paymentId: payment!.id,
    chargeId: charge!.id,
    clientUserId: user.body.id,
    clientUserEmail,
    keyCode: key_!.code,
    entitlementId: entitlement!.id,
    adjustmentId: adjustment.body.id,
    promisedPaymentId: promised.body.id,
  };
}

interface Route {
  method: string;
  path: string;
}
let routes: Route[] = [];
let rootClientId = 0;

beforeAll(async () => {
  p = await createTestPlatform('tenant_scoping');
  catalog = await seedCatalog(p);
  licensingPrefix = [...randomBytes(4)].map((b) => String.fromCharCode(65 + (b % 26))).join('');
  expect((await p.api('POST', '/api/v1/licensing/vendors', { name: 'Tenant Software', prefix: licensingPrefix })).status).toBe(201);
  expect((await p.api('POST', '/api/v1/licensing/products', { vendorPrefix: licensingPrefix, code: 'app', name: 'App', trialDays: 30, maxActivations: 3 })).status).toBe(201);
  const reseller = async (name: string, parentId?: number) => {
    const r = await p.api('POST', '/api/v1/resellers', { name, currency: 'EUR', ...(parentId ? { parentId } : {}) });
    expect(r.status, JSON.stringify(r.body)).toBe(201);
    return r.body.id as number;
  };
  resellers.A = await reseller('Reseller A');
  resellers.A1 = await reseller('Sub-reseller A1', resellers.A);
  resellers.B = await reseller('Reseller B');
  resellers.B1 = await reseller('Sub-reseller B1', resellers.B);
  for (const key of ['A', 'A1', 'B', 'B1'] as const) await adminOf(key);
  t.A1 = await tenant('A1');
  t.B = await tenant('B');
  const root = await p.api('POST', '/api/v1/clients', { name: `Operator client ${suffix}`, serviceRuleId: catalog.serviceRuleId, contacts: [] });
  expect(root.status, JSON.stringify(root.body)).toBe(201);
  rootClientId = root.body.id;
  const doc = (await p.api('GET', '/api/openapi.json')).body;
  for (const [path, item] of Object.entries<any>(doc.paths)) {
    for (const method of Object.keys(item)) routes.push({ method: method.toUpperCase(), path });
  }
  routes = routes.filter((r) => r.path.startsWith('/api/v1/'));
}, 180_000);
afterAll(async () => p?.close());

/** B's row for each path parameter, by the collection the path names. */
function withIdsOf(tn: Tenant, path: string): string {
  const byPrefix: Array<[string, string | number]> = [
    ['/api/v1/clients/{id}', tn.clientId],
    ['/api/v1/subscriptions/{id}', tn.subscriptionId],
    ['/api/v1/orders/{id}', tn.orderId],
    ['/api/v1/payments/{id}', tn.paymentId],
    ['/api/v1/charges/{id}', tn.chargeId],
    ['/api/v1/scenarios/{id}', `order-${tn.orderId}`],
    ['/api/v1/client-users/{id}', tn.clientUserId],
    ['/api/v1/staff/{id}', tn.staffId],
    ['/api/v1/plans/{id}', tn.planId],
    ['/api/v1/licensing/keys/{code}', tn.keyCode],
    ['/api/v1/licensing/entitlements/{id}', tn.entitlementId],
    ['/api/v1/resellers/{id}', tn.resellerId],
    ['/api/v1/adjustments/{id}', tn.adjustmentId],
    ['/api/v1/promised-payments/{id}', tn.promisedPaymentId],
  ];
  const hit = byPrefix.find(([prefix]) => path === prefix || path.startsWith(`${prefix}/`));
  return path
    .replace(/\{(id|code)\}/, String(hit ? hit[1] : tn.clientId))
    .replace(/\{clientUserId\}/, String(tn.clientUserId))
    .replace(/\{\w+\}/g, '1');
}
const unknownIds = (path: string) => path.replace(/\{id\}/g, path.startsWith('/api/v1/scenarios') ? 'order-999999' : '999999').replace(/\{code\}/g, 'AAAABBBBCCCCDDDD').replace(/\{\w+\}/g, '999999');

/** What of B must never show to A1. */
function leaksOf(text: string, tn: Tenant): string[] {
  const marks = [tn.clientName, tn.clientUserEmail, tn.staffEmail, tn.keyCode, `"clientId":${tn.clientId},`, `"clientId":${tn.clientId}}`, `"subscriptionId":${tn.subscriptionId},`];
  return marks.filter((m) => text.includes(m));
}

/** B's rows, to see that nothing A1 tried changed them. */
const snapshotOf = async (tn: Tenant) =>
  JSON.stringify(
    await p.sql`
      select (select row_to_json(c) from clients c where c.id = ${tn.clientId}) as client,
             (select json_agg(s order by s.id) from subscriptions s where s.client_id = ${tn.clientId}) as subscriptions,
             (select json_agg(o order by o.id) from orders o where o.client_id = ${tn.clientId}) as orders,
             (select json_agg(y order by y.id) from payments y where y.client_id = ${tn.clientId}) as payments,
             (select json_agg(x order by x.id) from charges x where x.client_id = ${tn.clientId}) as charges,
             (select json_agg(l order by l.client_user_id) from client_user_links l where l.client_id = ${tn.clientId}) as links,
             (select count(*) from api_tokens where staff_id = ${tn.staffId}) as tokens,
             (select count(*) from client_user_tokens where client_user_id = ${tn.clientUserId}) as user_tokens,
             (select json_agg(e order by e.id) from entitlements e join license_keys k on k.id = e.key_id where k.client_id = ${tn.clientId}) as entitlements`,
  );

describe('tenant scoping (issue 21 point 5)', () => {
  it("every GET route, called by A1's administrator on B's rows, answers as for an unknown id and shows nothing of B", async () => {
    const A1 = as(t.A1.token);
    const wrong: string[] = [];
    for (const r of routes.filter((x) => x.method === 'GET')) {
      const rule = tenantRule(r.method, r.path);
      const answer = await A1('GET', r.path.includes('{') ? withIdsOf(t.B, r.path) : r.path);
      // The not-found message echoes the id asked for; the rest of the answer must hold nothing of B.
      const leaks = leaksOf(JSON.stringify({ ...answer.body, message: undefined }), t.B);
      if (leaks.length) wrong.push(`${r.path} shows ${leaks.join(', ')}`);
      if (rule.kind === 'root') {
        if (answer.status !== 403 || answer.body.code !== 'forbidden') wrong.push(`${r.path} (operator's) → ${answer.status}`);
        continue;
      }
      if (r.path.includes('{')) {
        const unknown = await A1('GET', unknownIds(r.path));
        if (answer.status !== unknown.status || answer.body.code !== unknown.body.code) wrong.push(`${r.path} → ${answer.status} ${answer.body.code}, unknown id → ${unknown.status} ${unknown.body.code}`);
      } else {
        // A list answers 200, or 400 when it needs parameters the walk does not give (a pair of currencies).
        if (answer.status !== 200 && answer.body.code !== 'validation_failed') wrong.push(`${r.path} → ${answer.status} ${JSON.stringify(answer.body)}`);
        // A list filtered by B's client shows nothing of it either.
        const filtered = await A1('GET', `${r.path}?clientId=${t.B.clientId}`);
        const filteredLeaks = leaksOf(JSON.stringify(filtered.body), t.B);
        if (filteredLeaks.length) wrong.push(`${r.path}?clientId= shows ${filteredLeaks.join(', ')}`);
      }
    }
    expect(wrong).toEqual([]);
  });

  it("A1's lists show A1's rows (and none of B's, nor of A above, nor of the operator)", async () => {
    const A1 = as(t.A1.token);
    const ids = async (path: string) => ((await A1('GET', path)).body.items as Array<{ id: number | string }>).map((i) => i.id);
    expect(await ids('/api/v1/clients')).toEqual([t.A1.clientId]);
    expect(await ids('/api/v1/orders')).toEqual([t.A1.orderId]);
    expect(await ids('/api/v1/subscriptions')).toEqual([t.A1.subscriptionId]);
    expect(await ids('/api/v1/client-users')).toEqual([t.A1.clientUserId]);
    expect(await ids('/api/v1/plans')).toEqual([t.A1.planId]);
    expect(await ids('/api/v1/scenarios')).toContain(`order-${t.A1.orderId}`);
    expect((await ids('/api/v1/payments')).sort()).toEqual((await p.sql<Array<{ id: number }>>`select id from payments where client_id = ${t.A1.clientId} order by id`).map((r) => r.id));
    expect((await ids('/api/v1/licensing/entitlements'))).toEqual([t.A1.entitlementId]);
    // A1's card works as before.
    expect((await A1('GET', `/api/v1/clients/${t.A1.clientId}`)).status).toBe(200);
    expect((await A1('GET', `/api/v1/orders/${t.A1.orderId}`)).status).toBe(200);
  });

  it("every POST on B's rows answers as on an unknown id (or the operator's 403); valid ones answer 404; B's rows stay as they were", async () => {
    const A1 = as(t.A1.token);
    const before = await snapshotOf(t.B);
    const wrong: string[] = [];
    // Every write route with a path id: the same answer as for an unknown id, with a body most routes refuse.
    for (const r of routes.filter((x) => x.method !== 'GET' && x.path.includes('{'))) {
      const rule = tenantRule(r.method, r.path);
      const body = { reason: 'tenant test' };
      const answer = await A1(r.method, withIdsOf(t.B, r.path), body);
      const unknown = await A1(r.method, unknownIds(r.path), body);
      const expected = rule.kind === 'root' ? [403, 'forbidden'] : [unknown.status, unknown.body.code];
      if (answer.status !== expected[0] || answer.body.code !== expected[1]) wrong.push(`${r.method} ${r.path} → ${answer.status} ${answer.body.code}, expected ${expected.join(' ')}`);
    }
    // Valid requests on B's rows, one or more per kind of row: each answers 404 not_found.
    const valid: Array<[string, unknown]> = [
      [`/api/v1/clients/${t.B.clientId}/top-ups`, { amount: 100 }],
      [`/api/v1/clients/${t.B.clientId}/adjustments`, { direction: 'credit', amount: 100, comment: 'x' }],
      [`/api/v1/clients/${t.B.clientId}/administrative-block`, { reason: 'x' }],
      [`/api/v1/clients/${t.B.clientId}/contacts`, { name: 'Spy', email: 'spy@example.com', role: 'owner', language: 'en' }],
      [`/api/v1/orders/${t.B.orderId}/cancel`, { reason: 'x' }],
      [`/api/v1/payments/${t.B.paymentId}/cancel`, { reason: 'x' }],
      [`/api/v1/subscriptions/${t.B.subscriptionId}/stop`, { reason: 'x' }],
      [`/api/v1/subscriptions/${t.B.subscriptionId}/switch-plan`, { planPeriodId: t.A1.periodId }],
      [`/api/v1/subscriptions/${t.B.subscriptionId}/credit-limit`, { creditLimit: 1 }],
      [`/api/v1/adjustments/${t.B.adjustmentId}/approve`, {}],
      [`/api/v1/promised-payments/${t.B.promisedPaymentId}/revoke`, { reason: 'x' }],
      [`/api/v1/staff/${t.B.staffId}/tokens`, { name: 'stolen' }],
      [`/api/v1/staff/${t.B.staffId}/password`, { password: 'x'.repeat(20) }],
      [`/api/v1/client-users/${t.B.clientUserId}/tokens`, { name: 'stolen' }],
      [`/api/v1/clients/${t.B.clientId}/users`, { clientUserId: t.A1.clientUserId, accessLevel: 'user' }],
      [`/api/v1/licensing/entitlements/${t.B.entitlementId}/suspend`, { reason: 'x' }],
      [`/api/v1/licensing/keys/${t.B.keyCode}/delete`, { reason: 'x' }],
      [`/api/v1/scenarios/order-${t.B.orderId}/decisions`, { step: '1', decision: 'retry' }],
    ];
    for (const [path, body] of valid) {
      const answer = await A1('POST', path, body);
      if (answer.status !== 404 || answer.body.code !== 'not_found') wrong.push(`POST ${path} → ${answer.status} ${JSON.stringify(answer.body)}`);
    }
    expect(wrong).toEqual([]);
    expect(await snapshotOf(t.B)).toEqual(before);
  });

  it("a body naming B's rows is refused as an unknown reference and writes nothing", async () => {
    const A1 = as(t.A1.token);
    const ordersBefore = (await p.sql<Array<{ n: number }>>`select count(*)::int as n from orders`)[0]!.n;
    const refused = [
      await A1('POST', '/api/v1/orders', { clientId: t.B.clientId, planPeriodId: t.A1.periodId }),
      await A1('POST', '/api/v1/orders', { clientId: t.A1.clientId, planPeriodId: t.B.periodId }),
      await A1('POST', `/api/v1/subscriptions/${t.A1.subscriptionId}/switch-plan`, { planPeriodId: t.B.periodId }),
      await A1('POST', `/api/v1/clients/${t.A1.clientId}/users`, { clientUserId: t.B.clientUserId, accessLevel: 'admin' }),
      await A1('POST', '/api/v1/staff', { name: 'Spy', email: `spy-${suffix}@example.com`, role: 'admin', resellerId: resellers.B }),
      await A1('POST', '/api/v1/staff', { name: 'Up', email: `up-${suffix}@example.com`, role: 'admin', resellerId: resellers.A }),
    ];
    expect(refused.map((r) => [r.status, r.body.code])).toEqual(Array(refused.length).fill([422, 'invalid_reference']));
    expect((await p.sql<Array<{ n: number }>>`select count(*)::int as n from orders`)[0]!.n).toBe(ordersBefore);
    expect((await p.sql`select 1 from staff where email in (${`spy-${suffix}@example.com`}, ${`up-${suffix}@example.com`})`).length).toBe(0);
  });

  it("a reseller's administrator creates staff of its own reseller or one below it; their tokens work; staff lists show the subtree", async () => {
    const A = as(staffTokens.A.token);
    const member = await A('POST', '/api/v1/staff', { name: 'Second of A1', email: `second-a1-${suffix}@example.com`, role: 'support', resellerId: resellers.A1 });
    expect(member.status, JSON.stringify(member.body)).toBe(201);
    const token = await A('POST', `/api/v1/staff/${member.body.id}/tokens`, { name: 'a1' });
    expect(token.status).toBe(201);
    expect(((await p.api('GET', '/api/v1/clients', undefined, { token: token.body.token })).body.items as Array<{ id: number }>).map((c) => c.id)).toEqual([t.A1.clientId]);
    const own = await A('POST', '/api/v1/staff', { name: 'Own of A', email: `own-a-${suffix}@example.com`, role: 'marketing' });
    expect(own.body.resellerId).toBe(resellers.A);
    const seen = ((await A('GET', '/api/v1/staff?limit=200')).body.items as Array<{ email: string }>).map((s) => s.email);
    expect(seen).toEqual(expect.arrayContaining([staffTokens.A.email, staffTokens.A1.email, `own-a-${suffix}@example.com`]));
    expect(seen).not.toContain(staffTokens.B.email);
    expect(seen.some((e) => e === 'admin@localhost')).toBe(false);
  });

  it("the operator sees its own clients as before, and no reseller's", async () => {
    const ids = ((await p.api('GET', '/api/v1/clients?limit=200')).body.items as Array<{ id: number }>).map((c) => c.id);
    expect(ids).toContain(rootClientId);
    expect(ids).not.toContain(t.A1.clientId);
    expect(ids).not.toContain(t.B.clientId);
    expect((await p.api('GET', `/api/v1/clients/${t.B.clientId}`)).status).toBe(404);
    // Installation-wide areas stay the operator's.
    expect((await p.api('GET', '/api/v1/billing/runs')).status).toBe(200);
    expect((await as(t.A1.token)('GET', '/api/v1/billing/runs')).status).toBe(403);
  });

  it("the operator UI's client list and CSV export of A1's administrator show A1's client, not B's", async () => {
    expect((await p.api('POST', `/api/v1/staff/${t.A1.staffId}/password`, { password })).status).toBe(200);
    const cookie = await signInInProcess(p.app, { email: t.A1.staffEmail, password });
    const page = await (await p.app.request('/clients', { headers: { cookie } })).text();
    expect(page).toContain(t.A1.clientName);
    expect(page).not.toContain(t.B.clientName);
    const csv = await (await p.app.request('/clients?format=csv', { headers: { cookie } })).text();
    expect(csv).toContain(t.A1.clientName);
    expect(csv).not.toContain(t.B.clientName);
    expect((await p.app.request('/tasks', { headers: { cookie } })).status).toBe(403);
    expect((await p.app.request(`/clients/${t.B.clientId}`, { headers: { cookie } })).status).not.toBe(200);
  });
});
