import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLicensingPlugin } from '../../operations/plugins/adapters/licensing';
import { licensingPublicApi } from '../../api/licensing-public';
import { formatLicenseKey } from '../../domain/licensing/codes';
import { generateLicenseKey } from '../../operations/licensing/keys/new-codes';
import { parseLicenseFile, verifyLicense } from '../../operations/licensing/documents';
import { createLicensingProduct, grantLicense, registerLicensingVendor } from '../support/licensing';
import { createClient, createTestPlatform, testLicensingKeyEncryptionKey, waitForOrderStatus, type TestPlatform } from '../support/platform';
import { secretBox } from '../../infra/secret-box';

/**
 * The activation scenarios of spec 04 §8 through the public licensing API. Scenarios that span days run the
 * real public API module with an injected clock (the same code the platform mounts at /licensing/v1), so time
 * moves by days without waiting; staff routes go through the platform's app.
 */
let p: TestPlatform;
let clock = new Date('2026-12-01T09:00:00Z');
let api: ReturnType<typeof licensingPublicApi>;
const prefix = 'MIKO';
const DAY = 86_400_000;

beforeAll(async () => {
  p = await createTestPlatform('licensing_scenarios');
  await registerLicensingVendor(p, prefix);
  api = licensingPublicApi({ sql: p.sql, licensingKeys: secretBox(testLicensingKeyEncryptionKey), now: () => clock, rateLimit: 100_000 });
});
afterAll(async () => p?.close());

async function call(method: string, path: string, body?: unknown): Promise<{ status: number; body: any }> {
  const res = await api.request(path, { method, headers: { 'content-type': 'application/json', 'x-forwarded-for': '198.51.100.77' }, body: body === undefined ? undefined : JSON.stringify(body) });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : null };
}

let seq = 0;
/** A product with the given settings and a key holding it (granted by staff, perpetual unless said). */
async function license(product: Record<string, unknown>, grant: Record<string, unknown> = {}) {
  seq += 1;
  const code = `app-${seq}`;
  await createLicensingProduct(p, prefix, code, `App ${seq}`, product);
  const registered = await call('POST', '/keys', { vendorPrefix: prefix, productCode: code, customer: { companyName: `Customer ${seq}` } });
  expect(registered.status, JSON.stringify(registered.body)).toBe(201);
  const granted = await grantLicense(p.api, registered.body.key, { productCode: code, periodDays: null, ...grant });
  return { product: code, key: registered.body.key as string, entitlementId: granted.id };
}

const sig = (hdd: string, cpu: string, bios: string, ethernet: string) => ({ hdd, cpu, bios, ethernet });
const activate = (l: { key: string; product: string }, signatures: Record<string, string>, extra: Record<string, unknown> = {}) =>
  call('POST', '/activations', { key: l.key, productCode: l.product, machine: { signatures, ...extra } });
const validate = (l: { key: string }, activation: { body: any }) =>
  call('POST', `/activations/${activation.body.activationId}/validate`, { key: l.key, machineId: activation.body.document.document.machineId });
const days = (n: number) => new Date(Date.UTC(2026, 11, 1, 9) + n * DAY);
const logOf = async (entitlementId: number) => (await p.sql<Array<{ action: string; error_code: string | null }>>`
  select action, error_code from activation_logs where entitlement_id = ${entitlementId} order by id`).map((r) => (r.error_code ? `${r.action}:${r.error_code}` : r.action));

describe('licensing scenarios (spec 04 §8)', () => {
  it('§8 #1 key check characters: the valid key and its normalised form pass, a mistyped one is INVALID_KEY_FORMAT', async () => {
    const mistyped = await call('POST', '/activations', { key: 'MIKO-7K3QX-M2H9D-RT4WB-8NFB8', productCode: 'x', machine: { signatures: sig('a', 'b', 'c', 'd') } });
    expect([mistyped.status, mistyped.body.error.code, mistyped.body.error.details.reason]).toEqual([400, 'INVALID_KEY_FORMAT', 'code_checksum']);
    // The well-formed key and its lower-case spaced form get past the format check to the lookup.
    for (const key of ['MIKO-7K3QX-M2H9D-RT4WB-8NEB8', 'miko 7k3qx m2h9d rt4wb 8neb8']) {
      const answer = await call('POST', '/activations', { key, productCode: 'x', machine: { signatures: sig('a', 'b', 'c', 'd') } });
      expect([answer.status, answer.body.error.code], key).toEqual([404, 'KEY_NOT_FOUND']);
    }
  });

  it('§8 #13 MaxActivation = 2 (AcceptAll single machine): Activated, Replaced, then MAX_ACTIVATIONS_REACHED with a Refused log', async () => {
    const l = await license({ activationPolicy: 'AcceptAllSingleMachine', maxActivations: 2 });
    const a = await activate(l, sig('HA', 'CA', 'BA', 'EA'));
    expect([a.status, a.body.action]).toEqual([201, 'Activated']);
    const b = await activate(l, sig('HB', 'CB', 'BB', 'EB'));
    expect([b.status, b.body.action]).toEqual([201, 'Replaced']);
    expect((await validate(l, a)).body).toMatchObject({ valid: false, code: 'ACTIVATION_REPLACED' });
    const c = await activate(l, sig('HC', 'CC', 'BC', 'EC'));
    expect([c.status, c.body.error.code]).toEqual([409, 'MAX_ACTIVATIONS_REACHED']);
    expect((await validate(l, b)).body).toMatchObject({ valid: true });
    expect(await logOf(l.entitlementId)).toEqual(['Activated', 'Replaced', 'Refused:MAX_ACTIVATIONS_REACHED']);
  });

  it('§8 #14 MaxActivation = -1: 50 machines all succeed, only the last is active', async () => {
    const l = await license({ activationPolicy: 'AcceptAllSingleMachine', maxActivations: -1 });
    const answers = [];
    for (let i = 0; i < 50; i += 1) answers.push(await activate(l, sig(`H${i}`, `C${i}`, `B${i}`, `E${i}`)));
    expect(answers.every((x) => x.status === 201)).toBe(true);
    const valid = await Promise.all(answers.map((x) => validate(l, x)));
    expect(valid.map((v) => v.body.valid)).toEqual([...Array.from({ length: 49 }, () => false), true]);
  });

  it('§8 #15 High refuses a changed HDD; MediumHigh accepts it', async () => {
    const high = await license({ activationPolicy: 'High', maxActivations: 5 });
    expect((await activate(high, sig('H1', 'C1', 'B1', 'E1'))).status).toBe(201);
    const refused = await activate(high, sig('H2', 'C1', 'B1', 'E1'));
    expect([refused.status, refused.body.error.code]).toEqual([403, 'HARDWARE_MISMATCH']);
    const mediumHigh = await license({ activationPolicy: 'MediumHigh', maxActivations: 5 });
    expect((await activate(mediumHigh, sig('H1', 'C1', 'B1', 'E1'))).status).toBe(201);
    const accepted = await activate(mediumHigh, sig('H2', 'C1', 'B1', 'E1'));
    expect([accepted.status, accepted.body.action]).toEqual([201, 'Replaced']);
  });

  it('§8 #16 Medium: HDD alone, or CPU + BIOS + Ethernet together', async () => {
    const cases: Array<[Record<string, string>, number, string]> = [
      [sig('H1', 'C2', 'B2', 'E2'), 201, 'Replaced'],
      [sig('H2', 'C1', 'B1', 'E1'), 201, 'Replaced'],
      [sig('H2', 'C1', 'B1', 'E2'), 403, 'HARDWARE_MISMATCH'],
    ];
    for (const [request, status, outcome] of cases) {
      const l = await license({ activationPolicy: 'Medium', maxActivations: 5 });
      expect((await activate(l, sig('H1', 'C1', 'B1', 'E1'))).status).toBe(201);
      const answer = await activate(l, request);
      expect([answer.status, answer.body.action ?? answer.body.error.code], JSON.stringify(request)).toEqual([status, outcome]);
    }
  });

  it('§8 #17 Low: one matching component is enough, none is not', async () => {
    for (const [request, status] of [[sig('H2', 'C2', 'B2', 'E1'), 201], [sig('H2', 'C2', 'B2', 'E2'), 403]] as const) {
      const l = await license({ activationPolicy: 'Low', maxActivations: 5 });
      expect((await activate(l, sig('H1', 'C1', 'B1', 'E1'))).status).toBe(201);
      expect((await activate(l, request)).status, JSON.stringify(request)).toBe(status);
    }
  });

  it('§8 #18 SecureEvaluation: the same machine again is refused; another Ethernet is accepted', async () => {
    const l = await license({ activationPolicy: 'SecureEvaluation', maxActivations: 5 });
    expect((await activate(l, sig('H1', 'C1', 'B1', 'E1'))).status).toBe(201);
    const same = await activate(l, sig('H1', 'C1', 'B1', 'E1'));
    expect([same.status, same.body.error.code]).toEqual([403, 'SAME_MACHINE_NOT_ALLOWED']);
    expect((await activate(l, sig('H1', 'C1', 'B1', 'E9'))).status).toBe(201);
  });

  it('§8 #19 the first activation is never hardware-checked', async () => {
    const l = await license({ activationPolicy: 'High', maxActivations: 5 });
    const first = await activate(l, sig('anything', 'at', 'all', 'here'));
    expect([first.status, first.body.action]).toEqual([201, 'Activated']);
  });

  it('§8 #20 a missing declared signature is SIGNATURES_REQUIRED (400)', async () => {
    const l = await license({ activationPolicy: 'Medium', maxActivations: 5 });
    const answer = await activate(l, { hdd: 'H1', cpu: 'C1', ethernet: 'E1' });
    expect([answer.status, answer.body.error.code]).toEqual([400, 'SIGNATURES_REQUIRED']);
  });

  it('§8 #21 ManagedExpiration, the source example: 30, 20 at +10 d, 12 at +18 d; without it 30, 30, 30', async () => {
    for (const [managedExpiration, expected] of [[true, [30, 20, 12]], [false, [30, 30, 30]]] as const) {
      const l = await license({ activationPolicy: 'AcceptAllSingleMachine', maxActivations: 3, managedExpiration, masterLicense: { maxDayPeriod: 30 } });
      const issued = [];
      for (const [n, day] of [[1, 0], [2, 10], [3, 18]] as const) {
        clock = days(day);
        const answer = await activate(l, sig(`H${n}`, `C${n}`, `B${n}`, `E${n}`));
        expect(answer.status, JSON.stringify(answer.body)).toBe(201);
        issued.push(answer.body.document.document.maxDayPeriod);
      }
      expect(issued, `managedExpiration ${managedExpiration}`).toEqual(expected);
    }
  });

  it('§8 #25 transfer time mode: the state handed back at +13 d (17 days left) is reissued as 10 days at +20 d (managed) or 17 (preserve)', async () => {
    for (const [transferTimeMode, expected] of [['managed', 10], ['preserve', 17]] as const) {
      const l = await license({ activationPolicy: 'AcceptAllSingleMachine', maxActivations: 5, managedExpiration: true, transferTimeMode, masterLicense: { maxDayPeriod: 30 } });
      clock = days(0);
      const first = await activate(l, sig('H1', 'C1', 'B1', 'E1'));
      clock = days(13);
      expect((await call('POST', `/activations/${first.body.activationId}/deactivate`, { key: l.key, clientState: { remainingDays: 17 } })).status).toBe(200);
      clock = days(20);
      const again = await activate(l, sig('H2', 'C2', 'B2', 'E2'));
      expect(again.body.document.document.maxDayPeriod, transferTimeMode).toBe(expected);
    }
  });

  it('§8 #26 NonTransferable: the handed-back state is not kept; reactivation issues the master 30 days', async () => {
    const l = await license({ activationPolicy: 'AcceptAllSingleMachine', maxActivations: 5, nonTransferable: true, masterLicense: { maxDayPeriod: 30 } });
    clock = days(0);
    const first = await activate(l, sig('H1', 'C1', 'B1', 'E1'));
    clock = days(13);
    await call('POST', `/activations/${first.body.activationId}/deactivate`, { key: l.key, clientState: { remainingDays: 17 } });
    const [account] = await p.sql<Array<{ transfer_state: unknown }>>`select transfer_state from activation_accounts where entitlement_id = ${l.entitlementId}`;
    expect(account!.transfer_state).toBeNull();
    clock = days(20);
    expect((await activate(l, sig('H2', 'C2', 'B2', 'E2'))).body.document.document.maxDayPeriod).toBe(30);
  });

  it('§8 #29 suspend / resume: activation refused while suspended, and the same binding validates again after', async () => {
    const l = await license({ activationPolicy: 'Medium', maxActivations: 5 });
    const bound = await activate(l, sig('H1', 'C1', 'B1', 'E1'));
    expect((await p.api('POST', `/api/v1/licensing/entitlements/${l.entitlementId}/suspend`, { reason: 'abuse report' })).status).toBe(200);
    const refused = await activate(l, sig('H1', 'C1', 'B1', 'E1'));
    expect([refused.status, refused.body.error.code]).toEqual([403, 'ENTITLEMENT_SUSPENDED']);
    expect((await validate(l, bound)).body).toMatchObject({ valid: false, code: 'ENTITLEMENT_SUSPENDED' });
    expect((await p.api('POST', `/api/v1/licensing/entitlements/${l.entitlementId}/resume`, { reason: 'cleared' })).status).toBe(200);
    expect((await validate(l, bound)).body).toMatchObject({ valid: true });
  });

  it('§8 #32 reset registrations with a new key: bindings revoked, counters 0, old key unknown; a managed period 12 days in goes on (18 of 30)', async () => {
    const l = await license({ activationPolicy: 'High', maxActivations: 1, managedExpiration: true, masterLicense: { maxDayPeriod: 30 } });
    clock = days(0);
    const bound = await activate(l, sig('H1', 'C1', 'B1', 'E1'));
    clock = days(12);
    const reset = await p.api('POST', `/api/v1/licensing/entitlements/${l.entitlementId}/reset-registrations`, { regenerateKey: true });
    expect(reset.status, JSON.stringify(reset.body)).toBe(200);
    const newKey = formatLicenseKey(reset.body.keyCode);
    expect(newKey).not.toBe(l.key);
    const old = await activate(l, sig('H1', 'C1', 'B1', 'E1'));
    expect([old.status, old.body.error.code]).toEqual([404, 'KEY_NOT_FOUND']);
    expect((await validate({ key: newKey }, bound)).body).toMatchObject({ valid: false, code: 'ACTIVATION_REVOKED' });
    const [account] = await p.sql<Array<{ activation_count: number; policy_reference: unknown }>>`select activation_count, policy_reference from activation_accounts where entitlement_id = ${l.entitlementId}`;
    expect(account).toEqual({ activation_count: 0, policy_reference: null });
    // Another machine, no hardware check (the account counts as never activated), and the period keeps running.
    const next = await activate({ key: newKey, product: l.product }, sig('H9', 'C9', 'B9', 'E9'));
    expect([next.status, next.body.action, next.body.document.document.maxDayPeriod]).toEqual([201, 'Activated', 18]);
  });

  it('§8 #37 idempotent provisioning: create twice with one idempotency key gives one entitlement and the same key', async () => {
    seq += 1;
    const code = `billing-app-${seq}`;
    await p.api('POST', '/api/v1/licensing/products', { vendorPrefix: prefix, code, name: 'Billing app' });
    const rule = (await p.api('POST', '/api/v1/service-rules', { key: `lic_s_${seq}`, name: `Lic ${seq}` })).body;
    const provisioning = (await p.api('POST', '/api/v1/provisioning-rules', { key: `lic_sp_${seq}`, name: `Lic ${seq}` })).body;
    const product = (await p.api('POST', '/api/v1/products', { name: 'Apps' })).body;
    const template = (await p.api('POST', '/api/v1/service-templates', { name: 'Miko apps', plugin: 'licensing', settings: { vendorPrefix: prefix, productCode: code } })).body;
    const plan = (await p.api('POST', '/api/v1/plans', { productId: product.id, serviceTemplateId: template.id, provisioningRuleId: provisioning.id, name: 'App', sku: `APP-${seq}`, currency: 'EUR', periods: [{ duration: 1, unit: 'month', setupFee: 0, recurringFee: 500 }] })).body;
    const clientId = await createClient(p, { serviceRuleId: rule.id } as never, 'Twice Ltd');
    await p.api('POST', `/api/v1/clients/${clientId}/top-ups`, { amount: 500 });
    const order = (await p.api('POST', '/api/v1/orders', { clientId, planPeriodId: plan.periods[0].id })).body;
    const done = await waitForOrderStatus(p, order.id, 'completed');
    const [ent] = await p.sql<Array<{ created_by: string }>>`select created_by from entitlements where subscription_id = ${done.subscriptionId}`;
    // The retried call a worker would make, with the same step key: nothing new.
    const plugin = createLicensingPlugin(p.sql);
    const subscription = { id: done.subscriptionId, clientId, planId: plan.id, planSku: null, name: 'App', vendorReference: null, startDate: null, expirationDate: null, resources: [] };
    const again = await plugin.create({ idempotencyKey: ent!.created_by, settings: { vendorPrefix: prefix, productCode: code }, subscription }, {});
    const twice = await plugin.create({ idempotencyKey: ent!.created_by, settings: { vendorPrefix: prefix, productCode: code }, subscription }, {});
    expect(twice).toEqual(again);
    const rows = await p.sql<Array<{ id: number }>>`select id from entitlements where subscription_id = ${done.subscriptionId}`;
    expect(rows).toHaveLength(1);
    expect(again.vendorReference).toBe(`ent-${rows[0]!.id}`);
  });

  it('§8 #38 bound IP: an activation declaring another address is IP_MISMATCH', async () => {
    const l = await license({ activationPolicy: 'AcceptAllSingleMachine' }, { boundIp: '203.0.113.7' });
    const other = await activate(l, sig('H1', 'C1', 'B1', 'E1'), { ip: '203.0.113.8' });
    expect([other.status, other.body.error.code]).toEqual([403, 'IP_MISMATCH']);
    expect((await activate(l, sig('H1', 'C1', 'B1', 'E1'), { ip: '203.0.113.7' })).status).toBe(201);
  });

  it('offline activation: a request file from the machine gives a signed license file that verifies offline (spec 04 §5.5)', async () => {
    const l = await license({ activationPolicy: 'Medium', maxActivations: 2 });
    const requestFile = Buffer.from(JSON.stringify({ signatures: sig('H1', 'C1', 'B1', 'E1'), hostname: 'air-gapped-pc' })).toString('base64');
    const res = await api.request('/offline/requests', { method: 'POST', headers: { 'content-type': 'application/json', 'x-forwarded-for': '198.51.100.78' }, body: JSON.stringify({ key: l.key, productCode: l.product, requestFile }) });
    expect(res.status).toBe(201);
    expect(res.headers.get('content-type')).toContain('text/plain');
    const file = parseLicenseFile(await res.text());
    const { publicKey } = (await call('GET', `/vendors/${prefix}/public-key`)).body;
    expect(file && verifyLicense(file, publicKey)).toBe(true);
    expect(file!.document).toMatchObject({ key: l.key.replaceAll('-', ''), product: l.product, seats: 1 });
    // The same binding rules as online: it counts, and a garbled request file is refused with a clear code.
    const activationId = Number(res.headers.get('x-activation-id'));
    expect((await validate(l, { body: { activationId, document: { document: file!.document } } })).body).toMatchObject({ valid: true });
    const garbled = await call('POST', '/offline/requests', { key: l.key, productCode: l.product, requestFile: 'not-base64-json' });
    expect([garbled.status, garbled.body.error.code]).toEqual([400, 'INVALID_REQUEST_FILE']);
  });

  it('staff list licenses with filters, bind one to an address, delete it, and delete its key (spec 04 §3.6, §4.2)', async () => {
    const l = await license({ activationPolicy: 'AcceptAllSingleMachine' });
    const listed = (await p.api('GET', `/api/v1/licensing/entitlements?key=${l.key}&status=active`)).body.items;
    expect(listed.map((e: any) => [e.id, e.product])).toEqual([[l.entitlementId, l.product]]);
    expect((await p.api('GET', `/api/v1/licensing/entitlements?key=${l.key}&status=suspended`)).body.items).toEqual([]);

    expect((await p.api('POST', `/api/v1/licensing/entitlements/${l.entitlementId}`, { boundIp: '203.0.113.7' })).body.boundIp).toBe('203.0.113.7');
    const elsewhere = await activate(l, sig('H1', 'C1', 'B1', 'E1'), { ip: '198.51.100.1' });
    expect(elsewhere.body.error.code).toBe('IP_MISMATCH');
    const bound = await activate(l, sig('H1', 'C1', 'B1', 'E1'), { ip: '203.0.113.7' });
    expect(bound.status).toBe(201);

    expect((await p.api('POST', `/api/v1/licensing/entitlements/${l.entitlementId}/delete`, { reason: 'refunded' })).body.status).toBe('deleted');
    expect((await validate(l, bound)).body).toMatchObject({ valid: false, code: 'ENTITLEMENT_INACTIVE' });
    expect((await p.api('POST', `/api/v1/licensing/keys/${l.key}/delete`, { reason: 'customer left' })).status).toBe(200);
    const gone = await activate(l, sig('H1', 'C1', 'B1', 'E1'));
    expect([gone.status, gone.body.error.code]).toEqual([404, 'KEY_NOT_FOUND']);
  });

  it('a key that does not exist is KEY_NOT_FOUND after the format check', async () => {
    const answer = await activate({ key: formatLicenseKey(generateLicenseKey(prefix)), product: 'x' }, sig('a', 'b', 'c', 'd'));
    expect([answer.status, answer.body.error.code]).toEqual([404, 'KEY_NOT_FOUND']);
  });
});
