import { expect } from 'vitest';
import { createClient, waitForOrderStatus, type TestPlatform } from './platform';

/**
 * The licensing set-up the licensing integration tests share: the vendor, products, a first-run key with a license
 * granted by staff, a plan selling a product through the `licensing` plugin and a paid purchase of it, and the public
 * API called from a new address each time. Every helper asserts the answer it needs, so a broken set-up fails where it
 * happens, not in the assertion after.
 */

type Api = TestPlatform['api'];

/** Registers the vendor (its first signing key) through the staff API; answers the 201 body (`publicKey`, ...). */
export async function registerLicensingVendor(p: TestPlatform, prefix: string, name = 'Miko Software') {
  const made = await p.api('POST', '/api/v1/licensing/vendors', { name, prefix });
  expect(made.status, JSON.stringify(made.body)).toBe(201);
  return made.body as { publicKey: string } & Record<string, unknown>;
}

/**
 * The public licensing API (`POST /licensing/v1...`), each call from its own address so the per-address rate limit
 * never interferes; `api` is the platform's (or one with an injected clock).
 */
export function publicLicensingApi(p: TestPlatform) {
  let address = 0;
  return (path: string, body: unknown, api: Api = p.api) => {
    address += 1;
    return api('POST', `/licensing/v1${path}`, body, { token: null, headers: { 'x-forwarded-for': `198.51.100.${(address % 250) + 1}` } });
  };
}
export type PublicLicensingApi = ReturnType<typeof publicLicensingApi>;

/** A licensing product of `prefix` created by staff (`settings` as the products route takes them), through `api`. */
export async function createLicensingProduct(p: TestPlatform, prefix: string, code: string, name: string, settings: Record<string, unknown> = {}, api: Api = p.api) {
  const made = await api('POST', '/api/v1/licensing/products', { vendorPrefix: prefix, code, name, ...settings });
  expect(made.status, JSON.stringify(made.body)).toBe(201);
  return made.body as { id: number } & Record<string, unknown>;
}

export interface FirstRunLicenseInput {
  prefix: string;
  productCode: string;
  companyName: string;
  /** More registration data of the customer (`legalForm`, ...). */
  customer?: Record<string, unknown>;
  /** The staff grant's body besides the product: `periodDays` (null = perpetual), `seats`, ... */
  grant: Record<string, unknown>;
  publicApi: PublicLicensingApi;
  /** The API both calls go through (one with an injected clock, say). */
  api?: Api;
}

/** A key registered on first run (public API, no billing client) holding `productCode` granted by staff. */
export async function firstRunLicense(p: TestPlatform, { prefix, productCode, companyName, customer = {}, grant, publicApi, api = p.api }: FirstRunLicenseInput) {
  const registered = await publicApi('/keys', { vendorPrefix: prefix, productCode, customer: { companyName, ...customer } }, api);
  expect(registered.status, JSON.stringify(registered.body)).toBe(201);
  const granted = await grantLicense(api, registered.body.key as string, { productCode, ...grant });
  return { key: registered.body.key as string, product: productCode, entitlementId: granted.id };
}

/** Staff grant a license on a key by hand (`body`: productCode, periodDays, seats, kind, ...); answers the 201 body. */
export async function grantLicense(api: Api, key: string, body: Record<string, unknown>) {
  const granted = await api('POST', `/api/v1/licensing/keys/${encodeURIComponent(key)}/entitlements`, body);
  expect(granted.status, JSON.stringify(granted.body)).toBe(201);
  return granted.body as { id: number } & Record<string, unknown>;
}

export interface LicensingPlanInput {
  prefix: string;
  productCode: string;
  /** Unique per test file and plan: names the service and provisioning rules (`<tag>_rule`, `<tag>_prov`). */
  tag: string;
  name: string;
  sku: string;
  /** The monthly fee (no setup fee). */
  fee?: number;
  resources?: Array<Record<string, unknown>>;
}

/** A plan selling `productCode` through the built-in `licensing` plugin, with its own service and provisioning rules. */
export async function createLicensingPlan(p: TestPlatform, { prefix, productCode, tag, name, sku, fee = 1000, resources }: LicensingPlanInput) {
  const rule = (await p.api('POST', '/api/v1/service-rules', { key: `${tag}_rule`, name: `Licenses ${tag}` })).body;
  const provisioning = (await p.api('POST', '/api/v1/provisioning-rules', { key: `${tag}_prov`, name: `Licenses ${tag}` })).body;
  const productRow = (await p.api('POST', '/api/v1/products', { name: 'Accounting software' })).body;
  const template = (await p.api('POST', '/api/v1/service-templates', { name: `${prefix} ${productCode}`, plugin: 'licensing', settings: { vendorPrefix: prefix, productCode } })).body;
  const plan = await p.api('POST', '/api/v1/plans', {
    productId: productRow.id,
    serviceTemplateId: template.id,
    provisioningRuleId: provisioning.id,
    name,
    sku,
    currency: 'EUR',
    ...(resources ? { resources } : {}),
    periods: [{ duration: 1, unit: 'month', setupFee: 0, recurringFee: fee }],
  });
  expect(plan.status, JSON.stringify(plan.body)).toBe(201);
  return { serviceRuleId: rule.id as number, planPeriodId: plan.body.periods[0].id as number };
}

/**
 * A client of the plan's service rule, topped up by `balance`, whose purchase of the plan completed: billing issued
 * its key. Answers the key as the staff key list shows it (`keyRow`: its entitlements, ...).
 */
export async function purchaseLicense(p: TestPlatform, plan: { serviceRuleId: number; planPeriodId: number }, clientName: string, balance = 1000) {
  const clientId = await createClient(p, { serviceRuleId: plan.serviceRuleId } as never, clientName);
  await p.api('POST', `/api/v1/clients/${clientId}/top-ups`, { amount: balance });
  const order = (await p.api('POST', '/api/v1/orders', { clientId, planPeriodId: plan.planPeriodId })).body;
  const done = await waitForOrderStatus(p, order.id, 'completed');
  const [key] = (await p.api('GET', `/api/v1/licensing/keys?clientId=${clientId}`)).body.items;
  return { clientId, subscriptionId: done.subscriptionId as number, key: key.displayCode as string, keyRow: key };
}
