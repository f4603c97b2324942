/**
 * The API's contract at its edges, for every route the OpenAPI document lists (a new route is covered
 * without touching this file, except for one valid sample body per POST route):
 *  - no valid token → 401 `unauthenticated` on every /api/v1 route;
 *  - a bad body or path id → 4xx `{ code, message }`, never 5xx, and not one row written anywhere;
 *  - Idempotency-Key replays the first answer and refuses a different body;
 *  - a role outside the permission matrix → 403 `forbidden`.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { forgetCheckedStaffTokens, generateToken, hashToken } from '../../api/auth';
import {
  createClient,
  createTestPlatform,
  seedCatalog,
  waitForScenarioStatus,
  type ApiAnswer,
  type Catalog,
  type TestPlatform,
} from '../support/platform';

type Schema = Record<string, any>;
interface Operation {
  method: string;
  path: string;
  /** The resolved JSON request body schema, if the route takes one. */
  body?: Schema;
  pathParams: Schema[];
}

let p: TestPlatform;
let catalog: Catalog;
let doc: Schema;
let routes: Operation[];
let clientId: number;
let orderId: number;
let paymentId: number;

const SQL_INJECTION = "'; drop table orders; --";
const hostileStrings: Array<[string, string]> = [
  ['SQL injection', SQL_INJECTION],
  ['100k characters', 'x'.repeat(100_000)],
  ['unicode and emoji', 'Zoë 🚀 𝕳𝖊𝖑𝖑𝖔 中文 עברית \u202e\u200b'],
  ['template injection', '{{constructor}}'],
  ['prototype name', '__proto__'],
  ['NUL byte', 'before\u0000after'],
  ['lone surrogate', 'broken \ud800 pair'],
];
const hostileNumbers = [-1, 0, 1.5, 1e308, -1e308, Number.MAX_SAFE_INTEGER, Number.MAX_SAFE_INTEGER * 10];

beforeAll(async () => {
  // The public licensing API's rate limit would answer most of its fuzzing with 429 (licensing.test.ts tests the limit).
  p = await createTestPlatform('api-contract', { licensingRateLimit: 1_000_000 });
  catalog = await seedCatalog(p);
  clientId = await createClient(p, catalog);
  const order = await p.api('POST', '/api/v1/orders', { clientId, planPeriodId: catalog.monthlyPeriodId });
  if (order.status !== 201) throw new Error(`order: ${order.status} ${JSON.stringify(order.body)}`);
  orderId = order.body.id;
  paymentId = order.body.payments[0].id;
  // The scenario writes its read model asynchronously; once it waits for payment the database is still.
  await waitForScenarioStatus(p, `order-${orderId}`, 'waiting');

  const answer = await p.api('GET', '/api/openapi.json', undefined, { token: null });
  expect(answer.status).toBe(200);
  doc = answer.body;
  routes = operationsOf(doc);
});
afterAll(async () => p?.close());

// ---------------------------------------------------------------------------------------------
// The OpenAPI document as the list of routes
// ---------------------------------------------------------------------------------------------

function resolve(schema: Schema | undefined): Schema {
  if (!schema) return {};
  if (typeof schema.$ref === 'string') {
    const name = schema.$ref.replace('#/components/schemas/', '');
    return resolve(doc.components.schemas[name]);
  }
  if (!schema.properties && Array.isArray(schema.allOf)) return resolve(schema.allOf[0]);
  return schema;
}

function operationsOf(document: Schema): Operation[] {
  const out: Operation[] = [];
  for (const [path, item] of Object.entries<Schema>(document.paths)) {
    for (const [method, op] of Object.entries<Schema>(item)) {
      if (!['get', 'post', 'put', 'patch', 'delete'].includes(method)) continue;
      const bodySchema = op.requestBody?.content?.['application/json']?.schema;
      out.push({
        method: method.toUpperCase(),
        path,
        body: bodySchema ? resolve(bodySchema) : undefined,
        pathParams: (op.parameters ?? []).filter((x: Schema) => x.in === 'path'),
      });
    }
  }
  return out;
}

const label = (op: Operation) => `${op.method} ${op.path}`;
const postRoutes = () => routes.filter((op) => op.method === 'POST' && op.path.startsWith('/api/v1/'));

/** `/api/v1/orders/{id}/cancel` → `/api/v1/orders/12/cancel`, with the id chosen per path segment. */
function fill(op: Operation, pick: (resource: string, param: Schema) => string | number): string {
  return op.path.replace(/\/([^/]+)\/\{(\w+)\}/g, (_m, resource: string, name: string) => {
    const param = op.pathParams.find((x) => x.name === name) ?? { schema: { type: 'integer' } };
    return `/${resource}/${encodeURIComponent(String(pick(resource, param)))}`;
  });
}

const placeholderId = (resource: string, param: Schema) =>
  resource === 'runs' ? '2099-12-30' : param.schema?.type === 'string' ? 'order-1' : 1;

/** Ids of records that exist, so a 4xx is the body's fault and not a 404. */
function existingId(resource: string, param: Schema): string | number {
  const ids: Record<string, string | number> = {
    'service-rules': catalog.serviceRuleId,
    'provisioning-rules': catalog.provisioningRuleId,
    products: catalog.productId,
    'service-templates': catalog.serviceTemplateId,
    plans: catalog.planId,
    clients: clientId,
    orders: orderId,
    payments: paymentId,
    scenarios: `order-${orderId}`,
    'document-templates': 'act.en',
  };
  return ids[resource] ?? placeholderId(resource, param);
}

function missingId(resource: string, param: Schema): string | number {
  if (resource === 'runs') return '2099-12-31';
  return param.schema?.type === 'string' ? 'order-999999' : 999_999;
}

/**
 * One valid body per POST route (checked below: each is refused only for the one thing a test breaks).
 * A new POST route needs an entry here; the test "every POST route has a sample" says so.
 */
function validSample(op: Operation): Record<string, unknown> | undefined {
  const samples: Record<string, Record<string, unknown>> = {
    'POST /api/v1/service-rules': { key: 'contract_rule', name: 'Contract rule', unpaidOrderCancelDays: 7 },
    'POST /api/v1/provisioning-rules': { key: 'contract_prov', name: 'Contract provisioning', financialDay: 3 },
    'POST /api/v1/provisioning-rules/{id}/client-types': { clientTypes: ['individual'] },
    'POST /api/v1/provisioning-rules/{id}': { key: 'contract_prov_edited', name: 'Contract provisioning edited', financialDay: 3 },
    'POST /api/v1/products': { name: 'Contract product', description: 'A product' },
    'POST /api/v1/service-templates': { name: 'Contract template', plugin: 'http-vendor', settings: { baseUrl: 'http://127.0.0.1:9', secret: 'contract-secret', timeoutMs: 5000 } },
    'POST /api/v1/plans': {
      productId: catalog.productId,
      serviceTemplateId: catalog.serviceTemplateId,
      provisioningRuleId: catalog.provisioningRuleId,
      name: 'Contract plan',
      currency: 'EUR',
      periods: [{ duration: 1, unit: 'month', setupFee: 100, recurringFee: 200 }],
    },
    'POST /api/v1/plans/{id}/periods': { duration: 3, unit: 'month', recurringFee: 500 },
    'POST /api/v1/clients': {
      name: 'Contract client',
      serviceRuleId: catalog.serviceRuleId,
      contacts: [{ name: 'Carl Contact', email: 'carl@example.com', role: 'technical' }],
    },
    'POST /api/v1/clients/{id}/contacts': { name: 'Carl Contact', email: 'carl@example.com', phone: '+44 20 7946 0000' },
    'POST /api/v1/clients/{id}/top-ups': { amount: 2500, method: 'cash', comment: 'at the desk' },
    'POST /api/v1/orders': { clientId, planPeriodId: catalog.monthlyPeriodId, subscriptionName: 'Contract backup' },
    'POST /api/v1/discounts': { name: 'Contract discount', percent: '10', validFrom: '2027-01-01', validTo: '2027-12-31' },
    'POST /api/v1/discounts/{id}/deactivate': { reason: 'campaign over' },
    'POST /api/v1/orders/{id}/cancel': { reason: 'the client changed their mind' },
    'POST /api/v1/payments/{id}/confirm': { method: 'bank_transfer', comment: 'statement 12' },
    'POST /api/v1/payments/{id}/cancel': { reason: 'duplicate' },
    'POST /api/v1/scenarios/{id}/decisions': { step: '3', decision: 'retry', reason: 'vendor is back' },
    'POST /api/v1/tasks/{id}/run': { reason: 'vendor fixed the region', input: { region: 'eu-west' } },
    'POST /api/v1/tasks/{id}/cancel': { reason: 'provisioned by hand' },
    'POST /api/v1/manual-operations/{id}/approve': { comment: 'installed by hand', output: { vendorReference: 'ACME-1' } },
    'POST /api/v1/manual-operations/{id}/reject': { comment: 'not allowed for this client' },
    'POST /api/v1/staff': { name: 'Sam Support', email: 'sam.contract@example.com', role: 'sales_manager' },
    'POST /api/v1/resellers': { name: 'Contract reseller', currency: 'EUR' },
    'POST /api/v1/plans/{id}/delegations': { resellerId: 999_999, markup: '1.50' },
    'POST /api/v1/reseller-discounts': { name: 'Contract discount', percent: '10.00' },
    'POST /api/v1/exchange-rates/own': { baseCurrency: 'RUB', quotedCurrency: 'USD', rate: '90', nominal: 1, validFrom: '2027-01-01' },
    'POST /api/v1/staff/{id}/password': { password: 'correct horse battery staple' },
    'POST /api/v1/notification-templates': {
      name: 'Order note',
      channel: 'email',
      event: 'order_created',
      recipients: { to: '{{owner.email}}' },
      versions: { en: { subject: 'Order {{order.number}}', text: 'Thank you, {{account.name}}.' } },
      fallbackLanguage: 'en',
    },
    'POST /api/v1/notification-templates/{id}': {
      name: 'Order note',
      channel: 'email',
      event: 'order_created',
      recipients: { to: '{{owner.email}}' },
      versions: { en: { subject: 'Order {{order.number}}', text: 'Thank you.' } },
      fallbackLanguage: 'en',
    },
    'POST /api/v1/notification-templates/{id}/preview': { language: 'en' },
    'POST /api/v1/notification-handlers': { event: 'order_created', templateId: 1, rule: 'order.total > 0', sendHour: null, active: true },
    'POST /api/v1/resellers/{id}/settings': { language: 'ru', timeZone: 'Europe/Moscow', sender: { name: 'Billing', email: 'billing@example.com' } },
    'POST /api/v1/resellers/{id}/document-templates/{key}': { body: '# Act {{document.number}}' },
    'POST /api/v1/notification-handlers/{id}': { active: false },
    'POST /api/v1/notification-templates/{id}/restore': {},
    'POST /api/v1/client-types': { key: 'contract_type', name: 'Contract type', defaultPaymentMethod: 'bank_transfer' },
    'POST /api/v1/notification-categories': { name: 'Contract category', description: 'Renewal notices', published: true, enabledOnClientCreation: false },
    'POST /api/v1/notification-categories/{id}': { name: 'Contract category edited', description: 'Renewal notices', published: true, enabledOnClientCreation: false },
    'POST /api/v1/notification-categories/{id}/restore': {},
    'POST /api/v1/notification-handlers/{id}/restore': {},
    'POST /api/v1/notifications/{id}/resend': {},
    'POST /api/v1/settings/sms-gateway': { url: 'http://127.0.0.1:9/send', method: 'POST', contentType: 'application/json' },
    'POST /api/v1/licensing/vendors': { name: 'Contract Software', prefix: 'CNTR' },
    'POST /api/v1/licensing/keys/{code}/entitlements': { productCode: 'contract-app', kind: 'paid', periodDays: 365, seats: 1 },
    'POST /api/v1/licensing/entitlements/{id}/suspend': { reason: 'abuse report' },
    'POST /api/v1/licensing/entitlements/{id}': { name: 'Web server 1', boundIp: '203.0.113.7', autoRenewMonths: 12 },
    'POST /api/v1/licensing/entitlements/{id}/delete': { reason: 'refunded' },
    'POST /api/v1/licensing/entitlements/{id}/support-extensions': { months: 12 },
    'POST /api/v1/licensing/keys/{code}/delete': { reason: 'customer left' },
    'POST /api/v1/licensing/entitlements/{id}/resume': { reason: 'cleared' },
    'POST /api/v1/licensing/entitlements/{id}/reset-registrations': { regenerateKey: false },
    'POST /api/v1/licensing/products': { vendorPrefix: 'CNTR', code: 'contract-app', name: 'Contract app', maxActivations: 3, activationPolicy: 'Medium' },
    'POST /api/v1/licensing/partners': { name: 'Contract Partner', kind: 'reseller' },
    'POST /api/v1/licensing/entitlements/{id}/transfers': { toPartnerPublicId: 'LP00000000000000000000', secret: 's3cret-42' },
    'POST /api/v1/licensing/transfers/{id}/approve': { secret: 's3cret-42' },
    'POST /api/v1/licensing/transfers/{id}/reject': { reason: 'not our customer' },
    'POST /api/v1/licensing/transfers/{id}/cancel': { reason: 'sent by mistake' },
    'POST /api/v1/licensing/entitlements/{id}/update-quote': { targetMajor: 2, entitledMajor: 1, anchor: '2024-01-10', majorReleases: [{ major: 2, releasedAt: '2024-05-01' }], retailPrice: 120_000 },
    'POST /api/v1/licensing/vendors/{id}/signing-keys/rotate': { reason: 'yearly rotation' },
    'POST /api/v1/licensing/products/{id}/major-releases': { major: 2, releasedAt: '2024-05-01' },
    'POST /api/v1/licensing/entitlements/{id}/major-updates': { targetMajor: 2 },
    'POST /api/v1/licensing/major-updates/{id}/pay': { method: 'external', reference: 'INV-42' },
    'POST /api/v1/licensing/entitlements/{id}/renewals': { periodMonths: 12, paymentMethod: 'invoice', price: 12_000 },
    'POST /api/v1/licensing/coupons': { vendorPrefix: 'CNTR', type: 'add_product', count: 2, items: [{ productCode: 'contract-app', periodDays: 365, seats: 1 }], comment: 'spring campaign' },
    'POST /api/v1/licensing/coupons/{id}/void': {},
    'POST /api/v1/licensing/coupon-activations': { key: 'CNTR-AHZH9-6E6DC-J84V6-98CYV', coupon: 'CNTRUPD-A01VN-E5QXS-DVYFR' },
    'POST /api/v1/licensing/coupon-activations/{id}/reverse': { reason: 'applied to the wrong key' },
    'POST /api/v1/licensing/products/{id}/upgrade-templates': { name: 'Plus 30 days', maxDayPeriod: 30, maxExec: 50, addToExisting: true },
    'POST /api/v1/licensing/entitlements/{id}/upgrades': { templateId: 1, slot: 1 },
    'POST /api/v1/licensing/entitlements/{id}/seats': { seats: 2, force: false },
    'POST /api/v1/licensing/entitlements/{id}/configuration': { features: { users: 5 } },
    'POST /api/v1/licensing/keys/{code}/registration': { companyName: 'Contract Co', contactName: 'Olga Owner', email: 'olga@example.com' },
    'POST /api/v1/licensing/keys/{code}/client': { clientId: 1 },
    'POST /api/v1/licensing/keys/{code}/composition-coupons': { items: [{ productCode: 'contract-app', periodDays: 365, seats: 1 }] },
    'POST /api/v1/licensing/keys/{code}/license-servers/{serverId}/revoke': { reason: 'decommissioned' },
    'POST /api/v1/client-users': { name: 'Petra Panel', email: 'petra.contract@example.com', language: 'en' },
    'POST /api/v1/client-users/{id}/tokens': { name: 'client panel' },
    'POST /api/v1/clients/{id}/users': { clientUserId: 1, accessLevel: 'admin' },
    'POST /api/v1/clients/{id}/users/{clientUserId}/unlink': { reason: 'left the company' },
    'POST /api/v1/client-users/{id}/tokens/{tokenId}/revoke': { reason: 'phone lost' },
    'POST /api/v1/staff/{id}/tokens': { name: 'integration' },
    'POST /api/v1/staff/{id}/tokens/{tokenId}/revoke': { reason: 'laptop lost' },
    'POST /api/v1/settings/postpay-mode': { mode: 'automatic' },
    'POST /api/v1/settings/merge-payments': { enabled: false },
    'POST /api/v1/settings/payment-rounding': { value: 0 },
    'POST /api/v1/settings/usage-closed-period': { policy: 'refuse' },
    'POST /api/v1/usage-records': { source: 'contract', records: [{ recordId: 'contract-1', subscriptionId: 999_999, resource: 'cpu', quantity: 1, usedAt: '2026-01-01' }] },
    'POST /api/v1/plans/{id}/usage-prices': { markup: '1.5' },
    'POST /api/v1/subscriptions/{id}/usage-pull': { maxPages: 2 },
    'POST /api/v1/subscriptions/{id}/usage-markup': { markup: '1.25' },
    'POST /api/v1/exchange-rates': { baseCurrency: 'RUB', quotedCurrency: 'USD', rate: '92.5', nominal: 1, validFrom: '2027-01-01' },
    'POST /api/v1/clients/{id}/postpay-permission': { permission: 'approved', reason: 'contract signed' },
    'POST /api/v1/subscriptions/{id}/stop': { reason: 'client request', comment: 'by phone' },
    'POST /api/v1/subscriptions/{id}/delete': { reason: 'contract ended' },
    'POST /api/v1/subscriptions/{id}/activate': { reason: 'paid', comment: 'bank transfer' },
    'POST /api/v1/clients/{id}/administrative-block': { reason: 'fraud investigation' },
    'POST /api/v1/clients/{id}/activate': { reason: 'investigation closed' },
    'POST /api/v1/clients/{id}/payments': { amount: 700, comment: 'wire announced' },
    'POST /api/v1/clients/{id}/payments/merge': { paymentIds: [1, 2] },
    'POST /api/v1/clients/{id}/promised-payments': { amount: 500, expiresOn: '2099-01-10', comment: 'until the transfer arrives', override: true },
    'POST /api/v1/promised-payments/{id}/revoke': { reason: 'client paid' },
    'POST /api/v1/clients/{id}/adjustments': { direction: 'credit', amount: 500, comment: 'goodwill', periodFrom: '2027-01-01', periodTo: '2027-01-31' },
    'POST /api/v1/adjustments/{id}/approve': { comment: 'checked' },
    'POST /api/v1/adjustments/{id}/decline': { comment: 'not owed' },
    'POST /api/v1/subscriptions/{id}/credit-limit': { creditLimit: 50_000 },
    'POST /api/v1/subscriptions/{id}/renew': { planPeriodId: catalog.monthlyPeriodId },
    'POST /api/v1/subscriptions/{id}/prolong': {},
    'POST /api/v1/subscriptions/{id}/change-resources': { resources: { storage: 20 } },
    'POST /api/v1/subscriptions/{id}/switch-plan': { planPeriodId: catalog.yearlyPeriodId },
    'POST /api/v1/subscriptions/{id}/expiration-date': { expirationDate: '2027-03-31', comment: 'corrected after the vendor audit' },
    'POST /api/v1/subscriptions/{id}/close-charges': { comment: 'CSP annual closed at the vendor', dryRun: true },
    'POST /api/v1/billing/runs': { date: '2027-01-31', confirmDate: '2027-01-31' },
    'POST /api/v1/tasks/run': { filter: { plugin: 'http-vendor', errorClass: 'transient' }, reason: 'vendor is back', limit: 50 },
  };
  return samples[label(op)];
}

// ---------------------------------------------------------------------------------------------
// Row counts of every table
// ---------------------------------------------------------------------------------------------

async function rowCounts(): Promise<Record<string, number>> {
  const tables = await p.sql<Array<{ table_name: string }>>`
    select table_name from information_schema.tables
    where table_schema = 'public' and table_type = 'BASE TABLE' order by table_name`;
  expect(tables.length).toBeGreaterThan(0);
  const union = tables.map((t) => `select '${t.table_name}' as t, count(*)::int8 as n from public."${t.table_name}"`).join(' union all ');
  const rows = await p.sql.unsafe<Array<{ t: string; n: string }>>(union);
  return Object.fromEntries(rows.map((r) => [r.t, Number(r.n)]));
}

// ---------------------------------------------------------------------------------------------
// Bad bodies, derived from each route's request schema
// ---------------------------------------------------------------------------------------------

interface BadRequest {
  what: string;
  /** A string is sent as it is (it may not be JSON); anything else is JSON-encoded. */
  body: unknown;
  /** Each zod issue must sit under this property (proves the rest of the sample is valid). */
  onlyAt?: string;
  /** The only issue is an unknown key (proves the sample is otherwise valid). */
  unknownKeyOnly?: boolean;
}

function wrongTypeFor(schema: Schema): unknown {
  const s = resolve(schema);
  switch (s.type) {
    case 'string':
      return 12345;
    case 'integer':
    case 'number':
      return '12345';
    case 'boolean':
      return 'true';
    case 'array':
      return { not: 'an array' };
    case 'object':
      return 'not an object';
    default:
      return undefined;
  }
}

function schemaAt(schema: Schema, path: Array<string | number>): Schema {
  let s = resolve(schema);
  for (const segment of path) s = resolve(typeof segment === 'number' ? s.items : s.properties?.[segment]);
  return s;
}

function leaves(value: unknown, path: Array<string | number> = []): Array<{ path: Array<string | number>; value: unknown }> {
  if (Array.isArray(value)) return value.flatMap((v, i) => leaves(v, [...path, i]));
  if (value && typeof value === 'object') return Object.entries(value).flatMap(([k, v]) => leaves(v, [...path, k]));
  return [{ path, value }];
}

function setAt<T>(value: T, path: Array<string | number>, leaf: unknown): T {
  const copy = structuredClone(value) as any;
  let cursor = copy;
  for (const segment of path.slice(0, -1)) cursor = cursor[segment];
  cursor[path[path.length - 1]!] = leaf;
  return copy;
}

/** Would this number pass the property's own bounds? Then it is not a bad value for that property. */
function numberAllowed(schema: Schema, n: number): boolean {
  if (schema.type !== 'integer' && schema.type !== 'number') return false;
  if (schema.type === 'integer' && !Number.isSafeInteger(n)) return false;
  if (schema.minimum !== undefined && n < schema.minimum) return false;
  if (schema.exclusiveMinimum !== undefined && n <= schema.exclusiveMinimum) return false;
  if (schema.maximum !== undefined && n > schema.maximum) return false;
  if (schema.exclusiveMaximum !== undefined && n >= schema.exclusiveMaximum) return false;
  return true;
}

function badBodies(op: Operation): BadRequest[] {
  const schema = op.body ?? {};
  const properties = Object.entries<Schema>(schema.properties ?? {});
  const required: string[] = schema.required ?? [];
  const sample = validSample(op);
  const bad: BadRequest[] = [
    { what: 'not JSON', body: '{' },
    { what: 'truncated JSON', body: '{"name": "x"' },
    { what: 'empty body', body: '' },
    { what: 'JSON null', body: 'null' },
    { what: 'an array', body: '[]' },
    { what: 'an array of the sample', body: [sample ?? {}] },
    { what: 'a string', body: '"text"' },
    { what: 'a number', body: '42' },
    { what: 'every property of a wrong type', body: Object.fromEntries(properties.map(([k, s]) => [k, wrongTypeFor(s)])) },
    { what: 'only unknown properties', body: { unexpected: true, [SQL_INJECTION]: 1 } },
    { what: 'a __proto__ key', body: `{"__proto__": {"admin": true}${sample ? `, ${JSON.stringify(sample).slice(1, -1)}` : ''}}` },
  ];
  if (required.length > 0) bad.push({ what: 'an empty object', body: {} });
  for (const [name, value] of hostileStrings) {
    bad.push({
      what: `every property and an unknown key set to ${name}`,
      body: { ...Object.fromEntries(properties.map(([k]) => [k, value])), [value]: value },
    });
  }
  for (const n of hostileNumbers) {
    const body = Object.fromEntries(properties.map(([k]) => [k, n]));
    if (!properties.every(([, s]) => numberAllowed(resolve(s), n))) bad.push({ what: `every property set to ${n}`, body });
  }
  if (!sample) return bad;

  bad.push({ what: 'the sample with an unknown property', body: { ...sample, unexpected: 'x' }, unknownKeyOnly: true });
  bad.push({ what: 'the sample with a constructor key', body: { ...sample, constructor: { prototype: { admin: true } } }, unknownKeyOnly: true });
  for (const [name, value] of hostileStrings) {
    const strings = Object.fromEntries(properties.filter(([, s]) => resolve(s).type === 'string').map(([k]) => [k, value]));
    bad.push({ what: `the sample with strings set to ${name} and an unknown key`, body: { ...sample, ...strings, [`x${value}`]: 1 } });
  }
  for (const [property, s] of properties) {
    const wrong = wrongTypeFor(s);
    if (wrong !== undefined) bad.push({ what: `the sample with ${property} of a wrong type`, body: { ...sample, [property]: wrong }, onlyAt: property });
    if (required.includes(property)) {
      const { [property]: _dropped, ...rest } = sample;
      bad.push({ what: `the sample without required ${property}`, body: rest, onlyAt: property });
    }
  }
  const numericLeaves = leaves(sample).filter((l) => ['integer', 'number'].includes(schemaAt(schema, l.path).type));
  for (const leaf of numericLeaves) {
    const where = leaf.path.join('.');
    for (const n of hostileNumbers) {
      if (numberAllowed(schemaAt(schema, leaf.path), n)) continue;
      bad.push({ what: `the sample with ${where} = ${n}`, body: setAt(sample, leaf.path, n), onlyAt: String(leaf.path[0]) });
    }
  }
  return bad;
}

async function send(method: string, path: string, body: unknown, headers: Record<string, string> = {}): Promise<ApiAnswer> {
  return p.api(method, path, typeof body === 'string' ? body : JSON.stringify(body), { headers });
}

/** A human-readable problem with the answer, or null when it is a proper 4xx error. */
function problemWith(answer: ApiAnswer): string | null {
  if (answer.status < 400 || answer.status > 499) return `status ${answer.status}`;
  if (typeof answer.body?.code !== 'string' || answer.body.code === '') return 'no string code';
  if (typeof answer.body?.message !== 'string' || answer.body.message === '') return 'no string message';
  return null;
}

const shorten = (s: string) => (s.length > 300 ? `${s.slice(0, 300)}…` : s);

// ---------------------------------------------------------------------------------------------

describe('date filters', () => {
  it('every date query parameter refuses a date that does not exist with 400, never a database error', async () => {
    const checked: string[] = [];
    const wrong: string[] = [];
    for (const [path, item] of Object.entries<any>(doc.paths)) {
      const params: any[] = item.get?.parameters ?? [];
      for (const param of params.filter((x) => x.in === 'query' && /(From|To|before)$/.test(x.name))) {
        for (const bad of ['2027-02-30', '2027-13-01', '0000-00-00']) {
          const answer = await p.api('GET', `${path}?${param.name}=${bad}`);
          checked.push(`${path} ${param.name}`);
          if (answer.status !== 400 || answer.body.code !== 'validation_failed') wrong.push(`${path}?${param.name}=${bad} → ${answer.status}`);
        }
      }
    }
    expect(checked.length).toBeGreaterThanOrEqual(10);
    expect(wrong).toEqual([]);
  });
});

describe('the OpenAPI document lists the routes', () => {
  it('is non-empty and includes the known routes', () => {
    const names = routes.map(label);
    expect(routes.length).toBeGreaterThan(10);
    expect(names).toEqual(
      expect.arrayContaining([
        'POST /api/v1/orders',
        'GET /api/v1/orders/{id}',
        'POST /api/v1/clients',
        'POST /api/v1/payments/{id}/confirm',
        'POST /api/v1/scenarios/{id}/decisions',
        'GET /api/v1/products',
      ]),
    );
    expect(postRoutes().length).toBeGreaterThanOrEqual(10);
    for (const op of postRoutes()) expect(op.body, `${label(op)} has a JSON body schema`).toBeDefined();
  });

  it('every POST route has a valid sample body in this file', () => {
    expect(postRoutes().filter((op) => !validSample(op)).map(label)).toEqual([]);
  });
});

describe('authentication', () => {
  async function revokedToken(): Promise<string> {
    const token = generateToken();
    const [admin] = await p.sql<Array<{ id: number }>>`select id from staff where role = 'admin' order by id limit 1`;
    await p.sql`insert into api_tokens (staff_id, name, token_hash, prefix) values (${admin!.id}, 'second', ${hashToken(token)}, ${token.slice(0, 8)})`;
    // The token works until it is revoked, so the 401 below is the revocation's doing.
    expect((await p.api('GET', '/api/v1/products', undefined, { token })).status).toBe(200);
    await p.sql`update api_tokens set revoked_at = now() where token_hash = ${hashToken(token)}`;
    // Revoked in the database, not through the API: the API's one-second memory of checked tokens is let go at once
    // here instead of waiting it out (roles.test.ts waits it out).
    forgetCheckedStaffTokens();
    return token;
  }

  it('every /api/v1 route answers 401 unauthenticated with no token, a wrong token or a revoked token', async () => {
    const revoked = await revokedToken();
    const credentials: Array<[string, Record<string, string>]> = [
      ['no Authorization header', {}],
      ['an empty bearer', { authorization: 'Bearer ' }],
      ['a Basic header', { authorization: `Basic ${Buffer.from('admin:admin').toString('base64')}` }],
      ['a wrong token', { authorization: `Bearer ${generateToken()}` }],
      ['an SQL-injection token', { authorization: `Bearer '||'1'='1` }],
      ['a revoked token', { authorization: `Bearer ${revoked}` }],
    ];
    const v1 = routes.filter((op) => op.path.startsWith('/api/v1/'));
    expect(v1.length).toBeGreaterThan(0);
    const before = await rowCounts();
    const failures: string[] = [];
    for (const op of v1) {
      const path = fill(op, placeholderId);
      for (const [what, headers] of credentials) {
        const body = op.method === 'GET' ? undefined : JSON.stringify(validSample(op) ?? {});
        const res = await p.app.request(path, {
          method: op.method,
          headers: body === undefined ? headers : { ...headers, 'content-type': 'application/json', 'idempotency-key': `auth-${what}` },
          body,
        });
        const json = (await res.json().catch(() => null)) as { code?: unknown; message?: unknown } | null;
        if (res.status !== 401 || json?.code !== 'unauthenticated' || typeof json?.message !== 'string' || !json.message) {
          failures.push(`${op.method} ${path} with ${what}: ${res.status} ${JSON.stringify(json)}`);
        }
      }
    }
    expect(failures).toEqual([]);
    expect(await rowCounts()).toEqual(before);
  });

  it('a token of a staff member who is no longer active answers 401', async () => {
    const token = generateToken();
    const [staff] = await p.sql<Array<{ id: number }>>`
      insert into staff (name, email, role, status) values ('Gone', 'gone@example.com', 'admin', 'blocked') returning id`;
    await p.sql`insert into api_tokens (staff_id, name, token_hash, prefix) values (${staff!.id}, 'old', ${hashToken(token)}, ${token.slice(0, 8)})`;
    const answer = await p.api('GET', '/api/v1/orders', undefined, { token });
    expect(answer.status).toBe(401);
    expect(answer.body.code).toBe('unauthenticated');
  });
});

describe('bad requests are refused with 4xx and write nothing', () => {
  it('every POST route refuses every bad body with 4xx { code, message } and no row changes', async () => {
    const before = await rowCounts();
    const failures: string[] = [];
    let sent = 0;
    for (const op of postRoutes()) {
      const path = fill(op, existingId);
      for (const bad of badBodies(op)) {
        // Each bad body twice: plainly, and under a fresh Idempotency-Key (which must not be kept).
        for (const headers of [{}, { 'idempotency-key': `bad-${sent}` }] as Array<Record<string, string>>) {
          sent += 1;
          const answer = await send('POST', path, bad.body, headers);
          const problem = problemWith(answer);
          const issues: Array<{ path: string; code: string }> = Array.isArray(answer.body?.details) ? answer.body.details : [];
          const where = `${label(op)} with ${bad.what}${'idempotency-key' in headers ? ' (with Idempotency-Key)' : ''}`;
          if (problem) failures.push(`${where}: ${problem}: ${shorten(JSON.stringify(answer.body))}`);
          else if (bad.onlyAt !== undefined && (answer.status !== 400 || !issues.length || !issues.every((i) => i.path.split('.')[0] === bad.onlyAt))) {
            failures.push(`${where}: expected 400 only at ${bad.onlyAt}: ${answer.status} ${shorten(JSON.stringify(answer.body))}`);
          } else if (bad.unknownKeyOnly && (answer.status !== 400 || issues.length !== 1 || issues[0]!.code !== 'unrecognized_keys')) {
            failures.push(`${where}: expected 400 for the unknown key only: ${answer.status} ${shorten(JSON.stringify(answer.body))}`);
          }
        }
      }
    }
    expect(sent).toBeGreaterThan(postRoutes().length * 20);
    expect(failures).toEqual([]);
    expect(await rowCounts()).toEqual(before);
  }, 240_000);

  it('a valid body on a nonexistent id answers 404 not_found and writes nothing', async () => {
    const before = await rowCounts();
    const failures: string[] = [];
    const withId = routes.filter((op) => op.path.startsWith('/api/v1/') && op.pathParams.length > 0);
    expect(withId.map(label)).toEqual(expect.arrayContaining(['POST /api/v1/orders/{id}/cancel', 'GET /api/v1/clients/{id}']));
    for (const op of withId) {
      const path = fill(op, missingId);
      const answer = op.method === 'GET' ? await p.api('GET', path) : await send(op.method, path, validSample(op) ?? {});
      if (answer.status !== 404 || answer.body?.code !== 'not_found' || typeof answer.body?.message !== 'string') {
        failures.push(`${op.method} ${path}: ${answer.status} ${JSON.stringify(answer.body)}`);
      }
    }
    expect(failures).toEqual([]);
    expect(await rowCounts()).toEqual(before);
  });

  it('a malformed path id answers 4xx with a code, never 5xx, and writes nothing', async () => {
    const before = await rowCounts();
    const failures: string[] = [];
    const badIds = ['0', '-1', 'abc', '1.5', '99999999999', '1e400', SQL_INJECTION, 'x'.repeat(300), '%00', '🚀'];
    for (const op of routes.filter((r) => r.path.startsWith('/api/v1/') && r.pathParams.length > 0)) {
      for (const id of badIds) {
        const path = op.path.replace(/\{\w+\}/g, id === '%00' ? id : encodeURIComponent(id));
        const answer = op.method === 'GET' ? await p.api('GET', path) : await send(op.method, path, validSample(op) ?? {});
        const problem = problemWith(answer);
        if (problem) failures.push(`${op.method} ${shorten(path)}: ${problem}: ${JSON.stringify(answer.body)}`);
      }
    }
    expect(failures).toEqual([]);
    expect(await rowCounts()).toEqual(before);
  });

  it('property: arbitrary JSON on POST /orders and POST /clients never answers 5xx, and writes nothing unless 2xx', async () => {
    const targets = ['POST /api/v1/orders', 'POST /api/v1/clients'].map((name) => {
      const op = postRoutes().find((r) => label(r) === name);
      expect(op, name).toBeDefined();
      return op!;
    });
    const ids = [clientId, catalog.monthlyPeriodId, catalog.yearlyPeriodId, catalog.serviceRuleId, orderId];
    const anyJson = fc.jsonValue({ maxDepth: 2 });

    /** Mostly values of the property's own shape (so many bodies reach the handler), sometimes anything. */
    const shaped = (schema: Schema, depth = 0): fc.Arbitrary<unknown> => {
      const s = resolve(schema);
      let own: fc.Arbitrary<unknown>;
      if (Array.isArray(s.enum)) own = fc.constantFrom(...s.enum);
      else if (s.type === 'integer' || s.type === 'number') {
        own = fc.oneof(fc.constantFrom(...ids), fc.integer({ min: -3, max: 10 }), fc.constantFrom(...hostileNumbers));
      } else if (s.type === 'string') {
        own = fc.oneof(
          fc.string({ unit: 'binary', maxLength: 40 }),
          fc.constantFrom('EUR', 'usd', 'Acme', 'olga@example.com', '+44 20 7946 0000', ...hostileStrings.map(([, h]) => h)),
        );
      } else if (s.type === 'boolean') own = fc.boolean();
      else if (s.type === 'array') own = depth > 1 ? fc.constant([]) : fc.array(shaped(s.items, depth + 1), { maxLength: 3 });
      else if (s.type === 'object' && s.properties && depth <= 1) {
        const fields = Object.fromEntries(Object.entries<Schema>(s.properties).map(([k, v]) => [k, shaped(v, depth + 1)]));
        own = fc.oneof(fc.record(fields, { requiredKeys: s.required ?? [] }), fc.record(fields, { requiredKeys: [] }));
      } else own = anyJson;
      return fc.oneof({ weight: 5, arbitrary: own }, { weight: 1, arbitrary: anyJson });
    };
    const bodyFor = (op: Operation) =>
      fc.oneof(
        { weight: 6, arbitrary: shaped(op.body!) },
        { weight: 2, arbitrary: fc.tuple(shaped(op.body!), fc.dictionary(fc.string({ maxLength: 12 }), anyJson, { minKeys: 1, maxKeys: 3 })).map(([a, b]) => ({ ...(a as object), ...b })) },
        { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 3 }) },
      );
    const request = fc.constantFrom(...targets).chain((op) => bodyFor(op).map((body) => ({ op, body })));

    let baseline = await rowCounts();
    const seen = { accepted: 0, refusedByHandler: 0, refusedByValidation: 0 };
    await fc.assert(
      fc.asyncProperty(request, async ({ op, body }) => {
        const answer = await send('POST', op.path, body);
        expect(answer.status, JSON.stringify(answer.body)).toBeLessThan(500);
        if (answer.status >= 200 && answer.status < 300) {
          // A random body that is valid did its job; an order's scenario writes on until it waits for payment.
          seen.accepted += 1;
          if (op.path.endsWith('/orders')) await waitForScenarioStatus(p, `order-${answer.body.id}`, 'waiting');
          baseline = await rowCounts();
          return;
        }
        expect(problemWith(answer), JSON.stringify(answer.body)).toBeNull();
        if (answer.body.code === 'validation_failed' || answer.body.code === 'bad_request') seen.refusedByValidation += 1;
        else seen.refusedByHandler += 1;
        expect(await rowCounts()).toEqual(baseline);
      }),
      { numRuns: 300, endOnFailure: true },
    );
    // The generator is only useful if it gets past validation some of the time.
    expect(seen.refusedByValidation).toBeLessThan(300);
    expect(seen.accepted + seen.refusedByHandler).toBeGreaterThan(0);
  }, 180_000);
});

describe('fuzzing every write route (issue 9)', () => {
  /** The JSON types a schema allows (OpenAPI 3.1 writes a nullable one as a list of types). */
  const typesOf = (s: Schema): string[] => (Array.isArray(s.type) ? s.type : s.type ? [s.type] : []);

  /**
   * Values the property's schema refuses for certain: wrong types, out-of-bounds and fractional numbers,
   * over-long, empty or unparseable strings, values outside an enum, too many or wrong items, unknown keys in
   * a strict object. Properties whose schema is a union (anyOf / oneOf) get none: their refusals are not certain.
   */
  function refusedValues(schema: Schema): unknown[] {
    const s = resolve(schema);
    const types = typesOf(s);
    if (types.length === 0) return [];
    const out: unknown[] = [];
    if (!types.includes('null')) out.push(null);
    if (!types.includes('string')) out.push('12345', SQL_INJECTION, '{{constructor}}');
    if (!types.includes('number') && !types.includes('integer')) out.push(42, -1e308);
    if (!types.includes('boolean')) out.push(true);
    if (!types.includes('object')) out.push({ [SQL_INJECTION]: 1, __proto__: { admin: true } });
    if (!types.includes('array')) out.push(['x', 1]);
    if (types.includes('string')) {
      if (typeof s.maxLength === 'number') out.push('x'.repeat(s.maxLength + 1), '🚀'.repeat(s.maxLength + 1));
      if (typeof s.minLength === 'number' && s.minLength > 0) out.push('');
      if (Array.isArray(s.enum)) out.push(`${String(s.enum[0])}${SQL_INJECTION}`, 'ADMIN', '{{constructor}}');
      if (s.format === 'date') out.push('2027-02-30', '2027-13-01', "2027-01-01'; drop table orders; --");
      if (s.format === 'email') out.push('not an e-mail', `${SQL_INJECTION}@`);
      if (s.format === 'uri') out.push('javascript:alert(1)', 'not a url');
    }
    if (types.includes('integer') || types.includes('number')) {
      if (types.includes('integer')) out.push(1.5, Number.MAX_SAFE_INTEGER * 10);
      if (typeof s.minimum === 'number') out.push(s.minimum - 1, -1e308);
      if (typeof s.exclusiveMinimum === 'number') out.push(s.exclusiveMinimum);
      if (typeof s.maximum === 'number') out.push(s.maximum + 1, 1e308);
      if (typeof s.exclusiveMaximum === 'number') out.push(s.exclusiveMaximum);
    }
    if (types.includes('array')) {
      if (typeof s.maxItems === 'number') out.push(Array.from({ length: s.maxItems + 1 }, () => null));
      if (typeof s.minItems === 'number' && s.minItems > 0) out.push([]);
      const item = s.items ? refusedValues(s.items)[0] : undefined;
      if (item !== undefined) out.push([item]);
    }
    if (types.includes('object') && (s.additionalProperties === false || (s.required ?? []).length > 0)) out.push({ [`x${SQL_INJECTION}`]: '{{constructor}}' });
    return out.filter((v) => !(typeof v === 'number' && numberAllowed(s, v)));
  }

  const hostileText = fc.constantFrom(...hostileStrings.map(([, h]) => h), '{{#each this}}{{/each}}', '${process.exit()}', '<script>alert(1)</script>', "' or '1'='1");

  /** The route's valid sample with one property made certainly invalid, and (sometimes) hostile strings in the others. */
  function refusedBody(op: Operation): fc.Arbitrary<unknown> {
    const schema = op.body ?? {};
    const sample = validSample(op) ?? {};
    const required: string[] = schema.required ?? [];
    const spots = [
      ...leaves(sample).map((l) => l.path),
      ...Object.keys(schema.properties ?? {}).filter((k) => !(k in sample)).map((k) => [k]),
    ].filter((path) => refusedValues(schemaAt(schema, path)).length > 0);
    const variants: Array<fc.Arbitrary<unknown>> = [
      fc.constantFrom('{', '', 'null', '[]', '"text"', '42', '{"a":', '\u0000', '{"__proto__": {"admin": true}}').map((raw) => ({ raw })),
      fc.constantFrom([sample], `${JSON.stringify(sample)}garbage`).map((raw) => ({ raw })),
    ];
    if (spots.length > 0) {
      variants.push(
        fc.tuple(fc.constantFrom(...spots), fc.nat(), fc.boolean(), hostileText).map(([path, n, spoil, text]) => {
          const values = refusedValues(schemaAt(schema, path));
          let body = setAt(sample, path, values[n % values.length]);
          // Hostile strings in the other string leaves: the request stays refused for the one invalid property.
          if (spoil) for (const leaf of leaves(sample)) if (typeof leaf.value === 'string' && leaf.path.join('.') !== path.join('.')) body = setAt(body, leaf.path, text);
          return body;
        }),
      );
    }
    if (required.length > 0) variants.push(fc.constantFrom(...required).map((k) => Object.fromEntries(Object.entries(sample).filter(([key]) => key !== k))));
    if (schema.additionalProperties === false) variants.push(fc.tuple(hostileText, hostileText).map(([k, v]) => ({ ...sample, [`x${k}`]: v })));
    return fc.oneof(...variants);
  }

  /** Path ids that name nothing: malformed, hostile, out of range, or well-formed and missing. */
  const hostilePathIds = fc.constantFrom('-1', '0', '1.5', '1e3', '99999999999999999999', "1' or '1'='1", 'null', '%00', '..%2F..%2Fetc', '１２', ' 999998', '999999');

  it('sends 10,000+ generated invalid and hostile requests across every POST route: never 5xx, always { code, message }, and not one row written', async () => {
    const seed = Number(process.env.FUZZ_SEED ?? Date.now() % 2_147_483_647);
    const targets = postRoutes();
    const perRoute = Math.ceil(10_000 / targets.length);
    const failures: string[] = [];
    const codes = new Map<number, number>();
    let sent = 0;
    const baseline = await rowCounts();
    for (const op of targets) {
      const withPath = op.pathParams.length > 0;
      const request = fc.record({
        body: refusedBody(op),
        // Mostly real ids, so the body is what is judged; sometimes a hostile id with the valid sample.
        hostileId: withPath ? fc.option(hostilePathIds, { freq: 6 }) : fc.constant(null),
      });
      for (const [i, { body, hostileId }] of fc.sample(request, { numRuns: perRoute, seed: seed + targets.indexOf(op) }).entries()) {
        const path = hostileId === null ? fill(op, existingId) : fill(op, () => hostileId);
        const payload = hostileId === null ? body : (validSample(op) ?? {});
        const answer = await send('POST', path.replace(/%25/g, '%'), typeof payload === 'object' && payload !== null && 'raw' in payload ? (payload as { raw: unknown }).raw : payload);
        sent += 1;
        codes.set(answer.status, (codes.get(answer.status) ?? 0) + 1);
        const problem = problemWith(answer);
        if (problem) failures.push(`${label(op)} #${i} (seed ${seed}) ${path}: ${problem} for ${shorten(JSON.stringify(payload) ?? String(payload))} → ${shorten(JSON.stringify(answer.body))}`);
      }
      // Nothing partial: after each route's requests, every table holds exactly the rows it held before.
      const counts = await rowCounts();
      const changed = Object.keys(counts).filter((t) => counts[t] !== baseline[t]);
      if (changed.length > 0) failures.push(`${label(op)} (seed ${seed}) wrote rows in ${changed.map((t) => `${t}: ${baseline[t]} → ${counts[t]}`).join(', ')}`);
    }
    expect(sent).toBeGreaterThanOrEqual(10_000);
    expect(failures.slice(0, 20)).toEqual([]);
    // Every answer was a refusal: 400 (validation), 404 (nothing there), 409/422 (the record's state or a business rule).
    expect([...codes.keys()].every((status) => status >= 400 && status < 500)).toBe(true);
  }, 900_000);

  it('list and card routes answer hostile query strings and path ids with 2xx or a coded 4xx, never 5xx', async () => {
    const gets = routes.filter((op) => op.method === 'GET' && op.path.startsWith('/api/v1/'));
    const query = fc.dictionary(
      fc.constantFrom('limit', 'after', 'before', 'status', 'type', 'clientId', 'q', 'createdFrom', 'createdTo', 'subscriptionId', 'event', 'days', 'x'),
      fc.oneof(hostileText, fc.constantFrom('-1', '0', '1e308', '2027-02-30', '', '%', '_', 'true', '[]')),
      { maxKeys: 4 },
    );
    const failures: string[] = [];
    let sent = 0;
    const baseline = await rowCounts();
    for (const op of gets) {
      for (const [params, hostileId] of fc.sample(fc.tuple(query, fc.option(hostilePathIds, { freq: 3 })), { numRuns: 25, seed: 42 + gets.indexOf(op) })) {
        const path = hostileId === null || op.pathParams.length === 0 ? fill(op, existingId) : fill(op, () => hostileId);
        const answer = await p.api('GET', `${path.replace(/%25/g, '%')}?${new URLSearchParams(params).toString()}`);
        sent += 1;
        if (answer.status >= 500 || (answer.status >= 400 && problemWith(answer))) failures.push(`GET ${path} ${JSON.stringify(params)} → ${answer.status} ${shorten(JSON.stringify(answer.body))}`);
      }
    }
    expect(sent).toBeGreaterThan(1000);
    expect(failures.slice(0, 20)).toEqual([]);
    // The one write a GET may make: a document's first download renders and stores its PDF, which every later
    // download serves as stored (docs/documents.md); nothing else.
    const { document_files: renderedNow, ...after } = await rowCounts();
    const { document_files: renderedBefore, ...before } = baseline;
    expect(after).toEqual(before);
    expect(renderedNow! - renderedBefore!).toBeLessThanOrEqual(1);
  }, 600_000);
});

describe('hostile strings in otherwise valid bodies', () => {
  it('every creating POST route stores a hostile string as sent or refuses it with 4xx, never 5xx', async () => {
    const creating = postRoutes().filter((op) => op.pathParams.length === 0);
    expect(creating.map(label)).toEqual(expect.arrayContaining(['POST /api/v1/orders', 'POST /api/v1/clients']));
    const failures: string[] = [];
    let stored = 0;
    let n = 0;
    for (const op of creating) {
      const sample = validSample(op)!;
      // String properties get the hostile string; free-form objects (plugin settings) get it as a member.
      const targets = Object.entries<Schema>(op.body?.properties ?? {}).filter(([, s]) => ['string', 'object'].includes(resolve(s).type));
      for (const [property, s] of targets) {
        for (const [name, value] of hostileStrings) {
          n += 1;
          // Unique keys, so that a hostile value reaches the insert instead of losing to a duplicate key.
          const unique = 'key' in sample ? { key: `hostile_${n}` } : {};
          const sent = resolve(s).type === 'string' ? value : { note: value, [value]: 1 };
          const answer = await send('POST', op.path, { ...sample, ...unique, [property]: sent });
          const where = `${label(op)} with ${property} = ${name}`;
          if (answer.status >= 200 && answer.status < 300) {
            stored += 1;
            const echoed = answer.body?.[property];
            if (typeof echoed === 'string' && typeof sent === 'string' && Buffer.from(value).toString() === value /* no lone surrogate */ && echoed !== value.trim()) {
              failures.push(`${where}: stored ${shorten(JSON.stringify(echoed))}`);
            }
            if (op.path === '/api/v1/orders') await waitForScenarioStatus(p, `order-${answer.body.id}`, 'waiting');
          } else {
            const problem = problemWith(answer);
            if (problem) failures.push(`${where}: ${problem}: ${shorten(JSON.stringify(answer.body))}`);
          }
        }
      }
    }
    expect(failures).toEqual([]);
    expect(stored).toBeGreaterThan(0);
  });
});

describe('Idempotency-Key on POST /api/v1/orders', () => {
  it('replays the first answer for the same key and body, refuses the key with another body, and a new key makes a new order', async () => {
    const buyer = await createClient(p, catalog, 'Idempotent Ltd');
    const input = { clientId: buyer, planPeriodId: catalog.monthlyPeriodId, subscriptionName: 'Once only' };
    const ordersOfBuyer = async () => Number((await p.sql`select count(*)::int8 as n from orders where client_id = ${buyer}`)[0]!.n);

    const first = await p.api('POST', '/api/v1/orders', input, { headers: { 'idempotency-key': 'order-key-1' } });
    expect(first.status, JSON.stringify(first.body)).toBe(201);
    expect(first.headers.get('idempotent-replayed')).toBeNull();

    const second = await p.api('POST', '/api/v1/orders', input, { headers: { 'idempotency-key': 'order-key-1' } });
    expect(second.status, JSON.stringify(second.body)).toBe(201);
    expect(second.headers.get('idempotent-replayed')).toBe('true');
    expect(second.body.id).toBe(first.body.id);
    expect(second.body).toEqual(first.body);
    expect(await ordersOfBuyer()).toBe(1);

    const reused = await p.api('POST', '/api/v1/orders', { ...input, subscriptionName: 'Something else' }, { headers: { 'idempotency-key': 'order-key-1' } });
    expect(reused.status, JSON.stringify(reused.body)).toBe(422);
    expect(reused.body.code).toBe('idempotency_key_reused');
    expect(typeof reused.body.message).toBe('string');
    expect(await ordersOfBuyer()).toBe(1);

    const other = await p.api('POST', '/api/v1/orders', input, { headers: { 'idempotency-key': 'order-key-2' } });
    expect(other.status, JSON.stringify(other.body)).toBe(201);
    expect(other.headers.get('idempotent-replayed')).toBeNull();
    expect(other.body.id).not.toBe(first.body.id);
    expect(await ordersOfBuyer()).toBe(2);

    const keys = await p.sql`select key, status_code from idempotency_keys where key in ('order-key-1', 'order-key-2') order by key`;
    expect(keys.map((k) => [k.key, k.status_code])).toEqual([['order-key-1', 201], ['order-key-2', 201]]);

    await waitForScenarioStatus(p, `order-${first.body.id}`, 'waiting');
    await waitForScenarioStatus(p, `order-${other.body.id}`, 'waiting');
  });

  it('refuses a malformed key with 400 invalid_idempotency_key and writes nothing', async () => {
    const before = await rowCounts();
    for (const key of ['', ' ', 'é', 'k'.repeat(201), 'tab\tkey']) {
      const answer = await p.api('POST', '/api/v1/orders', validSample(postRoutes().find((r) => label(r) === 'POST /api/v1/orders')!), {
        headers: { 'idempotency-key': key },
      });
      expect(answer.status, `key ${JSON.stringify(key.slice(0, 20))}: ${JSON.stringify(answer.body)}`).toBe(400);
      expect(answer.body.code).toBe('invalid_idempotency_key');
    }
    expect(await rowCounts()).toEqual(before);
  });
});

describe('permissions', () => {
  it('a product manager gets 403 forbidden on POST /api/v1/orders and 200 on GET /api/v1/products', async () => {
    const token = generateToken();
    const [staff] = await p.sql<Array<{ id: number }>>`
      insert into staff (name, email, role) values ('Paula Product', 'paula@example.com', 'product_manager') returning id`;
    await p.sql`insert into api_tokens (staff_id, name, token_hash, prefix) values (${staff!.id}, 'pm', ${hashToken(token)}, ${token.slice(0, 8)})`;
    const before = await rowCounts();

    const order = await p.api('POST', '/api/v1/orders', { clientId, planPeriodId: catalog.monthlyPeriodId }, { token, headers: { 'idempotency-key': 'pm-1' } });
    expect(order.status, JSON.stringify(order.body)).toBe(403);
    expect(order.body.code).toBe('forbidden');
    expect(typeof order.body.message).toBe('string');

    const products = await p.api('GET', '/api/v1/products', undefined, { token });
    expect(products.status, JSON.stringify(products.body)).toBe(200);
    expect(products.body.items.map((i: { id: number }) => i.id)).toContain(catalog.productId);

    expect(await rowCounts()).toEqual(before);
  });
});

describe('fuzzing the public licensing API (issue 17)', () => {
  /** The public API's own error shape: `{ error: { code, message } }`. */
  const licensingProblem = (answer: ApiAnswer): string | null => {
    if (answer.status >= 500) return `status ${answer.status}`;
    if (answer.status < 400) return null;
    if (typeof answer.body?.error?.code !== 'string' || answer.body.error.code === '') return 'no string error.code';
    if (typeof answer.body?.error?.message !== 'string' || answer.body.error.message === '') return 'no string error.message';
    return null;
  };

  /** Rows of the licensing tables (what the public API can write). */
  async function licensingRows(): Promise<Record<string, number>> {
    const tables = await p.sql<Array<{ table_name: string }>>`
      select table_name from information_schema.tables
      where table_schema = 'public' and table_type = 'BASE TABLE'
        and (table_name like '%licen%' or table_name like '%activation%' or table_name like '%lease%' or table_name like '%coupon%'
             or table_name like '%entitlement%' or table_name like 'machine_%' or table_name like 'seat_pool%')`;
    const union = tables.map((t) => `select '${t.table_name}' as t, count(*)::int8 as n from public."${t.table_name}"`).join(' union all ');
    return Object.fromEntries((await p.sql.unsafe<Array<{ t: string; n: string }>>(union)).map((r) => [r.t, Number(r.n)]));
  }

  interface PublicRoute {
    method: 'GET' | 'POST' | 'DELETE';
    /** With `:id` or `:prefix` where the route names a record. */
    path: string;
    sample?: Record<string, unknown>;
  }

  const prefix = 'FUZZ';
  const productCode = 'fuzz-app';
  let routes: PublicRoute[];

  beforeAll(async () => {
    expect((await p.api('POST', '/api/v1/licensing/vendors', { name: 'Fuzz Software', prefix })).status).toBe(201);
    expect((await p.api('POST', '/api/v1/licensing/products', { vendorPrefix: prefix, code: productCode, name: 'Fuzz App', trialDays: 30, maxActivations: 3 })).status).toBe(201);
    const registered = await p.api('POST', '/licensing/v1/keys', { vendorPrefix: prefix, productCode, customer: { companyName: 'Fuzz Ltd' }, trial: true }, { token: null });
    expect(registered.status, JSON.stringify(registered.body)).toBe(201);
    const key = registered.body.key as string;
    const machine = { signatures: { hdd: 'HDD-1', cpu: 'CPU-1', bios: 'BIOS-1', ethernet: '00:11:22:33:44:55' }, hostname: 'pc-1' };
    const activated = await p.api('POST', '/licensing/v1/activations', { key, productCode, machine }, { token: null });
    expect(activated.status, JSON.stringify(activated.body)).toBe(201);
    routes = [
      { method: 'POST', path: '/keys', sample: { vendorPrefix: prefix, productCode, customer: { companyName: 'Fuzz Ltd', contactName: 'Fay', email: 'fay@example.com', legalForm: 'organization' }, trial: false } },
      { method: 'GET', path: `/vendors/:prefix/public-key` },
      { method: 'POST', path: '/activations', sample: { key, productCode, machine, clientState: { remainingDays: 3, execCount: 1 } } },
      { method: 'POST', path: '/offline/requests', sample: { key, productCode, requestFile: Buffer.from(JSON.stringify(machine)).toString('base64') } },
      { method: 'POST', path: `/activations/:id/validate`, sample: { key, machineId: activated.body.document.document.machineId } },
      { method: 'POST', path: `/activations/:id/deactivate`, sample: { key, clientState: { remainingDays: 3 } } },
      { method: 'POST', path: '/product-status', sample: { key, productCode } },
      { method: 'POST', path: '/leases', sample: { key, productCode, machineId: 'm-1', userName: 'fay', hostname: 'pc-1' } },
      { method: 'POST', path: `/leases/:id/heartbeat`, sample: { key } },
      { method: 'DELETE', path: `/leases/:id`, sample: { key } },
      { method: 'POST', path: '/coupons/apply', sample: { key, coupon: 'FUZZ-AAAAA-BBBBB', channel: 'in_app' } },
      { method: 'POST', path: '/seat-pools', sample: { key, productCode, serverId: 'srv-1', seats: 1, validSeconds: 3600, requestKey: 'fuzz-request-1' } },
      { method: 'POST', path: '/seat-pools/:id/renew', sample: { key, seats: 1, validSeconds: 3600 } },
      { method: 'DELETE', path: '/seat-pools/:id', sample: { key } },
    ];
    routes.forEach((r) => (r.path = r.path.replace(':prefix', prefix).replace(':id', String(activated.body.activationId))));
  });

  const hostileText = fc.constantFrom(...hostileStrings.map(([, h]) => h), '{{constructor}}', '<script>alert(1)</script>', "' or '1'='1", 'MIKO-7K3QX-M2H9D-RT4WB-8NFB8', '', ' ');
  const hostileValue = fc.oneof(hostileText, fc.constantFrom<unknown>(null, true, -1, 1.5, 1e308, Number.MAX_SAFE_INTEGER * 10, [], {}, ['x', 1], { __proto__: { admin: true } }, 'x'.repeat(70_000)));
  const rawBodies = fc.constantFrom('{', '', 'null', '[]', '"text"', '42', '{"a":', '\u0000', '{"__proto__": {"admin": true}}', `${'['.repeat(5_000)}${']'.repeat(5_000)}`, '\ud800');
  const hostileSegment = fc.constantFrom('-1', '0', '1.5', '1e3', '99999999999999999999', "1' or '1'='1", 'null', '%00', '..%2F..%2Fetc', '１２', '%20999998', 'abc');
  const contentTypes = fc.constantFrom('application/json', 'application/json', 'text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x', 'application/json; charset=latin1');

  /** The route's sample with one leaf replaced, a key missing or added, or a raw body that is no JSON object. */
  function hostileBody(route: PublicRoute): fc.Arbitrary<string> {
    const sample = route.sample ?? {};
    const spots = leaves(sample).map((l) => l.path);
    const variants: Array<fc.Arbitrary<string>> = [rawBodies, fc.tuple(hostileText, hostileValue).map(([k, v]) => JSON.stringify({ ...sample, [k || 'x']: v }))];
    if (spots.length > 0) variants.push(fc.tuple(fc.constantFrom(...spots), hostileValue).map(([path, value]) => JSON.stringify(setAt(sample, path, value))));
    if (Object.keys(sample).length > 0) variants.push(fc.constantFrom(...Object.keys(sample)).map((k) => JSON.stringify(Object.fromEntries(Object.entries(sample).filter(([key]) => key !== k)))));
    return fc.oneof(...variants);
  }

  it('sends thousands of hostile requests to every public licensing route: never 5xx, always { error: { code, message } }, nothing written unless accepted', async () => {
    const seed = Number(process.env.FUZZ_SEED ?? Date.now() % 2_147_483_647);
    const failures: string[] = [];
    const statuses = new Map<number, number>();
    let sent = 0;
    for (const [index, route] of routes.entries()) {
      const request = fc.record({ body: hostileBody(route), contentType: contentTypes, segment: fc.option(hostileSegment, { freq: 4 }), from: fc.integer({ min: 1, max: 250 }) });
      for (const { body, contentType, segment, from } of fc.sample(request, { numRuns: 200, seed: seed + index })) {
        const path = `/licensing/v1${segment === null ? route.path : route.path.replace(/\/(\d+|FUZZ)(?=\/|$)/, `/${segment}`)}`;
        const before = await licensingRows();
        const answer = await p.api(route.method, path, route.method === 'GET' ? undefined : body, { token: null, headers: { 'content-type': contentType, 'x-forwarded-for': `198.51.100.${from}` } });
        sent += 1;
        statuses.set(answer.status, (statuses.get(answer.status) ?? 0) + 1);
        const problem = licensingProblem(answer);
        if (problem) failures.push(`${route.method} ${path} (seed ${seed}) ${problem} for ${shorten(body)} → ${shorten(JSON.stringify(answer.body) ?? '')}`);
        if (answer.status >= 400) {
          const after = await licensingRows();
          // A refused activation is logged on purpose (spec 04 §6: the activation log keeps refusals with their code).
          const changed = Object.keys(after).filter((t) => after[t] !== before[t] && !(t === 'activation_logs' && ['/activations', '/offline/requests'].includes(route.path)));
          if (changed.length > 0) failures.push(`${route.method} ${path} (seed ${seed}) answered ${answer.status} but wrote ${changed.join(', ')} for ${shorten(body)}`);
        }
      }
    }
    expect(sent).toBeGreaterThanOrEqual(2_000);
    expect(failures.slice(0, 20)).toEqual([]);
    // The generator reaches past the body checks: refusals by the routes' own rules, not only by validation.
    expect([...statuses.keys()].filter((s) => s >= 400).length).toBeGreaterThan(3);
  }, 600_000);
});
