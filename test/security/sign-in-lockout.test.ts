import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatCoupon } from '../../domain/licensing/codes';
import { generateCoupon } from '../../operations/licensing/keys/new-codes';
import { serveOverHttp, signInOverHttp, type HttpServer } from '../support/http';
import { createTestPlatform, type TestPlatform } from '../support/platform';

/**
 * Issue 17, class 1: the lock-out counts every attempt, however many arrive at once. The real server over HTTP,
 * once as deployed without a proxy (the connection's address is the source) and once behind a trusted proxy on
 * the loopback, which lets a test give each request an address of its own.
 */
let p: TestPlatform;
let direct: HttpServer;
let proxied: HttpServer;
const email = 'lena.locked@example.com';
const password = 'a long and correct passphrase';
let staffId: number;

beforeAll(async () => {
  p = await createTestPlatform('security_sign_in', { runWorker: false });
  staffId = (await p.api('POST', '/api/v1/staff', { name: 'Lena Locked', email, role: 'support' })).body.id;
  expect((await p.api('POST', `/api/v1/staff/${staffId}/password`, { password })).status).toBe(200);
  direct = await serveOverHttp(p.appWith());
  proxied = await serveOverHttp(p.appWith({ trustProxy: '127.0.0.1' }));
});
afterAll(async () => {
  await direct?.close();
  await proxied?.close();
  await p?.close();
});

const from = (address: string) => ({ 'x-forwarded-for': address });
const events = async (action: string) =>
  (await p.sql<Array<{ n: number }>>`select count(*)::int as n from event_log where entity_kind = 'staff' and entity_id = ${String(staffId)} and action = ${action}`)[0]!.n;

describe('sign-in lock-out under concurrency (issue 17, class 1)', () => {
  it('40 wrong passwords at once, each from its own address, try five passwords and lock the account; the right one is refused after', async () => {
    const answers = await Promise.all(Array.from({ length: 40 }, (_, i) => signInOverHttp(proxied.url, { email, password: `wrong ${i}` }, from(`198.51.100.${i + 1}`))));
    const statuses = answers.map((a) => a.status);
    expect(statuses.filter((s) => s === 401)).toHaveLength(4);
    expect(statuses.filter((s) => s === 429)).toHaveLength(36);
    // Five passwords were judged (the fifth locked the account); the other 35 were turned away unjudged.
    expect(await events('sign_in_failed')).toBe(5);
    const right = await signInOverHttp(proxied.url, { email, password }, from('198.51.100.200'));
    expect(right.status).toBe(429);
    expect(await p.sql`select 1 from staff_sessions where staff_id = ${staffId}`).toHaveLength(0);
    // An administrator setting the password lifts the lock.
    expect((await p.api('POST', `/api/v1/staff/${staffId}/password`, { password })).status).toBe(200);
    expect((await signInOverHttp(proxied.url, { email, password }, from('198.51.100.201'))).status).toBe(303);
  });

  it('40 wrong passwords at once from one connection address, for other e-mails and with rotating X-Forwarded-For, lock that address and no other', async () => {
    const answers = await Promise.all(
      Array.from({ length: 40 }, (_, i) => signInOverHttp(direct.url, { email: `nobody${i}@example.com`, password: 'guess' }, from(`203.0.113.${i + 1}`))),
    );
    const statuses = answers.map((a) => a.status);
    expect(statuses.filter((s) => s === 401)).toHaveLength(19);
    expect(statuses.filter((s) => s === 429)).toHaveLength(21);
    const locked = await signInOverHttp(direct.url, { email, password });
    expect(locked.status).toBe(429);
    expect(await locked.text()).toContain('from this address');
    // The account itself is not locked: from another address the same staff member signs in.
    expect((await signInOverHttp(proxied.url, { email, password }, from('192.0.2.10'))).status).toBe(303);
  });

  it('failed coupon attempts (spec 04 §3.3: ten an hour per key) are counted when they start, so 40 at once judge ten coupons', async () => {
    expect((await p.api('POST', '/api/v1/licensing/vendors', { name: 'Lock Software', prefix: 'LOCK' })).status).toBe(201);
    const product = await p.api('POST', '/api/v1/licensing/products', { vendorPrefix: 'LOCK', code: 'lock-app', name: 'Lock app', activationPolicy: 'AcceptAllSingleMachine' });
    expect(product.status, JSON.stringify(product.body)).toBe(201);
    const call = (path: string, body: unknown, address: string) =>
      fetch(`${proxied.url}/licensing/v1${path}`, { method: 'POST', headers: { 'content-type': 'application/json', ...from(address) }, body: JSON.stringify(body) });
    const key = ((await (await call('/keys', { vendorPrefix: 'LOCK', productCode: 'lock-app', customer: { companyName: 'Guessers Ltd' } }, '192.0.2.20')).json()) as { key: string }).key;
    const answers = await Promise.all(
      Array.from({ length: 40 }, (_, i) => call('/coupons/apply', { key, coupon: formatCoupon(generateCoupon('LOCK', 'add_product')), channel: 'in_app' }, `192.0.2.${30 + i}`)),
    );
    const codes = await Promise.all(answers.map(async (a) => ((await a.json()) as { error: { code: string } }).error.code));
    expect(codes.filter((c) => c === 'COUPON_NOT_FOUND')).toHaveLength(10);
    expect(codes.filter((c) => c === 'RATE_LIMITED')).toHaveLength(30);
  });
});
