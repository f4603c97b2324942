import { afterAll, beforeAll, expect } from 'vitest';
import { checkLedger } from '../../operations/ledger/ledger-check';
import { platformWithCatalog, waitForOrderStatus, type ApiAnswer, type Catalog, type TestPlatform } from './platform';

// The set-up the billing-type tests share (billing-types.test.ts, forecast.test.ts): a platform whose API and worker
// read a business date the test moves, a catalogue, plans of any billing type, clients with money, and the whole
// ledger checked before the platform closes.

/** A month of 30.00 (the seed's figures: 100 minor units a day in a 30-day month). */
export const month = { duration: 1, unit: 'month', setupFee: 0, recurringFee: 3000 };

/** What a billing-type test file reaches once its beforeAll has run. */
export interface BillingTypesPlatform {
  p: TestPlatform;
  catalog: Catalog;
  /** The API on the file's business date. */
  api: TestPlatform['api'];
  /** A plan of the type named `<type> plan`, on the catalogue's service, under the given provisioning rule. */
  plan(billingType: string, periods?: unknown[], provisioningRuleId?: number): Promise<ApiAnswer>;
  /** A client of the catalogue's service rule with `amount` topped up. */
  clientWithMoney(name: string, amount?: number): Promise<number>;
  /** The client buys the first period of a new plan of the type today; answers once the purchase has completed. */
  buy(clientId: number, billingType: string, periods?: unknown[]): Promise<{ orderId: number; subscriptionId: number }>;
}

/**
 * Registers the file's beforeAll and afterAll: the platform `name` whose clock (API and worker) is noon UTC of
 * `today()`. The answer's fields are filled in by that beforeAll; a file's own beforeAll registered after this call
 * may read them.
 */
export function billingTypesPlatform(name: string, today: () => string): BillingTypesPlatform {
  const clock = () => new Date(`${today()}T12:00:00Z`);
  // Filled in below and by beforeAll: the file reads it only from its tests and hooks.
  const env = {} as BillingTypesPlatform;
  beforeAll(async () => {
    const { p, catalog } = await platformWithCatalog(name, {}, { now: clock });
    Object.assign(env, { p, catalog, api: p.withClock(clock) });
  });
  afterAll(async () => {
    if (env.p) expect((await checkLedger(env.p.sql)).discrepancies).toEqual([]);
    await env.p?.close();
  });
  env.plan = (billingType, periods = [month], provisioningRuleId) =>
    env.api('POST', '/api/v1/plans', {
      productId: env.catalog.productId, serviceTemplateId: env.catalog.serviceTemplateId, provisioningRuleId: provisioningRuleId ?? env.catalog.provisioningRuleId,
      name: `${billingType} plan`, billingType, periods,
    });
  env.clientWithMoney = async (clientName, amount = 100_000) => {
    const client = await env.api('POST', '/api/v1/clients', { name: clientName, serviceRuleId: env.catalog.serviceRuleId });
    expect(client.status, JSON.stringify(client.body)).toBe(201);
    await env.api('POST', `/api/v1/clients/${client.body.id}/top-ups`, { amount });
    return client.body.id as number;
  };
  env.buy = async (clientId, billingType, periods = [month]) => {
    const created = await env.plan(billingType, periods);
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    const order = await env.api('POST', '/api/v1/orders', { clientId, planPeriodId: created.body.periods[0].id });
    expect(order.status, JSON.stringify(order.body)).toBe(201);
    const done = await waitForOrderStatus(env.p, order.body.id, 'completed');
    return { orderId: order.body.id as number, subscriptionId: done.subscriptionId as number };
  };
  return env;
}
