/**
 * Floating leases, upgrades and seat changes of the licensing plugin, through HTTP against PostgreSQL
 * (spec 04 §5.1 leases, §6.5-6.6 upgrades, §7.1 public API, §7.2 changeSeats; acceptance scenarios §8 #22, #23,
 * #24, #27, #28).
 *
 * Time travel. Scenarios #22 (days after the first activation) and #27 (lease TTL of 900 s) need a clock the
 * test controls: `p.withClock` is the platform's own app (routes, middleware, public licensing API, database,
 * Temporal) with only the clock injected (`ApiDeps.now`; the public licensing API reads it).
 * The clock starts at the real time of the test, so rows the database timestamps itself (bindings'
 * `activated_at`) and staff-granted expiries (real now + 365 d) stay consistent with it. Scenarios that need
 * no clock use the platform's own app (`p.api`).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyLicense } from '../../operations/licensing/documents';
import { createLicensingProduct, grantLicense, registerLicensingVendor } from '../support/licensing';
import { createTestPlatform, type ApiAnswer, type TestPlatform } from '../support/platform';

const DAY = 86_400_000;
const prefix = 'MIKO';

let p: TestPlatform;
let clock = new Date();
let publicKey: string;

type Call = (method: string, path: string, body?: unknown, options?: { token?: string | null; headers?: Record<string, string> }) => Promise<ApiAnswer>;

/** Calls the app with the injected clock, exactly as `p.api` calls the platform's app. */
let atClock: Call;
const real: Call = (...args) => p.api(...args);

/** Sets the clock to the start of a test (whole seconds) and returns a function that moves it to t0 + offset. */
function startClock() {
  const t0 = Math.floor(Date.now() / 1000) * 1000;
  clock = new Date(t0);
  return {
    t0,
    at(days: number, seconds = 0) {
      clock = new Date(t0 + days * DAY + seconds * 1000);
      return clock;
    },
  };
}

beforeAll(async () => {
  p = await createTestPlatform('licensing-leases-upgrades');
  atClock = p.withClock(() => clock);
  publicKey = (await registerLicensingVendor(p, prefix)).publicKey;
});
afterAll(async () => p?.close());

let productSeq = 0;
/** A licensing product of vendor MIKO (staff API). */
async function createProduct(api: Call, settings: Record<string, unknown>): Promise<{ id: number; code: string }> {
  productSeq += 1;
  const code = `lease-upgrade-${productSeq}`;
  const created = await createLicensingProduct(p, prefix, code, `Product ${productSeq}`, settings, api);
  return { id: created.id, code };
}

/** A key from the public first-run registration, then the product granted to it by staff with `seats`. */
async function keyWith(api: Call, productCode: string, seats: number, from: string): Promise<{ key: string; entitlementId: number }> {
  const registered = await api('POST', '/licensing/v1/keys', { vendorPrefix: prefix, productCode, customer: { companyName: 'Floating Ltd', legalForm: 'organization' } }, { token: null, headers: { 'x-forwarded-for': from } });
  expect(registered.status, JSON.stringify(registered.body)).toBe(201);
  const granted = await grantLicense(api, registered.body.key, { productCode, periodDays: 365, seats });
  return { key: registered.body.key, entitlementId: granted.id };
}

const machine = (n: number) => ({ signatures: { hdd: `HDD-${n}`, cpu: `CPU-${n}`, bios: `BIOS-${n}`, ethernet: `00:11:22:33:44:${String(n).padStart(2, '0')}` }, hostname: `pc-${n}` });
/** A public licensing API call from `from` (its own rate-limit bucket per test). */
const publicCall = (api: Call, from: string) => (method: string, path: string, body: unknown) => api(method, `/licensing/v1${path}`, body, { token: null, headers: { 'x-forwarded-for': from } });

describe('floating leases, upgrades and seat changes (spec 04 §5.1, §6.5-6.6, §7.2)', () => {
  it('§8 #22 ManagedExpiration with upgrades: 30 → upgrade at +10 d (cust 50) → +15 d issues 45 (Customized) → upgrade at +20 d (cust 70) → +22 d issues 68', async () => {
    const { t0, at } = startClock();
    const pub = publicCall(atClock, '198.51.100.22');
    const product = await createProduct(atClock, { activationPolicy: 'AcceptAllSingleMachine', maxActivations: 3, managedExpiration: true, masterLicense: { maxDayPeriod: 30 } });
    const template = await atClock('POST', `/api/v1/licensing/products/${product.id}/upgrade-templates`, { name: 'Plus 30 days', maxDayPeriod: 30 });
    expect(template.status, JSON.stringify(template.body)).toBe(201);
    expect(template.body).toMatchObject({ maxDayPeriod: 30, addToExisting: true });
    const { key, entitlementId } = await keyWith(atClock, product.code, 1, '198.51.100.22');
    const activate = (n: number) => pub('POST', '/activations', { key, productCode: product.code, machine: machine(n) });
    const upgrade = () => atClock('POST', `/api/v1/licensing/entitlements/${entitlementId}/upgrades`, { templateId: template.body.id });

    const first = await activate(1);
    expect(first.status, JSON.stringify(first.body)).toBe(201);
    expect(first.body.action).toBe('Activated');
    expect(first.body.document.document).toMatchObject({ maxDayPeriod: 30, expiresAt: new Date(t0 + 30 * DAY).toISOString() });
    expect(verifyLicense(first.body.document, publicKey)).toBe(true);

    at(10);
    const up1 = await upgrade();
    expect(up1.status, JSON.stringify(up1.body)).toBe(201);
    expect(up1.body).toMatchObject({ slot: 1, upgradeSeq: 1, customLicense: { maxDayPeriod: 50 }, reactivationAllowed: true, lastUpgradeAt: new Date(t0 + 10 * DAY).toISOString() });

    at(15);
    const second = await activate(2);
    expect(second.status, JSON.stringify(second.body)).toBe(201);
    expect(second.body.action).toBe('Customized');
    expect(second.body.document.document).toMatchObject({ maxDayPeriod: 45, expiresAt: new Date(t0 + 60 * DAY).toISOString() });

    at(20);
    const up2 = await upgrade();
    expect(up2.status, JSON.stringify(up2.body)).toBe(201);
    expect(up2.body).toMatchObject({ upgradeSeq: 2, customLicense: { maxDayPeriod: 70 } });

    at(22);
    const third = await activate(3);
    expect(third.status, JSON.stringify(third.body)).toBe(201);
    expect(third.body.action).toBe('Customized');
    expect(third.body.document.document).toMatchObject({ maxDayPeriod: 68, expiresAt: new Date(t0 + 90 * DAY).toISOString() });

    const logs = await p.sql<Array<{ upgrade_seq: number; custom_license: { maxDayPeriod: number }; at: string }>>`
      select upgrade_seq, custom_license, at from upgrade_logs where entitlement_id = ${entitlementId} order by id`;
    expect(logs.map((l) => [l.upgrade_seq, l.custom_license.maxDayPeriod, new Date(l.at).toISOString()])).toEqual([
      [1, 50, new Date(t0 + 10 * DAY).toISOString()],
      [2, 70, new Date(t0 + 20 * DAY).toISOString()],
    ]);
    const actions = await p.sql<Array<{ action: string }>>`select action from activation_logs where entitlement_id = ${entitlementId} order by id`;
    expect(actions.map((a) => a.action)).toEqual(['Activated', 'Customized', 'Customized']);
    const [account] = await p.sql<Array<{ upgrade_seq: number; reactivation_allowed: boolean; activation_count: number }>>`
      select upgrade_seq, reactivation_allowed, activation_count from activation_accounts where entitlement_id = ${entitlementId}`;
    expect(account).toMatchObject({ upgrade_seq: 2, reactivation_allowed: false, activation_count: 3 });
  });

  it('§8 #23 an upgrade lifts an exhausted activation count: maxActivations = 2 used up, one more activation after the upgrade (Customized), the next MAX_ACTIVATIONS_REACHED', async () => {
    const pub = publicCall(real, '198.51.100.23');
    const product = await createProduct(real, { activationPolicy: 'AcceptAllSingleMachine', maxActivations: 2, masterLicense: { maxDayPeriod: 30 } });
    const template = await real('POST', `/api/v1/licensing/products/${product.id}/upgrade-templates`, { name: 'Plus 30 days', maxDayPeriod: 30 });
    expect(template.status, JSON.stringify(template.body)).toBe(201);
    const { key, entitlementId } = await keyWith(real, product.code, 1, '198.51.100.23');
    const activate = (n: number) => pub('POST', '/activations', { key, productCode: product.code, machine: machine(n) });

    expect((await activate(1)).body.action).toBe('Activated');
    expect((await activate(2)).body.action).toBe('Replaced');
    const exhausted = await activate(3);
    expect([exhausted.status, exhausted.body.error?.code]).toEqual([409, 'MAX_ACTIVATIONS_REACHED']);

    const upgraded = await real('POST', `/api/v1/licensing/entitlements/${entitlementId}/upgrades`, { templateId: template.body.id, slot: 1 });
    expect(upgraded.status, JSON.stringify(upgraded.body)).toBe(201);
    expect(upgraded.body).toMatchObject({ upgradeSeq: 1, reactivationAllowed: true, customLicense: { maxDayPeriod: 60 } });

    const lifted = await activate(3);
    expect(lifted.status, JSON.stringify(lifted.body)).toBe(201);
    expect(lifted.body.action).toBe('Customized');
    expect(lifted.body.document.document.maxDayPeriod).toBe(60);

    const again = await activate(4);
    expect([again.status, again.body.error?.code]).toEqual([409, 'MAX_ACTIVATIONS_REACHED']);
    const [account] = await p.sql<Array<{ activation_count: number; reactivation_allowed: boolean }>>`
      select activation_count, reactivation_allowed from activation_accounts where entitlement_id = ${entitlementId}`;
    expect(account).toEqual({ activation_count: 3, reactivation_allowed: false });
    const actions = await p.sql<Array<{ action: string; error_code: string | null }>>`select action, error_code from activation_logs where entitlement_id = ${entitlementId} order by id`;
    expect(actions.map((a) => [a.action, a.error_code])).toEqual([
      ['Activated', null],
      ['Replaced', null],
      ['Refused', 'MAX_ACTIVATIONS_REACHED'],
      ['Customized', null],
      ['Refused', 'MAX_ACTIVATIONS_REACHED'],
    ]);
  });

  it('§8 #24 ManagedExecution: maxExec 100 reset → replacement none → upgrade +50 = 150 → reactivation after execCount 40 issues 150 / 40 → second upgrade 200; a template without addToExisting is UPGRADE_TEMPLATE_INVALID', async () => {
    const pub = publicCall(real, '198.51.100.24');
    const product = await createProduct(real, { activationPolicy: 'AcceptAllSingleMachine', maxActivations: -1, managedExecution: true, masterLicense: { maxExec: 100 } });
    const refused = await real('POST', `/api/v1/licensing/products/${product.id}/upgrade-templates`, { name: 'Replace limits', maxExec: 50, addToExisting: false });
    expect([refused.status, refused.body.code]).toEqual([422, 'UPGRADE_TEMPLATE_INVALID']);
    const [templates] = await p.sql<Array<{ n: number }>>`select count(*)::int as n from upgrade_templates where product_id = ${product.id}`;
    expect(templates!.n).toBe(0);
    const template = await real('POST', `/api/v1/licensing/products/${product.id}/upgrade-templates`, { name: 'Plus 50 runs', maxExec: 50 });
    expect(template.status, JSON.stringify(template.body)).toBe(201);
    const { key, entitlementId } = await keyWith(real, product.code, 1, '198.51.100.24');
    const activate = (n: number, clientState?: unknown) => pub('POST', '/activations', { key, productCode: product.code, machine: machine(n), ...(clientState ? { clientState } : {}) });
    const issued = async (bindingId: number) => (await p.sql<Array<{ issued: { maxExec: number; initExec: unknown } }>>`select issued from machine_bindings where id = ${bindingId}`)[0]!.issued;

    const first = await activate(1);
    expect(first.status, JSON.stringify(first.body)).toBe(201);
    expect(first.body.action).toBe('Activated');
    expect(first.body.document.document.maxExec).toBe(100);
    expect(await issued(first.body.activationId)).toMatchObject({ maxExec: 100, initExec: 'reset' });

    const replacement = await activate(2);
    expect(replacement.body.action).toBe('Replaced');
    expect(await issued(replacement.body.activationId)).toMatchObject({ maxExec: 100, initExec: 'none' });

    const up1 = await real('POST', `/api/v1/licensing/entitlements/${entitlementId}/upgrades`, { templateId: template.body.id });
    expect(up1.status, JSON.stringify(up1.body)).toBe(201);
    expect(up1.body).toMatchObject({ upgradeSeq: 1, customLicense: { maxExec: 150 } });

    const deactivated = await pub('POST', `/activations/${replacement.body.activationId}/deactivate`, { key, clientState: { execCount: 40 } });
    expect(deactivated.status, JSON.stringify(deactivated.body)).toBe(200);
    const reactivated = await activate(2);
    expect(reactivated.status, JSON.stringify(reactivated.body)).toBe(201);
    expect(reactivated.body.action).toBe('Customized');
    expect(reactivated.body.document.document).toMatchObject({ maxExec: 150, initExec: 40 });

    const up2 = await real('POST', `/api/v1/licensing/entitlements/${entitlementId}/upgrades`, { templateId: template.body.id });
    expect(up2.status, JSON.stringify(up2.body)).toBe(201);
    expect(up2.body).toMatchObject({ upgradeSeq: 2, customLicense: { maxExec: 200 } });
    const logs = await p.sql<Array<{ upgrade_seq: number; custom_license: { maxExec: number } }>>`select upgrade_seq, custom_license from upgrade_logs where entitlement_id = ${entitlementId} order by id`;
    expect(logs.map((l) => [l.upgrade_seq, l.custom_license.maxExec])).toEqual([[1, 150], [2, 200]]);

    // Without a managed flag a replacing template (addToExisting = false) is allowed (§1.2).
    const plain = await createProduct(real, { masterLicense: { maxExec: 100 } });
    const replacing = await real('POST', `/api/v1/licensing/products/${plain.id}/upgrade-templates`, { name: 'Exactly 500 runs', maxExec: 500, addToExisting: false });
    expect(replacing.status, JSON.stringify(replacing.body)).toBe(201);
  });

  it('§8 #27 floating seats = 3: three checkouts, the fourth SEATS_EXHAUSTED; a silent holder lapses after the 900 s TTL, then the fourth succeeds and the lapsed lease answers LEASE_EXPIRED', async () => {
    const { t0, at } = startClock();
    const pub = publicCall(atClock, '198.51.100.27');
    const product = await createProduct(atClock, { licenseModel: 'floating', maxActivations: 1, activationPolicy: 'High' });
    const { key, entitlementId } = await keyWith(atClock, product.code, 3, '198.51.100.27');
    const checkout = (user: string) => pub('POST', '/leases', { key, productCode: product.code, machineId: `machine-${user}`, userName: user, hostname: `${user}-pc` });
    const heartbeat = (leaseId: number) => pub('POST', `/leases/${leaseId}/heartbeat`, { key });

    const leases: number[] = [];
    for (const user of ['ann', 'bob', 'cyd']) {
      const lease = await checkout(user);
      expect(lease.status, JSON.stringify(lease.body)).toBe(201);
      expect(lease.body).toMatchObject({ expiresAt: new Date(t0 + 900_000).toISOString(), heartbeatSeconds: 300 });
      // A signed floating license, bound to no machine (§6.8); floating ignores policies and maxActivations (§5.1).
      expect(lease.body.document.document).toMatchObject({ model: 'floating', seats: 3, machineId: null, product: product.code, licensee: { user } });
      expect(verifyLicense(lease.body.document, publicKey)).toBe(true);
      leases.push(lease.body.leaseId);
    }
    const [ann, bob, cyd] = leases as [number, number, number];
    const fourth = await checkout('dan');
    expect([fourth.status, fourth.body.error?.code]).toEqual([409, 'SEATS_EXHAUSTED']);
    // The same machine and user get their lease back: no second seat.
    const bobAgain = await checkout('bob');
    expect([bobAgain.status, bobAgain.body.leaseId]).toEqual([200, bob]);

    // Ann stops heartbeating; Bob and Cyd beat every 300 s.
    for (const seconds of [300, 600]) {
      at(0, seconds);
      for (const id of [bob, cyd]) {
        const beat = await heartbeat(id);
        expect(beat.status, JSON.stringify(beat.body)).toBe(200);
        expect(beat.body.expiresAt).toBe(new Date(t0 + (seconds + 900) * 1000).toISOString());
      }
    }
    at(0, 899);
    expect((await checkout('dan')).body.error?.code).toBe('SEATS_EXHAUSTED');

    at(0, 901);
    const dan = await checkout('dan');
    expect(dan.status, JSON.stringify(dan.body)).toBe(201);
    expect(dan.body.expiresAt).toBe(new Date(t0 + 1801_000).toISOString());
    const lapsed = await heartbeat(ann);
    expect([lapsed.status, lapsed.body.error?.code]).toEqual([410, 'LEASE_EXPIRED']);
    expect((await heartbeat(bob)).status).toBe(200);

    // Giving a seat back frees it at once.
    const released = await pub('DELETE', `/leases/${dan.body.leaseId}`, { key });
    expect(released.status).toBe(204);
    expect((await checkout('eve')).status).toBe(201);
    const rows = await p.sql<Array<{ user_name: string; status: string }>>`select user_name, status from leases where entitlement_id = ${entitlementId} order by id`;
    expect(rows.map((r) => [r.user_name, r.status])).toEqual([['ann', 'expired'], ['bob', 'active'], ['cyd', 'active'], ['dan', 'released'], ['eve', 'active']]);
  });

  it('a fixed product cannot be leased (409 LICENSE_NOT_FLOATING), and a suspended floating license refuses heartbeats', async () => {
    startClock();
    const pub = publicCall(atClock, '198.51.100.29');
    const fixed = await createProduct(atClock, { licenseModel: 'fixed' });
    const fixedKey = await keyWith(atClock, fixed.code, 2, '198.51.100.29');
    const refused = await pub('POST', '/leases', { key: fixedKey.key, productCode: fixed.code, machineId: 'm-1', userName: 'ann' });
    expect([refused.status, refused.body.error?.code]).toEqual([409, 'LICENSE_NOT_FLOATING']);

    const floating = await createProduct(atClock, { licenseModel: 'floating' });
    const { key, entitlementId } = await keyWith(atClock, floating.code, 1, '198.51.100.29');
    const lease = await pub('POST', '/leases', { key, productCode: floating.code, machineId: 'm-1', userName: 'ann' });
    expect(lease.status, JSON.stringify(lease.body)).toBe(201);
    await p.sql`update entitlements set status = 'suspended' where id = ${entitlementId}`;
    const beat = await pub('POST', `/leases/${lease.body.leaseId}/heartbeat`, { key });
    expect([beat.status, beat.body.error?.code]).toEqual([403, 'ENTITLEMENT_SUSPENDED']);
    const [row] = await p.sql<Array<{ status: string }>>`select status from leases where id = ${lease.body.leaseId}`;
    expect(row!.status).toBe('revoked');
  });

  it('§8 #28 seat reduction: floating 3 → 2 refuses the newest lease at its next heartbeat (SEATS_REDUCED), the others continue; fixed 3 → 2 is SEATS_IN_USE without force and revokes the newest binding with force', async () => {
    // Floating: three leases one second apart, so "newest" is plain.
    const { at } = startClock();
    const pub = publicCall(atClock, '198.51.100.28');
    const floating = await createProduct(atClock, { licenseModel: 'floating' });
    const floatingKey = await keyWith(atClock, floating.code, 3, '198.51.100.28');
    const leases: number[] = [];
    for (const [i, user] of ['ann', 'bob', 'cyd'].entries()) {
      at(0, i);
      const lease = await pub('POST', '/leases', { key: floatingKey.key, productCode: floating.code, machineId: `m-${user}`, userName: user });
      expect(lease.status, JSON.stringify(lease.body)).toBe(201);
      leases.push(lease.body.leaseId);
    }
    const [ann, bob, cyd] = leases as [number, number, number];
    const reduced = await atClock('POST', `/api/v1/licensing/entitlements/${floatingKey.entitlementId}/seats`, { seats: 2 });
    expect(reduced.status, JSON.stringify(reduced.body)).toBe(200);
    expect(reduced.body).toMatchObject({ licenseModel: 'floating', previousSeats: 3, seats: 2, inUse: 3, leasesAboveSeats: 1 });

    at(0, 300);
    const heartbeat = (id: number) => pub('POST', `/leases/${id}/heartbeat`, { key: floatingKey.key });
    expect((await heartbeat(ann)).status).toBe(200);
    expect((await heartbeat(bob)).status).toBe(200);
    const newest = await heartbeat(cyd);
    expect([newest.status, newest.body.error?.code]).toEqual([409, 'SEATS_REDUCED']);
    expect((await heartbeat(cyd)).status).toBe(410);
    at(0, 600);
    expect((await heartbeat(ann)).status).toBe(200);
    expect((await heartbeat(bob)).status).toBe(200);
    const noSeat = await pub('POST', '/leases', { key: floatingKey.key, productCode: floating.code, machineId: 'm-cyd', userName: 'cyd' });
    expect([noSeat.status, noSeat.body.error?.code]).toEqual([409, 'SEATS_EXHAUSTED']);
    const leaseRows = await p.sql<Array<{ status: string }>>`select status from leases where entitlement_id = ${floatingKey.entitlementId} order by id`;
    expect(leaseRows.map((r) => r.status)).toEqual(['active', 'active', 'revoked']);

    // Fixed: three seats, three machines, each on its own activation account.
    const fixedPub = publicCall(real, '198.51.100.128');
    const fixed = await createProduct(real, { activationPolicy: 'AcceptAllSingleMachine', maxActivations: 3 });
    const fixedKey = await keyWith(real, fixed.code, 3, '198.51.100.128');
    const bindings: Array<{ id: number; machineId: string }> = [];
    for (const n of [1, 2, 3]) {
      const activated = await fixedPub('POST', '/activations', { key: fixedKey.key, productCode: fixed.code, machine: machine(n) });
      expect(activated.status, JSON.stringify(activated.body)).toBe(201);
      expect(activated.body.action).toBe('Activated');
      bindings.push({ id: activated.body.activationId, machineId: activated.body.document.document.machineId });
    }
    const seats = (body: unknown) => real('POST', `/api/v1/licensing/entitlements/${fixedKey.entitlementId}/seats`, body);
    const inUse = await seats({ seats: 2 });
    expect([inUse.status, inUse.body.code, inUse.body.details]).toEqual([409, 'SEATS_IN_USE', { activeBindings: 3, seats: 2 }]);
    expect((await p.sql<Array<{ seats: number }>>`select seats from entitlements where id = ${fixedKey.entitlementId}`)[0]!.seats).toBe(3);

    const forced = await seats({ seats: 2, force: true });
    expect(forced.status, JSON.stringify(forced.body)).toBe(200);
    expect(forced.body).toMatchObject({ licenseModel: 'fixed', seats: 2, revokedBindingIds: [bindings[2]!.id] });
    const validate = async (b: { id: number; machineId: string }) => (await fixedPub('POST', `/activations/${b.id}/validate`, { key: fixedKey.key, machineId: b.machineId })).body;
    expect(await validate(bindings[0]!)).toMatchObject({ valid: true });
    expect(await validate(bindings[1]!)).toMatchObject({ valid: true });
    expect(await validate(bindings[2]!)).toMatchObject({ valid: false, code: expect.stringMatching(/REVOKED/i) });
    const revokedLogs = await p.sql<Array<{ binding_id: number }>>`select binding_id from activation_logs where entitlement_id = ${fixedKey.entitlementId} and action = 'Revoked'`;
    expect(revokedLogs.map((l) => l.binding_id)).toEqual([bindings[2]!.id]);
  });
});
