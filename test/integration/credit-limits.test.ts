import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { todayIn } from '../../domain/dates';
import { createClient, createTestPlatform, eventually, seedCatalog, waitForOrderStatus, type Catalog, type TestPlatform } from '../support/platform';

let p: TestPlatform;
let catalog: Catalog;

beforeAll(async () => {
  p = await createTestPlatform('credit_limits');
  catalog = await seedCatalog(p, { serviceRule: { defaultPaymentModel: 'postpay', subscriptionCreditLimit: 100_000 } });
});
afterAll(async () => p?.close());

const subscription = async (id: number) => (await p.api('GET', `/api/v1/subscriptions/${id}`)).body;
const waitFor = (id: number, status: string) =>
  eventually(async () => ((await subscription(id)).status === status ? subscription(id) : null), { what: `subscription ${id} to be ${status}`, timeoutMs: 30_000 });

describe('postpay credit limits (spec 01 §15.2, §15.4; acceptance 7, first part)', () => {
  it('a debt over the limit blocks that subscription alone, through the plugin; raising the limit unblocks it', async () => {
    const clientId = await createClient(p, catalog, 'Postpay Co');
    const ids: number[] = [];
    for (let i = 0; i < 2; i++) {
      const order = (await p.api('POST', '/api/v1/orders', { clientId, planPeriodId: catalog.monthlyPeriodId })).body;
      expect(order.paymentModel).toBe('postpay');
      ids.push((await waitForOrderStatus(p, order.id, 'completed')).subscriptionId);
    }
    const [first, second] = ids as [number, number];
    // Postpay charges: the setup fee and the current period are debt at once, later periods open (spec 02 §4.11).
    const charges = (await p.api('GET', `/api/v1/charges?subscriptionId=${first}`)).body.items;
    const today = todayIn('UTC', new Date());
    expect(charges.map((c: any) => [c.kind, c.status])).toEqual(charges.map((c: any) => [c.kind, c.kind !== 'recurring' || c.periodFrom <= today ? 'blocked' : 'open']));
    const debt = charges.filter((c: any) => c.status === 'blocked').reduce((s: number, c: any) => s + c.amount, 0);
    expect(debt).toBeGreaterThan(500);
    // Postpay debt is not blocked money on the balance.
    expect((await p.api('GET', `/api/v1/clients/${clientId}/funds`)).body).toEqual({ balance: 0, blocked: 0, available: 0 });

    const lowered = await p.api('POST', `/api/v1/subscriptions/${first}/credit-limit`, { creditLimit: debt - 1 });
    expect(lowered.body).toEqual({ subscriptionId: first, creditLimit: debt - 1, currentDebt: debt, action: 'block' });
    const blocked = await waitFor(first, 'blocked');
    expect(blocked.statusReason).toBe(`credit limit exceeded: debt ${debt}, limit ${debt - 1}`);
    expect(p.vendor.resource(blocked.vendorReference)!.state).toBe('suspended');
    expect((await subscription(second)).status).toBe('active');
    // Spec 01 §15.3: nothing can be ordered on a subscription blocked for its credit limit.
    expect((await p.api('POST', `/api/v1/subscriptions/${first}/renew`, {})).body.code).toBe('subscription_status');

    const equal = await p.api('POST', `/api/v1/subscriptions/${first}/credit-limit`, { creditLimit: debt });
    expect(equal.body.action).toBe('unblock');
    const back = await waitFor(first, 'active');
    expect(p.vendor.resource(back.vendorReference)!.state).toBe('active');
    expect((await p.api('POST', `/api/v1/subscriptions/${first}/credit-limit`, { creditLimit: null })).body.action).toBeNull();
  }, 60_000);

  it('refuses a credit limit on a prepaid subscription', async () => {
    const prepaid = await seedCatalog(p);
    const clientId = await createClient(p, prepaid, 'Prepaid Co');
    await p.api('POST', `/api/v1/clients/${clientId}/top-ups`, { amount: 1500 });
    const order = (await p.api('POST', '/api/v1/orders', { clientId, planPeriodId: prepaid.monthlyPeriodId })).body;
    const id = (await waitForOrderStatus(p, order.id, 'completed')).subscriptionId;
    const answer = await p.api('POST', `/api/v1/subscriptions/${id}/credit-limit`, { creditLimit: 10 });
    expect([answer.status, answer.body.code]).toEqual([422, 'not_postpay']);
  });
});

describe('acts and overdue payments (spec 01 §15.1-15.4; acceptance 7, second part)', () => {
  it('the act after the financial day gets a payment; once overdue it blocks every subscription of the act; paying it unblocks them', async () => {
    const { addDays } = await import('../../domain/dates');
    const today = todayIn('UTC', new Date());
    const dayOfMonth = Number(today.slice(8));
    const financialDay = dayOfMonth >= 28 ? 1 : dayOfMonth + 1;
    const postpay = await seedCatalog(p, {
      serviceRule: { defaultPaymentModel: 'postpay', subscriptionCreditLimit: 100_000, paymentDeferralDays: 3 },
      provisioningRule: { financialDay },
    });
    const clientId = await createClient(p, postpay, 'Slow Postpay Co');
    const ids: number[] = [];
    for (let i = 0; i < 2; i++) {
      const order = (await p.api('POST', '/api/v1/orders', { clientId, planPeriodId: postpay.monthlyPeriodId })).body;
      ids.push((await waitForOrderStatus(p, order.id, 'completed')).subscriptionId);
    }
    const run = async (date: string) => {
      const started = (await p.api('POST', '/api/v1/billing/runs', { date, confirmDate: date })).body;
      await p.temporal.workflow.getHandle(started.scenarioId).result();
      return (await p.api('GET', `/api/v1/billing/runs/${date}`)).body;
    };
    const { nextFinancialDay } = await import('../../domain/lifecycle');
    const fDay = nextFinancialDay(today, financialDay);
    await run(fDay);
    const closedBefore = (await p.api('GET', `/api/v1/charges?clientId=${clientId}&status=closed`)).body.items;
    expect(closedBefore.length).toBeGreaterThanOrEqual(4); // two setup fees and two partial first periods
    const billed = closedBefore.reduce((s: number, c: any) => s + c.amount, 0);

    const issuing = await run(addDays(fDay, 1));
    // Other postpay clients of this file may close on the same financial day (at the end of a month they do).
    expect(issuing.duties.acts.done).toBeGreaterThanOrEqual(1);
    const acts = await p.sql<Array<{ amount: string }>>`select amount::text from acts where client_id = ${clientId}`;
    expect(acts.map((a) => Number(a.amount))).toEqual([billed]);
    const payment = (await p.api('GET', `/api/v1/payments?clientId=${clientId}`)).body.items.find((x: any) => x.type === 'postpay_services');
    expect(payment).toMatchObject({ status: 'waiting_for_payment', amount: billed });
    expect((await run(addDays(fDay, 1))).duties.acts).toEqual({ found: 0, done: 0 });

    await run(addDays(fDay, 4));
    for (const id of ids) expect((await subscription(id)).status).toBe('active');
    await run(addDays(fDay, 5));
    for (const id of ids) {
      const blocked = await waitFor(id, 'blocked');
      expect(blocked.statusReason).toMatch(/^payment overdue: act /);
      expect(p.vendor.resource(blocked.vendorReference)!.state).toBe('suspended');
    }
    expect((await p.api('GET', `/api/v1/payments/${payment.id}`)).body.status).toBe('overdue');

    expect((await p.api('POST', `/api/v1/payments/${payment.id}/confirm`, { method: 'bank_transfer' })).status).toBe(200);
    for (const id of ids) {
      const back = await waitFor(id, 'active');
      expect(p.vendor.resource(back.vendorReference)!.state).toBe('active');
    }
    expect((await p.api('GET', `/api/v1/clients/${clientId}`)).body.balance).toBe(0);
  }, 90_000);
});
