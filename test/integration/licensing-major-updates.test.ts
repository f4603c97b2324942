import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyLicense } from '../../operations/licensing/documents';
import { createLicensingProduct, grantLicense, registerLicensingVendor } from '../support/licensing';
import { createClient, createTestPlatform, waitForOrderStatus, type TestPlatform } from '../support/platform';

/**
 * Issue 22 point 3: major updates of perpetual licenses (spec 04 §5.3, §5.4, §8 #34) with the entitled major and
 * the update anchor stored per license. Through the staff API (products, grants, requests, payments; with a pinned
 * clock where the seed's dates matter) and the public licensing API (documents carry `maxMajor`).
 */
let p: TestPlatform;
const prefix = 'MAJR';
const RETAIL = 120_000;

beforeAll(async () => {
  p = await createTestPlatform('licensing_major_updates');
  await registerLicensingVendor(p, prefix, 'Major Software');
});
afterAll(async () => p?.close());

let seq = 0;
const at = (day: string) => p.withClock(() => new Date(`${day}T12:00:00.000Z`));
const publicApi = (path: string, body: unknown) => p.api('POST', `/licensing/v1${path}`, body, { token: null, headers: { 'x-forwarded-for': `198.51.100.${(seq % 250) + 1}` } });

/** A perpetual product with these majors, and an organisation's key holding it, bought on `boughtOn`. */
async function perpetualLicense(releases: Array<[number, string]>, boughtOn = '2024-01-10') {
  seq += 1;
  const code = `calc-${seq}`;
  const made = await createLicensingProduct(p, prefix, code, `Calc ${seq}`, {
    termType: 'perpetual',
    activationPolicy: 'AcceptAllSingleMachine',
    majorReleases: releases.map(([major, releasedAt]) => ({ major, releasedAt })),
    retailPrice: RETAIL,
    retailCurrency: 'EUR',
  });
  const registered = await publicApi('/keys', { vendorPrefix: prefix, productCode: code, customer: { companyName: `Org ${seq}`, legalForm: 'organization' } });
  expect(registered.status, JSON.stringify(registered.body)).toBe(201);
  const granted = await grantLicense(at(boughtOn), registered.body.key, { productCode: code, periodDays: null });
  return { code, productId: made.id, key: registered.body.key as string, entitlementId: granted.id };
}

const request = (entitlementId: number, targetMajor: number, day: string) => at(day)('POST', `/api/v1/licensing/entitlements/${entitlementId}/major-updates`, { targetMajor });
async function stored(id: number) {
  const [row] = await p.sql<Array<{ entitled_major: number; update_anchor_at: string | null; support_until: string | null }>>`
    select entitled_major, update_anchor_at, support_until from entitlements where id = ${id}`;
  return { major: row!.entitled_major, anchor: row!.update_anchor_at && new Date(row!.update_anchor_at).toISOString().slice(0, 10), support: row!.support_until && new Date(row!.support_until).toISOString().slice(0, 10) };
}
const machine = (n: number) => ({ signatures: { hdd: `H${n}`, cpu: `C${n}`, bios: `B${n}`, ethernet: `E${n}` } });

describe('§5.3 quote table row by row from the stored entitled major and anchor (§8 #34: v1 bought 2024-01-10)', () => {
  it('row 1: v2 released 2024-05-01, within 6 months of the purchase → free, applied at once; the anchor moves to the update', async () => {
    const l = await perpetualLicense([[1, '2023-06-01'], [2, '2024-05-01']]);
    expect(await stored(l.entitlementId)).toMatchObject({ major: 1, anchor: '2024-01-10', support: '2025-01-10' });
    const answer = await request(l.entitlementId, 2, '2024-06-01');
    expect(answer.status, JSON.stringify(answer.body)).toBe(201);
    expect(answer.body).toMatchObject({ status: 'applied', outcome: 'free', percent: 0, price: 0, fromMajor: 1, targetMajor: 2, anchor: '2024-01-10T12:00:00.000Z' });
    // §5.4: a free update does not touch support.
    expect(await stored(l.entitlementId)).toEqual({ major: 2, anchor: '2024-06-01', support: '2025-01-10' });
  });

  it('row 2: v2 released 2024-09-01, outside the 6 months, v3 not out → 50 % of the retail price, support not included; quoted until paid', async () => {
    const l = await perpetualLicense([[2, '2024-09-01']]);
    const answer = await request(l.entitlementId, 2, '2024-10-01');
    expect(answer.body).toMatchObject({ status: 'quoted', outcome: 'half_price', percent: 50, price: RETAIL / 2, supportIncluded: false, currency: 'EUR' });
    expect(await stored(l.entitlementId)).toMatchObject({ major: 1 });
  });

  it('row 3: v3 asked while entitled to v1 → 100 % (new licenses, support included); and v2 once v3 is out → 100 % too', async () => {
    const l = await perpetualLicense([[2, '2024-09-01'], [3, '2025-03-01']]);
    expect((await request(l.entitlementId, 3, '2025-04-01')).body).toMatchObject({ status: 'quoted', outcome: 'full_price', percent: 100, price: RETAIL, supportIncluded: true });
    // A second request replaces the unpaid quote.
    const again = await request(l.entitlementId, 2, '2025-04-01');
    expect(again.body).toMatchObject({ status: 'quoted', outcome: 'full_price', percent: 100, price: RETAIL });
    const orders = await p.sql<Array<{ status: string }>>`select status from license_major_updates where entitlement_id = ${l.entitlementId} order by id`;
    expect(orders.map((o) => o.status)).toEqual(['cancelled', 'quoted']);
  });

  it('a major already held is free and orders nothing; an unreleased one cannot be quoted (422 MAJOR_NOT_RELEASED)', async () => {
    const l = await perpetualLicense([[2, '2030-01-01']]);
    expect((await request(l.entitlementId, 1, '2024-06-01')).body).toMatchObject({ status: 'already_entitled', updateId: null, price: 0 });
    const unreleased = await request(l.entitlementId, 2, '2024-06-01');
    expect([unreleased.status, unreleased.body.code]).toEqual([422, 'MAJOR_NOT_RELEASED']);
  });

  it('a release recorded later (staff API) is quoted from then on', async () => {
    const l = await perpetualLicense([]);
    expect((await p.api('POST', `/api/v1/licensing/products/${l.productId}/major-releases`, { major: 2, releasedAt: '2024-03-01' })).body.majorReleases).toEqual([{ major: 2, releasedAt: '2024-03-01' }]);
    expect((await request(l.entitlementId, 2, '2024-04-01')).body).toMatchObject({ status: 'applied', outcome: 'free' });
  });
});

describe('a paid update goes through payment, then moves the license; documents carry maxMajor (§5.3)', () => {
  it('paid outside the platform (reference): the license moves, the anchor restarts, and a new activation document says maxMajor 2', async () => {
    const l = await perpetualLicense([[2, '2024-09-01']]);
    const before = await publicApi('/activations', { key: l.key, productCode: l.code, machine: machine(1) });
    expect(before.status, JSON.stringify(before.body)).toBe(201);
    expect(before.body.document.document).toMatchObject({ maxMajor: 1, supportUntil: '2025-01-10T12:00:00.000Z' });
    const quote = (await request(l.entitlementId, 2, '2024-10-01')).body;
    const paid = await at('2024-10-05')('POST', `/api/v1/licensing/major-updates/${quote.updateId}/pay`, { method: 'external', reference: 'INV-2024-77' });
    expect(paid.status, JSON.stringify(paid.body)).toBe(200);
    expect(paid.body).toMatchObject({ status: 'applied', paidVia: 'external', entitledMajor: 2 });
    // §5.4: a 50 % update includes no support.
    expect(await stored(l.entitlementId)).toEqual({ major: 2, anchor: '2024-10-05', support: '2025-01-10' });
    // Paying again answers the same, changing nothing.
    expect((await p.api('POST', `/api/v1/licensing/major-updates/${quote.updateId}/pay`, { method: 'external', reference: 'INV-2024-77' })).body).toMatchObject({ status: 'applied' });
    const after = await publicApi('/activations', { key: l.key, productCode: l.code, machine: machine(2) });
    expect(after.body.document.document.maxMajor).toBe(2);
    const { publicKey } = (await p.api('GET', `/licensing/v1/vendors/${prefix}/public-key`, undefined, { token: null })).body;
    expect(verifyLicense(after.body.document, publicKey)).toBe(true);
    // A key without a billing client cannot pay from a balance.
    const other = await perpetualLicense([[2, '2024-09-01']]);
    const q2 = (await request(other.entitlementId, 2, '2024-10-01')).body;
    const refused = await p.api('POST', `/api/v1/licensing/major-updates/${q2.updateId}/pay`, { method: 'balance' });
    expect([refused.status, refused.body.code]).toEqual([422, 'NO_BILLING_CLIENT']);
  });

  it("paid from a billing client's balance: one ledger debit under a business key, refused while the balance is short", async () => {
    seq += 1;
    const code = `billed-${seq}`;
    expect((await p.api('POST', '/api/v1/licensing/products', { vendorPrefix: prefix, code, name: 'Billed', termType: 'perpetual', majorReleases: [{ major: 2, releasedAt: '2020-01-01' }], retailPrice: RETAIL, retailCurrency: 'EUR' })).status).toBe(201);
    const rule = (await p.api('POST', '/api/v1/service-rules', { key: `maj_rule_${seq}`, name: 'Majors' })).body;
    const provisioning = (await p.api('POST', '/api/v1/provisioning-rules', { key: `maj_prov_${seq}`, name: 'Majors' })).body;
    const productRow = (await p.api('POST', '/api/v1/products', { name: 'Calc perpetual' })).body;
    const template = (await p.api('POST', '/api/v1/service-templates', { name: `Majr ${code}`, plugin: 'licensing', settings: { vendorPrefix: prefix, productCode: code } })).body;
    const plan = await p.api('POST', '/api/v1/plans', { productId: productRow.id, serviceTemplateId: template.id, provisioningRuleId: provisioning.id, name: 'Calc', sku: `MAJ-${seq}`, currency: 'EUR', periods: [{ duration: 1, unit: 'month', setupFee: 0, recurringFee: 1000 }] });
    expect(plan.status, JSON.stringify(plan.body)).toBe(201);
    const clientId = await createClient(p, { serviceRuleId: rule.id } as never, 'Perpetual Org');
    await p.api('POST', `/api/v1/clients/${clientId}/top-ups`, { amount: 1000 });
    const order = (await p.api('POST', '/api/v1/orders', { clientId, planPeriodId: plan.body.periods[0].id })).body;
    await waitForOrderStatus(p, order.id, 'completed');
    const [key] = (await p.api('GET', `/api/v1/licensing/keys?clientId=${clientId}`)).body.items;
    const entitlementId = key.entitlements[0].id as number;

    // Bought today; v2 came out in 2020 and no v3 exists: 50 %.
    const quote = (await p.api('POST', `/api/v1/licensing/entitlements/${entitlementId}/major-updates`, { targetMajor: 2 })).body;
    expect(quote).toMatchObject({ status: 'quoted', outcome: 'half_price', price: RETAIL / 2 });
    const short = await p.api('POST', `/api/v1/licensing/major-updates/${quote.updateId}/pay`, { method: 'balance' });
    expect([short.status, short.body.code]).toEqual([409, 'BALANCE_TOO_LOW']);
    expect(await stored(entitlementId)).toMatchObject({ major: 1 });

    await p.api('POST', `/api/v1/clients/${clientId}/top-ups`, { amount: RETAIL });
    const balanceBefore = Number((await p.api('GET', `/api/v1/clients/${clientId}`)).body.balance);
    const paid = await p.api('POST', `/api/v1/licensing/major-updates/${quote.updateId}/pay`, { method: 'balance' });
    expect(paid.body).toMatchObject({ status: 'applied', paidVia: 'balance', entitledMajor: 2 });
    await p.api('POST', `/api/v1/licensing/major-updates/${quote.updateId}/pay`, { method: 'balance' });
    expect(Number((await p.api('GET', `/api/v1/clients/${clientId}`)).body.balance)).toBe(balanceBefore - RETAIL / 2);
    const ledger = await p.sql<Array<{ amount: string; idempotency_key: string }>>`select amount, idempotency_key from ledger_transactions where client_id = ${clientId} and kind = 'license_update'`;
    expect(ledger.map((l) => [Number(l.amount), l.idempotency_key])).toEqual([[-RETAIL / 2, `license-major-update/${quote.updateId}`]]);
    expect(await stored(entitlementId)).toMatchObject({ major: 2 });
  });
});

describe('support extension (§5.4, §8 #35)', () => {
  it('perpetual bought 2024-01-10 has support until 2025-01-10; an extension bought 2024-12-01 runs to 2026-01-10; a 100 % update adds 12 months from the update', async () => {
    const l = await perpetualLicense([[2, '2024-09-01'], [3, '2025-03-01']]);
    expect((await stored(l.entitlementId)).support).toBe('2025-01-10');
    expect((await at('2024-12-01')('POST', `/api/v1/licensing/entitlements/${l.entitlementId}/support-extensions`, { months: 12 })).status).toBeLessThan(300);
    expect((await stored(l.entitlementId)).support).toBe('2026-01-10');
    const quote = (await request(l.entitlementId, 3, '2026-03-01')).body;
    expect(quote).toMatchObject({ outcome: 'full_price', supportIncluded: true });
    await at('2026-03-02')('POST', `/api/v1/licensing/major-updates/${quote.updateId}/pay`, { method: 'external', reference: 'NEW-LIC-1' });
    expect(await stored(l.entitlementId)).toEqual({ major: 3, anchor: '2026-03-02', support: '2027-03-02' });
  });
});
