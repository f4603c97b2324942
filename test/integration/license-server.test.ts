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
import { createLicensingProduct, firstRunLicense, publicLicensingApi, registerLicensingVendor, type PublicLicensingApi } from '../support/licensing';
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
  publicKey = (await registerLicensingVendor(p, prefix, 'Local Seats Ltd')).publicKey;
  publicApi = publicLicensingApi(p);
  stateDir = await mkdtemp(join(tmpdir(), 'license-server-'));
});
afterAll(async () => {
  for (const server of started) await server.stop();
  if (stateDir) await rm(stateDir, { recursive: true, force: true });
  await p?.close();
});

let seq = 0;
let publicApi: PublicLicensingApi;
/** A floating product and a key holding it with `seats`, from the staff API. */
async function floatingKey(seats: number): Promise<{ key: string; productCode: string; entitlementId: number }> {
  seq += 1;
  const productCode = `pooled-${seq}`;
  await createLicensingProduct(p, prefix, productCode, `Pooled ${seq}`, { licenseModel: 'floating' });
  const { key, entitlementId } = await firstRunLicense(p, { prefix, productCode, companyName: 'Pool Ltd', customer: { legalForm: 'organization' }, grant: { periodDays: 365, seats }, publicApi });
  return { key, productCode, entitlementId };
}

/** The environment `npm run license-server` is started with: this key and product, against the root at `rootUrl`. */
function localServerEnv(rootUrl: string, l: { key: string; productCode: string }, o: { seats: number; poolSeconds: number; id: string; stateFile: string }): Record<string, string> {
  return {
    LICENSE_SERVER_ROOT_URL: `${rootUrl}/licensing/v1`,
    LICENSE_SERVER_KEY: l.key,
    LICENSE_SERVER_PRODUCT: l.productCode,
    LICENSE_SERVER_SEATS: String(o.seats),
    LICENSE_SERVER_POOL_SECONDS: String(o.poolSeconds),
    LICENSE_SERVER_ID: o.id,
    LICENSE_SERVER_STATE_FILE: o.stateFile,
  };
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
    await createLicensingProduct(p, prefix, productCode, 'Fixed');
    const { key } = await firstRunLicense(p, { prefix, productCode, companyName: 'Fixed Ltd', customer: { legalForm: 'organization' }, grant: { periodDays: 365, seats: 2 }, publicApi });
    const refused = await pub('POST', '/seat-pools', { key, productCode, serverId: 'srv-a', seats: 1, validSeconds: 60, requestKey: 'request-fixed' });
    expect([refused.status, refused.body.error?.code]).toEqual([409, 'LICENSE_NOT_FLOATING']);
  });
});

describe('local license servers for staff (spec 04 §1.2 LicenseServer, §5.5)', () => {
  const servers = async (path: string, token?: string) => p.api('GET', `/api/v1/licensing/${path}/license-servers`, undefined, token ? { token } : {});
  const revoke = (key: string, serverId: number, body: unknown, token?: string) => p.api('POST', `/api/v1/licensing/keys/${key}/license-servers/${serverId}/revoke`, body, token ? { token } : {});

  it('a server is registered on its first obtain and listed per key and per license with the seats its pools hold; revoking it frees its seats at once and refuses its renewal and obtain with LICENSE_SERVER_REVOKED', async () => {
    const { key, productCode, entitlementId } = await floatingKey(4);
    const obtain = (serverId: string, seats: number, requestKey: string) => pub('POST', '/seat-pools', { key, productCode, serverId, seats, validSeconds: 600, requestKey });
    const office = await obtain('office-1', 2, 'request-office');
    const branch = await obtain('branch-1', 2, 'request-branch');
    expect([office.status, branch.status]).toEqual([201, 201]);
    expect((await rootLease(key, productCode, 1)).body.error?.code).toBe('SEATS_EXHAUSTED');

    const listed = await servers(`keys/${key}`);
    expect(listed.status, JSON.stringify(listed.body)).toBe(200);
    expect(listed.body.items.map((s: { serverId: string; status: string; heldSeats: number }) => [s.serverId, s.status, s.heldSeats]).sort()).toEqual([
      ['branch-1', 'active', 2],
      ['office-1', 'active', 2],
    ]);
    const officeServer = listed.body.items.find((s: { serverId: string }) => s.serverId === 'office-1');
    expect(officeServer).toMatchObject({ registeredAt: expect.any(String), lastSyncAt: expect.any(String), revokedAt: null, pools: [{ id: office.body.document.pool.id, entitlementId, product: productCode, seats: 2 }] });
    expect((await servers(`entitlements/${entitlementId}`)).body.items.map((s: { serverId: string }) => s.serverId).sort()).toEqual(['branch-1', 'office-1']);

    // A renewal is a sync.
    const renewed = await pub('POST', `/seat-pools/${office.body.document.pool.id}/renew`, { key, validSeconds: 600 });
    expect(renewed.status).toBe(200);
    const synced = (await servers(`keys/${key}`)).body.items.find((s: { serverId: string }) => s.serverId === 'office-1');
    expect(Date.parse(synced.lastSyncAt)).toBeGreaterThan(Date.parse(officeServer.lastSyncAt));

    // Bad requests change nothing: no reason, an unknown server, another key's server.
    expect((await revoke(key, officeServer.id, {})).status).toBe(400);
    const unknown = await revoke(key, 999_999, { reason: 'stolen' });
    expect([unknown.status, unknown.body.code]).toEqual([404, 'LICENSE_SERVER_NOT_FOUND']);
    const other = await floatingKey(1);
    const foreign = await revoke(other.key, officeServer.id, { reason: 'stolen' });
    expect([foreign.status, foreign.body.code]).toEqual([404, 'LICENSE_SERVER_NOT_FOUND']);
    expect((await servers(`keys/${key}`)).body.items.every((s: { status: string }) => s.status === 'active')).toBe(true);

    const revoked = await revoke(key, officeServer.id, { reason: 'the office server was stolen' });
    expect(revoked.status, JSON.stringify(revoked.body)).toBe(200);
    expect(revoked.body).toMatchObject({ revoked: true, pools: [{ id: office.body.document.pool.id, entitlementId, seats: 2 }] });
    expect(revoked.body.server).toMatchObject({ serverId: 'office-1', status: 'revoked', revocationReason: 'the office server was stolen', revokedBy: expect.any(Number), heldSeats: 0, pools: [] });
    // Its seats are back at once: two root leases fit where none did.
    expect((await rootLease(key, productCode, 1)).status).toBe(201);
    expect((await rootLease(key, productCode, 2)).status).toBe(201);
    expect((await rootLease(key, productCode, 3)).body.error?.code).toBe('SEATS_EXHAUSTED');

    // The revoked server's renewal, a retried obtain and a new obtain are refused with the code that says why.
    const renewRefused = await pub('POST', `/seat-pools/${office.body.document.pool.id}/renew`, { key, validSeconds: 600 });
    expect([renewRefused.status, renewRefused.body.error?.code, renewRefused.body.error?.details?.serverId]).toEqual([403, 'LICENSE_SERVER_REVOKED', 'office-1']);
    expect((await obtain('office-1', 1, 'request-office')).body.error?.code).toBe('LICENSE_SERVER_REVOKED');
    expect((await obtain('office-1', 1, 'request-office-2')).body.error?.code).toBe('LICENSE_SERVER_REVOKED');
    // The other server is untouched.
    expect((await pub('POST', `/seat-pools/${branch.body.document.pool.id}/renew`, { key, validSeconds: 600 })).status).toBe(200);

    // Revoking twice changes nothing; the card's usage no longer shows the revoked pool.
    const again = await revoke(key, officeServer.id, { reason: 'again' });
    expect(again.body).toMatchObject({ revoked: false, pools: [], server: { revocationReason: 'the office server was stolen' } });
    expect((await p.api('GET', `/api/v1/licensing/keys/${key}`)).body.currentUsage.pools.map((pool: { serverId: string }) => pool.serverId)).toEqual(['branch-1']);
  });

  it("another reseller's staff find no server of the operator's keys: listing and revoking answer 404 and change nothing", async () => {
    const { key, productCode, entitlementId } = await floatingKey(2);
    expect((await pub('POST', '/seat-pools', { key, productCode, serverId: 'office-9', seats: 1, validSeconds: 600, requestKey: 'request-tenant' })).status).toBe(201);
    const [server] = (await servers(`keys/${key}`)).body.items;
    const reseller = await p.api('POST', '/api/v1/resellers', { name: 'Pool Reseller', currency: 'EUR' });
    const member = (await p.api('POST', '/api/v1/staff', { name: 'Rosa Reseller', email: 'rosa-pools@example.com', role: 'admin' })).body;
    await p.sql`update staff set reseller_id = ${reseller.body.id} where id = ${member.id}`;
    const token = (await p.api('POST', `/api/v1/staff/${member.id}/tokens`, { name: 'reseller' })).body.token as string;
    const answers = [await servers(`keys/${key}`, token), await servers(`entitlements/${entitlementId}`, token), await revoke(key, server.id, { reason: 'mine' }, token)];
    expect(answers.map((a) => [a.status, a.body.code])).toEqual(Array(3).fill([404, 'not_found']));
    expect((await servers(`keys/${key}`)).body.items[0]).toMatchObject({ status: 'active', heldSeats: 1 });
  });
});

describe('the local license server process (spec 04 §5.5)', () => {
  it('leases from its pool, renews it before it lapses, serves while the root is unreachable, and its seats return when the pool lapses', async () => {
    const { key, productCode, entitlementId } = await floatingKey(3);
    const root: ServedApp = await serveOverHttp(p.app);
    const stateFile = join(stateDir, 'lapse.json');
    const local = await startLicenseServerProcess(localServerEnv(root.url, { key, productCode }, { seats: 2, poolSeconds: 6, id: 'office-server-1', stateFile }));
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

  it('revoked by staff, it hears so at its next renewal: it gives its pool up, refuses leases with LICENSE_SERVER_REVOKED and stops asking the root', async () => {
    const { key, productCode } = await floatingKey(2);
    const root: ServedApp = await serveOverHttp(p.app);
    const local = await startLicenseServerProcess(localServerEnv(root.url, { key, productCode }, { seats: 2, poolSeconds: 6, id: 'office-server-revoked', stateFile: join(stateDir, 'revoked.json') }));
    started.push(local);
    const call = httpApi(local.url, null);
    await eventually(async () => ((await call('GET', '/status')).body.phase === 'active' ? true : null), { timeoutMs: 15_000, what: 'a pool from the root' });
    const held = await call('POST', '/licensing/v1/leases', { key, productCode, machineId: 'm-1', userName: 'u-1' });
    expect(held.status).toBe(201);

    const [server] = (await p.api('GET', `/api/v1/licensing/keys/${key}/license-servers`)).body.items;
    expect(server.serverId).toBe('office-server-revoked');
    expect((await p.api('POST', `/api/v1/licensing/keys/${key}/license-servers/${server.id}/revoke`, { reason: 'decommissioned' })).status).toBe(200);
    expect((await rootLease(key, productCode, 1)).status).toBe(201);

    const revoked = await eventually(async () => {
      const now = (await call('GET', '/status')).body;
      return now.phase === 'revoked' ? now : null;
    }, { timeoutMs: 10_000, what: 'the renewal to be refused' });
    expect(revoked.root.lastError).toMatch(/^LICENSE_SERVER_REVOKED/);
    expect(local.lines.some((line) => line.event === 'server_revoked')).toBe(true);
    const refused = await call('POST', `/licensing/v1/leases/${held.body.leaseId}/heartbeat`, { key });
    expect([refused.status, refused.body.error?.code]).toEqual([403, 'LICENSE_SERVER_REVOKED']);
    expect((await call('POST', '/licensing/v1/leases', { key, productCode, machineId: 'm-2', userName: 'u-2' })).body.error?.code).toBe('LICENSE_SERVER_REVOKED');
    // It asks nothing more: no obtain after the refusal.
    const asked = local.lines.filter((line) => line.event === 'root_refused').length;
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    expect(local.lines.filter((line) => line.event === 'root_refused').length).toBe(asked);
    await local.stop();
    await root.close();
  });

  it('a restart keeps the pool and its leases from the state file, also while the root is unreachable', async () => {
    const { key, productCode } = await floatingKey(2);
    const root: ServedApp = await serveOverHttp(p.app);
    const env = localServerEnv(root.url, { key, productCode }, { seats: 1, poolSeconds: 30, id: 'office-server-2', stateFile: join(stateDir, 'restart.json') });
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
    const local = await startLicenseServerProcess(localServerEnv(root.url, { key, productCode }, { seats: 2, poolSeconds: 6, id: 'office-server-3', stateFile: join(stateDir, 'reduced.json') }));
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
