import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createClient, eventually, platformWithCatalog, waitForOrderStatus, waitForScenarioStatus, type Catalog, type TestPlatform } from '../support/platform';

let p: TestPlatform;
let catalog: Catalog;

beforeAll(async () => {
  ({ p, catalog } = await platformWithCatalog('task_queue'));
});
afterAll(async () => p?.close());

async function paidOrder(clientId: number) {
  await p.api('POST', `/api/v1/clients/${clientId}/top-ups`, { amount: 1500 });
  const answer = await p.api('POST', '/api/v1/orders', { clientId, planPeriodId: catalog.monthlyPeriodId });
  expect(answer.status).toBe(201);
  return answer.body;
}

async function taskOf(orderId: number, status: string) {
  return eventually(
    async () => {
      const list = await p.api('GET', `/api/v1/tasks?orderId=${orderId}`);
      return list.body.items.find((t: any) => t.status === status);
    },
    { what: `a ${status} task of order ${orderId}` },
  );
}

describe('task queue', () => {
  it('a permanently failing vendor call is a failed task with its log; run with corrected input completes the order', async () => {
    const clientId = await createClient(p, catalog, 'Task Run Co');
    p.vendor.rejectNext(1, 422, 'unknown region "mars"');
    const order = await paidOrder(clientId);
    await waitForOrderStatus(p, order.id, 'activation_error');
    const task = await taskOf(order.id, 'failed');
    expect(task.description).toBe(`http-vendor: create subscription #${task.subscriptionId}`);
    expect(task).toMatchObject({ plugin: 'http-vendor', operation: 'create', errorClass: 'permanent', clientId, orderId: order.id });

    const detail = (await p.api('GET', `/api/v1/tasks/${task.id}`)).body;
    expect(detail.log).toHaveLength(1);
    expect(detail.log[0]).toMatchObject({ round: 1, attempt: 1, status: 'failed', errorClass: 'permanent' });
    expect(detail.log[0].responseExcerpt).toContain('unknown region');

    const run = await p.api('POST', `/api/v1/tasks/${task.id}/run`, { reason: 'region set to eu', input: { region: 'eu' } });
    expect(run.status, JSON.stringify(run.body)).toBe(202);
    await waitForOrderStatus(p, order.id, 'completed');
    const done = (await p.api('GET', `/api/v1/tasks/${task.id}`)).body;
    expect(done.status).toBe('completed');
    expect(done.log.map((l: any) => [l.round, l.status])).toEqual([
      [1, 'failed'],
      [2, 'succeeded'],
    ]);
    expect(done.decisions).toEqual([expect.objectContaining({ decision: 'retry', reason: 'region set to eu', input: { region: 'eu' } })]);
    const events = await p.sql`
      select actor_kind, actor_id, action, reason from event_log
      where entity_kind = 'scenario' and entity_id = ${`order-${order.id}`}`;
    expect(events).toEqual([{ actor_kind: 'staff', actor_id: expect.any(Number), action: 'step_retry', reason: 'region set to eu' }]);
    const again = await p.api('POST', `/api/v1/tasks/${task.id}/run`, {});
    expect(again.status).toBe(409);
    expect(again.body.code).toBe('task_not_failed');
  });

  it('cancelling a failed task ends the order as its scenario defines, and the event log says who and why', async () => {
    const clientId = await createClient(p, catalog, 'Task Cancel Co');
    p.vendor.rejectNext(1, 422, 'plan retired at the vendor');
    const order = await paidOrder(clientId);
    const task = await taskOf(order.id, 'failed');
    const cancelled = await p.api('POST', `/api/v1/tasks/${task.id}/cancel`, { reason: 'vendor retired the plan' });
    expect(cancelled.status).toBe(202);
    await waitForOrderStatus(p, order.id, 'cancelled');
    await waitForScenarioStatus(p, `order-${order.id}`, 'cancelled');
    expect((await p.api('GET', `/api/v1/tasks/${task.id}`)).body.status).toBe('cancelled');
    expect((await p.api('GET', `/api/v1/clients/${clientId}`)).body.balance).toBe(1500); // paid, then returned
    const events = await p.sql`
      select actor_kind, actor_id, action, reason from event_log
      where entity_kind = 'scenario' and entity_id = ${`order-${order.id}`}`;
    expect(events).toEqual([{ actor_kind: 'staff', actor_id: expect.any(Number), action: 'step_cancel', reason: 'vendor retired the plan' }]);
    const noReason = await p.api('POST', `/api/v1/tasks/${task.id}/cancel`, {});
    expect(noReason.status).toBe(400);
  });

  it('bulk run retries exactly the failed tasks that match, and two calls at once retry nothing twice', async () => {
    const target = await createClient(p, catalog, 'Bulk Target Co');
    const other = await createClient(p, catalog, 'Bulk Other Co');
    p.vendor.rejectNext(4, 422, 'vendor maintenance');
    const orders = [await paidOrder(target), await paidOrder(target), await paidOrder(target)];
    const otherOrder = await paidOrder(other);
    for (const o of [...orders, otherOrder]) await taskOf(o.id, 'failed');

    const [first, second] = await Promise.all([
      p.api('POST', '/api/v1/tasks/run', { filter: { clientId: target }, reason: 'maintenance over' }),
      p.api('POST', '/api/v1/tasks/run', { filter: { clientId: target }, reason: 'maintenance over' }),
    ]);
    expect(first.status).toBe(200);
    expect(second.status).toBe(200);
    expect(first.body.retried + second.body.retried).toBe(3);
    for (const o of orders) await waitForOrderStatus(p, o.id, 'completed');

    const third = await p.api('POST', '/api/v1/tasks/run', { filter: { clientId: target } });
    expect(third.body).toEqual({ matched: 0, retried: 0, skipped: [] });
    expect((await taskOf(otherOrder.id, 'failed')).clientId).toBe(other);
    const decisions = await p.sql`select count(*)::int as n from scenario_decisions where scenario_id = any(${orders.map((o) => `order-${o.id}`)})`;
    expect(decisions[0]!.n).toBe(3);
  });

  it('an unknown outcome (vendor created, connection dropped) is reconciled through status: one resource, no second create', async () => {
    const clientId = await createClient(p, catalog, 'Unknown Outcome Co');
    p.vendor.dropAfterProcessingNext(1);
    const order = await paidOrder(clientId);
    await waitForOrderStatus(p, order.id, 'completed');
    const task = await taskOf(order.id, 'completed');
    const detail = (await p.api('GET', `/api/v1/tasks/${task.id}`)).body;
    expect(detail.log.map((l: any) => [l.status, l.errorClass])).toEqual([
      ['failed', 'unknown_outcome'],
      ['succeeded', null],
    ]);
    expect(detail.output).toMatchObject({ data: { reconciled: true } });
    const forKey = p.vendor.calls.filter((c) => c.idempotencyKey === task.idempotencyKey || c.path.includes(encodeURIComponent(task.idempotencyKey)));
    expect(forKey.map((c) => c.operation)).toEqual(['create', 'status']);
    expect(p.vendor.resources.filter((r) => r.idempotencyKey === task.idempotencyKey)).toHaveLength(1);
  });
});

describe('task list over many rows', () => {
  it('filters and pages correctly over 1,200 generated tasks', async () => {
    const a = await createClient(p, catalog, 'Many Tasks A');
    const b = await createClient(p, catalog, 'Many Tasks B');
    // Generated scenario records, as the engine writes them: 1,200 plugin steps in every status.
    await p.sql`
      insert into scenarios (id, run_id, type, subject_kind, subject_id, status, started_at, seq)
      select 'gen-' || g, 'run', 'client_sync', 'client', (case when g % 3 = 0 then ${b} else ${a} end)::text,
             'waiting', now() - g * interval '1 minute', 1
      from generate_series(1, 1200) g`;
    await p.sql`
      insert into scenario_steps (scenario_id, path, position, name, kind, status, plugin, operation, idempotency_key,
                                  error_class, rounds, started_at, seq, created_at)
      select 'gen-' || g, '1', 1, 'Sync at vendor', 'task',
             (array['failed', 'succeeded', 'running', 'skipped'])[1 + g % 4],
             (array['http-vendor', 'licensing'])[1 + g % 2], (array['create', 'stop', 'delete'])[1 + g % 3],
             'gen-' || g || '/1', case when g % 4 = 0 then (array['permanent', 'transient'])[1 + (g / 4) % 2] end,
             1, now(), 1, now() - g * interval '1 minute'
      from generate_series(1, 1200) g`;

    const [expected] = await p.sql`select count(*)::int as n from tasks where scenario_id like 'gen-%' and status = 'failed' and plugin = 'http-vendor' and client_id = ${a}`;
    const seen: number[] = [];
    let after: number | null = null;
    let pages = 0;
    do {
      const answer: any = await p.api('GET', `/api/v1/tasks?status=failed&plugin=http-vendor&clientId=${a}&limit=37${after ? `&after=${after}` : ''}`);
      expect(answer.status).toBe(200);
      for (const t of answer.body.items) {
        expect(t).toMatchObject({ status: 'failed', plugin: 'http-vendor', clientId: a });
        seen.push(t.id);
      }
      after = answer.body.nextCursor;
      pages += 1;
    } while (after !== null);
    expect(seen.length).toBe(expected!.n);
    expect(seen.length).toBeGreaterThan(100);
    expect(new Set(seen).size).toBe(seen.length);
    expect([...seen].sort((x, y) => y - x)).toEqual(seen);
    expect(pages).toBe(Math.ceil(seen.length / 37));

    const permanent = await p.api('GET', '/api/v1/tasks?errorClass=permanent&operation=stop&limit=200');
    const [count] = await p.sql`select count(*)::int as n from tasks where error_class = 'permanent' and operation = 'stop'`;
    expect(permanent.body.items).toHaveLength(Math.min(200, count!.n));
    expect(permanent.body.items.every((t: any) => t.errorClass === 'permanent' && t.operation === 'stop')).toBe(true);
    const running = await p.api('GET', '/api/v1/tasks?status=queued&limit=5');
    expect(running.body.items.every((t: any) => t.status === 'queued')).toBe(true); // running steps with no attempt under way
  });
});
