import { createHash } from 'node:crypto';
import { Client } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../api/app';
import { startMissingOrderScenarios } from '../../api/scenario-starts/orders';
import { connectDatabase, type DatabaseHandle } from '../../db/client';
import { createClient, createTestPlatform, fastRetryPolicy, seedCatalog, storageResource, waitForOrderStatus, type Catalog, type TestPlatform } from '../support/platform';

// Found by the chaos tests (test/chaos): a failure after the order had committed made the integrator's retry
// under the same Idempotency-Key create a second order, and a key whose request lost the database stayed
// "in progress" for ever.

let p: TestPlatform;
let catalog: Catalog;
let database: DatabaseHandle;
beforeAll(async () => {
  p = await createTestPlatform('idempotency_recovery');
  catalog = await seedCatalog(p);
  database = connectDatabase(p.databaseUrl);
});
afterAll(async () => {
  await database?.close();
  await p?.close();
});

/** The API with a Temporal client that refuses every start, as when Temporal is down. */
function withUnreachableTemporal() {
  const unreachable = new Client({
    connection: p.temporal.connection,
    namespace: p.temporalNamespace,
    interceptors: { workflow: [{ start: () => Promise.reject(new Error('Temporal is unreachable')) }] },
  });
  const deps = { db: database.db, sql: p.sql, temporal: unreachable, taskQueue: p.taskQueue, timeZone: 'UTC', pluginRetryPolicy: fastRetryPolicy };
  return { deps, app: createApp({ ...deps, logError: () => {} }) };
}

async function post(app: ReturnType<typeof createApp>, path: string, body: unknown, key: string) {
  const res = await app.request(path, {
    method: 'POST',
    headers: { authorization: `Bearer ${p.adminToken}`, 'content-type': 'application/json', 'idempotency-key': key },
    body: JSON.stringify(body),
  });
  return { status: res.status, body: (await res.json()) as any, replayed: res.headers.get('idempotent-replayed') };
}

describe('Idempotency-Key on POST /api/v1/orders when something fails after the order is committed', () => {
  it('answers 201 although the scenario cannot be started, a retry gets that order and not a second one, and the sweep starts the scenario', async () => {
    const clientId = await createClient(p, catalog, 'Unreachable Temporal Ltd');
    await p.api('POST', `/api/v1/clients/${clientId}/top-ups`, { amount: 1500 });
    const { deps, app } = withUnreachableTemporal();
    const input = { clientId, planPeriodId: catalog.monthlyPeriodId };

    const first = await post(app, '/api/v1/orders', input, 'lost-start-1');
    expect(first.status, JSON.stringify(first.body)).toBe(201);
    const retried = await post(app, '/api/v1/orders', input, 'lost-start-1');
    expect(retried.status).toBe(201);
    expect(retried.replayed).toBe('true');
    expect(retried.body).toEqual(first.body);
    expect(await p.sql`select id, scenario_started_at from orders where client_id = ${clientId}`).toEqual([{ id: first.body.id, scenario_started_at: null }]);

    // The sweep starts scenarios of orders older than 30 s that have none.
    await p.sql`update orders set created_at = now() - interval '1 minute' where id = ${first.body.id}`;
    expect(await startMissingOrderScenarios({ ...deps, temporal: p.temporal })).toBe(1);
    await waitForOrderStatus(p, first.body.id, 'completed');
  });

  it('the same for an order on a subscription (change-resources): 201, a retry gets that order and not 409 open_order_exists', async () => {
    const withStorage = await seedCatalog(p, { plan: { resources: [storageResource] } });
    const clientId = await createClient(p, withStorage, 'Unreachable Temporal Changes Ltd');
    await p.api('POST', `/api/v1/clients/${clientId}/top-ups`, { amount: 10_000 });
    const purchase = await p.api('POST', '/api/v1/orders', { clientId, planPeriodId: withStorage.monthlyPeriodId });
    const subscriptionId = (await waitForOrderStatus(p, purchase.body.id, 'completed')).subscriptionId as number;
    const { deps, app } = withUnreachableTemporal();
    const path = `/api/v1/subscriptions/${subscriptionId}/change-resources`;

    const first = await post(app, path, { resources: { storage: 20 } }, 'lost-start-change-1');
    expect(first.status, JSON.stringify(first.body)).toBe(201);
    const retried = await post(app, path, { resources: { storage: 20 } }, 'lost-start-change-1');
    expect(retried.status, JSON.stringify(retried.body)).toBe(201);
    expect(retried.replayed).toBe('true');
    expect(retried.body).toEqual(first.body);
    expect(await p.sql`select id, scenario_started_at from orders where subscription_id = ${subscriptionId} and type = 'resource_change'`).toEqual([
      { id: first.body.id, scenario_started_at: null },
    ]);

    await p.sql`update orders set created_at = now() - interval '1 minute' where id = ${first.body.id}`;
    expect(await startMissingOrderScenarios({ ...deps, temporal: p.temporal })).toBe(1);
    await waitForOrderStatus(p, first.body.id, 'completed');
  });

  it('a key whose request never answered is taken over after two minutes; a younger one still answers 409 in progress', async () => {
    const clientId = await createClient(p, catalog, 'Abandoned Key Ltd');
    await p.api('POST', `/api/v1/clients/${clientId}/top-ups`, { amount: 1500 });
    const input = { clientId, planPeriodId: catalog.monthlyPeriodId };
    const [staff] = await p.sql<Array<{ id: number }>>`select id from staff where email = 'admin@localhost'`;
    const hash = createHash('sha256').update(`POST /api/v1/orders\n${JSON.stringify(input)}`).digest('hex');
    // What a request leaves when its process dies, or loses the database, before it can answer or let the key go.
    const claim = (key: string, age: string) =>
      p.sql`insert into idempotency_keys (staff_id, key, route, request_hash, created_at)
            values (${staff!.id}, ${key}, 'POST /api/v1/orders', ${hash}, now() - ${age}::interval)`;

    await claim('abandoned-young', '30 seconds');
    const young = await p.api('POST', '/api/v1/orders', input, { headers: { 'idempotency-key': 'abandoned-young' } });
    expect(young.status).toBe(409);
    expect(young.body.code).toBe('idempotency_key_in_progress');

    await claim('abandoned-old', '3 minutes');
    const other = await p.api('POST', '/api/v1/orders', { ...input, subscriptionName: 'Another request' }, { headers: { 'idempotency-key': 'abandoned-old' } });
    expect(other.status).toBe(422);
    const old = await p.api('POST', '/api/v1/orders', input, { headers: { 'idempotency-key': 'abandoned-old' } });
    expect(old.status, JSON.stringify(old.body)).toBe(201);
    const again = await p.api('POST', '/api/v1/orders', input, { headers: { 'idempotency-key': 'abandoned-old' } });
    expect(again.headers.get('idempotent-replayed')).toBe('true');
    expect(again.body.id).toBe(old.body.id);
    expect(await p.sql`select count(*)::int as n from orders where client_id = ${clientId}`).toEqual([{ n: 1 }]);
    await waitForOrderStatus(p, old.body.id, 'completed');
  });
});
