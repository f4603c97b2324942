import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startMissingOrderScenarios } from '../../api/scenario-starts/orders';
import { createClient, createTestPlatform, seedCatalog, waitForOrderStatus, type TestPlatform } from '../support/platform';

let p: TestPlatform;
beforeAll(async () => {
  p = await createTestPlatform('lost_start');
});
afterAll(async () => p?.close());

describe('an order whose scenario start was lost', () => {
  it('is started by the sweep and processed; a second sweep starts nothing', async () => {
    const catalog = await seedCatalog(p);
    const clientId = await createClient(p, catalog, 'Lost Start Co');
    await p.api('POST', `/api/v1/clients/${clientId}/top-ups`, { amount: 5000 });
    // What the API leaves behind when it dies between committing the order and starting its workflow.
    const [order] = await p.sql<Array<{ id: number }>>`
      with next as (select nextval(pg_get_serial_sequence('orders', 'id'))::int as id)
      insert into orders (id, number, type, status, client_id, plan_id, plan_period_id, payment_model, currency, amount,
                          end_date, workflow_id, created_at)
      select next.id, 'SO-LOST-' || next.id, 'purchase', 'awaiting_payment', ${clientId}, ${catalog.planId},
             ${catalog.monthlyPeriodId}, 'prepay', 'EUR', 1500, current_date + 14, 'order-' || next.id, now() - interval '5 minutes'
      from next returning id`;
    await p.sql`insert into payments (number, client_id, order_id, type, status, amount, currency)
                values (${`P-LOST-${order!.id}`}, ${clientId}, ${order!.id}, 'order', 'waiting_for_payment', 1500, 'EUR')`;

    const deps = { db: undefined as never, sql: p.sql, temporal: p.temporal, taskQueue: p.taskQueue, timeZone: 'UTC', pluginRetryPolicy: { initialIntervalMs: 50, maximumIntervalMs: 200, maximumAttempts: 3, heartbeatTimeoutMs: 3000, startToCloseTimeoutMs: 60000 } };
    expect(await startMissingOrderScenarios(deps)).toBe(1);
    const done = await waitForOrderStatus(p, order!.id, 'completed');
    expect(done.payments[0].status).toBe('paid_from_balance');
    expect(await startMissingOrderScenarios(deps)).toBe(0);
  });
});
