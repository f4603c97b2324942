import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { todayIn } from '../../domain/dates';
import { createClient, createTestPlatform, seedCatalog, waitForOrderStatus, waitForScenarioStatus, type Catalog, type TestPlatform } from '../support/platform';

let p: TestPlatform;
let catalog: Catalog;
const today = () => todayIn('UTC', new Date());

beforeAll(async () => {
  p = await createTestPlatform('charges');
  // A financial day that is not today's: the term touches N + 1 financial periods.
  const day = Number(today().slice(8));
  catalog = await seedCatalog(p, { provisioningRule: { financialDay: day >= 28 ? 1 : day + 1 } });
});
afterAll(async () => p?.close());

const chargesOf = async (orderId: number) => (await p.api('GET', `/api/v1/charges?orderId=${orderId}&limit=100`)).body.items;
const funds = async (clientId: number) => (await p.api('GET', `/api/v1/clients/${clientId}/funds`)).body;

describe('charges of a pre-order purchase (spec 02 §4.6-4.7; acceptance 2)', () => {
  it('are created new, blocked on payment and closed period by period by the billing runs; funds follow', async () => {
    const clientId = await createClient(p, catalog, 'Year Ahead Co');
    const order = (await p.api('POST', '/api/v1/orders', { clientId, planPeriodId: catalog.yearlyPeriodId })).body;
    expect(order.amount).toBe(12 * 900);
    await waitForScenarioStatus(p, `order-${order.id}`, 'waiting');
    const created = await chargesOf(order.id);
    expect(created).toHaveLength(13);
    expect(created.every((c: any) => c.status === 'new' && c.kind === 'recurring')).toBe(true);
    expect(created.reduce((s: number, c: any) => s + c.amount, 0)).toBe(12 * 900);
    expect(created.slice(1, -1).every((c: any) => c.amount === 900)).toBe(true);
    expect(await funds(clientId)).toEqual({ balance: 0, blocked: 0, available: 0 });

    const payment = order.payments[0];
    expect((await p.api('POST', `/api/v1/payments/${payment.id}/confirm`, { method: 'bank_transfer' })).status).toBe(200);
    await waitForOrderStatus(p, order.id, 'completed');
    const paid = await chargesOf(order.id);
    expect(paid.every((c: any) => c.status === 'blocked')).toBe(true);
    expect(paid.every((c: any) => c.subscriptionId !== null)).toBe(true);
    expect(await funds(clientId)).toEqual({ balance: 10800, blocked: 10800, available: 0 });

    // Each financial day closes the period that ended the day before.
    let consumed = 0;
    for (const charge of paid.slice(0, 3)) {
      const started = (await p.api('POST', '/api/v1/billing/runs', { date: charge.closeDate, confirmDate: charge.closeDate })).body;
      await p.temporal.workflow.getHandle(started.scenarioId).result();
      consumed += charge.amount;
      const now = await chargesOf(order.id);
      expect(now.filter((c: any) => c.status === 'closed').map((c: any) => c.id)).toEqual(paid.slice(0, paid.indexOf(charge) + 1).map((c: any) => c.id));
      expect(await funds(clientId)).toEqual({ balance: 10800 - consumed, blocked: 10800 - consumed, available: 0 });
    }
  });

  it('a setup fee closes on payment; an order cancelled unpaid deletes its charges (acceptance 3)', async () => {
    const clientId = await createClient(p, catalog, 'Changed Mind Co');
    const order = (await p.api('POST', '/api/v1/orders', { clientId, planPeriodId: catalog.monthlyPeriodId })).body;
    await waitForScenarioStatus(p, `order-${order.id}`, 'waiting');
    const created = await chargesOf(order.id);
    expect(created.map((c: any) => c.kind)).toEqual(['setup', 'recurring', 'recurring']);
    expect(created.reduce((s: number, c: any) => s + c.amount, 0)).toBe(order.amount);
    expect((await p.api('POST', `/api/v1/orders/${order.id}/cancel`, { reason: 'client changed their mind' })).status).toBe(200);
    expect((await chargesOf(order.id)).map((c: any) => c.status)).toEqual(['deleted', 'deleted', 'deleted']);

    await p.api('POST', `/api/v1/clients/${clientId}/top-ups`, { amount: 1500 });
    const bought = (await p.api('POST', '/api/v1/orders', { clientId, planPeriodId: catalog.monthlyPeriodId })).body;
    await waitForOrderStatus(p, bought.id, 'completed');
    expect((await chargesOf(bought.id)).map((c: any) => [c.kind, c.status])).toEqual([['setup', 'closed'], ['recurring', 'blocked'], ['recurring', 'blocked']]);
    expect(await funds(clientId)).toEqual({ balance: 1000, blocked: 1000, available: 0 });
    expect((await p.api('GET', `/api/v1/ledger/check?clientId=${clientId}`)).body.discrepancies).toEqual([]);
  });
});
