/**
 * Local license servers (spec 04 §5.5, issue 22 point 4): the root's seat-pool API over HTTP against PostgreSQL, and
 * the real local server process (license-server/main.ts, spawned as `npm run license-server` runs it) obtaining a
 * pool, leasing from it, renewing it, serving on while the root is unreachable, and giving its seats back by lapsing.
 * Pools are asked for 6 s (the production default is the spec's 24 h) so the whole life of a pool fits the test.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KEY_RANDOM_LENGTH, withCheck } from '../../domain/licensing/codes';
import { verifyLicense } from '../../operations/licensing/documents';
import { startLicenseServerProcess, type LicenseServerProcess } from '../support/license-server-process';
import { createTestPlatform, eventually, type TestPlatform } from '../support/platform';
import { httpApi, serveOverHttp, type ServedApp } from '../support/serve';

const prefix = 'LOCS';
let p: TestPlatform;
let publicKey: string;
let stateDir: string;
const started: LicenseServerProcess[] = [];

beforeAll(async () => {
  // The local server renews and retries on its own: a limit far above its calls keeps the test about pools.
  p = await createTestPlatform('license-server', { licensingRateLimit: 10_000 });
  const vendor = await p.api('POST', '/api/v1/licensing/vendors', { name: 'Local Seats Ltd', prefix });
  expect(vendor.status, JSON.stringify(vendor.body)).toBe(201);
  publicKey = vendor.body.publicKey;
  stateDir = await mkdtemp(join(tmpdir(), 'license-server-'));
});
afterAll(async () => {
  for (const server of started) await server.stop();
  if (stateDir) await rm(stateDir, { recursive: true, force: true });
  await p?.close();
});

let seq = 0;
/** A floating product and a key holding it with `seats`, from the staff API. */
async function floatingKey(seats: number): Promise<{ key: string; productCode: string; entitlementId: number }> {
  seq += 1;
  const productCode = `pooled-${seq}`;
  const product = await p.api('POST', '/api/v1/licensing/products', { vendorPrefix: prefix, code: productCode, name: `Pooled ${seq}`, licenseModel: 'floating' });
  expect(product.status, JSON.stringify(product.body)).toBe(201);
  const registered = await p.api('POST', '/licensing/v1/keys', { vendorPrefix: prefix, productCode, customer: { companyName: 'Pool Ltd', legalForm: 'organization' } }, { token: null });
  expect(registered.status, JSON.stringify(registered.body)).toBe(201);
  const granted = await p.api('POST', `/api/v1/licensing/keys/${registered.body.key}/entitlements`, { productCode, periodDays: 365, seats });
  expect(granted.status, JSON.stringify(granted.body)).toBe(201);
  return { key: registered.body.key, productCode, entitlementId: granted.body.id };
}

const pub = (method: string, path: string, body?: unknown) => p.api(method, `/licensing/v1${path}`, body, { token: null });
const rootLease = (key: string, productCode: string, n: number) => pub('POST', '/leases', { key, productCode, machineId: `root-m-${n}`, userName: `root-u-${n}` });

describe('seat pools at the root (spec 04 §5.5)', () => {
  it('obtain is idempotent by request key, pooled seats are used, k > free seats and > 24 h are refused, release gives the seats back', async () => {
    const { key, productCode } = await floatingKey(3);
    const obtain = (seats: number, requestKey: string, validSeconds = 60) => pub('POST', '/seat-pools', { key, productCode, serverId: 'srv-a', seats, validSeconds, requestKey });

    const first = await obtain(2, 'request-0001');
    expect(first.status, JSON.stringify(first.body)).toBe(201);
    expect(verifyLicense(first.body, publicKey)).toBe(true);
    expect(first.body.document.pool).toMatchObject({ serverId: 'srv-a', seats: 2 });
    const again = await obtain(2, 'request-0001');
    expect(again.status).toBe(200);
    expect(again.body.document.pool.id).toBe(first.body.document.pool.id);
    const other = await pub('POST', '/seat-pools', { key, productCode, serverId: 'srv-b', seats: 2, validSeconds: 60, requestKey: 'request-0001' });
    expect(other.body.error?.code).toBe('POOL_REQUEST_CONFLICT');

    expect((await rootLease(key, productCode, 1)).status).toBe(201);
    expect((await rootLease(key, productCode, 2)).body.error?.code).toBe('SEATS_EXHAUSTED');
    const tooMany = await obtain(1, 'request-0002');
    expect([tooMany.status, tooMany.body.error?.code, tooMany.body.error?.details]).toEqual([409, 'SEATS_EXHAUSTED', { seats: 3, free: 0, requested: 1 }]);
    const tooLong = await obtain(1, 'request-0003', 86_401);
    expect([tooLong.status, tooLong.body.error?.code]).toEqual([422, 'POOL_VALIDITY_TOO_LONG']);
    // A well-formed key (its check characters right) that was never issued.
    const unknownKey = await pub('POST', '/seat-pools', { key: withCheck(`${prefix}${'7'.repeat(KEY_RANDOM_LENGTH)}`), productCode, serverId: 'srv-a', seats: 1, validSeconds: 60, requestKey: 'request-0004' });
    expect([unknownKey.status, unknownKey.body.error?.code]).toEqual([404, 'KEY_NOT_FOUND']);

    const poolId = first.body.document.pool.id;
    expect((await pub('DELETE', `/seat-pools/${poolId}`, { key })).status).toBe(204);
    expect((await pub('DELETE', `/seat-pools/${poolId}`, { key })).status).toBe(204);
    const renewReleased = await pub('POST', `/seat-pools/${poolId}/renew`, { key, validSeconds: 60 });
    expect([renewReleased.status, renewReleased.body.error?.code]).toEqual([410, 'POOL_LAPSED']);
    expect((await rootLease(key, productCode, 2)).status).toBe(201);
  });

  it('deleting all registrations of the license (staff) releases its pools with its leases', async () => {
    const { key, productCode, entitlementId } = await floatingKey(2);
    const pool = await pub('POST', '/seat-pools', { key, productCode, serverId: 'srv-a', seats: 2, validSeconds: 600, requestKey: 'request-reset' });
    expect(pool.status).toBe(201);
    expect((await rootLease(key, productCode, 1)).body.error?.code).toBe('SEATS_EXHAUSTED');
    expect((await p.api('POST', `/api/v1/licensing/entitlements/${entitlementId}/reset-registrations`, {})).status).toBe(200);
    const renew = await pub('POST', `/seat-pools/${pool.body.document.pool.id}/renew`, { key, validSeconds: 600 });
    expect([renew.status, renew.body.error?.details?.status]).toEqual([410, 'released']);
    expect((await rootLease(key, productCode, 1)).status).toBe(201);
  });

  it('a fixed license cannot be pooled', async () => {
    seq += 1;
    const productCode = `fixed-${seq}`;
    expect((await p.api('POST', '/api/v1/licensing/products', { vendorPrefix: prefix, code: productCode, name: 'Fixed' })).status).toBe(201);
    const registered = await p.api('POST', '/licensing/v1/keys', { vendorPrefix: prefix, productCode, customer: { companyName: 'Fixed Ltd', legalForm: 'organization' } }, { token: null });
    await p.api('POST', `/api/v1/licensing/keys/${registered.body.key}/entitlements`, { productCode, periodDays: 365, seats: 2 });
    const refused = await pub('POST', '/seat-pools', { key: registered.body.key, productCode, serverId: 'srv-a', seats: 1, validSeconds: 60, requestKey: 'request-fixed' });
    expect([refused.status, refused.body.error?.code]).toEqual([409, 'LICENSE_NOT_FLOATING']);
  });
});

describe('the local license server process (spec 04 §5.5)', () => {
  it('leases from its pool, renews it before it lapses, serves while the root is unreachable, and its seats return when the pool lapses', async () => {
    const { key, productCode, entitlementId } = await floatingKey(3);
    const root: ServedApp = await serveOverHttp(p.app);
    const stateFile = join(stateDir, 'lapse.json');
    const local = await startLicenseServerProcess({
      LICENSE_SERVER_ROOT_URL: `${root.url}/licensing/v1`,
      LICENSE_SERVER_KEY: key,
      LICENSE_SERVER_PRODUCT: productCode,
      LICENSE_SERVER_SEATS: '2',
      LICENSE_SERVER_POOL_SECONDS: '6',
      LICENSE_SERVER_ID: 'office-server-1',
      LICENSE_SERVER_STATE_FILE: stateFile,
    });
    started.push(local);
    const call = httpApi(local.url, null);
    const status = async () => (await call('GET', '/status')).body;
    const lease = (n: number) => call('POST', '/licensing/v1/leases', { key, productCode, machineId: `office-m-${n}`, userName: `office-u-${n}` });

    const first = await eventually(async () => ((await status()).phase === 'active' ? await status() : null), { timeoutMs: 15_000, what: 'a pool from the root' });
    expect(first.pool.seats).toBe(2);
    const [row] = await p.sql<Array<{ seats: number; server_id: string }>>`select seats, server_id from seat_pools where entitlement_id = ${entitlementId} and status = 'active'`;
    expect(row).toEqual({ seats: 2, server_id: 'office-server-1' });
    // The root counts the pool: one of its three seats is left.
    expect((await rootLease(key, productCode, 1)).status).toBe(201);
    expect((await rootLease(key, productCode, 2)).body.error?.code).toBe('SEATS_EXHAUSTED');

    const a = await lease(1);
    expect(a.status, JSON.stringify(a.body)).toBe(201);
    expect(verifyLicense(a.body.document, publicKey)).toBe(true);
    expect((await lease(2)).status).toBe(201);
    expect((await lease(1)).body.leaseId).toBe(a.body.leaseId);
    expect((await lease(3)).body.error?.code).toBe('SEATS_EXHAUSTED');
    const saved = JSON.parse(await readFile(stateFile, 'utf8'));
    expect(saved.pool.document.pool.id).toBe(first.pool.id);

    // Renewal at two thirds of the 6 s: the same pool, a later end, at the root as well.
    const renewed = await eventually(async () => {
      const now = await status();
      return now.pool.validUntil > first.pool.validUntil ? now : null;
    }, { timeoutMs: 10_000, what: 'a renewal' });
    expect(renewed.pool.id).toBe(first.pool.id);
    expect(Date.parse(renewed.pool.validUntil)).toBeLessThan(Date.parse(first.pool.validUntil) + 6_000);
    const [atRoot] = await p.sql<Array<{ valid_until: string }>>`select valid_until from seat_pools where id = ${first.pool.id}`;
    expect(new Date(atRoot!.valid_until).toISOString()).toBe(renewed.pool.validUntil);

    // The root goes away: the local server keeps serving its seats until the pool's end.
    await root.close();
    expect((await call('POST', `/licensing/v1/leases/${a.body.leaseId}/heartbeat`, { key })).status).toBe(200);
    expect((await call('DELETE', `/licensing/v1/leases/${a.body.leaseId}`, { key })).status).toBe(204);
    const whileDown = await lease(3);
    expect(whileDown.status, JSON.stringify(whileDown.body)).toBe(201);
    expect(Date.now()).toBeLessThan(Date.parse(renewed.pool.validUntil));

    // Unrenewed, the pool lapses: new leases are refused with a code, and the root has the seats back.
    const lapsed = await eventually(async () => {
      const answer = await lease(4);
      return answer.status === 410 ? answer : null;
    }, { timeoutMs: 15_000, what: 'the pool to lapse' });
    expect(lapsed.body.error.code).toBe('POOL_LAPSED');
    expect(Date.now()).toBeGreaterThanOrEqual(Date.parse(renewed.pool.validUntil));
    expect((await status()).root.lastError).toMatch(/unreachable/);
    expect((await rootLease(key, productCode, 2)).status).toBe(201);
    expect((await rootLease(key, productCode, 3)).status).toBe(201);
  });

  it('a restart keeps the pool and its leases from the state file, also while the root is unreachable', async () => {
    const { key, productCode } = await floatingKey(2);
    const root: ServedApp = await serveOverHttp(p.app);
    const env = {
      LICENSE_SERVER_ROOT_URL: `${root.url}/licensing/v1`,
      LICENSE_SERVER_KEY: key,
      LICENSE_SERVER_PRODUCT: productCode,
      LICENSE_SERVER_SEATS: '1',
      LICENSE_SERVER_POOL_SECONDS: '30',
      LICENSE_SERVER_ID: 'office-server-2',
      LICENSE_SERVER_STATE_FILE: join(stateDir, 'restart.json'),
    };
    const before = await startLicenseServerProcess(env);
    started.push(before);
    const beforeApi = httpApi(before.url, null);
    const pool = await eventually(async () => {
      const now = (await beforeApi('GET', '/status')).body;
      return now.phase === 'active' ? now.pool : null;
    }, { timeoutMs: 15_000, what: 'a pool from the root' });
    const held = await beforeApi('POST', '/licensing/v1/leases', { key, productCode, machineId: 'm-1', userName: 'u-1' });
    expect(held.status).toBe(201);
    await before.stop();
    await root.close();

    const after = await startLicenseServerProcess(env);
    started.push(after);
    const afterApi = httpApi(after.url, null);
    expect((await afterApi('GET', '/status')).body).toMatchObject({ phase: 'active', pool: { id: pool.id, seats: 1 }, leases: 1 });
    expect((await afterApi('POST', `/licensing/v1/leases/${held.body.leaseId}/heartbeat`, { key })).status).toBe(200);
    expect((await afterApi('POST', '/licensing/v1/leases', { key, productCode, machineId: 'm-2', userName: 'u-2' })).body.error?.code).toBe('SEATS_EXHAUSTED');
    await after.stop();
  });

  it('after the license lost seats, the renewal takes the seats still free and the newest local lease above them is refused', async () => {
    const { key, productCode, entitlementId } = await floatingKey(3);
    const root: ServedApp = await serveOverHttp(p.app);
    const local = await startLicenseServerProcess({
      LICENSE_SERVER_ROOT_URL: `${root.url}/licensing/v1`,
      LICENSE_SERVER_KEY: key,
      LICENSE_SERVER_PRODUCT: productCode,
      LICENSE_SERVER_SEATS: '2',
      LICENSE_SERVER_POOL_SECONDS: '6',
      LICENSE_SERVER_ID: 'office-server-3',
      LICENSE_SERVER_STATE_FILE: join(stateDir, 'reduced.json'),
    });
    started.push(local);
    const call = httpApi(local.url, null);
    const first = await eventually(async () => {
      const now = (await call('GET', '/status')).body;
      return now.phase === 'active' ? now.pool : null;
    }, { timeoutMs: 15_000, what: 'a pool from the root' });
    const older = await call('POST', '/licensing/v1/leases', { key, productCode, machineId: 'm-1', userName: 'u-1' });
    const newer = await call('POST', '/licensing/v1/leases', { key, productCode, machineId: 'm-2', userName: 'u-2' });
    expect([older.status, newer.status]).toEqual([201, 201]);
    expect((await rootLease(key, productCode, 1)).status).toBe(201);

    const reduced = await p.api('POST', `/api/v1/licensing/entitlements/${entitlementId}/seats`, { seats: 2 });
    expect(reduced.body).toMatchObject({ seats: 2, inUse: 3 });
    const renewed = await eventually(async () => {
      const now = (await call('GET', '/status')).body;
      return now.pool.validUntil > first.validUntil ? now.pool : null;
    }, { timeoutMs: 10_000, what: 'a renewal' });
    expect(renewed).toMatchObject({ id: first.id, seats: 1 });
    expect((await call('POST', `/licensing/v1/leases/${newer.body.leaseId}/heartbeat`, { key })).body.error?.code).toBe('SEATS_REDUCED');
    expect((await call('POST', `/licensing/v1/leases/${older.body.leaseId}/heartbeat`, { key })).status).toBe(200);
    await local.stop();
    await root.close();
  });
});
