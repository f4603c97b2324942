import { AppError } from '../domain/errors';
import { poolRenewalDue } from '../domain/licensing/seat-pools';
import { verifyLicense } from '../operations/licensing/documents';

/**
 * The local license server's pool (spec 04 §5.5): the signed grant of `seats` seats from the root, and the
 * leases it hands out of them to clients in the customer's network. Pure state and rules with the clock
 * passed in, so the whole lifecycle (obtain, lease, renew, lapse) is tested without waiting; server.ts does
 * the I/O (the root, the state file, HTTP).
 */

export interface PoolGrant {
  id: string;
  entitlementId: number;
  serverId: string;
  seats: number;
  validUntil: string;
}

/** The root's signed pool document (operations/licensing/seat-pools/pool-rules.ts), as received. */
export interface SignedPool {
  document: { key: string; product: string; vendor: string; issuedAt: string; expiresAt: string | null; pool: PoolGrant } & Record<string, unknown>;
  signature: string;
}

export interface LocalLease {
  id: number;
  machineId: string;
  userName: string;
  hostname: string | null;
  startedAt: string;
  lastHeartbeatAt: string;
  status: 'active' | 'released';
}

/** Everything the local server keeps across restarts (the state file). */
export interface PoolState {
  /** The vendor's public key, cached from the root so a restart while the root is unreachable still verifies. */
  publicKey: string | null;
  pool: SignedPool | null;
  /** The request key of the next or pending obtain: a retried obtain after a crash answers the same pool. */
  requestKey: string;
  leases: LocalLease[];
  nextLeaseId: number;
  /** Set when the root answered that staff revoked this server (LICENSE_SERVER_REVOKED); absent in older state files. */
  revoked?: boolean;
}

export interface PoolIdentity {
  /** Canonical key code. */
  key: string;
  productCode: string;
  serverId: string;
}

export type PoolPhase = 'none' | 'active' | 'lapsed' | 'revoked';

export const emptyPoolState = (requestKey: string): PoolState => ({ publicKey: null, pool: null, requestKey, leases: [], nextLeaseId: 1 });

export class LocalPool {
  constructor(
    readonly state: PoolState,
    private readonly identity: PoolIdentity,
    private readonly ttlSeconds: number,
  ) {}

  /** `none` before the first grant; `lapsed` from the pool's `validUntil` on, until a new grant; `revoked` for good. */
  phase(now: Date): PoolPhase {
    if (this.state.revoked) return 'revoked';
    const pool = this.state.pool;
    if (!pool) return 'none';
    return now.getTime() < Date.parse(pool.document.pool.validUntil) ? 'active' : 'lapsed';
  }

  /** Whether the pool should be renewed now: two thirds of its validity have passed (and it has not lapsed). */
  renewalDue(now: Date): boolean {
    const pool = this.state.pool;
    if (!pool || this.phase(now) !== 'active') return false;
    return now.getTime() >= poolRenewalDue(new Date(pool.document.issuedAt), new Date(pool.document.pool.validUntil)).getTime();
  }

  /**
   * Installs a grant from the root after checking it: the vendor's signature over the whole document, and that
   * it is a pool of this server's key and product for this server. A new pool (another id) starts with no
   * leases; a renewal keeps them, and their seats, up to the pool's new seat count.
   */
  install(signed: SignedPool): void {
    if (!this.state.publicKey) throw new Error('no public key of the vendor to check the pool with');
    if (!verifyLicense(signed, this.state.publicKey)) throw new Error('the pool document is not signed by the vendor');
    const { document } = signed;
    const grant = document.pool as PoolGrant | undefined;
    if (!grant || document.key !== this.identity.key || document.product !== this.identity.productCode || grant.serverId !== this.identity.serverId) {
      throw new Error('the pool document is not a pool of this server, key and product');
    }
    if (this.state.pool?.document.pool.id !== grant.id) this.state.leases = [];
    this.state.pool = signed;
  }

  /**
   * Takes over a saved state (the state file) with the same checks as a grant from the root: a pool whose
   * signature or identity does not check out (an edited file, another key or product configured) is not served.
   */
  restore(saved: PoolState): void {
    this.state.publicKey = saved.publicKey;
    this.state.requestKey = saved.requestKey;
    this.state.nextLeaseId = saved.nextLeaseId;
    if (saved.revoked) this.state.revoked = true;
    if (!saved.pool || saved.revoked) return;
    try {
      this.install(saved.pool);
      this.state.leases = saved.leases;
    } catch {
      this.state.pool = null;
    }
  }

  /** Forgets a pool the root no longer honours (released or lapsed there): the next obtain asks anew. */
  drop(nextRequestKey: string): void {
    this.state.pool = null;
    this.state.leases = [];
    this.state.requestKey = nextRequestKey;
  }

  /**
   * The root refused this server as revoked by staff: its pool is given up at once (the root counts its seats no
   * more, so serving them would exceed the license) and nothing more is asked of the root until an operator
   * installs the server anew (a new LICENSE_SERVER_ID or state file).
   */
  revoke(): void {
    this.drop(this.state.requestKey);
    this.state.revoked = true;
  }

  /**
   * Checkout, as at the root (spec 04 §5.1): the same (machine, user) gets its live lease back; otherwise a new
   * lease while live leases are fewer than the pool's seats, else 409 `SEATS_EXHAUSTED`. No lease outlives the
   * pool (expiresAt). 503 `POOL_NOT_READY` before the first grant, 410 `POOL_LAPSED` after the pool lapsed.
   */
  checkOut(input: { machineId: string; userName: string; hostname?: string | undefined }, now: Date): { created: boolean; lease: LocalLease } {
    const grant = this.usableGrant(now);
    const live = this.liveLeases(now);
    const mine = live.find((l) => l.machineId === input.machineId && l.userName === input.userName);
    if (mine && live.indexOf(mine) < grant.seats) {
      mine.lastHeartbeatAt = now.toISOString();
      if (input.hostname) mine.hostname = input.hostname;
      return { created: false, lease: mine };
    }
    if (mine) mine.status = 'released';
    const held = live.length - (mine ? 1 : 0);
    if (held >= grant.seats) throw new AppError('SEATS_EXHAUSTED', `all ${grant.seats} seats of this server's pool are in use`, { seats: grant.seats, active: held });
    const lease: LocalLease = {
      id: this.state.nextLeaseId++,
      machineId: input.machineId,
      userName: input.userName,
      hostname: input.hostname ?? null,
      startedAt: now.toISOString(),
      lastHeartbeatAt: now.toISOString(),
      status: 'active',
    };
    this.state.leases = [...this.state.leases.filter((l) => this.isLive(l, now)), lease];
    return { created: true, lease };
  }

  /** Heartbeat: another TTL (never past the pool's end); 410 `LEASE_EXPIRED` for a lapsed or released lease, 409 `SEATS_REDUCED` above a smaller pool. */
  heartbeat(leaseId: number, now: Date): LocalLease {
    const grant = this.usableGrant(now);
    const lease = this.state.leases.find((l) => l.id === leaseId);
    // Ended leases are dropped from the state at the next checkout; ids are never reused, so an id this server
    // issued and no longer holds is a lease that ended.
    if (!lease && leaseId > 0 && leaseId < this.state.nextLeaseId) throw new AppError('LEASE_EXPIRED', 'the lease ended; check out a new one');
    if (!lease) throw new AppError('LEASE_NOT_FOUND', 'no such lease on this server');
    if (!this.isLive(lease, now)) throw new AppError('LEASE_EXPIRED', `the lease is ${lease.status === 'active' ? 'expired' : lease.status}; check out a new one`);
    const rank = this.liveLeases(now).indexOf(lease) + 1;
    if (rank > grant.seats) {
      lease.status = 'released';
      throw new AppError('SEATS_REDUCED', `this server's pool now has ${grant.seats} seats and this is one of the newest leases above them`, { seats: grant.seats, rank });
    }
    lease.lastHeartbeatAt = now.toISOString();
    return lease;
  }

  /** Release: the seat is free at once; twice is harmless. */
  release(leaseId: number): void {
    const lease = this.state.leases.find((l) => l.id === leaseId);
    if (!lease && leaseId > 0 && leaseId < this.state.nextLeaseId) return;
    if (!lease) throw new AppError('LEASE_NOT_FOUND', 'no such lease on this server');
    lease.status = 'released';
  }

  liveLeases(now: Date): LocalLease[] {
    return this.state.leases.filter((l) => this.isLive(l, now));
  }

  private usableGrant(now: Date): PoolGrant {
    const phase = this.phase(now);
    if (phase === 'revoked') throw new AppError('LICENSE_SERVER_REVOKED', 'this license server was revoked at the root; it serves no seats');
    if (phase === 'none') throw new AppError('POOL_NOT_READY', 'this license server has no seats from the root yet; try again shortly');
    const grant = this.state.pool!.document.pool;
    if (phase === 'lapsed') throw new AppError('POOL_LAPSED', `this license server's pool lapsed at ${grant.validUntil} and could not be renewed; its seats went back to the root`, { validUntil: grant.validUntil });
    return grant;
  }

  /**
   * A lease lives a TTL after its last heartbeat and never past the pool's end. Derived, not stored: a renewal
   * moves the pool's end, and every lease's with it, without touching the leases.
   */
  expiresAt(lease: LocalLease): Date {
    const validUntil = this.state.pool ? Date.parse(this.state.pool.document.pool.validUntil) : 0;
    return new Date(Math.min(Date.parse(lease.lastHeartbeatAt) + this.ttlSeconds * 1000, validUntil));
  }

  private isLive(lease: LocalLease, now: Date): boolean {
    return lease.status === 'active' && this.expiresAt(lease).getTime() > now.getTime();
  }
}
