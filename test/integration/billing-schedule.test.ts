import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addDays, addMonthsClamped, todayIn } from '../../domain/dates';
import { ensureBillingSchedule } from '../../platform/billing-schedule';
import { createClient, createTestPlatform, eventually, seedCatalog, waitForOrderStatus, waitForScenarioStatus, type TestPlatform } from '../support/platform';

let p: TestPlatform;
const scheduleId = `billing-daily-test-${randomBytes(3).toString('hex')}`;

beforeAll(async () => {
  p = await createTestPlatform('billing_schedule');
});
afterAll(async () => {
  await p?.temporal.schedule.getHandle(scheduleId).delete().catch(() => {});
  await p?.close();
});

describe('daily billing schedule', () => {
  it('catches up three missed days in date order, each run for its own business date', async () => {
    const catalog = await seedCatalog(p, { provisioningRule: { autoRenewPointDays: 1 } });
    const clientId = await createClient(p, catalog, 'Old Unpaid Co');
    const order = (await p.api('POST', '/api/v1/orders', { clientId, planPeriodId: catalog.monthlyPeriodId })).body;
    await waitForScenarioStatus(p, `order-${order.id}`, 'waiting');
    // Three days before today were missed; the order's end date was the first of them.
    const today = todayIn('UTC', new Date());
    const missed: [string, string, string] = [addDays(today, -3), addDays(today, -2), addDays(today, -1)];
    await p.sql`update orders set end_date = ${missed[0]} where id = ${order.id}`;
    // A subscription whose renewal fell into the outage: the order was due on the first missed day, the
    // auto-payment on the second (its expiration date). Only date order gives those results on those dates.
    const renewingClient = await createClient(p, catalog, 'Renewing During Outage Co');
    await p.api('POST', `/api/v1/clients/${renewingClient}/top-ups`, { amount: 2500 });
    const bought = (await p.api('POST', '/api/v1/orders', { clientId: renewingClient, planPeriodId: catalog.monthlyPeriodId })).body;
    const subscriptionId = (await waitForOrderStatus(p, bought.id, 'completed')).subscriptionId;
    await p.sql`update subscriptions set start_date = ${addMonthsClamped(missed[1], -1)}, expiration_date = ${missed[1]} where id = ${subscriptionId}`;

    const schedule = await ensureBillingSchedule(p.temporal, { scheduleId, taskQueue: p.taskQueue, timeZone: 'UTC', hour: 1, catchupDays: 7 });
    await schedule.pause('the test drives it');
    // What the server does after downtime within the catch-up window: run each missed scheduled time.
    await schedule.backfill([{ start: new Date(`${missed[0]}T00:30:00Z`), end: new Date(`${missed[2]}T01:30:00Z`) }]);

    const runs = await eventually(
      async () => {
        const items = (await p.api('GET', '/api/v1/billing/runs')).body.items.filter((r: any) => missed.includes(r.date));
        return items.length === 3 && items.every((r: any) => r.status === 'completed') ? items : null;
      },
      { timeoutMs: 60_000, what: 'three caught-up billing runs' },
    );
    const byStart = [...runs].sort((a: any, b: any) => Date.parse(a.startedAt) - Date.parse(b.startedAt)).map((r: any) => r.date);
    expect(byStart).toEqual(missed);
    const byDate = Object.fromEntries(runs.map((r: any) => [r.date, r.duties.cancelUnpaidOrders]));
    expect(byDate[missed[0]]).toEqual({ found: 0, done: 0 }); // the end date itself: not yet
    expect(byDate[missed[1]]).toEqual({ found: 1, done: 1 });
    const cancelled = await waitForOrderStatus(p, order.id, 'cancelled');
    expect(cancelled.statusReason).toContain(missed[1]);

    const actions: string[] = [];
    for (const date of missed) {
      const items = (await p.api('GET', `/api/v1/billing/runs/${date}/actions?subscriptionId=${subscriptionId}`)).body.items;
      actions.push(...items.map((i: any) => `${date} ${i.action}${i.action === 'auto_payment' ? ` paid=${i.outcome.paid}` : ''}`));
    }
    expect(actions).toEqual([`${missed[0]} create_renewal_order`, `${missed[1]} auto_payment paid=true`]);
    const renewed = await eventually(async () => {
      const sub = (await p.api('GET', `/api/v1/subscriptions/${subscriptionId}`)).body;
      return sub.expirationDate === addMonthsClamped(missed[1], 1) ? sub : null;
    }, { what: 'the renewal of the outage' });
    expect(renewed.status).toBe('active');
    expect((await p.api('GET', `/api/v1/clients/${renewingClient}`)).body.balance).toBe(1000 - 1000);
  }, 90_000);

  it('re-applying the configuration updates the schedule instead of failing', async () => {
    const again = await ensureBillingSchedule(p.temporal, { scheduleId, taskQueue: p.taskQueue, timeZone: 'UTC', hour: 3, catchupDays: 2 });
    const description = await again.describe();
    expect(description.spec.calendars?.[0]?.hour).toEqual([{ start: 3, end: 3, step: 1 }]);
    expect(description.policies.catchupWindow).toBe(2 * 24 * 60 * 60 * 1000);
  });
});
