import { describe, expect, it } from 'vitest';
import { generateSigningKeys, signLicense } from '../operations/licensing/documents';
import { emptyPoolState, LocalPool, type SignedPool } from './pool';

const vendorKeys = generateSigningKeys();
const identity = { key: 'MIKO7K3QXM2H9DRT4WB8NEB8', productCode: 'calc-net', serverId: 'srv-1' };
const t0 = new Date('2027-03-01T10:00:00Z');
const at = (seconds: number) => new Date(t0.getTime() + seconds * 1000);

/** A pool document as the root signs it (operations/licensing/seat-pools/pool-rules.ts), issued at `issued` s for `valid` s. */
function grant({ id = 'pool-1', seats = 2, issued = 0, valid = 60, signWith = vendorKeys.privateKey, serverId = identity.serverId } = {}): SignedPool {
  const validUntil = at(issued + valid).toISOString();
  const signed = signLicense(
    {
      vendor: 'MIKO',
      key: identity.key,
      product: identity.productCode,
      licensee: { user: null, organization: 'Floating Ltd' },
      model: 'floating',
      seats,
      machineId: serverId,
      issuedAt: at(issued).toISOString(),
      expiresAt: validUntil,
      maxDayPeriod: null,
      maxExec: null,
      initExec: null,
      maxMajor: null,
      features: {},
      supportUntil: null,
      pool: { id, entitlementId: 7, serverId, seats, validUntil },
    } as Parameters<typeof signLicense>[0],
    signWith,
  );
  return signed as unknown as SignedPool;
}

function localPool(ttlSeconds = 30) {
  const state = { ...emptyPoolState('request-1'), publicKey: vendorKeys.publicKey };
  return new LocalPool(state, identity, ttlSeconds);
}

const client = (n: number) => ({ machineId: `m-${n}`, userName: `user-${n}` });

describe('the local license server pool (spec 04 §5.5)', () => {
  it('refuses leases with POOL_NOT_READY before the root granted a pool', () => {
    const pool = localPool();
    expect(pool.phase(t0)).toBe('none');
    expect(() => pool.checkOut(client(1), t0)).toThrow(expect.objectContaining({ code: 'POOL_NOT_READY' }));
  });

  it('installs only a pool signed by the vendor for this server, key and product', () => {
    const pool = localPool();
    expect(() => pool.install(grant({ signWith: generateSigningKeys().privateKey }))).toThrow(/not signed by the vendor/);
    expect(() => pool.install(grant({ serverId: 'srv-2' }))).toThrow(/not a pool of this server/);
    const tampered = grant();
    tampered.document.pool.seats = 50;
    expect(() => pool.install(tampered)).toThrow(/not signed by the vendor/);
    expect(pool.phase(t0)).toBe('none');
    pool.install(grant());
    expect(pool.phase(t0)).toBe('active');
  });

  it('leases up to the pool seats, gives a (machine, user) its own lease back, SEATS_EXHAUSTED above', () => {
    const pool = localPool();
    pool.install(grant({ seats: 2 }));
    const first = pool.checkOut(client(1), at(1));
    expect(first.created).toBe(true);
    expect(pool.checkOut(client(1), at(2))).toMatchObject({ created: false, lease: { id: first.lease.id } });
    pool.checkOut(client(2), at(2));
    expect(() => pool.checkOut(client(3), at(3))).toThrow(expect.objectContaining({ code: 'SEATS_EXHAUSTED' }));
    pool.release(first.lease.id);
    expect(pool.checkOut(client(3), at(4)).created).toBe(true);
  });

  it('a lease lives a TTL after its last heartbeat and never past the pool; a lapsed lease frees its seat', () => {
    const pool = localPool(30);
    pool.install(grant({ seats: 1, valid: 60 }));
    const { lease } = pool.checkOut(client(1), at(0));
    expect(pool.expiresAt(lease).toISOString()).toBe(at(30).toISOString());
    expect(() => pool.checkOut(client(2), at(10))).toThrow(expect.objectContaining({ code: 'SEATS_EXHAUSTED' }));
    pool.heartbeat(lease.id, at(20));
    expect(pool.expiresAt(lease).toISOString()).toBe(at(50).toISOString());
    pool.heartbeat(lease.id, at(45));
    expect(pool.expiresAt(lease).toISOString()).toBe(at(60).toISOString());

    const other = localPool(30);
    other.install(grant({ seats: 1, valid: 60 }));
    const stale = other.checkOut(client(1), at(0)).lease;
    expect(other.checkOut(client(2), at(31)).created).toBe(true);
    expect(() => other.heartbeat(stale.id, at(32))).toThrow(expect.objectContaining({ code: 'LEASE_EXPIRED' }));
  });

  it('renews after two thirds of the validity; a renewal keeps the leases and moves their end with the pool', () => {
    const pool = localPool(30);
    pool.install(grant({ seats: 2, valid: 60 }));
    const { lease } = pool.checkOut(client(1), at(45));
    expect(pool.expiresAt(lease).toISOString()).toBe(at(60).toISOString());
    expect(pool.renewalDue(at(39))).toBe(false);
    expect(pool.renewalDue(at(40))).toBe(true);
    pool.install(grant({ seats: 2, issued: 40, valid: 60 }));
    expect(pool.renewalDue(at(41))).toBe(false);
    expect(pool.expiresAt(lease).toISOString()).toBe(at(75).toISOString());
    expect(pool.heartbeat(lease.id, at(70)).id).toBe(lease.id);
  });

  it('keeps serving until validUntil, then refuses with POOL_LAPSED; a new pool starts without the old leases', () => {
    const pool = localPool(30);
    pool.install(grant({ seats: 1, valid: 60 }));
    const { lease } = pool.checkOut(client(1), at(10));
    pool.release(lease.id);
    expect(pool.checkOut(client(2), at(59)).created).toBe(true);
    expect(pool.phase(at(60))).toBe('lapsed');
    expect(pool.renewalDue(at(60))).toBe(false);
    expect(() => pool.checkOut(client(3), at(60))).toThrow(expect.objectContaining({ code: 'POOL_LAPSED' }));
    expect(() => pool.heartbeat(lease.id, at(61))).toThrow(expect.objectContaining({ code: 'POOL_LAPSED' }));
    pool.install(grant({ id: 'pool-2', seats: 1, issued: 70, valid: 60 }));
    expect(pool.liveLeases(at(71))).toEqual([]);
    expect(pool.checkOut(client(3), at(71)).created).toBe(true);
  });

  it('a renewal with fewer seats refuses the newest leases above them at their heartbeat (SEATS_REDUCED)', () => {
    const pool = localPool(30);
    pool.install(grant({ seats: 2, valid: 60 }));
    const older = pool.checkOut(client(1), at(35)).lease;
    const newer = pool.checkOut(client(2), at(36)).lease;
    pool.install(grant({ seats: 1, issued: 40, valid: 60 }));
    expect(() => pool.heartbeat(newer.id, at(41))).toThrow(expect.objectContaining({ code: 'SEATS_REDUCED' }));
    expect(pool.heartbeat(older.id, at(41)).id).toBe(older.id);
  });
});

describe('a local license server revoked at the root', () => {
  it('gives its pool up at once, refuses leases with LICENSE_SERVER_REVOKED, and stays revoked across a restart', () => {
    const pool = localPool();
    pool.install(grant({ seats: 2, valid: 60 }));
    const { lease } = pool.checkOut(client(1), at(1));
    pool.revoke();
    expect(pool.phase(at(2))).toBe('revoked');
    expect(pool.state.pool).toBeNull();
    expect(() => pool.heartbeat(lease.id, at(2))).toThrow(expect.objectContaining({ code: 'LICENSE_SERVER_REVOKED' }));
    expect(() => pool.checkOut(client(2), at(2))).toThrow(expect.objectContaining({ code: 'LICENSE_SERVER_REVOKED' }));

    const restarted = new LocalPool(emptyPoolState('request-2'), identity, 30);
    restarted.restore(JSON.parse(JSON.stringify(pool.state)) as typeof pool.state);
    expect(restarted.phase(at(3))).toBe('revoked');
  });
});

describe('the state file of the local license server', () => {
  it('a restart serves the saved pool and leases; an edited pool is not served', () => {
    const before = localPool(30);
    before.install(grant({ seats: 2, valid: 60 }));
    const { lease } = before.checkOut(client(1), at(1));
    const saved = JSON.parse(JSON.stringify(before.state)) as typeof before.state;

    const after = new LocalPool(emptyPoolState('request-2'), identity, 30);
    after.restore(saved);
    expect(after.phase(at(2))).toBe('active');
    expect(after.heartbeat(lease.id, at(2)).id).toBe(lease.id);
    expect(after.checkOut(client(2), at(3)).lease.id).toBe(lease.id + 1);

    const edited = JSON.parse(JSON.stringify(saved)) as typeof saved;
    edited.pool!.document.pool.seats = 20;
    const refused = new LocalPool(emptyPoolState('request-3'), identity, 30);
    refused.restore(edited);
    expect(refused.phase(at(2))).toBe('none');
  });
});
