import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listDefinitions } from '../../web/list-definitions';
import { cookieOf, serveOverHttp, signInOverHttp, type HttpServer } from '../support/http';
import { createTestPlatform, tableRowCounts, type TestPlatform } from '../support/platform';

/**
 * Issue 17, class 7: hostile input answers a coded 4xx and writes nothing, never 5xx: impossible dates in the
 * operator UI's list filters (HTML and CSV), NUL characters and broken Unicode in the public licensing API, a
 * sign-in whose `next` holds a line break. The real server over HTTP.
 */
let p: TestPlatform;
let server: HttpServer;
let session: string;
let key: string;
const email = 'hana.hostile@example.com';
const password = 'a long and correct passphrase';

beforeAll(async () => {
  p = await createTestPlatform('security_hostile', { runWorker: false });
  const staffId = (await p.api('POST', '/api/v1/staff', { name: 'Hana Hostile', email, role: 'admin' })).body.id;
  expect((await p.api('POST', `/api/v1/staff/${staffId}/password`, { password })).status).toBe(200);
  expect((await p.api('POST', '/api/v1/licensing/vendors', { name: 'Hostile Software', prefix: 'HSTL' })).status).toBe(201);
  expect((await p.api('POST', '/api/v1/licensing/products', { vendorPrefix: 'HSTL', code: 'hostile-app', name: 'Hostile app', trialDays: 14 })).status).toBe(201);
  // The per-address limit is another class's subject: here it must not stand between a hostile call and its answer.
  server = await serveOverHttp(p.appWith({ licensingRateLimit: 100_000 }));
  const signedIn = await signInOverHttp(server.url, { email, password });
  expect(signedIn.status).toBe(303);
  session = cookieOf(signedIn, 'bp_session')!.split(';')[0]!;
  const registered = await fetch(`${server.url}/licensing/v1/keys`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ vendorPrefix: 'HSTL', productCode: 'hostile-app', customer: { companyName: 'Hostile Ltd' } }),
  });
  key = ((await registered.json()) as { key: string }).key;
});
afterAll(async () => {
  await server?.close();
  await p?.close();
});

const leaves = (value: unknown, path: string[] = []): string[][] =>
  value && typeof value === 'object' ? Object.entries(value).flatMap(([k, v]) => leaves(v, [...path, k])) : typeof value === 'string' ? [path] : [];
function withLeaf(value: Record<string, unknown>, path: string[], leaf: string): Record<string, unknown> {
  const copy = structuredClone(value) as any;
  let cursor = copy;
  for (const segment of path.slice(0, -1)) cursor = cursor[segment];
  cursor[path[path.length - 1]!] = leaf;
  return copy;
}

describe('hostile input answers a coded 4xx and writes nothing (issue 17, class 7)', () => {
  it('a date filter that is no date, on every list page as HTML and as CSV, answers 400 invalid_filter', async () => {
    const before = await tableRowCounts(p);
    const wrong: string[] = [];
    const dated = listDefinitions.filter((def) => def.filters.some((f) => f.kind === 'from' || f.kind === 'to'));
    expect(dated).toHaveLength(9);
    for (const def of dated) {
      for (const filter of def.filters.filter((f) => f.kind === 'from' || f.kind === 'to')) {
        for (const format of ['', '&format=csv']) {
          for (const bad of ['2024-13-45', '2024-02-30', '0000-00-00']) {
            const res = await fetch(`${server.url}${def.path}?f.${filter.key}=${bad}${format}`, { headers: { cookie: session } });
            const text = await res.text();
            if (res.status !== 400 || !text.includes('invalid_filter')) wrong.push(`${def.path}?f.${filter.key}=${bad}${format} → ${res.status}`);
          }
        }
      }
    }
    expect(wrong).toEqual([]);
    expect(await tableRowCounts(p)).toEqual(before);
  });

  it('NUL characters and unpaired surrogates in any string of any public licensing call answer 400 VALIDATION_FAILED', async () => {
    const machine = { signatures: { hdd: 'HDD-1', cpu: 'CPU-1', bios: 'BIOS-1', ethernet: '00:11:22:33:44:55' }, hostname: 'pc-1', ip: '192.0.2.1' };
    const hostileFile = Buffer.from(JSON.stringify({ signatures: { hdd: 'HDD\u0000' } })).toString('base64');
    const calls: Array<[string, string, Record<string, unknown>]> = [
      ['POST', '/keys', { vendorPrefix: 'HSTL', productCode: 'hostile-app', trial: true, customer: { companyName: 'Acme', contactName: 'Ann', email: 'ann@example.com' } }],
      ['POST', '/activations', { key, productCode: 'hostile-app', machine }],
      ['POST', '/offline/requests', { key, productCode: 'hostile-app', requestFile: Buffer.from(JSON.stringify(machine)).toString('base64') }],
      ['POST', '/activations/1/validate', { key, machineId: 'machine-1' }],
      ['POST', '/activations/1/deactivate', { key }],
      ['POST', '/product-status', { key, productCode: 'hostile-app' }],
      ['POST', '/coupons/apply', { key, coupon: 'HSTLUPD-A01VN-E5QXS-DVYFR', channel: 'in_app' }],
      ['POST', '/leases', { key, productCode: 'hostile-app', machineId: 'machine-1', userName: 'ann', hostname: 'pc-1' }],
      ['POST', '/leases/1/heartbeat', { key }],
      ['DELETE', '/leases/1', { key }],
      ['POST', '/seat-pools', { key, productCode: 'hostile-app', serverId: 'server-1', seats: 1, validSeconds: 60, requestKey: 'hostile-request-1' }],
      ['POST', '/seat-pools/00000000-0000-4000-8000-000000000000/renew', { key, validSeconds: 60 }],
      ['DELETE', '/seat-pools/00000000-0000-4000-8000-000000000000', { key }],
    ];
    const before = await tableRowCounts(p);
    const wrong: string[] = [];
    let sent = 0;
    for (const [method, path, body] of calls) {
      const bodies = leaves(body).flatMap((leaf) => ['x\u0000y', '\u0000', 'broken \ud800 pair'].map((bad) => withLeaf(body, leaf, bad)));
      // The request file carries the machine's strings inside: a NUL there is a bad file.
      if (path === '/offline/requests') bodies.push({ ...body, requestFile: hostileFile });
      for (const hostile of bodies) {
        sent += 1;
        const res = await fetch(`${server.url}/licensing/v1${path}`, { method, headers: { 'content-type': 'application/json' }, body: JSON.stringify(hostile) });
        const answer = (await res.json().catch(() => null)) as { error?: { code?: string } } | null;
        const expected = hostile.requestFile === hostileFile ? 'INVALID_REQUEST_FILE' : 'VALIDATION_FAILED';
        if (res.status !== 400 || answer?.error?.code !== expected) wrong.push(`${method} ${path} ${JSON.stringify(hostile)} → ${res.status} ${JSON.stringify(answer)}`);
      }
    }
    for (const prefix of ['HS%00L', 'HS%ED%A0%80', '%00']) {
      const publicKey = await fetch(`${server.url}/licensing/v1/vendors/${prefix}/public-key`);
      if (publicKey.status !== 404) wrong.push(`GET /vendors/${prefix}/public-key → ${publicKey.status}`);
    }
    expect(sent).toBeGreaterThan(60);
    expect(wrong).toEqual([]);
    expect(await tableRowCounts(p)).toEqual(before);
  });

  it('a sign-in whose next holds a line break, or whose e-mail cannot be stored, is refused with 400 before anything is counted or written', async () => {
    const before = await tableRowCounts(p);
    for (const next of ['/\n/evil.example', '/%0A/x', '/\r\nSet-Cookie: a=b', '/ok\u0000']) {
      const res = await signInOverHttp(server.url, { email, password, next: decodeURIComponent(next.replace(/%(?![0-9A-F]{2})/g, '%25')) });
      expect(res.status, next).toBe(400);
      expect(await res.text()).toContain('invalid_next');
      expect(res.headers.getSetCookie().some((c) => c.startsWith('bp_session='))).toBe(false);
    }
    // An e-mail no account can have (a NUL, longer than an e-mail can be) is refused before it reaches a query or a counter.
    for (const hostileEmail of ['hana\u0000@example.com', `${'x'.repeat(400)}@example.com`]) {
      const res = await signInOverHttp(server.url, { email: hostileEmail, password });
      expect(res.status, JSON.stringify(hostileEmail)).toBe(400);
      expect(await res.text()).toContain('invalid_email');
    }
    expect(await tableRowCounts(p)).toEqual(before);
  });
});
