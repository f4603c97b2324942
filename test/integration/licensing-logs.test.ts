import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLicensingProduct, grantLicense, registerLicensingVendor } from '../support/licensing';
import { createTestPlatform, type TestPlatform } from '../support/platform';

/**
 * Issue 22 point 6: logs that can be read (spec 04 §6.7, seed 004 "Activation Logs" / "Upgrade Logs") through the
 * staff API, written by the public licensing API: per key, license and machine, by action and time, paged and as a
 * CSV export; Deactivated, Revoked (with its cause) and Refused (with its code) are logged too.
 */
let p: TestPlatform;
const prefix = 'MIKO';
const DAY = 86_400_000;
let clock = new Date('2026-12-01T09:00:00Z');
const days = (n: number) => new Date(Date.UTC(2026, 11, 1, 9) + n * DAY);
let at: TestPlatform['api'];

beforeAll(async () => {
  p = await createTestPlatform('licensing_logs');
  await registerLicensingVendor(p, prefix);
  at = p.withClock(() => clock);
});
afterAll(async () => p?.close());

let seq = 0;
let address = 0;
const publicApi = (path: string, body: unknown) => {
  address += 1;
  return at('POST', `/licensing/v1${path}`, body, { token: null, headers: { 'x-forwarded-for': `198.51.100.${(address % 250) + 1}` } });
};

async function license(settings: Record<string, unknown>, key?: string) {
  seq += 1;
  const code = `logs-${seq}`;
  await createLicensingProduct(p, prefix, code, `Logs ${seq}`, settings);
  let keyCode = key;
  if (!keyCode) {
    const registered = await publicApi('/keys', { vendorPrefix: prefix, productCode: code, customer: { companyName: `Logs Customer ${seq}` } });
    expect(registered.status, JSON.stringify(registered.body)).toBe(201);
    keyCode = registered.body.key as string;
  }
  const granted = await grantLicense(at, keyCode, { productCode: code, periodDays: null });
  return { key: keyCode, product: code, entitlementId: granted.id };
}

const sig = (n: number) => ({ hdd: `H${n}`, cpu: `C${n}`, bios: `B${n}`, ethernet: `E${n}` });
const activate = (l: { key: string; product: string }, n: number, hostname = `pc-${n}`) => publicApi('/activations', { key: l.key, productCode: l.product, machine: { signatures: sig(n), hostname } });
type LogRow = { id: number; at: string; action: string; errorCode: string | null; cause: string | null; entitlementId: number; machineId: string | null; keyCode: string; product: string };
const logs = async (query: string, token?: string) => {
  const answer = await p.api('GET', `/api/v1/licensing/activation-logs?${query}`, undefined, token ? { token } : {});
  expect(answer.status, JSON.stringify(answer.body)).toBe(200);
  return answer.body as { items: LogRow[]; nextCursor: number | null };
};
const brief = (rows: LogRow[]) => rows.map((r) => [r.action, r.errorCode ?? r.cause]).reverse();

describe('activation and upgrade logs (issue 22 point 6, spec 04 §6.7)', () => {
  let l: { key: string; product: string; entitlementId: number };
  let second: { key: string; product: string; entitlementId: number };
  const machineIds: string[] = [];

  beforeAll(async () => {
    // MaxActivation = 2 (§8 #13): A Activated, B Replaced, C Refused; B deactivated; a second license of the key deleted.
    l = await license({ activationPolicy: 'AcceptAllSingleMachine', maxActivations: 2 });
    clock = days(0);
    const a = await activate(l, 1);
    clock = days(1);
    const b = await activate(l, 2, '=HYPERLINK("x")');
    clock = days(2);
    const c = await activate(l, 3);
    expect([a.status, b.status, c.status, c.body.error?.code]).toEqual([201, 201, 409, 'MAX_ACTIVATIONS_REACHED']);
    machineIds.push(a.body.document.document.machineId, b.body.document.document.machineId);
    clock = days(3);
    expect((await publicApi(`/activations/${b.body.activationId}/deactivate`, { key: l.key, clientState: {} })).status).toBe(200);
    second = await license({ activationPolicy: 'AcceptAllSingleMachine', maxActivations: 5 }, l.key);
    clock = days(4);
    expect((await activate(second, 4)).status).toBe(201);
    clock = days(5);
    expect((await at('POST', `/api/v1/licensing/entitlements/${second.entitlementId}/delete`, { reason: 'sold by mistake' })).status).toBe(200);
  });

  it('lists the log per key: Activated, Replaced, Refused with its code, Deactivated, Revoked with its cause, newest first', async () => {
    const all = await logs(`key=${encodeURIComponent(l.key.toLowerCase())}`);
    expect(brief(all.items)).toEqual([
      ['Activated', null],
      ['Replaced', null],
      ['Refused', 'MAX_ACTIVATIONS_REACHED'],
      ['Deactivated', null],
      ['Activated', null],
      ['Revoked', 'license_deleted'],
    ]);
    expect(all.items.every((r) => r.keyCode === l.key)).toBe(true);
    // The refusal bound nothing, yet it names the machine it came from.
    expect(all.items.every((r) => typeof r.machineId === 'string' && r.machineId.length === 64)).toBe(true);
    expect(new Date(all.items.at(-1)!.at)).toEqual(days(0));
  });

  it('filters by license, machine, action and time, and pages', async () => {
    expect(brief((await logs(`entitlementId=${second.entitlementId}`)).items)).toEqual([
      ['Activated', null],
      ['Revoked', 'license_deleted'],
    ]);
    expect(brief((await logs(`machineId=${machineIds[1]}`)).items)).toEqual([
      ['Replaced', null],
      ['Deactivated', null],
    ]);
    expect(brief((await logs(`key=${encodeURIComponent(l.key)}&action=Refused`)).items)).toEqual([['Refused', 'MAX_ACTIVATIONS_REACHED']]);
    const window = await logs(`key=${encodeURIComponent(l.key)}&from=${encodeURIComponent(days(1).toISOString())}&to=${encodeURIComponent(days(3).toISOString())}`);
    expect(brief(window.items)).toEqual([
      ['Replaced', null],
      ['Refused', 'MAX_ACTIVATIONS_REACHED'],
    ]);
    const first = await logs(`key=${encodeURIComponent(l.key)}&limit=4`);
    expect(first.items).toHaveLength(4);
    const rest = await logs(`key=${encodeURIComponent(l.key)}&limit=4&after=${first.nextCursor}`);
    expect(brief([...first.items, ...rest.items])).toEqual(brief((await logs(`key=${encodeURIComponent(l.key)}`)).items));
    expect(rest.nextCursor).toBeNull();
    // Bad filters are a 400 that names the field.
    const bad = await p.api('GET', '/api/v1/licensing/activation-logs?action=Exploded');
    expect([bad.status, bad.body.code]).toEqual([400, 'validation_failed']);
    expect((await p.api('GET', '/api/v1/licensing/activation-logs?from=yesterday')).status).toBe(400);
  });

  it('exports the log as CSV with the same filters; a cell a spreadsheet would run is kept as text', async () => {
    const answer = await p.app.request(`/api/v1/licensing/activation-logs/export?key=${encodeURIComponent(l.key)}`, { headers: { authorization: `Bearer ${p.adminToken}` } });
    expect(answer.status).toBe(200);
    expect(answer.headers.get('content-type')).toBe('text/csv; charset=utf-8');
    expect(answer.headers.get('content-disposition')).toContain('activation-log.csv');
    const lines = (await answer.text()).trimEnd().split('\r\n');
    expect(lines[0]).toBe('id,at,action,errorCode,cause,entitlementId,product,key,accountSlot,bindingId,machineId,hostname');
    expect(lines).toHaveLength(1 + 6);
    const actions = lines.slice(1).map((line) => line.split(',')[2]);
    expect(actions.reverse()).toEqual(['Activated', 'Replaced', 'Refused', 'Deactivated', 'Activated', 'Revoked']);
    expect(lines.find((line) => line.includes('MAX_ACTIVATIONS_REACHED'))).toContain(`,${days(2).toISOString()},Refused,MAX_ACTIVATIONS_REACHED,,${l.entitlementId},${l.product},${l.key},`);
    // The hostname "=HYPERLINK(...)" leaves as text, never as a formula.
    expect(lines.some((line) => line.endsWith(`"'=HYPERLINK(""x"")"`))).toBe(true);
    const refusedOnly = await p.app.request(`/api/v1/licensing/activation-logs/export?key=${encodeURIComponent(l.key)}&action=Refused`, { headers: { authorization: `Bearer ${p.adminToken}` } });
    expect((await refusedOnly.text()).trimEnd().split('\r\n')).toHaveLength(2);
  });

  it('logs the cause of every revocation: a reset, a forced seat reduction, a composition change, a coupon reversal', async () => {
    const r = await license({ activationPolicy: 'AcceptAllSingleMachine', maxActivations: 10 });
    expect((await at('POST', `/api/v1/licensing/entitlements/${r.entitlementId}/seats`, { seats: 2 })).status).toBe(200);
    expect((await activate(r, 11)).status).toBe(201);
    expect((await activate(r, 12)).status).toBe(201);
    expect((await at('POST', `/api/v1/licensing/entitlements/${r.entitlementId}/seats`, { seats: 1, force: true })).status).toBe(200);
    expect((await at('POST', `/api/v1/licensing/entitlements/${r.entitlementId}/reset-registrations`, { regenerateKey: false })).status).toBe(200);
    expect(brief((await logs(`entitlementId=${r.entitlementId}&action=Revoked`)).items)).toEqual([
      ['Revoked', 'seats_reduced'],
      ['Revoked', 'registrations_reset'],
    ]);

    // A composition coupon supersedes the product and revokes its binding; reversing an add-product coupon revokes the one it gave.
    expect((await activate(r, 13)).status).toBe(201);
    seq += 1;
    const pro = `logs-pro-${seq}`;
    expect((await p.api('POST', '/api/v1/licensing/products', { vendorPrefix: prefix, code: pro, name: 'Pro', activationPolicy: 'AcceptAllSingleMachine' })).status).toBe(201);
    const composed = await at('POST', `/api/v1/licensing/keys/${r.key}/composition-coupons`, { items: [{ productCode: pro, periodDays: 30 }], activateImmediately: true });
    expect(composed.status, JSON.stringify(composed.body)).toBe(201);
    const added = await at('POST', '/api/v1/licensing/coupons', { vendorPrefix: prefix, type: 'add_product', items: [{ productCode: r.product, periodDays: 30 }] });
    const applied = await publicApi('/coupons/apply', { key: r.key, coupon: added.body.coupons[0].code, channel: 'customer_portal' });
    expect(applied.status, JSON.stringify(applied.body)).toBe(200);
    const revived = applied.body.entitlements.find((e: { product?: string; productCode?: string; status: string }) => (e.product ?? e.productCode) === r.product && e.status === 'active');
    expect(revived, JSON.stringify(applied.body)).toBeDefined();
    expect((await activate(r, 14)).status).toBe(201);
    expect((await at('POST', `/api/v1/licensing/coupon-activations/${applied.body.couponActivationId}/reverse`, { reason: 'mistake' })).status).toBe(200);
    const causes = (await logs(`key=${encodeURIComponent(r.key)}&action=Revoked`)).items.map((row) => row.cause);
    expect(causes).toEqual(expect.arrayContaining(['composition_change', 'coupon_reversal']));
  });

  it('lists the upgrade log per key and license', async () => {
    const u = await license({ activationPolicy: 'AcceptAllSingleMachine', maxActivations: 3, managedExpiration: true, masterLicense: { maxDayPeriod: 30 } });
    const template = await p.api('POST', `/api/v1/licensing/products/${(await p.sql`select product_id from entitlements where id = ${u.entitlementId}`)[0]!.product_id}/upgrade-templates`, { name: '+30 days', maxDayPeriod: 30 });
    expect(template.status, JSON.stringify(template.body)).toBe(201);
    clock = days(0);
    expect((await activate(u, 21)).status).toBe(201);
    clock = days(10);
    expect((await at('POST', `/api/v1/licensing/entitlements/${u.entitlementId}/upgrades`, { templateId: template.body.id })).status).toBe(201);
    const answer = await p.api('GET', `/api/v1/licensing/upgrade-logs?key=${encodeURIComponent(u.key)}`);
    expect(answer.status, JSON.stringify(answer.body)).toBe(200);
    expect(answer.body.items).toEqual([expect.objectContaining({ entitlementId: u.entitlementId, accountSlot: 1, upgradeSeq: 1, templateId: template.body.id, templateName: '+30 days', customLicense: expect.objectContaining({ maxDayPeriod: 50 }) })]);
    expect((await p.api('GET', `/api/v1/licensing/upgrade-logs?entitlementId=${l.entitlementId}`)).body.items).toEqual([]);
  });

  it('shows another reseller none of these rows', async () => {
    const reseller = await p.api('POST', '/api/v1/resellers', { name: 'Logs Reseller', currency: 'EUR' });
    const member = (await p.api('POST', '/api/v1/staff', { name: 'Lars Logs', email: 'lars@example.com', role: 'admin' })).body;
    await p.sql`update staff set reseller_id = ${reseller.body.id} where id = ${member.id}`;
    const token = (await p.api('POST', `/api/v1/staff/${member.id}/tokens`, { name: 'reseller' })).body.token as string;
    expect((await logs(`key=${encodeURIComponent(l.key)}`, token)).items).toEqual([]);
    expect((await logs('', token)).items).toEqual([]);
    expect((await p.api('GET', '/api/v1/licensing/upgrade-logs', undefined, { token })).body.items).toEqual([]);
  });
});
