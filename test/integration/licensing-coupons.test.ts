/**
 * Coupons of the licensing plugin (spec 04 §3) through the real HTTP API and PostgreSQL: the staff routes
 * under /api/v1/licensing (generation, list, void, vendor-portal activation, reversal) and the public
 * `POST /licensing/v1/coupons/apply`. One test per acceptance scenario §8 #2 to #12, plus the §3.3 limit on
 * failed attempts and voiding.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatCoupon, parseCoupon } from '../../domain/licensing/codes';
import { generateCoupon } from '../../operations/licensing/keys/new-codes';
import { createLicensingProduct, grantLicense, registerLicensingVendor } from '../support/licensing';
import { createTestPlatform, type TestPlatform } from '../support/platform';

let p: TestPlatform;
const prefix = 'MIKO';
const DAY = 86_400_000;

beforeAll(async () => {
  p = await createTestPlatform('licensing-coupons', { runWorker: false });
  await registerLicensingVendor(p, prefix);
});
afterAll(async () => p?.close());

let productSeq = 0;
/** A licensing product of MIKO (any machine may activate it); returns its code. */
async function product(settings: Record<string, unknown> = {}): Promise<string> {
  productSeq += 1;
  const code = `coupon-app-${productSeq}`;
  await createLicensingProduct(p, prefix, code, `Coupon app ${productSeq}`, { activationPolicy: 'AcceptAllSingleMachine', ...settings });
  return code;
}

const publicApi = (path: string, body: unknown, from: string) => p.api('POST', `/licensing/v1${path}`, body, { token: null, headers: { 'x-forwarded-for': from } });

/** A key registered on first run (public route); with `trial` it holds the product's trial. */
async function newKey(productCode: string, from: string, trial = false): Promise<string> {
  const made = await publicApi('/keys', { vendorPrefix: prefix, productCode, customer: { companyName: 'Coupon Customer Ltd' }, trial }, from);
  expect(made.status, JSON.stringify(made.body)).toBe(201);
  return made.body.key as string;
}

/** Staff give a key a product by hand. */
async function grant(key: string, productCode: string, body: { kind?: 'paid' | 'trial'; periodDays: number | null }) {
  await grantLicense(p.api, key, { productCode, ...body });
}

/** Staff generate coupons of MIKO; returns the 201 body { batchId, coupons, activation? }. */
async function generate(body: Record<string, unknown>) {
  const made = await p.api('POST', '/api/v1/licensing/coupons', { vendorPrefix: prefix, distributorId: undefined, ...body });
  expect(made.status, JSON.stringify(made.body)).toBe(201);
  return made.body as { batchId: number; coupons: Array<{ id: number; code: string; status: string }>; activation?: { couponActivationId: number; entitlements: Array<Record<string, unknown>> } };
}

const apply = (key: string, coupon: string, from: string, channel: 'in_app' | 'customer_portal' = 'in_app') => publicApi('/coupons/apply', { key, coupon, channel }, from);

const canonical = (code: string) => code.replace(/-/g, '');

interface EntitlementRow {
  id: number;
  status: string;
  kind: string;
  source: string;
  seats: number;
  /** As the driver returns it (a timestamp string). */
  expires_at: string | null;
  superseded_by: number | null;
}
/** The key's entitlements of a product, oldest first. */
async function held(key: string, productCode: string): Promise<EntitlementRow[]> {
  return p.sql<EntitlementRow[]>`
    select e.id, e.status, e.kind, e.source, e.seats, e.expires_at, e.superseded_by
    from entitlements e join license_keys k on k.id = e.key_id join licensing_products pr on pr.id = e.product_id
    where k.code = ${canonical(key)} and pr.code = ${productCode} order by e.id`;
}

async function couponRow(code: string) {
  const [row] = await p.sql<Array<{ id: number; status: string }>>`select id, status from coupons where code = ${canonical(code)}`;
  return row!;
}

/** `actual` lies within [from + days, to + days] (the moments around the call), a second of slack each side. */
function expectDaysAhead(actual: string | null | undefined, days: number, window: { from: number; to: number }) {
  expect(actual, 'an expiry').toBeTruthy();
  const at = new Date(actual!).getTime();
  expect(at).toBeGreaterThanOrEqual(window.from + days * DAY - 1000);
  expect(at).toBeLessThanOrEqual(window.to + days * DAY + 1000);
}

/** Runs `call` and returns its answer with the moments before and after it. */
async function timed<T>(call: () => Promise<T>): Promise<{ answer: T; from: number; to: number }> {
  const from = Date.now();
  const answer = await call();
  return { answer, from, to: Date.now() };
}

const machine = (n: number) => ({ signatures: { hdd: `HDD-${n}`, cpu: `CPU-${n}`, bios: `BIOS-${n}`, ethernet: `00:11:22:33:44:${String(n).padStart(2, '0')}` }, hostname: `pc-${n}` });

/** Activates the product of the key on machine n; returns the binding id. */
async function activate(key: string, productCode: string, n: number, from: string): Promise<number> {
  const activated = await publicApi('/activations', { key, productCode, machine: machine(n) }, from);
  expect(activated.status, JSON.stringify(activated.body)).toBe(201);
  return activated.body.activationId as number;
}

const bindingStatus = async (id: number) => (await p.sql<Array<{ status: string }>>`select status from machine_bindings where id = ${id}`)[0]!.status;

describe('licensing coupons (spec 04 §3)', () => {
  it('§8 #2 coupon prefix: every generated coupon for MIKO starts with MIKOUPD and passes the check; an ABCDUPD coupon on a MIKO key → COUPON_VENDOR_MISMATCH', async () => {
    const from = '198.51.100.2';
    const code = await product();
    const key = await newKey(code, from);
    const batches = [
      await generate({ type: 'add_product', count: 3, items: [{ productCode: code, periodDays: 30 }] }),
      await generate({ type: 'extend_trial', reusable: true, items: [{ productCode: code, remainingDays: 10 }] }),
      await generate({ type: 'change_composition', targetKey: key, items: [{ productCode: code, periodDays: 365 }] }),
    ];
    const codes = batches.flatMap((b) => b.coupons.map((c) => c.code));
    expect(codes).toHaveLength(5);
    for (const coupon of codes) {
      expect(coupon).toMatch(/^MIKOUPD-[ATC][0-9A-Z]{4}-[0-9A-Z]{5}-[0-9A-Z]{5}$/);
      expect(parseCoupon(coupon, prefix).code).toBe(canonical(coupon));
    }
    expect(batches.map((b) => parseCoupon(b.coupons[0]!.code).couponType)).toEqual(['add_product', 'extend_trial', 'change_composition']);

    const foreign = formatCoupon(generateCoupon('ABCD', 'add_product'));
    expect(foreign.startsWith('ABCDUPD-')).toBe(true);
    const refused = await apply(key, foreign, from);
    expect([refused.status, refused.body.error.code]).toEqual([422, 'COUPON_VENDOR_MISMATCH']);
    const byStaff = await p.api('POST', '/api/v1/licensing/coupon-activations', { key, coupon: foreign });
    expect([byStaff.status, byStaff.body.code]).toEqual([422, 'COUPON_VENDOR_MISMATCH']);
  });

  it('§8 #3 batch generation: count 5 → 5 distinct unused codes with one batchId; count omitted → exactly 1', async () => {
    const code = await product();
    const five = await generate({ type: 'add_product', count: 5, items: [{ productCode: code, periodDays: 90, seats: 2 }], comment: 'spring campaign' });
    expect(five.coupons).toHaveLength(5);
    expect(new Set(five.coupons.map((c) => c.code)).size).toBe(5);
    expect(five.coupons.every((c) => c.status === 'unused')).toBe(true);
    const listed = await p.api('GET', `/api/v1/licensing/coupons?batchId=${five.batchId}`);
    expect(listed.status).toBe(200);
    expect(listed.body.items.map((c: { code: string }) => c.code).sort()).toEqual(five.coupons.map((c) => c.code).sort());
    expect(listed.body.items.every((c: { batchId: number; status: string; type: string }) => c.batchId === five.batchId && c.status === 'unused' && c.type === 'add_product')).toBe(true);
    const [batch] = await p.sql<Array<{ count: number; coupons: number }>>`
      select b.count, (select count(*)::int from coupons c where c.batch_id = b.id) as coupons from coupon_batches b where b.id = ${five.batchId}`;
    expect(batch).toEqual({ count: 5, coupons: 5 });

    const one = await generate({ type: 'add_product', items: [{ productCode: code, periodDays: 90 }] });
    expect(one.coupons).toHaveLength(1);
    expect(one.batchId).not.toBe(five.batchId);
    const [single] = await p.sql<Array<{ count: number; coupons: number }>>`
      select b.count, (select count(*)::int from coupons c where c.batch_id = b.id) as coupons from coupon_batches b where b.id = ${one.batchId}`;
    expect(single).toEqual({ count: 1, coupons: 1 });
  });

  it('§8 #4 add product to an empty key: P active for 365 days, channel recorded; the same coupon on K2 → COUPON_ALREADY_USED', async () => {
    const from = '198.51.100.4';
    const code = await product();
    const k1 = await newKey(code, from);
    const k2 = await newKey(code, from);
    expect(await held(k1, code)).toEqual([]);
    const [coupon] = (await generate({ type: 'add_product', items: [{ productCode: code, periodDays: 365 }] })).coupons;

    const { answer, from: t0, to: t1 } = await timed(() => apply(k1, coupon!.code, from, 'in_app'));
    expect(answer.status, JSON.stringify(answer.body)).toBe(200);
    expect(answer.body.couponActivationId).toEqual(expect.any(Number));
    expect(answer.body.entitlements).toEqual([expect.objectContaining({ product: code, kind: 'paid', status: 'active', seats: 1 })]);
    const [p1] = await held(k1, code);
    expect(p1).toMatchObject({ status: 'active', kind: 'paid', source: 'coupon' });
    expectDaysAhead(p1!.expires_at, 365, { from: t0, to: t1 });
    const [activation] = await p.sql`select channel, key_id, status from coupon_activations where id = ${answer.body.couponActivationId}`;
    expect(activation).toMatchObject({ channel: 'in_app', status: 'applied' });
    expect((await couponRow(coupon!.code)).status).toBe('used');

    const again = await apply(k2, coupon!.code, from);
    expect([again.status, again.body.error.code]).toEqual([409, 'COUPON_ALREADY_USED']);
    expect(await held(k2, code)).toEqual([]);
  });

  it('§8 #5 add product extends: P expiring in 10 days + a 30-day coupon → expiry now + 40 days', async () => {
    const from = '198.51.100.5';
    const code = await product();
    const k1 = await newKey(code, from);
    await grant(k1, code, { periodDays: 10 });
    const [before] = await held(k1, code);
    const [coupon] = (await generate({ type: 'add_product', items: [{ productCode: code, periodDays: 30 }] })).coupons;

    const { answer, from: t0, to: t1 } = await timed(() => apply(k1, coupon!.code, from, 'customer_portal'));
    expect(answer.status, JSON.stringify(answer.body)).toBe(200);
    const after = await held(k1, code);
    expect(after).toHaveLength(1);
    expect(after[0]!.id).toBe(before!.id);
    expect(after[0]).toMatchObject({ status: 'active', kind: 'paid' });
    // The grant set now + 10 days a moment earlier: max(expiresAt, now) + 30 = (grant time + 10 d) + 30 d.
    expectDaysAhead(after[0]!.expires_at, 40, { from: t0 - 5_000, to: t1 });
    expect(new Date(after[0]!.expires_at!).getTime() - new Date(before!.expires_at!).getTime()).toBe(30 * DAY);
    const [activation] = await p.sql`select channel from coupon_activations where id = ${answer.body.couponActivationId}`;
    expect(activation!.channel).toBe('customer_portal');
  });

  it('§8 #6 reusable trial extension: K1 and K2 (3 days left) both extended to 14 days; K1 again → COUPON_ALREADY_USED_BY_KEY', async () => {
    const from = '198.51.100.6';
    const code = await product({ trialDays: 3 });
    const k1 = await newKey(code, from, true);
    const k2 = await newKey(code, from, true);
    const [coupon] = (await generate({ type: 'extend_trial', reusable: true, items: [{ productCode: code, remainingDays: 14 }] })).coupons;

    for (const key of [k1, k2]) {
      const { answer, from: t0, to: t1 } = await timed(() => apply(key, coupon!.code, from));
      expect(answer.status, JSON.stringify(answer.body)).toBe(200);
      const [trial] = await held(key, code);
      expect(trial).toMatchObject({ kind: 'trial', status: 'active' });
      expectDaysAhead(trial!.expires_at, 14, { from: t0, to: t1 });
    }
    const again = await apply(k1, coupon!.code, from);
    expect([again.status, again.body.error.code]).toEqual([409, 'COUPON_ALREADY_USED_BY_KEY']);
    expect((await couponRow(coupon!.code)).status).toBe('unused');
    const applied = await p.sql`select key_id from coupon_activations where coupon_id = ${coupon!.id} and status = 'applied'`;
    expect(applied).toHaveLength(2);
  });

  it('§8 #7 non-reusable trial extension: K1 succeeds, K2 → COUPON_ALREADY_USED', async () => {
    const from = '198.51.100.7';
    const code = await product({ trialDays: 3 });
    const k1 = await newKey(code, from, true);
    const k2 = await newKey(code, from, true);
    const [coupon] = (await generate({ type: 'extend_trial', items: [{ productCode: code, remainingDays: 14 }] })).coupons;

    const { answer, from: t0, to: t1 } = await timed(() => apply(k1, coupon!.code, from));
    expect(answer.status, JSON.stringify(answer.body)).toBe(200);
    expectDaysAhead((await held(k1, code))[0]!.expires_at, 14, { from: t0, to: t1 });
    const refused = await apply(k2, coupon!.code, from);
    expect([refused.status, refused.body.error.code]).toEqual([409, 'COUPON_ALREADY_USED']);
    // K2's trial is untouched: still about 3 days.
    const left = new Date((await held(k2, code))[0]!.expires_at!).getTime() - Date.now();
    expect(left).toBeLessThan(3 * DAY + 1000);
    expect((await couponRow(coupon!.code)).status).toBe('used');
  });

  it('§8 #8 trial extension not applicable: K1 holds P paid → COUPON_NOT_APPLICABLE; a trial with 20 days left and N = 14 → COUPON_NOT_APPLICABLE; the coupon stays unused', async () => {
    const from = '198.51.100.8';
    const code = await product({ trialDays: 20 });
    const paidKey = await newKey(code, from);
    await grant(paidKey, code, { kind: 'paid', periodDays: 365 });
    const trialKey = await newKey(code, from, true);
    const [trialBefore] = await held(trialKey, code);
    const { batchId, coupons } = await generate({ type: 'extend_trial', items: [{ productCode: code, remainingDays: 14 }] });
    const coupon = coupons[0]!;

    const onPaid = await apply(paidKey, coupon.code, from);
    expect([onPaid.status, onPaid.body.error.code]).toEqual([422, 'COUPON_NOT_APPLICABLE']);
    const onLongTrial = await apply(trialKey, coupon.code, from);
    expect([onLongTrial.status, onLongTrial.body.error.code]).toEqual([422, 'COUPON_NOT_APPLICABLE']);

    expect((await couponRow(coupon.code)).status).toBe('unused');
    const listed = await p.api('GET', `/api/v1/licensing/coupons?batchId=${batchId}&status=unused`);
    expect(listed.body.items.map((c: { id: number }) => c.id)).toEqual([coupon.id]);
    expect(await p.sql`select id from coupon_activations where coupon_id = ${coupon.id}`).toHaveLength(0);
    expect((await held(trialKey, code))[0]!.expires_at).toEqual(trialBefore!.expires_at);

    // Still usable: a key whose trial has 3 days left takes it.
    const shortKey = await newKey(code, from);
    await grant(shortKey, code, { kind: 'trial', periodDays: 3 });
    const ok = await apply(shortKey, coupon.code, from);
    expect(ok.status, JSON.stringify(ok.body)).toBe(200);
  });

  it('§8 #9 composition upgrade: coupon for K1 {Pro 365 d}; with K2 → COUPON_KEY_MISMATCH; with K1 → Base superseded by Pro, Pro active, Base bindings revoked', async () => {
    const from = '198.51.100.9';
    const base = await product();
    const pro = await product();
    const k1 = await newKey(base, from);
    await grant(k1, base, { periodDays: 365 });
    const k2 = await newKey(base, from);
    const bindingId = await activate(k1, base, 1, from);
    const [coupon] = (await generate({ type: 'change_composition', targetKey: k1, items: [{ productCode: pro, periodDays: 365 }] })).coupons;

    const mismatch = await apply(k2, coupon!.code, from);
    expect([mismatch.status, mismatch.body.error.code]).toEqual([409, 'COUPON_KEY_MISMATCH']);
    expect((await couponRow(coupon!.code)).status).toBe('unused');

    const { answer, from: t0, to: t1 } = await timed(() => apply(k1, coupon!.code, from));
    expect(answer.status, JSON.stringify(answer.body)).toBe(200);
    const [proEnt] = await held(k1, pro);
    expect(proEnt).toMatchObject({ status: 'active', kind: 'paid', source: 'coupon' });
    expectDaysAhead(proEnt!.expires_at, 365, { from: t0, to: t1 });
    const [baseEnt] = await held(k1, base);
    expect(baseEnt).toMatchObject({ status: 'superseded', superseded_by: proEnt!.id });
    expect(await bindingStatus(bindingId)).toBe('revoked');
    const logs = await p.sql`select action from activation_logs where binding_id = ${bindingId} order by id`;
    expect(logs.map((l) => l.action)).toEqual(['Activated', 'Revoked']);
    expect(answer.body.entitlements).toEqual(
      expect.arrayContaining([expect.objectContaining({ product: base, status: 'superseded', supersededBy: proEnt!.id }), expect.objectContaining({ product: pro, status: 'active' })]),
    );
    // Validation of the old Base binding is answered by api/licensing-public.ts (not coupon code). It relies on
    // that route testing `ent_status = 'superseded'` before the binding's own `revoked` status, and reading the
    // replacing product through `superseded_by` as an entitlement id (present since commit e78fd62). The
    // database-level assertions above hold on their own should that route change.
    const machineId = (await p.sql<Array<{ machine_id: string }>>`select machine_id from machine_bindings where id = ${bindingId}`)[0]!.machine_id;
    const validation = await publicApi(`/activations/${bindingId}/validate`, { key: k1, machineId }, from);
    expect(validation.status).toBe(200);
    expect(validation.body).toMatchObject({ valid: false, code: 'ENTITLEMENT_SUPERSEDED', replacement: pro });
  });

  it('§8 #10 activate immediately: generating the composition coupon applies it at once; the coupon is returned used, channel vendor_portal', async () => {
    const from = '198.51.100.10';
    const base = await product();
    const pro = await product();
    const k1 = await newKey(base, from);
    await grant(k1, base, { periodDays: 365 });

    const { answer: made, from: t0, to: t1 } = await timed(() => generate({ type: 'change_composition', targetKey: k1, activateImmediately: true, items: [{ productCode: pro, periodDays: 365 }] }));
    expect(made.coupons).toEqual([expect.objectContaining({ status: 'used' })]);
    expect(made.activation!.entitlements).toEqual(
      expect.arrayContaining([expect.objectContaining({ product: pro, status: 'active' }), expect.objectContaining({ product: base, status: 'superseded' })]),
    );

    const status = await publicApi('/product-status', { key: k1, productCode: pro }, from);
    expect(status.status, JSON.stringify(status.body)).toBe(200);
    expect(status.body.entitlement.status).toBe('active');
    expectDaysAhead(status.body.entitlement.expiresAt, 365, { from: t0, to: t1 });

    const history = await p.api('GET', `/api/v1/licensing/coupon-activations?couponId=${made.coupons[0]!.id}`);
    expect(history.status).toBe(200);
    expect(history.body.items).toEqual([expect.objectContaining({ id: made.activation!.couponActivationId, channel: 'vendor_portal', status: 'applied', key: k1, actor: expect.stringMatching(/^staff:\d+$/) })]);
    const listed = await p.api('GET', `/api/v1/licensing/coupons?batchId=${made.batchId}`);
    expect(listed.body.items.map((c: { status: string }) => c.status)).toEqual(['used']);
  });

  it('§8 #11 reversing a mistaken coupon: K2 loses P and its bindings, the coupon is unused and then works on K1; a later extension makes the reversal COUPON_REVERSAL_CONFLICT', async () => {
    const from = '198.51.100.11';
    const code = await product();
    const k1 = await newKey(code, from);
    const k2 = await newKey(code, from);
    const [coupon] = (await generate({ type: 'add_product', items: [{ productCode: code, periodDays: 365 }] })).coupons;

    const mistake = await apply(k2, coupon!.code, from);
    expect(mistake.status, JSON.stringify(mistake.body)).toBe(200);
    const bindingId = await activate(k2, code, 1, from);

    const reversed = await p.api('POST', `/api/v1/licensing/coupon-activations/${mistake.body.couponActivationId}/reverse`, { reason: 'applied to the wrong key' });
    expect(reversed.status, JSON.stringify(reversed.body)).toBe(200);
    expect(reversed.body).toMatchObject({ status: 'reversed', coupon: { status: 'unused' }, entitlements: [] });
    expect((await held(k2, code)).map((e) => e.status)).toEqual(['deleted']);
    expect(await bindingStatus(bindingId)).toBe('revoked');
    expect((await couponRow(coupon!.code)).status).toBe('unused');
    const [record] = await p.sql`select status, reversal_reason, reversed_by, reversed_at from coupon_activations where id = ${mistake.body.couponActivationId}`;
    expect(record).toMatchObject({ status: 'reversed', reversal_reason: 'applied to the wrong key', reversed_by: expect.any(Number), reversed_at: expect.anything() });
    const twice = await p.api('POST', `/api/v1/licensing/coupon-activations/${mistake.body.couponActivationId}/reverse`, { reason: 'again' });
    expect(twice.status).toBe(409);

    // Staff apply it to the right key from the vendor portal.
    const { answer: right, from: t0, to: t1 } = await timed(() => p.api('POST', '/api/v1/licensing/coupon-activations', { key: k1, coupon: coupon!.code }));
    expect(right.status, JSON.stringify(right.body)).toBe(201);
    const [k1p] = await held(k1, code);
    expect(k1p).toMatchObject({ status: 'active', kind: 'paid' });
    expectDaysAhead(k1p!.expires_at, 365, { from: t0, to: t1 });

    // Another coupon extends the same entitlement later: reversing the first one would undo it.
    const [later] = (await generate({ type: 'add_product', items: [{ productCode: code, periodDays: 30 }] })).coupons;
    const extended = await apply(k1, later!.code, from);
    expect(extended.status, JSON.stringify(extended.body)).toBe(200);
    const conflict = await p.api('POST', `/api/v1/licensing/coupon-activations/${right.body.couponActivationId}/reverse`, { reason: 'wrong product' });
    expect([conflict.status, conflict.body.code]).toEqual([409, 'COUPON_REVERSAL_CONFLICT']);
    expect(new Date((await held(k1, code))[0]!.expires_at!).getTime()).toBe(new Date(k1p!.expires_at!).getTime() + 30 * DAY);
    expect((await couponRow(coupon!.code)).status).toBe('used');

    // Reversing the later one first clears the way.
    expect((await p.api('POST', `/api/v1/licensing/coupon-activations/${extended.body.couponActivationId}/reverse`, { reason: 'undo the extension' })).status).toBe(200);
    expect(new Date((await held(k1, code))[0]!.expires_at!).getTime()).toBe(new Date(k1p!.expires_at!).getTime());
    expect((await p.api('POST', `/api/v1/licensing/coupon-activations/${right.body.couponActivationId}/reverse`, { reason: 'wrong product' })).status).toBe(200);
    expect((await held(k1, code)).map((e) => e.status)).toEqual(['deleted']);
  });

  it('§8 #12 concurrent use of a single-use coupon: two simultaneous applications with different keys → exactly one succeeds, the other COUPON_ALREADY_USED', async () => {
    const code = await product();
    for (let round = 0; round < 5; round += 1) {
      const keys = [await newKey(code, `198.51.100.120`), await newKey(code, `198.51.100.121`)];
      const [coupon] = (await generate({ type: 'add_product', items: [{ productCode: code, periodDays: 30 }] })).coupons;
      const answers = await Promise.all(keys.map((key, i) => apply(key, coupon!.code, `198.51.100.12${i}`)));
      expect(answers.map((a) => a.status).sort(), JSON.stringify(answers.map((a) => a.body))).toEqual([200, 409]);
      expect(answers.find((a) => a.status === 409)!.body.error.code).toBe('COUPON_ALREADY_USED');
      const activations = await p.sql`select key_id from coupon_activations where coupon_id = ${coupon!.id}`;
      expect(activations).toHaveLength(1);
      const holders = (await Promise.all(keys.map((key) => held(key, code)))).map((rows) => rows.length);
      expect(holders.sort()).toEqual([0, 1]);
    }
  });

  it('§3.3 more than 10 failed coupon attempts for one key within an hour → 429 RATE_LIMITED, even with a valid coupon; other keys are unaffected', async () => {
    const from = '198.51.100.13';
    const code = await product();
    const key = await newKey(code, from);
    const [coupon] = (await generate({ type: 'add_product', items: [{ productCode: code, periodDays: 30 }] })).coupons;
    for (let i = 0; i < 10; i += 1) {
      const guess = await apply(key, formatCoupon(generateCoupon(prefix, 'add_product')), from);
      expect([guess.status, guess.body.error.code]).toEqual([404, 'COUPON_NOT_FOUND']);
    }
    const blocked = await apply(key, coupon!.code, from);
    expect([blocked.status, blocked.body.error.code]).toEqual([429, 'RATE_LIMITED']);
    expect((await couponRow(coupon!.code)).status).toBe('unused');
    const other = await apply(await newKey(code, from), coupon!.code, from);
    expect(other.status, JSON.stringify(other.body)).toBe(200);
  });

  it('staff void an unused coupon: applying it → COUPON_VOID; a used coupon cannot be voided; an unknown one → 404', async () => {
    const from = '198.51.100.14';
    const code = await product();
    const key = await newKey(code, from);
    const [first, second] = (await generate({ type: 'add_product', count: 2, items: [{ productCode: code, periodDays: 30 }] })).coupons;
    const voided = await p.api('POST', `/api/v1/licensing/coupons/${first!.id}/void`, {});
    expect([voided.status, voided.body.status]).toEqual([200, 'void']);
    expect((await p.api('POST', `/api/v1/licensing/coupons/${first!.id}/void`, {})).body.status).toBe('void');
    const refused = await apply(key, first!.code, from);
    expect([refused.status, refused.body.error.code]).toEqual([409, 'COUPON_VOID']);
    expect((await apply(key, second!.code, from)).status).toBe(200);
    const usedVoid = await p.api('POST', `/api/v1/licensing/coupons/${second!.id}/void`, {});
    expect([usedVoid.status, usedVoid.body.code]).toEqual([409, 'COUPON_ALREADY_USED']);
    expect((await p.api('POST', '/api/v1/licensing/coupons/999999/void', {})).status).toBe(404);
    const bad = await p.api('POST', '/api/v1/licensing/coupons', { vendorPrefix: prefix, type: 'extend_trial', count: 3, items: [{ productCode: code, remainingDays: 5 }] });
    expect([bad.status, bad.body.code, bad.body.details[0].path]).toEqual([400, 'validation_failed', 'count']);
  });
});
