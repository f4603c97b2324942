import { inTransaction, type Db } from '../../../db/client';
import { AppError } from '../../../domain/errors';
import { documentMaxMajor } from '../../../domain/licensing/major-updates';
import type { SecretBox } from '../../../infra/secret-box';
import { signVendorDocument, type VendorSignedLicense } from '../signing/vendor-signing-keys';
import { findEntitlementForProduct, type EntitlementForProduct } from '../entitlement-for-product';
import { pooledSeats } from '../seat-pools/pool-rules';
import { expireLapsedLeases, leaseEnd, leaseStatusRefusal, liveLeases, type LeaseTiming } from './lease-rules';

export interface CheckOutLeaseInput {
  /** Canonical key code. */
  code: string;
  productCode: string;
  machineId: string;
  userName: string;
  hostname?: string | undefined;
  timing: LeaseTiming;
  /** Opens the vendor's signing key. */
  vault: SecretBox | undefined;
  now: Date;
}

export interface CheckedOutLease {
  /** False when the machine and user got back the lease they already held. */
  created: boolean;
  leaseId: number;
  expiresAt: Date;
  document: VendorSignedLicense;
}

type Checkout = { exhausted: { seats: number; active: number } } | { created: boolean; leaseId: number; expiresAt: Date; ent: EntitlementForProduct };

/**
 * Checkout (spec 04 §5.1): takes a seat of a floating license while its live leases are fewer than its seats
 * less the seats of local servers' pools (spec 04 §5.5), otherwise 409 `SEATS_EXHAUSTED`. The same (machine, user) pair that already holds a live lease gets that lease
 * back with its expiry pushed forward; one whose seat a reduction took away is revoked and checks out anew. A
 * fixed product cannot be leased: 409 `LICENSE_NOT_FLOATING`. One transaction locks the entitlement row, so
 * concurrent checkouts of one license are serialized and never exceed its seats.
 */
export async function checkOutLease(db: Db, input: CheckOutLeaseInput): Promise<CheckedOutLease> {
  const at = input.now;
  const outcome = await inTransaction(db, async (tx): Promise<Checkout> => {
    const ent = await findEntitlementForProduct(tx, { code: input.code, productCode: input.productCode, lock: true });
    if (ent.license_model !== 'floating') {
      throw new AppError('LICENSE_NOT_FLOATING', `${ent.product_code} is a fixed license: activate it on a machine instead of leasing a seat`);
    }
    const refused = leaseStatusRefusal(ent, at);
    if (refused) throw refused;
    await expireLapsedLeases(tx, ent.id, at);
    const live = await liveLeases(tx, ent.id, at);
    const expiresAt = leaseEnd(at, input.timing);
    const mine = live.findIndex((l) => l.machine_id === input.machineId && l.user_name === input.userName);
    // Seats a local server holds in an unlapsed pool are used (spec 04 §5.5): the root leases only the rest.
    const seats = ent.seats - (await pooledSeats(tx, ent.id, at));
    if (mine >= 0 && mine < seats) {
      const lease = live[mine]!;
      await tx`update leases set last_heartbeat_at = ${at.toISOString()}, expires_at = ${expiresAt.toISOString()}, hostname = coalesce(${input.hostname ?? null}, hostname) where id = ${lease.id}`;
      return { created: false, leaseId: lease.id, expiresAt, ent };
    }
    let held = live.length;
    if (mine >= 0) {
      // Its seat was taken away by a reduction: revoked now, as its next heartbeat would have done.
      await tx`update leases set status = 'revoked' where id = ${live[mine]!.id}`;
      held -= 1;
    }
    if (held >= seats) return { exhausted: { seats: ent.seats, active: held } };
    const [lease] = await tx<Array<{ id: number }>>`
      insert into leases (entitlement_id, machine_id, user_name, hostname, status, started_at, last_heartbeat_at, expires_at)
      values (${ent.id}, ${input.machineId}, ${input.userName}, ${input.hostname ?? null}, 'active', ${at.toISOString()}, ${at.toISOString()}, ${expiresAt.toISOString()})
      returning id`;
    return { created: true, leaseId: lease!.id, expiresAt, ent };
  });
  // Refused after the commit: revoking a lease that lost its seat stays done.
  if ('exhausted' in outcome) throw new AppError('SEATS_EXHAUSTED', `all ${outcome.exhausted.seats} seats are in use`, outcome.exhausted);
  return { created: outcome.created, leaseId: outcome.leaseId, expiresAt: outcome.expiresAt, document: await leaseDocument(db, outcome.ent, input) };
}

/** The signed license a lease holder runs under: floating, not bound to a machine (§6.8 `machineId: null`). */
async function leaseDocument(db: Db, ent: EntitlementForProduct, { userName, now: at, vault }: CheckOutLeaseInput): Promise<VendorSignedLicense> {
  return signVendorDocument(db, {
    vendorId: ent.vendor_id,
    vault,
    document: {
      vendor: ent.vendor_prefix,
      key: ent.key_code,
      product: ent.product_code,
      licensee: { user: userName, organization: ent.organization },
      model: 'floating',
      seats: ent.seats,
      machineId: null,
      issuedAt: at.toISOString(),
      // Choice: the license's own end, as in activation documents; holding the seat is what heartbeats are for.
      expiresAt: ent.expires_at ? new Date(ent.expires_at).toISOString() : null,
      maxDayPeriod: null,
      maxExec: null,
      initExec: null,
      maxMajor: documentMaxMajor({ termType: ent.term_type, entitledMajor: ent.entitled_major }),
      features: ent.master_license?.features ?? {},
      supportUntil: ent.support_until ? new Date(ent.support_until).toISOString() : null,
    },
  });
}
