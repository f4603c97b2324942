import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AppError } from '../../api/errors';
import { refusePerpetualForIndividuals } from '../../operations/licensing/entitlements/refuse-perpetual-for-individuals';
import { addCalendarMonths } from '../../domain/licensing/commercial';
import { createLicensingPlan, createLicensingProduct, firstRunLicense, purchaseLicense, registerLicensingVendor } from '../support/licensing';
import { createTestPlatform, type TestPlatform } from '../support/platform';

/**
 * Commercial scenarios of spec 04 §8 (#30 renew, #31 in-progress guard, #33 partner import, #34 update quotes,
 * #35 support, #36 perpetual for individuals) through the platform's HTTP API and PostgreSQL, with the real
 * clock. Exact calendar dates of #30, #34 and #35 are also checked against the pure rules in
 * domain/licensing/commercial.test.ts, where "now" can be any day.
 */
let p: TestPlatform;
const prefix = 'MIKO';

beforeAll(async () => {
  p = await createTestPlatform('licensing_commercial');
  await registerLicensingVendor(p, prefix);
});
afterAll(async () => p?.close());

let seq = 0;
/** The public licensing API, each call from its own address so the per-address rate limit never interferes. */
const publicApi = (path: string, body: unknown) => p.api('POST', `/licensing/v1${path}`, body, { token: null, headers: { 'x-forwarded-for': `198.51.100.${(seq % 250) + 1}` } });

async function product(settings: Record<string, unknown> = {}) {
  seq += 1;
  const code = `com-${seq}`;
  const made = await createLicensingProduct(p, prefix, code, `Commercial ${seq}`, { activationPolicy: 'AcceptAllSingleMachine', maxActivations: 5, ...settings });
  return { code, id: made.id };
}

/** A first-run key (public API) for a customer, holding `productCode` granted by staff (perpetual unless said). */
async function license(options: { product?: Record<string, unknown>; grant?: Record<string, unknown>; customer?: Record<string, unknown> } = {}) {
  const made = await product(options.product);
  const l = await firstRunLicense(p, { prefix, productCode: made.code, companyName: `Customer ${seq}`, customer: options.customer, grant: { periodDays: null, ...options.grant }, publicApi });
  return { product: made.code, productId: made.id, key: l.key, entitlementId: l.entitlementId };
}

async function partner(name: string, kind: 'distributor' | 'reseller' | 'direct') {
  const made = await p.api('POST', '/api/v1/licensing/partners', { name, kind });
  expect(made.status, JSON.stringify(made.body)).toBe(201);
  return made.body as { id: number; publicId: string; name: string };
}

const transfer = (entitlementId: number, body: Record<string, unknown>) => p.api('POST', `/api/v1/licensing/entitlements/${entitlementId}/transfers`, body);
const approve = (transferId: number, secret: string) => p.api('POST', `/api/v1/licensing/transfers/${transferId}/approve`, { secret });
const pendingOf = async (partnerId: number) => {
  const answer = await p.api('GET', `/api/v1/licensing/partners/${partnerId}/pending-transfers`);
  expect(answer.status, JSON.stringify(answer.body)).toBe(200);
  return (answer.body.items as Array<{ id: number; license: { entitlementId: number }; licence: { entitlementId: number } }>);
};
const ownerOf = async (entitlementId: number) => (await p.sql<Array<{ partner_id: number | null }>>`select partner_id from entitlements where id = ${entitlementId}`)[0]!.partner_id;
/** The license's row; the database client hands timestamps over as text. */
async function entitlementRow(id: number) {
  const [row] = await p.sql<Array<{ status: string; expires_at: string | null; starts_at: string }>>`select status, expires_at, starts_at from entitlements where id = ${id}`;
  return { status: row!.status, expires_at: row!.expires_at === null ? null : new Date(row!.expires_at), starts_at: new Date(row!.starts_at) };
}
const machine = (n: number) => ({ signatures: { hdd: `H${n}`, cpu: `C${n}`, bios: `B${n}`, ethernet: `E${n}` } });

describe('licensing commercial scenarios (spec 04 §8)', () => {
  it('§8 #30 renew: valid-until = max(valid-until, now) + period; balance offered only when it covers the cost; an expired license comes back active', async () => {
    // A billing client's key: bought through a plan on the licensing plugin, as billing issues keys.
    const sold = await product();
    const plan = await createLicensingPlan(p, { prefix, productCode: sold.code, tag: 'commercial', name: 'Accounting license', sku: 'ACC-COM' });
    const { clientId, keyRow: key } = await purchaseLicense(p, plan, 'Renewing Ltd');
    const subscribed = key.entitlements[0].id as number;

    // A term license on that key, granted by staff for 30 days.
    const term = await product();
    const granted = await p.api('POST', `/api/v1/licensing/keys/${key.displayCode}/entitlements`, { productCode: term.code, periodDays: 30 });
    expect(granted.status, JSON.stringify(granted.body)).toBe(201);
    const id = granted.body.id as number;
    const validUntil = (await entitlementRow(id)).expires_at!;
    const available = (await p.api('GET', `/api/v1/clients/${clientId}/funds`)).body.available as number;
    const price = available + 5000;

    // The balance is below the cost: only an invoice is offered, and paying from the balance is refused.
    const short = await p.api('GET', `/api/v1/licensing/entitlements/${id}/renewal-options?periodMonths=12&price=${price}`);
    expect(short.status, JSON.stringify(short.body)).toBe(200);
    expect(short.body).toMatchObject({ balance: available, cost: price, paymentMethods: ['invoice'], refusal: null });
    expect(new Date(short.body.newExpiresAt)).toEqual(addCalendarMonths(validUntil, 12));
    const refused = await p.api('POST', `/api/v1/licensing/entitlements/${id}/renewals`, { periodMonths: 12, paymentMethod: 'balance', price });
    expect([refused.status, refused.body.code], JSON.stringify(refused.body)).toEqual([422, 'INSUFFICIENT_BALANCE']);
    expect((await entitlementRow(id)).expires_at).toEqual(validUntil);

    // Once the balance covers the cost it is offered; a 12-month renewal of a valid license adds to its end.
    expect((await p.api('POST', `/api/v1/clients/${clientId}/top-ups`, { amount: 5000 })).status).toBe(201);
    const covered = await p.api('GET', `/api/v1/licensing/entitlements/${id}/renewal-options?periodMonths=12&price=${price}`);
    expect(covered.body.paymentMethods).toEqual(['balance', 'invoice']);
    const renewed = await p.api('POST', `/api/v1/licensing/entitlements/${id}/renewals`, { periodMonths: 12, paymentMethod: 'balance', price });
    expect(renewed.status, JSON.stringify(renewed.body)).toBe(200);
    expect(renewed.body).toMatchObject({ status: 'active', periodMonths: 12 });
    expect(new Date(renewed.body.expiresAt)).toEqual(addCalendarMonths(validUntil, 12));
    expect(await entitlementRow(id)).toMatchObject({ status: 'active', expires_at: addCalendarMonths(validUntil, 12) });

    // An expired license renewed for 1 month is active until a month from now. The expiry timer of §7.3 is not
    // built and a grant cannot start in the past, so the license is made expired with SQL.
    const lapsedProduct = await product();
    const lapsed = (await p.api('POST', `/api/v1/licensing/keys/${key.displayCode}/entitlements`, { productCode: lapsedProduct.code, periodDays: 30 })).body.id as number;
    await p.sql`update entitlements set status = 'expired', expires_at = now() - interval '10 days' where id = ${lapsed}`;
    // Renewed on a new invoice (§4.2 Renew): nothing moves until the invoice is paid; then valid-until = paid + 1 month.
    const back = await p.api('POST', `/api/v1/licensing/entitlements/${lapsed}/renewals`, { periodMonths: 1, paymentMethod: 'invoice', price: 1000 });
    expect(back.status, JSON.stringify(back.body)).toBe(200);
    expect(back.body).toMatchObject({ status: 'expired', renewal: { status: 'awaiting_payment' }, payment: { method: 'invoice', amount: 1000, collected: false } });
    expect((await entitlementRow(lapsed)).status).toBe('expired');
    const before = new Date();
    const paid = await p.api('POST', `/api/v1/payments/${back.body.payment.id}/confirm`, { method: 'bank_transfer' });
    const after = new Date();
    expect(paid.status, JSON.stringify(paid.body)).toBe(200);
    const until = (await entitlementRow(lapsed)).expires_at!.getTime();
    expect(until).toBeGreaterThanOrEqual(addCalendarMonths(before, 1).getTime());
    expect(until).toBeLessThanOrEqual(addCalendarMonths(after, 1).getTime());
    expect((await entitlementRow(lapsed)).status).toBe('active');

    // The license billed by the subscription is renewed through the subscription; a first-run key has no balance.
    const billed = await p.api('POST', `/api/v1/licensing/entitlements/${subscribed}/renewals`, { periodMonths: 1, paymentMethod: 'invoice', price: 1000 });
    expect([billed.status, billed.body.code]).toEqual([422, 'renew_through_subscription']);
    const firstRun = await license({ grant: { periodDays: 30 } });
    const noClient = await p.api('GET', `/api/v1/licensing/entitlements/${firstRun.entitlementId}/renewal-options?periodMonths=1&price=0`);
    // Nothing to debit and no one to invoice (this expectation was ['invoice'] before: an invoice that could not be issued).
    expect(noClient.body).toMatchObject({ balance: null, paymentMethods: [], refusal: { code: 'NO_BILLING_CLIENT' } });
    const perpetual = await license();
    const notRenewable = await p.api('POST', `/api/v1/licensing/entitlements/${perpetual.entitlementId}/renewals`, { periodMonths: 1, paymentMethod: 'invoice', price: 1000 });
    expect([notRenewable.status, notRenewable.body.code]).toEqual([422, 'PERPETUAL_NOT_RENEWABLE']);
    const noPrice = await p.api('GET', `/api/v1/licensing/entitlements/${id}/renewal-options?periodMonths=1`);
    expect([noPrice.status, noPrice.body.code]).toEqual([400, 'validation_failed']);
  });

  it('§8 #31 in-progress guard: while an update runs (in_progress), suspend answers 409 OPERATION_IN_PROGRESS', async () => {
    const l = await license({ grant: { periodDays: 30 } });
    // There is no long-running `update` operation yet, so the license is put into `in_progress` with SQL, as
    // the per-entitlement workflow would while it runs one (§4.1, §7.3).
    await p.sql`update entitlements set status = 'in_progress' where id = ${l.entitlementId}`;
    const suspend = await p.api('POST', `/api/v1/licensing/entitlements/${l.entitlementId}/suspend`, { reason: 'non-payment' });
    expect([suspend.status, suspend.body.code], JSON.stringify(suspend.body)).toEqual([409, 'OPERATION_IN_PROGRESS']);
    const renew = await p.api('POST', `/api/v1/licensing/entitlements/${l.entitlementId}/renewals`, { periodMonths: 1, paymentMethod: 'invoice', price: 1000 });
    expect([renew.status, renew.body.code], JSON.stringify(renew.body)).toEqual([409, 'OPERATION_IN_PROGRESS']);
    expect((await entitlementRow(l.entitlementId)).status).toBe('in_progress');
  });

  it('§8 #33 partner import: pending with B, a wrong secret is TRANSFER_SECRET_MISMATCH, the right one makes B the owner and activations keep validating; a second transfer while pending is TRANSFER_ALREADY_PENDING', async () => {
    const a = await partner('Distributor A', 'distributor');
    const b = await partner('Reseller B', 'reseller');
    const c = await partner('Reseller C', 'reseller');
    expect(a.publicId).toMatch(/^LP[0-9A-HJKMNP-TV-Z]{20}$/);
    expect(new Set([a.publicId, b.publicId, c.publicId]).size).toBe(3);
    const listed = (await p.api('GET', '/api/v1/licensing/partners')).body.items.map((x: { id: number }) => x.id);
    expect(listed).toEqual(expect.arrayContaining([a.id, b.id, c.id]));

    const l = await license();
    // The license is with A first: imported from the vendor (no partner yet) with a generated secret.
    const toA = await transfer(l.entitlementId, { toPartnerPublicId: a.publicId });
    expect(toA.status, JSON.stringify(toA.body)).toBe(201);
    expect(toA.body.secret.length).toBeGreaterThanOrEqual(8);
    expect((await approve(toA.body.id, toA.body.secret)).status).toBe(200);
    expect(await ownerOf(l.entitlementId)).toBe(a.id);

    const activated = await publicApi('/activations', { key: l.key, productCode: l.product, machine: machine(1) });
    expect(activated.status, JSON.stringify(activated.body)).toBe(201);
    const validate = async () => (await publicApi(`/activations/${activated.body.activationId}/validate`, { key: l.key, machineId: activated.body.document.document.machineId })).body;
    expect(await validate()).toMatchObject({ valid: true });

    // A transfers to B with the secret s3cret-42 (B's publicId as typed by a person: lower case, hyphens).
    const typed = `${b.publicId.slice(0, 6)}-${b.publicId.slice(6)}`.toLowerCase();
    const toB = await transfer(l.entitlementId, { toPartnerPublicId: typed, secret: 's3cret-42' });
    expect(toB.status, JSON.stringify(toB.body)).toBe(201);
    expect(toB.body).toMatchObject({ status: 'pending', secret: 's3cret-42', fromPartner: { id: a.id, publicId: a.publicId }, toPartner: { id: b.id } });
    const [stored] = await p.sql<Array<{ secret_hash: string }>>`select secret_hash from license_transfers where id = ${toB.body.id}`;
    expect(stored!.secret_hash).toMatch(/^scrypt\$/);
    expect(stored!.secret_hash).not.toContain('s3cret-42');
    expect((await pendingOf(b.id)).map((t) => [t.id, t.licence.entitlementId])).toEqual([[toB.body.id, l.entitlementId]]);
    // `license` is the field; `licence` its deprecated alias, the same object.
    for (const t of await pendingOf(b.id)) expect(t.licence).toEqual(t.license);
    expect((await pendingOf(b.id)).map((t) => t.license.entitlementId)).toEqual([l.entitlementId]);
    expect(await pendingOf(a.id)).toEqual([]);

    const second = await transfer(l.entitlementId, { toPartnerPublicId: c.publicId, secret: 'another-secret' });
    expect([second.status, second.body.code]).toEqual([409, 'TRANSFER_ALREADY_PENDING']);

    const wrong = await approve(toB.body.id, 's3cret-43');
    expect([wrong.status, wrong.body.code, wrong.body.details], JSON.stringify(wrong.body)).toEqual([403, 'TRANSFER_SECRET_MISMATCH', { attemptsLeft: 4, status: 'pending' }]);
    expect(await ownerOf(l.entitlementId)).toBe(a.id);

    const right = await approve(toB.body.id, 's3cret-42');
    expect(right.status, JSON.stringify(right.body)).toBe(200);
    expect(right.body).toMatchObject({ status: 'approved', entitlement: { id: l.entitlementId, partnerId: b.id } });
    expect(await ownerOf(l.entitlementId)).toBe(b.id);
    expect(await validate()).toMatchObject({ valid: true });
    const bindings = await p.sql<Array<{ status: string }>>`
      select b.status from machine_bindings b join activation_accounts a on a.id = b.account_id where a.entitlement_id = ${l.entitlementId}`;
    expect(bindings.map((x) => x.status)).toEqual(['active']);
    expect(await pendingOf(b.id)).toEqual([]);
    const again = await approve(toB.body.id, 's3cret-42');
    expect([again.status, again.body.code]).toEqual([409, 'transfer_status']);
  });

  it('§4.2 import details: one pending transfer under concurrency, five wrong secrets cancel, reject and cancel, 14 days expire', async () => {
    const owner = await partner('Owner', 'direct');
    const recipient = await partner('Recipient', 'reseller');
    const l = await license();
    const pending = async () => Number((await p.sql`select count(*)::int as n from license_transfers where entitlement_id = ${l.entitlementId} and status = 'pending'`)[0]!.n);

    // Two simultaneous transfers of one license: exactly one goes through. The license's workflow refuses the second
    // while the first runs (OPERATION_IN_PROGRESS, spec 04 §4.1); one arriving after it finds the pending transfer.
    const both = await Promise.all([transfer(l.entitlementId, { toPartnerPublicId: owner.publicId, secret: 'first-secret' }), transfer(l.entitlementId, { toPartnerPublicId: recipient.publicId, secret: 'second-secret' })]);
    expect(both.map((x) => x.status).sort()).toEqual([201, 409]);
    expect(['OPERATION_IN_PROGRESS', 'TRANSFER_ALREADY_PENDING']).toContain(both.find((x) => x.status === 409)!.body.code);
    expect(await pending()).toBe(1);
    const winner = both.find((x) => x.status === 201)!.body;
    const another = await transfer(l.entitlementId, { toPartnerPublicId: recipient.publicId, secret: 'third-secret' });
    expect([another.status, another.body.code]).toEqual([409, 'TRANSFER_ALREADY_PENDING']);

    // Five wrong secrets cancel it; the right secret then comes too late.
    for (let attempt = 1; attempt <= 5; attempt += 1) {
      const wrong = await approve(winner.id, `wrong-${attempt}`);
      expect([wrong.status, wrong.body.code, wrong.body.details]).toEqual([403, 'TRANSFER_SECRET_MISMATCH', { attemptsLeft: 5 - attempt, status: attempt === 5 ? 'cancelled' : 'pending' }]);
    }
    const late = await approve(winner.id, winner.secret);
    expect([late.status, late.body.code]).toEqual([409, 'transfer_status']);
    expect(await ownerOf(l.entitlementId)).toBeNull();

    // The recipient rejects one; the owner cancels another.
    const rejectable = (await transfer(l.entitlementId, { toPartnerPublicId: recipient.publicId })).body;
    const rejected = await p.api('POST', `/api/v1/licensing/transfers/${rejectable.id}/reject`, { reason: 'not our customer' });
    expect([rejected.status, rejected.body.status]).toEqual([200, 'rejected']);
    const cancellable = (await transfer(l.entitlementId, { toPartnerPublicId: recipient.publicId })).body;
    const cancelled = await p.api('POST', `/api/v1/licensing/transfers/${cancellable.id}/cancel`, {});
    expect([cancelled.status, cancelled.body.status]).toEqual([200, 'cancelled']);
    expect((await p.api('POST', `/api/v1/licensing/transfers/${cancellable.id}/cancel`, {})).status).toBe(409);
    expect(await ownerOf(l.entitlementId)).toBeNull();

    // A transfer pending for more than 14 days has expired. The test platform has no clock to move, so its
    // creation is moved 15 days back with SQL.
    const old = (await transfer(l.entitlementId, { toPartnerPublicId: recipient.publicId, secret: 'old-secret' })).body;
    await p.sql`update license_transfers set created_at = created_at - interval '15 days' where id = ${old.id}`;
    expect(await pendingOf(recipient.id)).toEqual([]);
    const expired = await approve(old.id, 'old-secret');
    expect([expired.status, expired.body.code]).toEqual([409, 'transfer_status']);
    expect((await p.sql`select status from license_transfers where id = ${old.id}`)[0]!.status).toBe('expired');
    expect(await ownerOf(l.entitlementId)).toBeNull();
    const fresh = await transfer(l.entitlementId, { toPartnerPublicId: recipient.publicId });
    expect(fresh.status, JSON.stringify(fresh.body)).toBe(201);

    // Unknown recipients and transfers to the owner itself are refused.
    const other = await license();
    expect((await transfer(other.entitlementId, { toPartnerPublicId: 'LP00000000000000000000' })).body.code).toBe('invalid_reference');
    expect((await approve(fresh.body.id, fresh.body.secret)).status).toBe(200);
    const toSelf = await transfer(l.entitlementId, { toPartnerPublicId: recipient.publicId });
    expect([toSelf.status, toSelf.body.code]).toEqual([422, 'transfer_to_owner']);
  });

  it('§8 #34 perpetual update quotes: v2 within 6 months is free, v2 later with v3 not out is 50 %, v3 while entitled to v1 is 100 %', async () => {
    const l = await license({ product: { termType: 'perpetual' }, customer: { legalForm: 'organization' } });
    const quote = (body: Record<string, unknown>) =>
      p.api('POST', `/api/v1/licensing/entitlements/${l.entitlementId}/update-quote`, { entitledMajor: 1, targetMajor: 2, anchor: '2024-01-10', retailPrice: 120_000, ...body });

    const free = await quote({ majorReleases: [{ major: 1, releasedAt: '2023-06-01' }, { major: 2, releasedAt: '2024-05-01' }] });
    expect(free.status, JSON.stringify(free.body)).toBe(200);
    expect(free.body).toMatchObject({ termType: 'perpetual', outcome: 'free', percent: 0, price: 0 });
    const half = await quote({ majorReleases: [{ major: 2, releasedAt: '2024-09-01' }] });
    expect(half.body).toMatchObject({ outcome: 'half_price', percent: 50, price: 60_000, supportIncluded: false });
    const full = await quote({ targetMajor: 3, majorReleases: [{ major: 2, releasedAt: '2024-09-01' }, { major: 3, releasedAt: '2025-03-01' }] });
    expect(full.body).toMatchObject({ outcome: 'full_price', percent: 100, price: 120_000 });

    const unreleased = await quote({ targetMajor: 3, majorReleases: [{ major: 2, releasedAt: '2024-09-01' }] });
    expect([unreleased.status, unreleased.body.code]).toEqual([422, 'MAJOR_NOT_RELEASED']);
    // A term license gets major updates free (§5.2).
    const term = await license({ grant: { periodDays: 365 } });
    const termQuote = await p.api('POST', `/api/v1/licensing/entitlements/${term.entitlementId}/update-quote`, { entitledMajor: 1, targetMajor: 3, retailPrice: 120_000, majorReleases: [{ major: 3, releasedAt: '2025-03-01' }] });
    expect(termQuote.body).toMatchObject({ termType: 'term', outcome: 'free', price: 0 });
  });

  it('§8 #35 support: bought 2024-01-10 → supportUntil 2025-01-10; an extension bought 2024-12-01 → 2026-01-10', async () => {
    // The staff routes with the clock at the purchase date, then at the extension date.
    let clock = new Date('2024-01-10T00:00:00Z');
    const staff = p.withClock(() => clock);
    const perpetual = await product({ termType: 'perpetual' });
    const registered = await publicApi('/keys', { vendorPrefix: prefix, productCode: perpetual.code, customer: { companyName: 'Supported Ltd', legalForm: 'organization' } });
    const granted = await staff('POST', `/api/v1/licensing/keys/${registered.body.key}/entitlements`, { productCode: perpetual.code, periodDays: null });
    expect(granted.status, JSON.stringify(granted.body)).toBe(201);
    expect(new Date(granted.body.supportUntil).toISOString()).toBe('2025-01-10T00:00:00.000Z');
    clock = new Date('2024-12-01T00:00:00Z');
    const extended = await staff('POST', `/api/v1/licensing/entitlements/${granted.body.id}/support-extensions`, {});
    expect(extended.status, JSON.stringify(extended.body)).toBe(200);
    expect(new Date(extended.body.supportUntil).toISOString()).toBe('2026-01-10T00:00:00.000Z');
    // A term license is supported for its term: there is nothing to extend.
    const term = await product();
    const termGrant = await staff('POST', `/api/v1/licensing/keys/${registered.body.key}/entitlements`, { productCode: term.code, periodDays: 365 });
    const refused = await staff('POST', `/api/v1/licensing/entitlements/${termGrant.body.id}/support-extensions`, {});
    expect([refused.status, refused.body.code]).toEqual([422, 'SUPPORT_FOLLOWS_TERM']);
  });

  it('§8 #36 perpetual for individuals: a perpetual product for a customer with legalForm = individual → PERPETUAL_REQUIRES_ORGANIZATION', async () => {
    const perpetual = await product({ termType: 'perpetual' });
    const term = await product();
    const codes: Record<string, string> = {};
    const keyOf = async (legalForm: string) => {
      const registered = await publicApi('/keys', { vendorPrefix: prefix, productCode: perpetual.code, customer: { companyName: `${legalForm} customer`, legalForm } });
      expect(registered.status, JSON.stringify(registered.body)).toBe(201);
      codes[legalForm] = registered.body.key;
      return (await p.api('GET', `/api/v1/licensing/keys/${registered.body.key}`)).body.id as number;
    };
    const individual = await keyOf('individual');
    const organization = await keyOf('organization');
    // Through the staff grant route (the order path of the licensing plugin applies the same rule).
    const grant = (legalForm: string, productCode: string) => p.api('POST', `/api/v1/licensing/keys/${codes[legalForm]}/entitlements`, { productCode, periodDays: null });
    const refusedGrant = await grant('individual', perpetual.code);
    expect([refusedGrant.status, refusedGrant.body.code]).toEqual([422, 'PERPETUAL_REQUIRES_ORGANIZATION']);
    expect((await grant('organization', perpetual.code)).status).toBe(201);
    expect((await grant('individual', term.code)).status).toBe(201);

    const refused = await refusePerpetualForIndividuals(p.sql, { keyId: individual, productId: perpetual.id }).then(() => null, (err: unknown) => err);
    expect(refused).toBeInstanceOf(AppError);
    expect(refused).toMatchObject({ status: 422, code: 'PERPETUAL_REQUIRES_ORGANIZATION' });
    await expect(refusePerpetualForIndividuals(p.sql, { keyId: organization, productId: perpetual.id })).resolves.toBeUndefined();
    await expect(refusePerpetualForIndividuals(p.sql, { keyId: individual, productId: term.id })).resolves.toBeUndefined();
  });
});
