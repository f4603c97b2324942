import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { blockedMessage } from '../../domain/client-capabilities';
import { createClient, createTestPlatform, eventually, seedCatalog, storageResource, waitForOrderStatus, type Catalog, type TestPlatform } from '../support/platform';

let p: TestPlatform;
let catalog: Catalog;
let trialPeriodId: number;

beforeAll(async () => {
  p = await createTestPlatform('client_users');
  catalog = await seedCatalog(p, {
    serviceRule: { creditThreshold: 200 },
    plan: { resources: [storageResource] },
  });
  trialPeriodId = (await p.api('POST', `/api/v1/plans/${catalog.planId}/periods`, { duration: 14, unit: 'day', trial: true, recurringFee: 0 })).body.id;
});
afterAll(async () => p?.close());

let userSeq = 0;
/** A client user linked to `clients` at `level`, with a client-panel token. */
async function clientUser(clients: number[], level: 'owner' | 'admin' | 'user') {
  userSeq += 1;
  const user = await p.api('POST', '/api/v1/client-users', { name: `Panel User ${userSeq}`, email: `panel${userSeq}@example.com` });
  expect(user.status, JSON.stringify(user.body)).toBe(201);
  for (const clientId of clients) {
    const linked = await p.api('POST', `/api/v1/clients/${clientId}/users`, { clientUserId: user.body.id, accessLevel: level });
    expect(linked.status, JSON.stringify(linked.body)).toBe(200);
  }
  const issued = await p.api('POST', `/api/v1/client-users/${user.body.id}/tokens`, { name: 'client panel' });
  expect(issued.body.token).toMatch(/^bpc_/);
  const token: string = issued.body.token;
  return { id: user.body.id as number, as: (method: string, path: string, body?: unknown, headers?: Record<string, string>) => p.api(method, path, body, { token, headers }) };
}

/** A client with one active prepaid subscription and an empty balance. */
async function clientWithSubscription(name: string) {
  const clientId = await createClient(p, catalog, name);
  await p.api('POST', `/api/v1/clients/${clientId}/top-ups`, { amount: 1500 });
  const order = (await p.api('POST', '/api/v1/orders', { clientId, planPeriodId: catalog.monthlyPeriodId })).body;
  const done = await waitForOrderStatus(p, order.id, 'completed');
  return { clientId, subscriptionId: done.subscriptionId as number };
}

const clientStatus = async (id: number) => (await p.api('GET', `/api/v1/clients/${id}`)).body.status;
const refusal = (answer: { status: number; body: any }) => [answer.status, answer.body.code];

describe('client users and the client panel API (spec 01 §4.2)', () => {
  it('an active client: the owner sees and does what is theirs, and nothing of anyone else', async () => {
    const { clientId, subscriptionId } = await clientWithSubscription('Panel Co');
    const other = await createClient(p, catalog, 'Not Theirs Co');
    const owner = await clientUser([clientId], 'owner');

    const me = await owner.as('GET', '/api/v1/me');
    expect(me.body).toMatchObject({ kind: 'client_user', clients: [{ id: clientId, status: 'active', statusLabel: null, accessLevel: 'owner' }] });
    expect((await owner.as('GET', `/api/v1/clients/${clientId}`)).body.id).toBe(clientId);
    expect(refusal(await owner.as('GET', `/api/v1/clients/${other}`))).toEqual([403, 'not_your_client']);
    expect(refusal(await owner.as('GET', '/api/v1/orders'))).toEqual([403, 'client_scope_required']);
    expect((await owner.as('GET', `/api/v1/orders?clientId=${clientId}`)).body.items).toHaveLength(1);
    expect(refusal(await owner.as('GET', '/api/v1/staff'))).toEqual([403, 'forbidden']);
    // Money arrives only through a payment that waits for it; the staff's instant top-up is not theirs.
    expect(refusal(await owner.as('POST', `/api/v1/clients/${clientId}/top-ups`, { amount: 100 }))).toEqual([403, 'forbidden']);

    const topUp = await owner.as('POST', `/api/v1/clients/${clientId}/payments`, { amount: 300 }, { 'idempotency-key': 'panel-topup-1' });
    expect(topUp.status, JSON.stringify(topUp.body)).toBe(201);
    const again = await owner.as('POST', `/api/v1/clients/${clientId}/payments`, { amount: 300 }, { 'idempotency-key': 'panel-topup-1' });
    expect(again.body.id).toBe(topUp.body.id);
    const [logged] = await p.sql<Array<{ actor_kind: string; actor_id: number }>>`
      select actor_kind, actor_id from event_log where entity_kind = 'payment' and entity_id = ${String(topUp.body.id)} and action = 'created'`;
    expect(logged).toEqual({ actor_kind: 'client_user', actor_id: owner.id });

    const change = await owner.as('POST', `/api/v1/subscriptions/${subscriptionId}/change-resources`, { resources: { storage: 12 } });
    expect(change.status, JSON.stringify(change.body)).toBe(201);
    expect(change.body.createdBy).toBeNull();
    expect((await owner.as('GET', `/api/v1/orders/${change.body.id}`)).status).toBe(200);

    // The "user" level only looks.
    const viewer = await clientUser([clientId], 'user');
    expect((await viewer.as('GET', `/api/v1/clients/${clientId}/transactions`)).status).toBe(200);
    expect(refusal(await viewer.as('POST', `/api/v1/clients/${clientId}/payments`, { amount: 300 }))).toEqual([403, 'access_level']);
    expect(refusal(await viewer.as('POST', '/api/v1/orders', { clientId, planPeriodId: catalog.monthlyPeriodId }))).toEqual([403, 'access_level']);
  }, 60_000);

  it('financial block: top-ups, charges and paid orders yes (with a top-up for the debt); trials and prepaid changes no', async () => {
    const { clientId, subscriptionId } = await clientWithSubscription('Owing Co');
    const owner = await clientUser([clientId], 'owner');
    const debit = (await p.api('POST', `/api/v1/clients/${clientId}/adjustments`, { direction: 'debit', amount: 500, comment: 'late fee' })).body;
    expect((await p.api('POST', `/api/v1/adjustments/${debit.id}/approve`, {})).status).toBe(200);
    await eventually(async () => (await clientStatus(clientId)) === 'financially_blocked', { what: 'the financial block' });

    expect((await owner.as('GET', '/api/v1/me')).body.clients[0]).toMatchObject({ status: 'financially_blocked', statusLabel: 'Financial block' });
    const history = (await owner.as('GET', `/api/v1/clients/${clientId}/transactions`)).body.items;
    expect(history[0]).toMatchObject({ kind: 'adjustment', amount: -500, balanceAfter: -500 });
    expect((await owner.as('GET', `/api/v1/charges?clientId=${clientId}`)).status).toBe(200);
    expect((await owner.as('POST', `/api/v1/clients/${clientId}/payments`, { amount: 500 })).status).toBe(201);

    expect(refusal(await owner.as('POST', `/api/v1/subscriptions/${subscriptionId}/change-resources`, { resources: { storage: 20 } }))).toEqual([403, 'account_financially_blocked']);
    expect(refusal(await owner.as('POST', '/api/v1/orders', { clientId, planPeriodId: trialPeriodId }))).toEqual([403, 'account_financially_blocked']);
    expect((await p.api('GET', `/api/v1/orders?subscriptionId=${subscriptionId}&type=resource_change`)).body.items).toEqual([]);

    const ordered = await owner.as('POST', '/api/v1/orders', { clientId, planPeriodId: catalog.monthlyPeriodId });
    expect(ordered.status, JSON.stringify(ordered.body)).toBe(201);
    const waiting = (await p.api('GET', `/api/v1/payments?clientId=${clientId}&status=waiting_for_payment`)).body.items;
    // The order's payment, and a top-up for the debt (besides the one the owner made above).
    expect(waiting.filter((w: any) => w.orderId === ordered.body.id).map((w: any) => w.amount)).toEqual([1500]);
    expect(waiting.filter((w: any) => w.type === 'manual_topup').map((w: any) => w.amount).sort()).toEqual([500, 500]);
  }, 60_000);

  it('administrative block: nothing at all; a user of that client only is turned away with the spec message', async () => {
    const { clientId } = await clientWithSubscription('Suspended Co');
    const second = await createClient(p, catalog, 'Still Fine Co');
    const sole = await clientUser([clientId], 'owner');
    const both = await clientUser([clientId, second], 'admin');
    expect((await p.api('POST', `/api/v1/clients/${clientId}/administrative-block`, { reason: 'fraud investigation' })).status).toBeLessThan(300);
    await eventually(async () => (await clientStatus(clientId)) === 'administratively_blocked', { what: 'the administrative block' });

    const turnedAway = await sole.as('GET', '/api/v1/me');
    expect([turnedAway.status, turnedAway.body.code, turnedAway.body.message]).toEqual([403, 'account_blocked', blockedMessage]);
    for (const [method, path, body] of [
      ['GET', `/api/v1/clients/${clientId}`, undefined],
      ['GET', `/api/v1/clients/${clientId}/transactions`, undefined],
      ['POST', `/api/v1/clients/${clientId}/payments`, { amount: 100 }],
      ['POST', '/api/v1/orders', { clientId, planPeriodId: catalog.monthlyPeriodId }],
    ] as const) {
      expect(refusal(await sole.as(method, path, body)), `${method} ${path}`).toEqual([403, 'account_blocked']);
    }
    // The account switcher of a user with another client shows the block and lets them work for the other.
    const switcher = (await both.as('GET', '/api/v1/me')).body.clients;
    expect(switcher.map((c: any) => [c.id, c.statusLabel])).toEqual([[clientId, 'Administrative block'], [second, null]].sort((a, b) => Number(a[0]) - Number(b[0])));
    expect((await both.as('GET', `/api/v1/clients/${second}`)).status).toBe(200);
  }, 60_000);

  it('a client-panel token is refused on every route not opened to client users, and opened ones name their rule', async () => {
    const clientId = await createClient(p, catalog, 'Curious Co');
    const owner = await clientUser([clientId], 'owner');
    const doc = (await p.api('GET', '/api/openapi.json')).body;
    const wrong: string[] = [];
    let opened = 0;
    for (const [path, item] of Object.entries<any>(doc.paths)) {
      if (!path.startsWith('/api/v1/')) continue;
      for (const [method, op] of Object.entries<any>(item)) {
        if (op['x-permission']?.clientUsers) {
          opened += 1;
          continue;
        }
        const answer = await owner.as(method.toUpperCase(), path.replace(/\{\w+\}/g, String(clientId)), method === 'post' ? {} : undefined);
        if (answer.status !== 403 || answer.body.code !== 'forbidden') wrong.push(`${method.toUpperCase()} ${path} → ${answer.status}`);
      }
    }
    expect(wrong).toEqual([]);
    expect(opened).toBeGreaterThanOrEqual(15);
  });

  it('one owner per client: a new owner makes the previous one an administrator', async () => {
    const clientId = await createClient(p, catalog, 'Handover Co');
    const first = await clientUser([clientId], 'owner');
    const next = await clientUser([clientId], 'owner');
    const levels = await p.sql<Array<{ client_user_id: number; access_level: string }>>`
      select client_user_id, access_level from client_user_links where client_id = ${clientId} order by client_user_id`;
    expect(levels).toEqual([{ client_user_id: first.id, access_level: 'admin' }, { client_user_id: next.id, access_level: 'owner' }]);
    expect(refusal(await p.api('POST', '/api/v1/client-users', { name: 'Dup', email: 'PANEL1@example.com' }))).toEqual([409, 'email_taken']);
  });
});
