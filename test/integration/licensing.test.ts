import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatLicenseKey } from '../../domain/licensing/codes';
import { generateLicenseKey } from '../../operations/licensing/keys/new-codes';
import { parseLicenseFile, licenseFile, verifyLicense } from '../../operations/licensing/documents';
import { createLicensingPlan, createLicensingProduct, purchaseLicense, registerLicensingVendor } from '../support/licensing';
import { createTestPlatform, eventually, type TestPlatform } from '../support/platform';

let p: TestPlatform;
const prefix = 'MIKO';

beforeAll(async () => {
  p = await createTestPlatform('licensing');
  await registerLicensingVendor(p, prefix);
});
afterAll(async () => p?.close());

let productSeq = 0;
/** A licensing product and a plan selling it through the built-in `licensing` plugin. */
async function licensingPlan(product: Record<string, unknown>) {
  productSeq += 1;
  const code = `accounting-${productSeq}`;
  await createLicensingProduct(p, prefix, code, `Accounting ${productSeq}`, product);
  const plan = await createLicensingPlan(p, { prefix, productCode: code, tag: `lic_${productSeq}`, name: `Accounting license ${productSeq}`, sku: `ACC-${productSeq}` });
  return { code, ...plan };
}

/** A paid purchase of the plan: the plugin issues the client's key. */
const purchase = (plan: { serviceRuleId: number; planPeriodId: number }) => purchaseLicense(p, plan, 'Licensed Ltd');

const machine = (n: number) => ({ signatures: { hdd: `HDD-${n}`, cpu: `CPU-${n}`, bios: `BIOS-${n}`, ethernet: `00:11:22:33:44:${String(n).padStart(2, '0')}` }, hostname: `pc-${n}` });
const publicApi = (path: string, body: unknown, from = '198.51.100.1') => p.api('POST', `/licensing/v1${path}`, body, { token: null, headers: { 'x-forwarded-for': from } });
const subscriptionStatus = async (id: number) => (await p.api('GET', `/api/v1/subscriptions/${id}`)).body.status;

describe('licensing plugin and public API (spec 04; issue 7)', () => {
  it('end to end: a purchase issues a key; an application activates; a stop suspends it, activation resumes it, deletion revokes it (acceptance 2)', async () => {
    const plan = await licensingPlan({ activationPolicy: 'Medium', maxActivations: 3 });
    const bought = await purchase(plan);
    expect(bought.key).toMatch(/^MIKO(-[0-9A-Z]{5}){4}$/);
    expect(bought.keyRow.entitlements).toEqual([expect.objectContaining({ product: plan.code, subscriptionId: bought.subscriptionId, status: 'active', seats: 1 })]);

    // The delivery mail (spec 04 §5.5) is the notification event license_issued; its shipped template carries the key.
    const entitlementId = bought.keyRow.entitlements[0].id as number;
    const [event] = await p.sql<Array<{ client_id: number }>>`select client_id from notification_events where event = 'license_issued' and subject_id = ${String(entitlementId)}`;
    expect(event?.client_id).toBe(bought.clientId);
    const template = (await p.api('GET', '/api/v1/notification-templates?event=license_issued')).body.items.find((t: any) => t.defaultKey === 'license_issued.email');
    const mail = await p.api('POST', `/api/v1/notification-templates/${template.id}/preview`, { subject: { kind: 'license', id: entitlementId }, language: 'en' });
    expect(mail.status, JSON.stringify(mail.body)).toBe(200);
    expect(mail.body.text).toContain(bought.key);

    const activated = await publicApi('/activations', { key: bought.key.toLowerCase(), productCode: plan.code, machine: machine(1) }, '198.51.100.10');
    expect(activated.status, JSON.stringify(activated.body)).toBe(201);
    expect(activated.body).toMatchObject({ action: 'Activated' });
    const { publicKey } = (await p.api('GET', `/licensing/v1/vendors/${prefix}/public-key`, undefined, { token: null })).body;
    expect(verifyLicense(activated.body.document, publicKey)).toBe(true);
    const machineId = activated.body.document.document.machineId as string;
    const validate = async () => (await publicApi(`/activations/${activated.body.activationId}/validate`, { key: bought.key, machineId }, '198.51.100.10')).body;
    expect(await validate()).toMatchObject({ valid: true, status: 'active' });

    expect((await p.api('POST', `/api/v1/subscriptions/${bought.subscriptionId}/stop`, { reason: 'client request' })).status).toBeLessThan(300);
    await eventually(async () => (await subscriptionStatus(bought.subscriptionId)) === 'stopped', { what: 'the stop' });
    expect(await validate()).toMatchObject({ valid: false, code: 'ENTITLEMENT_SUSPENDED' });
    const refused = await publicApi('/activations', { key: bought.key, productCode: plan.code, machine: machine(2) }, '198.51.100.10');
    expect([refused.status, refused.body.error.code]).toEqual([403, 'ENTITLEMENT_SUSPENDED']);

    expect((await p.api('POST', `/api/v1/subscriptions/${bought.subscriptionId}/activate`, { reason: 'paid' })).status).toBeLessThan(300);
    await eventually(async () => (await subscriptionStatus(bought.subscriptionId)) === 'active', { what: 'the activation' });
    expect(await validate()).toMatchObject({ valid: true });

    await p.api('POST', `/api/v1/subscriptions/${bought.subscriptionId}/stop`, { reason: 'contract ended' });
    await eventually(async () => (await subscriptionStatus(bought.subscriptionId)) === 'stopped', { what: 'the second stop' });
    expect((await p.api('POST', `/api/v1/subscriptions/${bought.subscriptionId}/delete`, { reason: 'contract ended' })).status).toBeLessThan(300);
    await eventually(async () => (await subscriptionStatus(bought.subscriptionId)) === 'deleted', { what: 'the deletion' });
    expect(await validate()).toMatchObject({ valid: false, code: 'ENTITLEMENT_INACTIVE' });
  });

  it('a license document verifies with the vendor public key and fails after any byte is changed (acceptance 3)', async () => {
    const plan = await licensingPlan({ activationPolicy: 'AcceptAllSingleMachine' });
    const bought = await purchase(plan);
    const activated = await publicApi('/activations', { key: bought.key, productCode: plan.code, machine: machine(7) }, '198.51.100.20');
    expect(activated.status, JSON.stringify(activated.body)).toBe(201);
    const { publicKey } = (await p.api('GET', `/licensing/v1/vendors/${prefix}/public-key`, undefined, { token: null })).body;
    const file = licenseFile(activated.body.document);
    expect(verifyLicense(parseLicenseFile(file)!, publicKey)).toBe(true);
    let tampered = 0;
    for (let i = 0; i < file.length; i += 1) {
      if (file[i] === '\n') continue;
      const changed = parseLicenseFile(file.slice(0, i) + (file[i] === 'x' ? 'y' : 'x') + file.slice(i + 1));
      if (changed) expect(verifyLicense(changed, publicKey), `byte ${i}`).toBe(false);
      tampered += 1;
    }
    expect(tampered).toBeGreaterThan(300);
  });

  it('20 parallel activations against MaxActivation = 5 yield exactly 5 successes (acceptance 4)', async () => {
    // One seat, any machine: each new machine replaces the last binding and counts as an activation (spec 04 §6.2).
    const plan = await licensingPlan({ activationPolicy: 'AcceptAllSingleMachine', maxActivations: 5 });
    const bought = await purchase(plan);
    const answers = await Promise.all(
      Array.from({ length: 20 }, (_, i) => publicApi('/activations', { key: bought.key, productCode: plan.code, machine: machine(100 + i) }, `203.0.113.${i + 1}`)),
    );
    expect(answers.filter((a) => a.status === 201), JSON.stringify(answers.filter((a) => a.status !== 201).slice(0, 2).map((a) => a.body))).toHaveLength(5);
    const refused = answers.filter((a) => a.status !== 201);
    expect(refused.map((a) => [a.status, a.body.error.code])).toEqual(Array.from({ length: 15 }, () => [409, 'MAX_ACTIVATIONS_REACHED']));
    const bindings = await p.sql<Array<{ status: string }>>`
      select b.status from machine_bindings b join activation_accounts a on a.id = b.account_id join entitlements e on e.id = a.entitlement_id
      where e.subscription_id = ${bought.subscriptionId} order by b.id`;
    expect(bindings.map((b) => b.status)).toEqual(['replaced', 'replaced', 'replaced', 'replaced', 'active']);
    const [account] = await p.sql<Array<{ activation_count: number }>>`
      select a.activation_count from activation_accounts a join entitlements e on e.id = a.entitlement_id where e.subscription_id = ${bought.subscriptionId}`;
    expect(account!.activation_count).toBe(5);
  });

  it('1,000 random keys against validate are all refused, and rate limited, without a 5xx (acceptance 5)', async () => {
    const statuses = new Map<number, number>();
    const codes = new Set<string>();
    for (let i = 0; i < 1000; i += 1) {
      // Half well-formed keys that do not exist, half random strings.
      const key = i % 2 === 0 ? formatLicenseKey(generateLicenseKey(prefix)) : Math.random().toString(36).slice(2);
      const answer = await publicApi(`/activations/${i + 1}/validate`, { key, machineId: 'x' }, '192.0.2.99');
      statuses.set(answer.status, (statuses.get(answer.status) ?? 0) + 1);
      codes.add(answer.body.error?.code);
    }
    expect([...statuses.keys()].every((s) => s >= 400 && s < 500)).toBe(true);
    expect(statuses.get(429)).toBeGreaterThanOrEqual(900);
    expect([...codes].sort()).toEqual(['ACTIVATION_NOT_FOUND', 'INVALID_KEY_FORMAT', 'RATE_LIMITED']);
  });

  it('property: arbitrary JSON on every public licensing route never answers 5xx', async () => {
    const fc = (await import('fast-check')).default;
    const routes = ['/keys', '/activations', '/activations/1/validate', '/activations/1/deactivate', '/leases', '/leases/1/heartbeat', '/coupons/apply', '/product-status', '/offline/requests'];
    const key = formatLicenseKey(generateLicenseKey(prefix));
    let n = 0;
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...routes), fc.oneof(fc.jsonValue(), fc.record({ key: fc.oneof(fc.constant(key), fc.string()), productCode: fc.string(), machine: fc.jsonValue(), coupon: fc.string() })), async (route, body) => {
        n += 1;
        const answer = await publicApi(route, body, `192.0.2.${n % 200}`);
        return answer.status >= 200 && answer.status < 500 && (answer.status < 400 || typeof answer.body?.error?.code === 'string');
      }),
      { numRuns: 300 },
    );
  });

  it('refuses malformed and unknown keys with the spec codes, changing nothing', async () => {
    const plan = await licensingPlan({});
    const bad = await publicApi('/activations', { key: 'MIKO-7K3QX-M2H9D-RT4WB-8NFB8', productCode: plan.code, machine: machine(1) }, '198.51.100.30');
    expect([bad.status, bad.body.error.code, bad.body.error.details.reason]).toEqual([400, 'INVALID_KEY_FORMAT', 'code_checksum']);
    const unknown = await publicApi('/activations', { key: formatLicenseKey(generateLicenseKey(prefix)), productCode: plan.code, machine: machine(1) }, '198.51.100.30');
    expect([unknown.status, unknown.body.error.code]).toEqual([404, 'KEY_NOT_FOUND']);
    const bought = await purchase(plan);
    const other = await publicApi('/activations', { key: bought.key, productCode: 'no-such-product', machine: machine(1) }, '198.51.100.30');
    expect([other.status, other.body.error.code]).toEqual([404, 'PRODUCT_NOT_IN_KEY']);
    const missing = await publicApi('/activations', { key: bought.key, productCode: plan.code, machine: { signatures: { hdd: 'only-one' } } }, '198.51.100.30');
    expect([missing.status, missing.body.error.code]).toEqual([400, 'SIGNATURES_REQUIRED']);
    const notJson = await p.api('POST', '/licensing/v1/activations', 'not json', { token: null, headers: { 'x-forwarded-for': '198.51.100.30', 'content-type': 'application/json' } });
    expect([notJson.status, notJson.body.error.code]).toEqual([400, 'VALIDATION_FAILED']);
    const [bindings] = await p.sql<Array<{ n: number }>>`select count(*)::int as n from machine_bindings b join activation_accounts a on a.id = b.account_id join entitlements e on e.id = a.entitlement_id where e.subscription_id = ${bought.subscriptionId}`;
    expect(bindings!.n).toBe(0);
  });
});
