import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLicensingProduct, registerLicensingVendor } from '../support/licensing';
import { createTestPlatform, eventually, waitForOrderStatus, waitForScenarioStatus, type TestPlatform } from '../support/platform';

/**
 * Issue 22 point 7 (decisions row 48): billing drives licensing on every path. Each path runs for real through the
 * staff API, the billing scenarios on Temporal and the built-in `licensing` plugin, and is checked through the
 * public licensing API (what a protected application sees) and the staff licensing API: a financial block and its
 * unblock, an administrative block and its unblock, a plan switch (before: a permanent failure), a seats change.
 */
let p: TestPlatform;
const prefix = 'BILL';
let plans: { std: number; pro: number; serviceRuleId: number };

beforeAll(async () => {
  p = await createTestPlatform('licensing_billing_paths');
  await registerLicensingVendor(p, prefix, 'Billed Software');
  for (const code of ['std', 'pro']) await createLicensingProduct(p, prefix, code, code.toUpperCase(), { activationPolicy: 'AcceptAllSingleMachine' });
  // Thresholds: a debit past −100 blocks; stops are automatic.
  const rule = (await p.api('POST', '/api/v1/service-rules', { key: 'lic_paths', name: 'Licensing paths', creditThreshold: 100, stopMode: 'automatic' })).body;
  const provisioning = (await p.api('POST', '/api/v1/provisioning-rules', { key: 'lic_paths', name: 'Licensing paths' })).body;
  const product = (await p.api('POST', '/api/v1/products', { name: 'Accounting' })).body;
  // One service, two editions: plans switch within a service, so the template names the product per plan SKU.
  const template = (await p.api('POST', '/api/v1/service-templates', { name: 'Billed editions', plugin: 'licensing', settings: { vendorPrefix: prefix, productCode: 'std', planProducts: { 'LIC-PRO': 'pro' } } })).body;
  const seats = { key: 'seats', name: 'Seats', included: 1, minimum: 1, maximum: 50, recurringPrice: 100 };
  const plan = async (sku: string, fee: number) => {
    const made = await p.api('POST', '/api/v1/plans', { productId: product.id, serviceTemplateId: template.id, provisioningRuleId: provisioning.id, name: sku, sku, currency: 'EUR', resources: [seats], periods: [{ duration: 1, unit: 'month', setupFee: 0, recurringFee: fee }] });
    expect(made.status, JSON.stringify(made.body)).toBe(201);
    return made.body.periods[0].id as number;
  };
  plans = { std: await plan('LIC-STD', 1000), pro: await plan('LIC-PRO', 2000), serviceRuleId: rule.id };
});
afterAll(async () => p?.close());

let seq = 0;
const publicApi = (path: string, body: unknown) => p.api('POST', `/licensing/v1${path}`, body, { token: null, headers: { 'x-forwarded-for': `198.51.100.${(seq % 250) + 1}` } });
const subscriptionOf = async (id: number) => (await p.api('GET', `/api/v1/subscriptions/${id}`)).body;
const waitForSubscription = (id: number, status: string) => eventually(async () => ((await subscriptionOf(id)).status === status ? true : null), { what: `subscription ${id} ${status}` });

/** A client with a paid licensing subscription, a key, and one machine activated on it. */
async function licensedClient(balance = 1000) {
  seq += 1;
  const client = await p.api('POST', '/api/v1/clients', { name: `Paths ${seq}`, serviceRuleId: plans.serviceRuleId });
  const clientId = client.body.id as number;
  await p.api('POST', `/api/v1/clients/${clientId}/top-ups`, { amount: balance });
  const order = (await p.api('POST', '/api/v1/orders', { clientId, planPeriodId: plans.std })).body;
  const done = await waitForOrderStatus(p, order.id, 'completed');
  const [key] = (await p.api('GET', `/api/v1/licensing/keys?clientId=${clientId}`)).body.items;
  const activated = await publicApi('/activations', { key: key.displayCode, productCode: 'std', machine: { signatures: { hdd: `H${seq}`, cpu: 'C', bios: 'B', ethernet: 'E' } } });
  expect(activated.status, JSON.stringify(activated.body)).toBe(201);
  const validate = async () => (await publicApi(`/activations/${activated.body.activationId}/validate`, { key: key.displayCode, machineId: activated.body.document.document.machineId })).body;
  return { clientId, subscriptionId: done.subscriptionId as number, key: key.displayCode as string, validate };
}
/** The client's key card as the staff licensing API lists it: its entitlements. */
async function entitlementsOf(clientId: number) {
  const [key] = (await p.api('GET', `/api/v1/licensing/keys?clientId=${clientId}`)).body.items;
  return key.entitlements as Array<{ id: number; product: string; status: string; seats: number; subscriptionId: number | null }>;
}
async function debit(clientId: number, amount: number) {
  const created = await p.api('POST', `/api/v1/clients/${clientId}/adjustments`, { direction: 'debit', amount, comment: 'debt' });
  expect((await p.api('POST', `/api/v1/adjustments/${created.body.id}/approve`, {})).status).toBe(200);
}

describe('billing drives the licenses of the affected subscriptions (issue 22 point 7)', () => {
  it('a financial block suspends the license (validation valid:false, ENTITLEMENT_SUSPENDED); the unblock resumes it', async () => {
    const c = await licensedClient();
    expect(await c.validate()).toMatchObject({ valid: true });
    const balance = Number((await p.api('GET', `/api/v1/clients/${c.clientId}`)).body.balance);
    await debit(c.clientId, balance + 150);
    await waitForScenarioStatus(p, `financial-block-${c.clientId}-1`, 'completed');
    await waitForSubscription(c.subscriptionId, 'stopped');
    expect(await c.validate()).toMatchObject({ valid: false, code: 'ENTITLEMENT_SUSPENDED' });
    expect((await entitlementsOf(c.clientId))[0]).toMatchObject({ status: 'suspended' });

    await p.api('POST', `/api/v1/clients/${c.clientId}/top-ups`, { amount: 150 });
    await waitForScenarioStatus(p, `financial-unblock-${c.clientId}-1`, 'completed');
    await waitForSubscription(c.subscriptionId, 'active');
    expect(await c.validate()).toMatchObject({ valid: true });
  });

  it('an administrative block suspends the license; the unblock (activate) resumes it', async () => {
    const c = await licensedClient();
    const blocked = await p.api('POST', `/api/v1/clients/${c.clientId}/administrative-block`, { reason: 'fraud check' });
    expect(blocked.status, JSON.stringify(blocked.body)).toBeLessThan(300);
    await waitForScenarioStatus(p, `administrative-block-${c.clientId}-1`, 'completed');
    await waitForSubscription(c.subscriptionId, 'stopped');
    expect(await c.validate()).toMatchObject({ valid: false, code: 'ENTITLEMENT_SUSPENDED' });

    expect((await p.api('POST', `/api/v1/clients/${c.clientId}/activate`, { reason: 'cleared' })).status).toBeLessThan(300);
    await waitForScenarioStatus(p, `administrative-unblock-${c.clientId}-1`, 'completed');
    await waitForSubscription(c.subscriptionId, 'active');
    expect(await c.validate()).toMatchObject({ valid: true });
  });

  it('a plan switch to another edition supersedes the license: the new product takes over the subscription, old machines must re-activate', async () => {
    const c = await licensedClient(5000);
    const order = await p.api('POST', `/api/v1/subscriptions/${c.subscriptionId}/switch-plan`, { planPeriodId: plans.pro });
    expect(order.status, JSON.stringify(order.body)).toBe(201);
    await waitForOrderStatus(p, order.body.id, 'completed');
    const after = await entitlementsOf(c.clientId);
    expect(after.map((e) => [e.product, e.status, e.subscriptionId])).toEqual(
      expect.arrayContaining([
        ['std', 'superseded', null],
        ['pro', 'active', c.subscriptionId],
      ]),
    );
    expect(await c.validate()).toMatchObject({ valid: false });
    const again = await publicApi('/activations', { key: c.key, productCode: 'pro', machine: { signatures: { hdd: 'H-new', cpu: 'C', bios: 'B', ethernet: 'E' } } });
    expect(again.status, JSON.stringify(again.body)).toBe(201);
    expect(again.body.document.document.product).toBe('pro');
    // Billing's later operations reach the new license: a stop suspends it.
    await p.api('POST', `/api/v1/subscriptions/${c.subscriptionId}/stop`, { reason: 'paused' });
    await waitForSubscription(c.subscriptionId, 'stopped');
    expect((await entitlementsOf(c.clientId)).find((e) => e.product === 'pro')).toMatchObject({ status: 'suspended' });
  });

  it('a resource change of seats changes the seats of the license', async () => {
    const c = await licensedClient(5000);
    const order = await p.api('POST', `/api/v1/subscriptions/${c.subscriptionId}/change-resources`, { resources: { seats: 3 } });
    expect(order.status, JSON.stringify(order.body)).toBe(201);
    await waitForOrderStatus(p, order.body.id, 'completed');
    expect((await entitlementsOf(c.clientId))[0]).toMatchObject({ product: 'std', seats: 3, status: 'active' });
    const status = await publicApi('/product-status', { key: c.key, productCode: 'std' });
    expect(JSON.stringify(status.body)).toContain('"seats":3');
  });
});
