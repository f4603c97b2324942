import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLicensingPlan, createLicensingProduct, firstRunLicense, publicLicensingApi, purchaseLicense, registerLicensingVendor, type PublicLicensingApi } from '../support/licensing';
import { createClient, createTestPlatform, eventually, type TestPlatform } from '../support/platform';

/**
 * Issue 22 point 1: the key card (spec 04 §3.6, seed 000 "Карточка лицензионного ключа") through the staff API and
 * the public licensing API: registration data viewed and edited, the key re-pointed to another customer, products on
 * the key, activated coupons with channel, actor and reversal, current usage (seen in the last 15 minutes), a
 * composition coupon generated with the key prefilled, and the soft delete refused while a live subscription uses it.
 */
let p: TestPlatform;
const prefix = 'MIKO';

beforeAll(async () => {
  p = await createTestPlatform('licensing_key_card');
  await registerLicensingVendor(p, prefix);
  publicApi = publicLicensingApi(p);
});
afterAll(async () => p?.close());

let seq = 0;
/** The public licensing API, each call from its own address so the per-address rate limit never interferes. */
let publicApi: PublicLicensingApi;

async function product(settings: Record<string, unknown> = {}) {
  seq += 1;
  const code = `card-${seq}`;
  await createLicensingProduct(p, prefix, code, `Card ${seq}`, { activationPolicy: 'AcceptAllSingleMachine', maxActivations: 5, ...settings });
  return code;
}

/** A plan on the `licensing` plugin and a paid purchase of it: billing issues the client's key with a subscription-backed license. */
async function purchase(clientName: string) {
  const code = await product();
  const plan = await createLicensingPlan(p, { prefix, productCode: code, tag: `card_${seq}`, name: `Card license ${seq}`, sku: `CARD-${seq}` });
  const bought = await purchaseLicense(p, plan, clientName);
  return { clientId: bought.clientId, serviceRuleId: plan.serviceRuleId, subscriptionId: bought.subscriptionId, key: bought.key, product: code, entitlementId: bought.keyRow.entitlements[0].id as number };
}

/** A first-run key (no billing client) holding a product granted by staff for `periodDays`. */
async function firstRunKey(periodDays: number | null = 30) {
  const code = await product();
  return firstRunLicense(p, { prefix, productCode: code, companyName: `First Run ${seq}`, grant: { periodDays }, publicApi });
}

const card = async (key: string, token?: string) => p.api('GET', `/api/v1/licensing/keys/${encodeURIComponent(key)}`, undefined, token ? { token } : {});
const machine = (n: number, extra: Record<string, unknown> = {}) => ({ signatures: { hdd: `H${n}`, cpu: `C${n}`, bios: `B${n}`, ethernet: `E${n}` }, hostname: `pc-${n}`, ...extra });

/** A staff member of another reseller with a token of their own (staff are made the root's by the API; moved by SQL). */
async function otherResellerStaff() {
  const reseller = await p.api('POST', '/api/v1/resellers', { name: `Other ${seq}`, currency: 'EUR' });
  expect(reseller.status, JSON.stringify(reseller.body)).toBe(201);
  const member = (await p.api('POST', '/api/v1/staff', { name: 'Rita Reseller', email: `rita-${seq}@example.com`, role: 'admin' })).body;
  await p.sql`update staff set reseller_id = ${reseller.body.id} where id = ${member.id}`;
  const token = (await p.api('POST', `/api/v1/staff/${member.id}/tokens`, { name: 'reseller' })).body.token as string;
  return { resellerId: reseller.body.id as number, token };
}

describe('the key card (issue 22 point 1, spec 04 §3.6)', () => {
  it('shows and edits the registration data: company, contact, phone, e-mail, distributor, manager, comment, legal form', async () => {
    const bought = await purchase('Card Registration Ltd');
    const before = await card(bought.key);
    expect(before.status, JSON.stringify(before.body)).toBe(200);
    expect(before.body).toMatchObject({ displayCode: bought.key, vendorPrefix: prefix, status: 'active', createdVia: 'billing', clientId: bought.clientId, clientName: 'Card Registration Ltd', registration: {} });

    const distributor = (await p.api('POST', '/api/v1/licensing/partners', { name: 'Distributor North', kind: 'distributor' })).body;
    const [manager] = (await p.api('GET', '/api/v1/staff')).body.items;
    const registration = { companyName: 'Card Registration Ltd', contactName: 'Olga Owner', phone: '+7 495 000-00-00', email: 'olga@example.com', distributorId: distributor.id, managerId: manager.id, comment: 'key account', legalForm: 'organization' };
    const edited = await p.api('POST', `/api/v1/licensing/keys/${bought.key}/registration`, registration);
    expect(edited.status, JSON.stringify(edited.body)).toBe(200);
    expect(edited.body.registration).toEqual(registration);

    // Only the fields sent change; null clears one.
    const again = await p.api('POST', `/api/v1/licensing/keys/${bought.key}/registration`, { comment: null, phone: '+7 495 111-11-11' });
    expect((await card(bought.key)).body.registration).toEqual({ ...registration, comment: null, phone: '+7 495 111-11-11' });
    expect(again.status).toBe(200);

    // Bad input changes nothing: an unknown distributor (422), a malformed e-mail (400).
    const unknown = await p.api('POST', `/api/v1/licensing/keys/${bought.key}/registration`, { distributorId: 999_999, contactName: 'Nobody' });
    expect([unknown.status, unknown.body.code]).toEqual([422, 'invalid_reference']);
    const badEmail = await p.api('POST', `/api/v1/licensing/keys/${bought.key}/registration`, { email: 'not-an-email' });
    expect([badEmail.status, badEmail.body.code]).toEqual([400, 'validation_failed']);
    expect((await card(bought.key)).body.registration.contactName).toBe('Olga Owner');
  });

  it('lists the products on the key and the activated coupons with channel, actor and reversal', async () => {
    const bought = await purchase('Card Coupons Ltd');
    const extra = await product();
    const generated = await p.api('POST', '/api/v1/licensing/coupons', { vendorPrefix: prefix, type: 'add_product', items: [{ productCode: extra, periodDays: 365 }] });
    expect(generated.status, JSON.stringify(generated.body)).toBe(201);
    const coupon = generated.body.coupons[0].code as string;
    const applied = await publicApi('/coupons/apply', { key: bought.key, coupon, channel: 'in_app' });
    expect(applied.status, JSON.stringify(applied.body)).toBe(200);

    const withCoupon = (await card(bought.key)).body;
    expect(withCoupon.products.map((e: { product: string; status: string; subscriptionId: number | null }) => [e.product, e.status, e.subscriptionId])).toEqual([
      [bought.product, 'active', bought.subscriptionId],
      [extra, 'active', null],
    ]);
    expect(withCoupon.coupons).toEqual([expect.objectContaining({ coupon, type: 'add_product', channel: 'in_app', status: 'applied', reversedAt: null })]);

    const reversed = await p.api('POST', `/api/v1/licensing/coupon-activations/${withCoupon.coupons[0].id}/reverse`, { reason: 'applied to the wrong key' });
    expect(reversed.status, JSON.stringify(reversed.body)).toBe(200);
    const after = (await card(bought.key)).body;
    expect(after.coupons).toEqual([expect.objectContaining({ coupon, channel: 'in_app', status: 'reversed', reversalReason: 'applied to the wrong key', reversedBy: expect.any(Number) })]);
    expect(after.products.find((e: { product: string }) => e.product === extra).status).toBe('deleted');

    // Applied again from the vendor portal: the actor is the staff member.
    const portal = await p.api('POST', '/api/v1/licensing/coupon-activations', { key: bought.key, coupon });
    expect(portal.status, JSON.stringify(portal.body)).toBe(201);
    expect((await card(bought.key)).body.coupons[0]).toMatchObject({ channel: 'vendor_portal', actor: expect.stringMatching(/^staff:\d+$/), status: 'applied' });
  });

  it('current usage: active bindings and leases seen in the last 15 minutes, with machine, database, user and last seen', async () => {
    const fixed = await firstRunKey();
    const used = await publicApi('/activations', { key: fixed.key, productCode: fixed.product, machine: machine(1, { ip: '203.0.113.5', databaseId: 'db-7f3a', databaseName: 'Accounting 2026', userName: 'olga' }) });
    expect(used.status, JSON.stringify(used.body)).toBe(201);
    const machineId = used.body.document.document.machineId as string;
    const usage = (await card(fixed.key)).body.currentUsage;
    expect(usage.bindings).toEqual([
      expect.objectContaining({ id: used.body.activationId, product: fixed.product, machineId, hostname: 'pc-1', ip: '203.0.113.5', databaseId: 'db-7f3a', databaseName: 'Accounting 2026', userName: 'olga', lastSeenAt: expect.any(String) }),
    ]);
    expect(usage.leases).toEqual([]);

    // Seen 16 minutes ago: no longer current (the binding itself stays active).
    await p.sql`update machine_bindings set last_seen_at = now() - interval '16 minutes' where id = ${used.body.activationId}`;
    expect((await card(fixed.key)).body.currentUsage.bindings).toEqual([]);
    // A validation is a sign of life: current again.
    expect((await publicApi(`/activations/${used.body.activationId}/validate`, { key: fixed.key, machineId })).body.valid).toBe(true);
    expect((await card(fixed.key)).body.currentUsage.bindings).toHaveLength(1);

    // A floating license's lease shows its user.
    const floating = await product({ licenseModel: 'floating' });
    expect((await p.api('POST', `/api/v1/licensing/keys/${fixed.key}/entitlements`, { productCode: floating, periodDays: 30, seats: 2 })).status).toBe(201);
    const lease = await publicApi('/leases', { key: fixed.key, productCode: floating, machineId: 'terminal-9', userName: 'ivan', hostname: 'ts-9' });
    expect(lease.status, JSON.stringify(lease.body)).toBe(201);
    expect((await card(fixed.key)).body.currentUsage.leases).toEqual([expect.objectContaining({ id: lease.body.leaseId, product: floating, machineId: 'terminal-9', userName: 'ivan', hostname: 'ts-9' })]);
  });

  it('current usage shows the seats local license servers hold: which server, how many seats, valid until, last renewal; a released or lapsed pool is gone', async () => {
    const fixed = await firstRunKey();
    const floating = await product({ licenseModel: 'floating' });
    expect((await p.api('POST', `/api/v1/licensing/keys/${fixed.key}/entitlements`, { productCode: floating, periodDays: 30, seats: 5 })).status).toBe(201);
    const obtain = (serverId: string, seats: number) => publicApi('/seat-pools', { key: fixed.key, productCode: floating, serverId, seats, validSeconds: 3600, requestKey: `request-${serverId}` });
    const office = await obtain('office-srv', 2);
    const branch = await obtain('branch-srv', 1);
    expect([office.status, branch.status], JSON.stringify([office.body, branch.body])).toEqual([201, 201]);
    const officePool = office.body.document.pool;

    const before = (await card(fixed.key)).body.currentUsage.pools;
    expect(before).toHaveLength(2);
    expect(before.find((pool: { serverId: string }) => pool.serverId === 'office-srv')).toEqual({
      id: officePool.id,
      entitlementId: officePool.entitlementId,
      product: floating,
      licenseServerId: expect.any(Number),
      serverId: 'office-srv',
      seats: 2,
      validUntil: officePool.validUntil,
      obtainedAt: expect.any(String),
      lastRenewalAt: expect.any(String),
    });
    const obtained = before.find((pool: { serverId: string }) => pool.serverId === 'office-srv');
    expect(obtained.lastRenewalAt).toBe(obtained.obtainedAt);

    // A renewal with more seats: the card shows the new count, the new end and when it was renewed.
    const renewed = await publicApi(`/seat-pools/${officePool.id}/renew`, { key: fixed.key, seats: 3, validSeconds: 7200 });
    expect(renewed.status, JSON.stringify(renewed.body)).toBe(200);
    const after = (await card(fixed.key)).body.currentUsage.pools.find((pool: { serverId: string }) => pool.serverId === 'office-srv');
    expect(after).toMatchObject({ seats: 3, validUntil: renewed.body.document.pool.validUntil });
    expect(Date.parse(after.lastRenewalAt)).toBeGreaterThan(Date.parse(after.obtainedAt));

    // Released: gone at once. Lapsed (its end passed without a renewal): gone too, its seats are back at the root.
    expect((await p.api('DELETE', `/licensing/v1/seat-pools/${branch.body.document.pool.id}`, { key: fixed.key }, { token: null })).status).toBe(204);
    expect((await card(fixed.key)).body.currentUsage.pools.map((pool: { serverId: string }) => pool.serverId)).toEqual(['office-srv']);
    await p.sql`update seat_pools set valid_until = now() - interval '1 second' where id = ${officePool.id}`;
    expect((await card(fixed.key)).body.currentUsage.pools).toEqual([]);
  });

  it('re-points the key to another customer of the same reseller; a customer holding a key of the vendor, or another reseller’s, is refused; another reseller does not see the key', async () => {
    const fixed = await firstRunKey();
    const rule = (await p.api('POST', '/api/v1/service-rules', { key: `card_repoint_${seq}`, name: 'Repoint' })).body;
    const newOwner = await createClient(p, { serviceRuleId: rule.id } as never, 'New Owner Ltd');
    const moved = await p.api('POST', `/api/v1/licensing/keys/${fixed.key}/client`, { clientId: newOwner });
    expect(moved.status, JSON.stringify(moved.body)).toBe(200);
    expect(moved.body).toMatchObject({ clientId: newOwner, clientName: 'New Owner Ltd' });
    // The key keeps working for its application.
    expect((await publicApi('/product-status', { key: fixed.key, productCode: fixed.product })).status).toBe(200);

    // One active key per customer and vendor.
    const holder = await purchase('Key Holder Ltd');
    const taken = await p.api('POST', `/api/v1/licensing/keys/${fixed.key}/client`, { clientId: holder.clientId });
    expect([taken.status, taken.body.code], JSON.stringify(taken.body)).toEqual([409, 'KEY_HAS_CLIENT_KEY']);

    // Another reseller's client is not found from here; that reseller does not see this key at all.
    const other = await otherResellerStaff();
    const theirClient = await createClient(p, { serviceRuleId: rule.id } as never, 'Their Client Ltd');
    await p.sql`update clients set reseller_id = ${other.resellerId} where id = ${theirClient}`;
    const foreign = await p.api('POST', `/api/v1/licensing/keys/${fixed.key}/client`, { clientId: theirClient });
    expect([foreign.status, foreign.body.code]).toEqual([422, 'invalid_reference']);
    expect((await card(fixed.key, other.token)).status).toBe(404);
    expect((await p.api('POST', `/api/v1/licensing/keys/${fixed.key}/registration`, { comment: 'mine now' }, { token: other.token })).status).toBe(404);
    expect((await card(fixed.key)).body.clientId).toBe(newOwner);
  });

  it('generates a composition coupon with the key prefilled: the target is the key, the products its active ones; applied at once it supersedes the base edition', async () => {
    const base = await firstRunKey(10);
    const pro = await product();
    const draft = await p.api('GET', `/api/v1/licensing/keys/${base.key}/composition-draft`);
    expect(draft.status, JSON.stringify(draft.body)).toBe(200);
    expect(draft.body).toMatchObject({ type: 'change_composition', vendorPrefix: prefix, items: [{ productCode: base.product, periodDays: 10, seats: 1 }] });
    expect(draft.body.targetKey).toBe(base.key.replace(/-/g, ''));

    // Unedited: the coupon carries the prefilled list and targets this key (used with another key it is refused).
    const prefilled = await p.api('POST', `/api/v1/licensing/keys/${base.key}/composition-coupons`, {});
    expect(prefilled.status, JSON.stringify(prefilled.body)).toBe(201);
    expect(prefilled.body).toMatchObject({ type: 'change_composition', items: [{ productCode: base.product, periodDays: 10, seats: 1 }], coupons: [{ status: 'unused' }] });
    const stranger = await firstRunKey();
    const mismatch = await publicApi('/coupons/apply', { key: stranger.key, coupon: prefilled.body.coupons[0].code, channel: 'in_app' });
    expect([mismatch.status, mismatch.body.error.code]).toEqual([409, 'COUPON_KEY_MISMATCH']);

    // Edited to the pro edition and applied at once (channel vendor_portal).
    const upgraded = await p.api('POST', `/api/v1/licensing/keys/${base.key}/composition-coupons`, { items: [{ productCode: pro, periodDays: 365 }], activateImmediately: true });
    expect(upgraded.status, JSON.stringify(upgraded.body)).toBe(201);
    expect(upgraded.body.coupons[0].status).toBe('used');
    const after = (await card(base.key)).body;
    expect(after.products.map((e: { product: string; status: string }) => [e.product, e.status])).toEqual([
      [base.product, 'superseded'],
      [pro, 'active'],
    ]);
    expect(after.coupons[0]).toMatchObject({ type: 'change_composition', channel: 'vendor_portal' });
  });

  it('soft delete is refused with KEY_HAS_ACTIVE_SUBSCRIPTIONS while a live subscription uses the key; afterwards everything on it is deleted and revoked, history kept', async () => {
    const bought = await purchase('Card Delete Ltd');
    const used = await publicApi('/activations', { key: bought.key, productCode: bought.product, machine: machine(3) });
    expect(used.status, JSON.stringify(used.body)).toBe(201);
    const refused = await p.api('POST', `/api/v1/licensing/keys/${bought.key}/delete`, { reason: 'customer left' });
    expect([refused.status, refused.body.code], JSON.stringify(refused.body)).toEqual([422, 'KEY_HAS_ACTIVE_SUBSCRIPTIONS']);
    expect((await card(bought.key)).body.status).toBe('active');

    // The subscription is stopped and deleted by billing; then the key can go.
    await p.api('POST', `/api/v1/subscriptions/${bought.subscriptionId}/stop`, { reason: 'contract ended' });
    await eventually(async () => (await p.api('GET', `/api/v1/subscriptions/${bought.subscriptionId}`)).body.status === 'stopped', { what: 'the stop' });
    await p.api('POST', `/api/v1/subscriptions/${bought.subscriptionId}/delete`, { reason: 'contract ended' });
    await eventually(async () => (await p.api('GET', `/api/v1/subscriptions/${bought.subscriptionId}`)).body.status === 'deleted', { what: 'the deletion' });
    const deleted = await p.api('POST', `/api/v1/licensing/keys/${bought.key}/delete`, { reason: 'customer left' });
    expect(deleted.status, JSON.stringify(deleted.body)).toBe(200);
    const gone = (await card(bought.key)).body;
    expect(gone.status).toBe('deleted');
    expect(gone.products.every((e: { status: string }) => e.status === 'deleted')).toBe(true);
    const status = await publicApi('/product-status', { key: bought.key, productCode: bought.product });
    expect([status.status, status.body.error.code]).toEqual([404, 'KEY_NOT_FOUND']);
    // The binding was revoked when the subscription was deleted; the log says why.
    const log = (await p.api('GET', `/api/v1/licensing/activation-logs?key=${encodeURIComponent(bought.key)}`)).body.items;
    expect(log.map((r: { action: string; cause: string | null }) => [r.action, r.cause])).toEqual([
      ['Revoked', 'subscription_deleted'],
      ['Activated', null],
    ]);
  });
});
