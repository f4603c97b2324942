import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listDefinitions } from '../../web/list-definitions';
import { signInInProcess } from '../support/http';
import { createClient, eventually, platformWithCatalog, waitForOrderStatus, waitForScenarioStatus, type Catalog, type TestPlatform } from '../support/platform';

/**
 * Issue 16 point 10: one timestamp format, ISO 8601 in UTC with `Z`, in every API answer and every CSV export.
 * The test walks every GET route the OpenAPI document lists (path ids taken from the route's own list) and every
 * list's CSV export, and checks each value that looks like a point in time. A new route is covered without
 * touching this file.
 */
let p: TestPlatform;
let catalog: Catalog;
const email = 'tess.timestamps@example.com';
const password = 'a long operator passphrase';

/** A date followed by a time of day: a point in time, whatever its format. */
const looksLikeTimestamp = /^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}/;
const iso8601Utc = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,6})?Z$/;

beforeAll(async () => {
  ({ p, catalog } = await platformWithCatalog('timestamps'));
  // A completed order (orders, payments, ledger, scenarios, tasks, event log), a client-panel notification
  // (the notification log), a billing run with actions, and a licence with an activation (licensing).
  const [panelTemplate] = await p.sql<Array<{ id: number }>>`select id from notification_templates where default_key = 'order_created.panel'`;
  expect((await p.api('POST', '/api/v1/notification-handlers', { event: 'order_created', templateId: panelTemplate!.id })).status).toBe(201);
  const clientId = await createClient(p, catalog, 'Timely Ltd');
  await p.api('POST', `/api/v1/clients/${clientId}/top-ups`, { amount: 5000 });
  const order = (await p.api('POST', '/api/v1/orders', { clientId, planPeriodId: catalog.monthlyPeriodId })).body;
  const done = await waitForOrderStatus(p, order.id, 'completed');
  await eventually(async () => (await p.sql`select 1 from notifications limit 1`)[0], { what: 'a panel notification' });
  await p.api('POST', `/api/v1/clients/${clientId}/promised-payments`, { amount: 500, expiresOn: '2099-01-10', comment: 'soon', override: true });

  const subscription = (await p.api('GET', `/api/v1/subscriptions/${done.subscriptionId}`)).body;
  const date = subscription.expirationDate as string;
  // Run on the day it is due, by the API's clock (a run ahead of the schedule would need confirming).
  const run = await p.withClock(() => new Date(`${date}T12:00:00Z`))('POST', '/api/v1/billing/runs', { date });
  expect(run.status, JSON.stringify(run.body)).toBe(202);
  await waitForScenarioStatus(p, run.body.scenarioId, 'completed');

  await licence(clientId);
  const staff = await p.api('POST', '/api/v1/staff', { name: 'Tess Timestamps', email, role: 'admin', language: 'en' });
  expect((await p.api('POST', `/api/v1/staff/${staff.body.id}/password`, { password })).status).toBe(200);
}, 120_000);
afterAll(async () => p?.close());

/** A licensing product with a key, an entitlement granted by an administrator, and one activation. */
async function licence(clientId: number) {
  expect((await p.api('POST', '/api/v1/licensing/vendors', { name: 'Clockwork Software', prefix: 'CLCK' })).status).toBe(201);
  const product = await p.api('POST', '/api/v1/licensing/products', { vendorPrefix: 'CLCK', code: 'clock-app', name: 'Clock app', maxActivations: 3, activationPolicy: 'Medium' });
  expect(product.status, JSON.stringify(product.body)).toBe(201);
  const rule = (await p.api('POST', '/api/v1/service-rules', { key: 'licences', name: 'Licences' })).body;
  const provisioning = (await p.api('POST', '/api/v1/provisioning-rules', { key: 'licences', name: 'Licences' })).body;
  const template = (await p.api('POST', '/api/v1/service-templates', { name: 'Clockwork', plugin: 'licensing', settings: { vendorPrefix: 'CLCK', productCode: 'clock-app' } })).body;
  const plan = await p.api('POST', '/api/v1/plans', {
    productId: catalog.productId,
    serviceTemplateId: template.id,
    provisioningRuleId: provisioning.id,
    name: 'Clock licence',
    currency: 'EUR',
    periods: [{ duration: 1, unit: 'month', setupFee: 0, recurringFee: 1000 }],
  });
  expect(plan.status, JSON.stringify(plan.body)).toBe(201);
  const buyer = await createClient(p, { ...catalog, serviceRuleId: rule.id }, 'Licensed Timely Ltd');
  await p.api('POST', `/api/v1/clients/${buyer}/top-ups`, { amount: 1000 });
  const order = (await p.api('POST', '/api/v1/orders', { clientId: buyer, planPeriodId: plan.body.periods[0].id })).body;
  await waitForOrderStatus(p, order.id, 'completed');
  const [key] = (await p.api('GET', `/api/v1/licensing/keys?clientId=${buyer}`)).body.items;
  const machine = { signatures: { hdd: 'HDD-1', cpu: 'CPU-1', bios: 'BIOS-1', ethernet: '00:11:22:33:44:01' }, hostname: 'pc-1' };
  const activated = await p.api('POST', '/licensing/v1/activations', { key: key.displayCode, productCode: 'clock-app', machine }, { token: null, headers: { 'x-forwarded-for': '198.51.100.7' } });
  expect(activated.status, JSON.stringify(activated.body)).toBe(201);
  expect(clientId).toBeGreaterThan(0);
}

/** Every string in a JSON value that looks like a point in time, with where it was found. */
function timestampsIn(value: unknown, where: string): Array<{ where: string; value: string }> {
  if (typeof value === 'string') return looksLikeTimestamp.test(value) ? [{ where, value }] : [];
  if (Array.isArray(value)) return value.flatMap((v, i) => timestampsIn(v, `${where}[${i}]`));
  if (value && typeof value === 'object') return Object.entries(value).flatMap(([k, v]) => timestampsIn(v, `${where}.${k}`));
  return [];
}

/** An id for a path parameter, taken from the first item of the route's parent list (`/orders/{id}` → `GET /orders`). */
async function idFromList(listPath: string, param: string): Promise<string | null> {
  const answer = await p.api('GET', listPath);
  if (answer.status !== 200) return null;
  const items: Array<Record<string, unknown>> = Array.isArray(answer.body?.items) ? answer.body.items : Array.isArray(answer.body) ? answer.body : [];
  const first = items[0];
  if (!first) return null;
  const value = first[param === 'id' ? 'id' : param] ?? first.id ?? first.date ?? first.code;
  return value === undefined || value === null ? null : String(value);
}

/** `/api/v1/orders/{id}/events` → `/api/v1/orders/12/events`, or null when no record is at hand. */
async function filled(path: string): Promise<string | null> {
  let out = '';
  for (const segment of path.split('/').slice(1)) {
    const param = /^\{(\w+)\}$/.exec(segment)?.[1];
    if (!param) {
      out += `/${segment}`;
      continue;
    }
    const id = await idFromList(out, param);
    if (id === null) return null;
    out += `/${encodeURIComponent(id)}`;
  }
  return out;
}

describe('timestamps (issue 16 point 10)', () => {
  it('every GET route of the API answers points in time as ISO 8601 with Z', async () => {
    const doc = (await p.api('GET', '/api/openapi.json', undefined, { token: null })).body;
    const walked: string[] = [];
    const unreachable: string[] = [];
    const wrong: string[] = [];
    let seen = 0;
    for (const [path, item] of Object.entries<Record<string, unknown>>(doc.paths)) {
      if (!item.get) continue;
      const url = await filled(path);
      if (url === null) {
        unreachable.push(path);
        continue;
      }
      const answer = await p.api('GET', url);
      if (answer.status !== 200) {
        unreachable.push(`${path} → ${answer.status}`);
        continue;
      }
      walked.push(path);
      for (const found of timestampsIn(answer.body, url)) {
        seen += 1;
        if (!iso8601Utc.test(found.value)) wrong.push(`${found.where} = ${found.value}`);
      }
    }
    if (process.env.TEST_DEBUG) console.log({ walked: walked.length, seen, unreachable });
    expect(wrong).toEqual([]);
    // The routes the issue named are among those walked, and enough points in time were seen to mean something.
    expect(walked).toEqual(expect.arrayContaining(['/api/v1/notifications', '/api/v1/licensing/entitlements', '/api/v1/billing/runs/{date}/actions', '/api/v1/orders/{id}']));
    expect(walked.length).toBeGreaterThan(40);
    expect(seen).toBeGreaterThan(100);
  });

  it('every list exports its points in time as ISO 8601 with Z in CSV', async () => {
    const cookie = await signInInProcess(p.app, { email, password });
    const wrong: string[] = [];
    let seen = 0;
    for (const def of listDefinitions) {
      const res = await p.app.request(`${def.path}?format=csv`, { headers: { cookie } });
      expect(res.status, def.name).toBe(200);
      const cells = (await res.text()).split(/\r\n/).flatMap((line) => line.split(','));
      for (const cell of cells.map((c) => c.replace(/^"|"$/g, ''))) {
        if (!looksLikeTimestamp.test(cell)) continue;
        seen += 1;
        if (!iso8601Utc.test(cell)) wrong.push(`${def.name}: ${cell}`);
      }
    }
    expect(wrong).toEqual([]);
    expect(seen).toBeGreaterThan(listDefinitions.length);
  });
});
