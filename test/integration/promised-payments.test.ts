import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addDays, todayIn } from '../../domain/dates';
import { createClient, createTestPlatform, eventually, seedCatalog, waitForOrderStatus, waitForScenarioStatus, type Catalog, type TestPlatform } from '../support/platform';

let p: TestPlatform;
let catalog: Catalog;
const today = () => todayIn('UTC', new Date());

beforeAll(async () => {
  p = await createTestPlatform('promised');
  catalog = await seedCatalog(p, { serviceRule: { promisedPaymentLimit: 2000, promisedPaymentDays: 10 } });
});
afterAll(async () => p?.close());

const balance = async (clientId: number) => (await p.api('GET', `/api/v1/clients/${clientId}`)).body.balance;
const promisedOf = async (clientId: number) =>
  (await p.api('GET', `/api/v1/promised-payments?clientId=${clientId}`)).body.items.map((x: any) => ({ amount: x.amount, status: x.status, expiresOn: x.expiresOn }));
async function promise(clientId: number, amount: number, expiresOn = addDays(today(), 5)) {
  const answer = await p.api('POST', `/api/v1/clients/${clientId}/promised-payments`, { amount, expiresOn, comment: 'until the transfer arrives' });
  expect(answer.status, JSON.stringify(answer.body)).toBe(201);
  return answer.body;
}
/** Balance 290, of which 200 promised (spec 02 §3.5's example): 100 paid in, 200 promised, 10 spent. */
async function exampleClient(name: string) {
  const clientId = await createClient(p, catalog, name);
  await p.api('POST', `/api/v1/clients/${clientId}/top-ups`, { amount: 100 });
  await promise(clientId, 200);
  const spent = (await p.api('POST', `/api/v1/clients/${clientId}/adjustments`, { direction: 'debit', amount: 10, comment: 'a purchase of 10' })).body;
  await p.api('POST', `/api/v1/adjustments/${spent.id}/approve`, {});
  expect(await balance(clientId)).toBe(290);
  return clientId;
}

describe('promised payments (spec 02 §3; acceptance 6)', () => {
  it('a top-up at least the promised amount revokes it and keeps the rest (290 + 250 − 200 = 340)', async () => {
    const clientId = await exampleClient('Full Cover Co');
    await p.api('POST', `/api/v1/clients/${clientId}/top-ups`, { amount: 250 });
    expect(await balance(clientId)).toBe(340);
    expect(await promisedOf(clientId)).toEqual([{ amount: 200, status: 'revoked', expiresOn: addDays(today(), 5) }]);
  });

  it('a smaller top-up replaces it with one for the rest, same expiry, balance unchanged; then a full one revokes that', async () => {
    const clientId = await exampleClient('Partial Cover Co');
    await p.api('POST', `/api/v1/clients/${clientId}/top-ups`, { amount: 50 });
    expect(await balance(clientId)).toBe(290);
    const exp = addDays(today(), 5);
    expect(await promisedOf(clientId)).toEqual([
      { amount: 150, status: 'provided_by_topup', expiresOn: exp },
      { amount: 200, status: 'revoked_by_topup', expiresOn: exp },
    ]);
    await p.api('POST', `/api/v1/clients/${clientId}/top-ups`, { amount: 150 });
    expect(await balance(clientId)).toBe(290);
    expect((await promisedOf(clientId)).map((x: any) => x.status)).toEqual(['revoked', 'revoked_by_topup']);
    expect((await p.api('GET', `/api/v1/ledger/check?clientId=${clientId}`)).body.discrepancies).toEqual([]);
  });

  it('several promised payments are covered oldest first', async () => {
    const clientId = await createClient(p, catalog, 'Two Promises Co');
    await promise(clientId, 300);
    await promise(clientId, 400);
    await p.api('POST', `/api/v1/clients/${clientId}/top-ups`, { amount: 500 });
    expect(await balance(clientId)).toBe(700);
    expect((await promisedOf(clientId)).map((x: any) => [x.amount, x.status])).toEqual([
      [200, 'provided_by_topup'],
      [400, 'revoked_by_topup'],
      [300, 'revoked'],
    ]);
  });

  it("obeys the service rule's limit and period unless an administrator overrides it; revoked by hand", async () => {
    const clientId = await createClient(p, catalog, 'Limited Co');
    await promise(clientId, 1500);
    const over = await p.api('POST', `/api/v1/clients/${clientId}/promised-payments`, { amount: 600, expiresOn: addDays(today(), 5) });
    expect([over.status, over.body.code]).toEqual([422, 'promised_payment_limit']);
    const late = await p.api('POST', `/api/v1/clients/${clientId}/promised-payments`, { amount: 100, expiresOn: addDays(today(), 11) });
    expect([late.status, late.body.code]).toEqual([422, 'promised_payment_period']);
    const overridden = await p.api('POST', `/api/v1/clients/${clientId}/promised-payments`, { amount: 600, expiresOn: addDays(today(), 30), override: true });
    expect(overridden.status).toBe(201);
    expect(overridden.body.overridden).toBe(true);
    expect(await balance(clientId)).toBe(2100);
    const revoked = await p.api('POST', `/api/v1/promised-payments/${overridden.body.id}/revoke`, { reason: 'granted by mistake' });
    expect(revoked.body).toMatchObject({ status: 'revoked', revokedReason: 'granted by mistake' });
    expect(await balance(clientId)).toBe(1500);
    expect((await p.api('POST', `/api/v1/promised-payments/${overridden.body.id}/revoke`, { reason: 'again' })).body.code).toBe('promised_payment_revoked');
  });

  it('used for an order and not covered: the billing run after its last day revokes it and the client is financially blocked', async () => {
    const clientId = await createClient(p, catalog, 'Never Paid Co');
    const lastDay = addDays(today(), 3);
    await promise(clientId, 1500, lastDay);
    const order = (await p.api('POST', '/api/v1/orders', { clientId, planPeriodId: catalog.monthlyPeriodId })).body;
    const done = await waitForOrderStatus(p, order.id, 'completed');
    expect(await balance(clientId)).toBe(0);

    const run = async (date: string) => {
      const started = (await p.api('POST', '/api/v1/billing/runs', { date, confirmDate: date })).body;
      await p.temporal.workflow.getHandle(started.scenarioId).result();
    };
    await run(lastDay);
    expect((await promisedOf(clientId))[0].status).toBe('provided');
    await run(addDays(lastDay, 1));
    expect((await promisedOf(clientId))[0].status).toBe('revoked');
    expect(await balance(clientId)).toBe(-1500);
    expect((await p.api('GET', `/api/v1/clients/${clientId}`)).body.status).toBe('financially_blocked');
    // The run starts the scenario of the block it caused.
    await waitForScenarioStatus(p, `financial-block-${clientId}-1`, 'completed');
    await eventually(async () => (await p.api('GET', `/api/v1/subscriptions/${done.subscriptionId}`)).body.status === 'stopped', { what: 'the subscription to be stopped' });
  }, 60_000);
});

describe('waiting top-ups and ordering while blocked (spec 02 §2.5-2.6, decision 27)', () => {
  it('a top-up created to wait changes nothing until confirmed; confirming covers promised payments first', async () => {
    const clientId = await createClient(p, catalog, 'Transfer Coming Co');
    await promise(clientId, 300);
    const waiting = await p.api('POST', `/api/v1/clients/${clientId}/payments`, { amount: 500, comment: 'wire announced' });
    expect(waiting.status, JSON.stringify(waiting.body)).toBe(201);
    expect(waiting.body).toMatchObject({ type: 'manual_topup', status: 'waiting_for_payment', amount: 500 });
    expect(await balance(clientId)).toBe(300);
    const confirmed = await p.api('POST', `/api/v1/payments/${waiting.body.id}/confirm`, { method: 'bank_transfer' });
    expect(confirmed.body.status).toBe('completed');
    expect(await balance(clientId)).toBe(500);
    expect((await promisedOf(clientId))[0].status).toBe('revoked');
    expect((await p.api('POST', `/api/v1/payments/${waiting.body.id}/confirm`, { method: 'bank_transfer' })).status).toBe(409);
    const cancelled = await p.api('POST', `/api/v1/clients/${clientId}/payments`, { amount: 100 });
    expect((await p.api('POST', `/api/v1/payments/${cancelled.body.id}/cancel`, { reason: 'duplicate' })).body.status).toBe('cancelled');
    expect(await balance(clientId)).toBe(500);
  });

  it('a financially blocked client may not order a trial', async () => {
    const strict = await seedCatalog(p, { serviceRule: { negativeBalanceDays: 0 } });
    const trial = (await p.api('POST', `/api/v1/plans/${strict.planId}/periods`, { duration: 14, unit: 'day', trial: true })).body;
    const clientId = await createClient(p, strict, 'Blocked Trial Co');
    const debit = (await p.api('POST', `/api/v1/clients/${clientId}/adjustments`, { direction: 'debit', amount: 1, comment: 'owed' })).body;
    await p.api('POST', `/api/v1/adjustments/${debit.id}/approve`, {});
    expect((await p.api('GET', `/api/v1/clients/${clientId}`)).body.status).toBe('financially_blocked');
    const refused = await p.api('POST', '/api/v1/orders', { clientId, planPeriodId: trial.id });
    expect([refused.status, refused.body.code]).toEqual([422, 'client_financially_blocked']);
  });
});
