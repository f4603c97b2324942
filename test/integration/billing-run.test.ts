import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addDays, todayIn } from '../../domain/dates';
import {
  createClient,
  createTestPlatform,
  seedCatalog,
  waitForOrderStatus,
  waitForScenarioStatus,
  type Catalog,
  type TestPlatform,
} from '../support/platform';

let p: TestPlatform;
let catalog: Catalog;

beforeAll(async () => {
  p = await createTestPlatform('billing_run');
  catalog = await seedCatalog(p, { cancelDays: 14 });
});
afterAll(async () => p?.close());

/** Runs a date and waits for that run (the n-th of the date) to finish. */
async function runDay(date: string, nth = 1) {
  const started = await p.api('POST', '/api/v1/billing/runs', { date });
  expect(started.status, JSON.stringify(started.body)).toBe(202);
  await p.temporal.workflow.getHandle(started.body.scenarioId).result();
  const run = (await p.api('GET', `/api/v1/billing/runs/${date}`)).body;
  expect(run).toMatchObject({ status: 'completed', runs: nth });
  return run;
}

describe('billing run: unpaid orders past their end date', () => {
  it('cancels the order and its payment the day after its end date, not before; a re-run finds nothing more', async () => {
    const clientId = await createClient(p, catalog, 'Unpaid Co');
    const unpaid = (await p.api('POST', '/api/v1/orders', { clientId, planPeriodId: catalog.monthlyPeriodId })).body;
    const paidClient = await createClient(p, catalog, 'Paid Co');
    await p.api('POST', `/api/v1/clients/${paidClient}/top-ups`, { amount: 1500 });
    const paid = (await p.api('POST', '/api/v1/orders', { clientId: paidClient, planPeriodId: catalog.monthlyPeriodId })).body;
    await waitForOrderStatus(p, paid.id, 'completed');
    await waitForScenarioStatus(p, `order-${unpaid.id}`, 'waiting');
    const endDate = addDays(todayIn('UTC', new Date()), 14);
    expect(unpaid.endDate).toBe(endDate);

    // On the end date itself the order may still be paid.
    const onEndDate = await runDay(endDate);
    expect(onEndDate.duties.cancelUnpaidOrders).toEqual({ found: 0, done: 0 });
    expect((await p.api('GET', `/api/v1/orders/${unpaid.id}`)).body.status).toBe('awaiting_payment');

    const dayAfter = addDays(endDate, 1);
    const run = await runDay(dayAfter);
    expect(run.duties.cancelUnpaidOrders).toEqual({ found: 1, done: 1 });
    const cancelled = await waitForOrderStatus(p, unpaid.id, 'cancelled');
    expect(cancelled.statusReason).toContain(`billing run of ${dayAfter}`);
    expect(cancelled.payments[0].status).toBe('cancelled');
    expect((await p.api('GET', `/api/v1/orders/${paid.id}`)).body.status).toBe('completed');

    const again = await runDay(dayAfter, 2);
    expect(again.duties.cancelUnpaidOrders).toEqual({ found: 0, done: 0 });
    // Every lifecycle duty ran and found nothing to do for these two clients' orders.
    expect(Object.keys(again.duties).sort()).toEqual(['acts', 'autoPayments', 'cancelUnpaidOrders', 'chargesClosed', 'createOrders', 'creditLimits', 'deletions', 'financialBlocks', 'mergedPayments', 'notificationEvents', 'overduePayments', 'paymentOverdue', 'promisedPaymentsRevoked', 'provisionDeferred', 'stops']);
    // The scenario shows the second run's tree only.
    const scenario = await waitForScenarioStatus(p, `billing-day-${dayAfter}`, 'completed');
    const finds = JSON.stringify(scenario.tree).match(/Find unpaid orders/g) ?? [];
    expect(finds).toHaveLength(1);
    expect(scenario.tree.find((s: any) => s.name === 'Cancel unpaid orders past their end date').children[0].output).toEqual([]);
    const runs = (await p.api('GET', '/api/v1/billing/runs')).body.items.map((r: any) => r.date);
    expect(runs).toEqual([dayAfter, endDate]);
  });

  it('refuses an impossible date and a second start while a run is under way', async () => {
    expect((await p.api('POST', '/api/v1/billing/runs', { date: '2027-02-30' })).status).toBe(400);
    const date = '2031-05-05';
    const [first, second] = await Promise.all([
      p.api('POST', '/api/v1/billing/runs', { date }),
      p.api('POST', '/api/v1/billing/runs', { date }),
    ]);
    expect([first.status, second.status].sort()).toEqual([202, 409]);
    await waitForScenarioStatus(p, `billing-day-${date}`, 'completed');
  });
});
