import { WorkflowNotFoundError } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addDays, todayIn } from '../../domain/dates';
import { createClient, eventually, platformWithCatalog, waitForOrderStatus, waitForScenarioStatus, type Catalog, type TestPlatform } from '../support/platform';

let p: TestPlatform;
let catalog: Catalog;

beforeAll(async () => {
  ({ p, catalog } = await platformWithCatalog('billing_run', { cancelDays: 14 }));
});
afterAll(async () => p?.close());

/** Runs a date and waits for that run (the n-th of the date) to finish. */
async function runDay(date: string, nth = 1) {
  const started = await p.api('POST', '/api/v1/billing/runs', { date, confirmDate: date });
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
    expect(Object.keys(again.duties).sort()).toEqual(['acts', 'autoPayments', 'cancelUnpaidOrders', 'chargesClosed', 'createOrders', 'creditLimits', 'deletions', 'financialBlocks', 'mergedPayments', 'notificationEvents', 'overduePayments', 'paymentOverdue', 'promisedPaymentsRevoked', 'provisionDeferred', 'stops', 'usagePulls']);
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
      p.api('POST', '/api/v1/billing/runs', { date, confirmDate: date }),
      p.api('POST', '/api/v1/billing/runs', { date, confirmDate: date }),
    ]);
    expect([first.status, second.status].sort()).toEqual([202, 409]);
    await waitForScenarioStatus(p, `billing-day-${date}`, 'completed');
  });
});

/** Every table's row count, and the state of what a billing run changes: a dry run must leave both as they were. */
async function snapshot() {
  const tables = await p.sql<Array<{ table_name: string }>>`
    select table_name from information_schema.tables where table_schema = 'public' and table_type = 'BASE TABLE' order by table_name`;
  const counts = await p.sql.unsafe(tables.map((t) => `select '${t.table_name}' as t, count(*)::int as n from public."${t.table_name}"`).join(' union all '));
  const states = await p.sql`
    select (select json_agg(json_build_array(id, status, updated_at) order by id) from subscriptions) as subscriptions,
           (select json_agg(json_build_array(id, status, updated_at) order by id) from orders) as orders,
           (select json_agg(json_build_array(id, status, updated_at) order by id) from charges) as charges,
           (select json_agg(json_build_array(id, status, balance) order by id) from clients) as clients`;
  return { counts, states };
}

describe('billing run ahead of the schedule: dry run and confirmation (issue 16 point 11)', () => {
  const future = '2030-01-01';

  it('a date after the next due business date is refused without confirmDate (409 naming the field), and nothing starts', async () => {
    const before = await snapshot();
    const refused = await p.api('POST', '/api/v1/billing/runs', { date: future });
    expect(refused.status).toBe(409);
    expect(refused.body).toMatchObject({ code: 'confirmation_required', details: { field: 'confirmDate', nextDueDate: todayIn('UTC', new Date()) } });
    expect(refused.body.message).toContain('confirmDate');
    const mismatched = await p.api('POST', '/api/v1/billing/runs', { date: future, confirmDate: '2030-01-02' });
    expect([mismatched.status, mismatched.body.code]).toEqual([409, 'confirmation_required']);
    await expect(p.temporal.workflow.getHandle(`billing-day-${future}`).describe()).rejects.toBeInstanceOf(WorkflowNotFoundError);
    expect(await snapshot()).toEqual(before);
    // Today (the schedule's own date) and earlier dates need no confirmation: they repeat or catch up the schedule.
    expect(await p.withClock(() => new Date(`${future}T08:00:00Z`))('POST', '/api/v1/billing/runs', { date: future, dryRun: true })).toMatchObject({ status: 200, body: { aheadOfSchedule: false, nextDueDate: future } });
  });

  it('dryRun answers what the run would do, per duty and with the subscriptions and orders concerned, writes nothing and starts nothing; the confirmed run then does it', async () => {
    // A paid subscription on a client left with nothing (stopped for non-payment by 2030), and an unpaid order (cancelled).
    const clientId = await createClient(p, catalog, 'Far Future Ltd');
    await p.api('POST', `/api/v1/clients/${clientId}/top-ups`, { amount: 1500 });
    const paid = (await p.api('POST', '/api/v1/orders', { clientId, planPeriodId: catalog.monthlyPeriodId })).body;
    const subscriptionId = (await waitForOrderStatus(p, paid.id, 'completed')).subscriptionId as number;
    const unpaidClient = await createClient(p, catalog, 'Never Pays Ltd');
    const unpaid = (await p.api('POST', '/api/v1/orders', { clientId: unpaidClient, planPeriodId: catalog.monthlyPeriodId })).body;
    await waitForScenarioStatus(p, `order-${unpaid.id}`, 'waiting');
    // The scenarios earlier runs started (stops of 2031-05-05) have settled: the state the dry run reads is still.
    await eventually(async () => (await p.sql`select count(*)::int as n from scenarios where status = 'running'`)[0]!.n === 0, { what: 'running scenarios to settle' });

    const before = await snapshot();
    const dry = await p.api('POST', '/api/v1/billing/runs', { date: future, dryRun: true });
    expect(dry.status, JSON.stringify(dry.body)).toBe(200);
    expect(dry.body).toMatchObject({ date: future, dryRun: true, aheadOfSchedule: true });
    const { duties, actions } = dry.body;
    expect(duties.stops.subscriptionIds).toContain(subscriptionId);
    expect(duties.cancelUnpaidOrders.orderIds).toContain(unpaid.id);
    expect(duties.cancelUnpaidOrders.clientIds).toContain(unpaidClient);
    expect(duties.chargesClosed.subscriptionIds).toContain(subscriptionId);
    expect(actions).toContainEqual(expect.objectContaining({ subscriptionId, duty: 'stops', action: 'stop', detail: 'the subscription is stopped: not paid' }));
    for (const duty of Object.values<{ count: number; subscriptionIds: number[] }>(duties)) expect(duty.count).toBeGreaterThanOrEqual(duty.subscriptionIds.length > 0 ? 1 : 0);
    // Read only: no row written or changed anywhere, no scenario started.
    expect(await snapshot()).toEqual(before);
    await expect(p.temporal.workflow.getHandle(`billing-day-${future}`).describe()).rejects.toBeInstanceOf(WorkflowNotFoundError);
    expect((await p.api('GET', `/api/v1/billing/runs/${future}`)).status).toBe(404);

    // The confirmed run finds what the dry run said it would.
    const run = await runDay(future);
    for (const duty of ['cancelUnpaidOrders', 'createOrders', 'autoPayments', 'paymentOverdue', 'stops', 'chargesClosed', 'promisedPaymentsRevoked', 'financialBlocks']) {
      expect(run.duties[duty].found, duty).toBe(duties[duty].count);
    }
    // The subscription it stops is deleted by the same run when the stop scenario finishes before the delete duty
    // looks (the fake vendor is quick): the dry run shows that worst case.
    expect(run.duties.deletions.found).toBeLessThanOrEqual(duties.deletions.count);
    expect(duties.deletions.subscriptionIds).toContain(subscriptionId);
    await waitForOrderStatus(p, unpaid.id, 'cancelled');
  });
});
