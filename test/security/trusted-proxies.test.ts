import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatLicenseKey } from '../../domain/licensing/codes';
import { generateLicenseKey } from '../../operations/licensing/keys/new-codes';
import { createLogger } from '../../infra/logger';
import { serveOverHttp, signInOverHttp, type HttpServer } from '../support/http';
import { createTestPlatform, type TestPlatform } from '../support/platform';

/**
 * Issue 17, class 3: forwarding headers are believed only from configured proxies (`TRUST_PROXY`), by the public
 * licensing API's limits, the sign-in event log and the access log alike; anonymous trial registration has a
 * limit per product whatever the addresses. The real server over HTTP, as deployed without a proxy (default) and
 * behind one on the loopback.
 */
let p: TestPlatform;
let direct: HttpServer;
let proxied: HttpServer;
const lines: Array<Record<string, any>> = [];
const logger = createLogger(
  'info',
  new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString().split('\n')) if (line) lines.push(JSON.parse(line));
      done();
    },
  }),
);
const email = 'pavel.proxy@example.com';
const password = 'a long and correct passphrase';
let staffId: number;

beforeAll(async () => {
  p = await createTestPlatform('security_proxies', { runWorker: false });
  staffId = (await p.api('POST', '/api/v1/staff', { name: 'Pavel Proxy', email, role: 'support' })).body.id;
  expect((await p.api('POST', `/api/v1/staff/${staffId}/password`, { password })).status).toBe(200);
  expect((await p.api('POST', '/api/v1/licensing/vendors', { name: 'Proxy Software', prefix: 'PRXY' })).status).toBe(201);
  for (const code of ['trial-app', 'other-app']) {
    const made = await p.api('POST', '/api/v1/licensing/products', { vendorPrefix: 'PRXY', code, name: code, trialDays: 14 });
    expect(made.status, JSON.stringify(made.body)).toBe(201);
  }
  direct = await serveOverHttp(p.appWith({ logger }));
  proxied = await serveOverHttp(p.appWith({ logger, trustProxy: '127.0.0.1, 10.0.0.0/8', licensingTrialsPerHour: 10 }));
});
afterAll(async () => {
  await direct?.close();
  await proxied?.close();
  await p?.close();
});

const post = (base: string, path: string, body: unknown, headers: Record<string, string>) =>
  fetch(`${base}/licensing/v1${path}`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });
const guess = () => ({ key: formatLicenseKey(generateLicenseKey('PRXY')), productCode: 'trial-app' });
const statuses = (answers: Response[]) => answers.map((a) => a.status);

describe('forwarding headers only from trusted proxies (issue 17, class 3)', () => {
  it('without TRUST_PROXY, 100 key guesses with a new X-Forwarded-For each are one address: the limit answers 429', async () => {
    const answers: Response[] = [];
    for (let i = 0; i < 100; i += 1) answers.push(await post(direct.url, '/product-status', guess(), { 'x-forwarded-for': `198.51.100.${i + 1}` }));
    expect(statuses(answers).filter((s) => s === 404)).toHaveLength(60);
    expect(statuses(answers).filter((s) => s === 429)).toHaveLength(40);
  });

  it('behind a trusted proxy, the address is the last one the proxies did not add: a forged head of the chain is not believed', async () => {
    const answers: Response[] = [];
    // The client forges the first entries; the trusted proxies (10.x) append what they saw: 203.0.113.9.
    for (let i = 0; i < 100; i += 1) answers.push(await post(proxied.url, '/product-status', guess(), { 'x-forwarded-for': `198.51.100.${i + 1}, 203.0.113.9, 10.1.2.3` }));
    expect(statuses(answers).filter((s) => s === 429)).toHaveLength(40);
    // Other clients of the same proxy are not held back by that one.
    expect((await post(proxied.url, '/product-status', guess(), { 'x-forwarded-for': '203.0.113.10' })).status).toBe(404);
  });

  it('anonymous trial registrations of a product are limited per hour whatever the addresses; keys without a trial and other products are not', async () => {
    const register = (productCode: string, i: number, trial = true) =>
      post(proxied.url, '/keys', { vendorPrefix: 'PRXY', productCode, trial, customer: { companyName: `Trial ${i}` } }, { 'x-forwarded-for': `192.0.2.${i + 1}` });
    const answers: Response[] = [];
    for (let i = 0; i < 100; i += 1) answers.push(await register('trial-app', i));
    expect(statuses(answers).filter((s) => s === 201)).toHaveLength(10);
    expect(statuses(answers).filter((s) => s === 429)).toHaveLength(90);
    expect(((await answers[99]!.json()) as { error: { code: string } }).error.code).toBe('TRIAL_REGISTRATION_LIMITED');
    const [trials] = await p.sql<Array<{ n: number }>>`
      select count(*)::int as n from entitlements e join licensing_products pr on pr.id = e.product_id where pr.code = 'trial-app' and e.source = 'trial'`;
    expect(trials!.n).toBe(10);
    expect((await register('trial-app', 200, false)).status).toBe(201);
    expect((await register('other-app', 201)).status).toBe(201);
  });

  it('the sign-in event log and the access log record the same address: the connection, or what a trusted proxy forwarded', async () => {
    lines.length = 0;
    expect((await signInOverHttp(direct.url, { email, password }, { 'x-forwarded-for': '203.0.113.66' })).status).toBe(303);
    expect((await signInOverHttp(proxied.url, { email, password }, { 'x-forwarded-for': '203.0.113.77' })).status).toBe(303);
    const rows = await p.sql<Array<{ changes: { ip: string } }>>`
      select changes from event_log where entity_kind = 'staff' and entity_id = ${String(staffId)} and action = 'signed_in' order by id`;
    expect(rows.map((r) => r.changes.ip)).toEqual(['127.0.0.1', '203.0.113.77']);
    const signIns = lines.filter((l) => l.msg === 'request' && l.method === 'POST' && l.path === '/login');
    expect(signIns.map((l) => l.ip)).toEqual(['127.0.0.1', '203.0.113.77']);
  });
});
