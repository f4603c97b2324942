import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { escapeLike } from '../../db/like';
import { stepStatuses, stepStatusesOfTask, taskStatuses } from '../../domain/statuses';
import { createClient, createTestPlatform, eventually, seedCatalog, waitForOrderStatus, waitForScenarioStatus, type Catalog, type TestPlatform } from '../support/platform';

/**
 * The list filters that were rewritten for large databases (BENCHMARKS.md, "API: what is slow"): the task list's
 * client and subscription filters look the client's scenarios up first instead of filtering the `tasks` view's
 * computed columns, and the order search resolves the client name first. Each must return exactly what the plain
 * definition returns: the view's own column, or the join with `ilike`. The task list's status filter also filters on
 * the step's own status (issue 16, point 14): the two must agree for every status.
 */
let p: TestPlatform;
let catalog: Catalog;
const clients: number[] = [];

beforeAll(async () => {
  p = await createTestPlatform('list_filters');
  catalog = await seedCatalog(p);
  // Three clients, two with similar names, each with completed orders (an order scenario with its vendor task).
  for (const name of ['Northwind Traders', 'Northwind Logistics', 'Contoso Bank']) {
    const clientId = await createClient(p, catalog, name);
    clients.push(clientId);
    await p.api('POST', `/api/v1/clients/${clientId}/top-ups`, { amount: 5000 });
    for (let i = 0; i < 2; i++) {
      const order = await p.api('POST', '/api/v1/orders', { clientId, planPeriodId: catalog.monthlyPeriodId });
      expect(order.status, JSON.stringify(order.body)).toBe(201);
      await waitForOrderStatus(p, order.body.id, 'completed');
    }
  }
  // A client scenario with tasks: the administrative block stops the first client's subscriptions at the vendor.
  const blocked = await p.api('POST', `/api/v1/clients/${clients[0]}/administrative-block`, { reason: 'list filter test' });
  expect(blocked.status, JSON.stringify(blocked.body)).toBe(200);
  await waitForScenarioStatus(p, `administrative-block-${clients[0]}-1`, 'completed');
  // ...and every scenario it started (the subscriptions' stops) has finished, so the lists hold still.
  await eventually(async () => {
    const [row] = await p.sql<Array<{ n: number }>>`select count(*)::int as n from scenarios where status in ('running', 'waiting')`;
    return row?.n === 0 ? row : undefined;
  }, { what: 'every scenario finished' });
}, 120_000);
afterAll(async () => p?.close());

async function allPages(path: string): Promise<number[]> {
  const ids: number[] = [];
  let after: number | undefined;
  for (;;) {
    const answer = await p.api('GET', `${path}${path.includes('?') ? '&' : '?'}limit=50${after ? `&after=${after}` : ''}`);
    expect(answer.status, JSON.stringify(answer.body)).toBe(200);
    ids.push(...answer.body.items.map((item: { id: number }) => item.id));
    if (!answer.body.nextAfter) return ids;
    after = answer.body.nextAfter;
  }
}

describe('list filters on large tables', () => {
  it("GET /tasks?clientId= returns exactly the view's tasks of that client, order and subscription scenarios alike", async () => {
    const kinds = await p.sql<Array<{ subject_kind: string }>>`select distinct subject_kind from tasks where client_id = ${clients[0]!}`;
    expect(kinds.map((k) => k.subject_kind).sort()).toEqual(['order', 'subscription']);
    for (const clientId of clients) {
      const expected = await p.sql<Array<{ id: number }>>`select id from tasks where client_id = ${clientId} order by id desc`;
      expect(expected.length).toBeGreaterThan(0);
      expect(await allPages(`/api/v1/tasks?clientId=${clientId}`)).toEqual(expected.map((r) => Number(r.id)));
      const completed = await p.sql<Array<{ id: number }>>`
        select id from tasks where client_id = ${clientId} and status = 'completed' order by id desc`;
      expect(await allPages(`/api/v1/tasks?clientId=${clientId}&status=completed`)).toEqual(completed.map((r) => Number(r.id)));
    }
    expect(await allPages('/api/v1/tasks?clientId=999999')).toEqual([]);
  });

  it("GET /tasks?subscriptionId= returns exactly the view's tasks of that subscription", async () => {
    const subscriptions = await p.sql<Array<{ id: number }>>`select id from subscriptions order by id`;
    expect(subscriptions.length).toBe(6);
    for (const { id } of subscriptions) {
      const expected = await p.sql<Array<{ id: number }>>`select id from tasks where subscription_id = ${id} order by id desc`;
      expect(expected.length).toBeGreaterThan(0);
      expect(await allPages(`/api/v1/tasks?subscriptionId=${id}`)).toEqual(expected.map((r) => Number(r.id)));
    }
  });

  it('GET /orders?q= finds by full number, by id and by part of the client name, as the plain join would', async () => {
    const reference = async (q: string) =>
      (
        await p.sql<Array<{ id: number }>>`
          select o.id from orders o join clients c on c.id = o.client_id
          where o.number = ${q} or o.id::text = ${q} or c.name ilike ${'%' + escapeLike(q) + '%'} order by o.id desc`
      ).map((r) => Number(r.id));
    const [order] = await p.sql<Array<{ id: number; number: string }>>`select id, number from orders order by id limit 1`;
    for (const q of [order!.number, String(order!.id), 'northwind', 'NORTHWIND LOG', 'contoso', 'wind', 'no such client', '%', '_']) {
      const found = await allPages(`/api/v1/orders?q=${encodeURIComponent(q)}`);
      expect(found, `q=${q}`).toEqual(await reference(q));
    }
    expect(await allPages(`/api/v1/orders?q=${encodeURIComponent(order!.number)}`)).toEqual([Number(order!.id)]);
    expect((await allPages('/api/v1/orders?q=northwind')).length).toBe(4);
    // LIKE's wildcards are searched as themselves.
    expect(await allPages('/api/v1/orders?q=%25')).toEqual([]);
    // Combined with another filter.
    const forClient = await allPages(`/api/v1/orders?q=northwind&clientId=${clients[1]}`);
    expect(forClient.length).toBe(2);
  });

  it("GET /tasks?status= returns exactly the view's tasks of each status, filtering on the step's status as well", async () => {
    // The runs above leave only completed tasks: a task in every step status (one with a running attempt) is
    // written beside them, on a finished scenario, so that each derived status has rows to find.
    const [task] = await p.sql<Array<{ scenario_id: string; run_id: string }>>`select scenario_id, run_id from scenario_steps where kind = 'task' limit 1`;
    for (const [i, status] of stepStatuses.entries()) {
      for (const round of [0, 1]) {
        const path = `9${i}.${round}`;
        await p.sql`
          insert into scenario_steps (scenario_id, run_id, path, position, name, kind, status, plugin, operation, seq)
          values (${task!.scenario_id}, ${task!.run_id}, ${path}, ${90 + i}, ${`Filter ${status}`}, 'task', ${status}, 'http-vendor', 'create', 1)`;
        if (round === 1) {
          await p.sql`
            insert into step_attempts (scenario_id, path, round, attempt, status, started_at)
            values (${task!.scenario_id}, ${path}, 1, 1, 'running', now())`;
        }
      }
    }
    // The mapping agrees with the view: every task's step status is one its derived status comes from.
    const pairs = await p.sql<Array<{ status: keyof typeof stepStatusesOfTask; step_status: string }>>`select distinct status, step_status from tasks`;
    for (const { status, step_status } of pairs) expect(stepStatusesOfTask[status], `${step_status} → ${status}`).toContain(step_status);
    for (const status of taskStatuses) {
      const expected = await p.sql<Array<{ id: number }>>`select id from tasks where status = ${status} order by id desc`;
      expect(expected.length, status).toBeGreaterThan(0);
      expect(await allPages(`/api/v1/tasks?status=${status}`), status).toEqual(expected.map((r) => Number(r.id)));
    }
  });
});
