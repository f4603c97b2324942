import type { Db } from '../../../db/client';
import { AppError } from '../../../domain/errors';
import { freeSeats } from '../../../domain/licensing/seat-pools';
import type { LicenseDocument } from '../documents';
import { signVendorDocument } from '../signing/vendor-signing-keys';
import type { SecretBox } from '../../../infra/secret-box';
import type { EntitlementForProduct } from '../entitlement-for-product';
import { expireLapsedLeases, liveLeases } from '../leases/lease-rules';

/** What the seat-pool operations share (spec 04 §5.5). */

/** The grant a pool document carries besides the license fields: which pool, of which license, for which server. */
export interface SeatPoolGrant {
  id: string;
  entitlementId: number;
  serverId: string;
  seats: number;
  validUntil: string;
}

/**
 * The pool document: a floating license document for the local server's machine (seats = the pool's seats,
 * expiring at the pool's end) with the grant under `pool`, signed with the vendor's key like every license. The
 * local server checks the signature with the vendor's public key and knows from `pool` what it may lease out.
 */
export type SeatPoolDocument = LicenseDocument & { pool: SeatPoolGrant };
/** `keyId`: the vendor key that signed it (outside the signed bytes), so a verifier picks the right public key after a rotation. */
export type SignedSeatPool = { document: SeatPoolDocument; signature: string; keyId: number };

export async function signSeatPool(db: Db, ent: EntitlementForProduct, grant: SeatPoolGrant, at: Date, vault: SecretBox | undefined): Promise<SignedSeatPool> {
  const document: Omit<SeatPoolDocument, 'docId'> = {
    vendor: ent.vendor_prefix,
    key: ent.key_code,
    product: ent.product_code,
    licensee: { user: null, organization: ent.organization },
    model: 'floating',
    seats: grant.seats,
    machineId: grant.serverId,
    issuedAt: at.toISOString(),
    expiresAt: grant.validUntil,
    maxDayPeriod: null,
    maxExec: null,
    initExec: null,
    maxMajor: null,
    features: ent.master_license?.features ?? {},
    supportUntil: null,
    pool: grant,
  };
  // The vendor's active key signs the whole document it is given, `pool` included (canonical JSON of every field).
  return (await signVendorDocument(db, { vendorId: ent.vendor_id, vault, document })) as SignedSeatPool;
}

/** Seats of the entitlement's pools that are neither released nor lapsed at `at` (optionally leaving one out). */
export async function pooledSeats(tx: Db, entitlementId: number, at: Date, exceptPoolId: string | null = null): Promise<number> {
  const [row] = await tx<Array<{ seats: number }>>`
    select coalesce(sum(seats), 0)::int as seats from seat_pools
    where entitlement_id = ${entitlementId} and status = 'active' and valid_until > ${at.toISOString()}
      and (${exceptPoolId}::text is null or id <> ${exceptPoolId})`;
  return row?.seats ?? 0;
}

/**
 * Refuses with 409 `SEATS_EXHAUSTED` unless `wanted` seats are free at `at` (the entitlement row is locked by the
 * caller): lapsed root leases are marked expired first, as a checkout does.
 */
export async function ensureFreeSeats(tx: Db, ent: { id: number; seats: number }, wanted: number, at: Date, exceptPoolId: string | null = null): Promise<void> {
  await expireLapsedLeases(tx, ent.id, at);
  const leased = (await liveLeases(tx, ent.id, at)).length;
  const pooled = await pooledSeats(tx, ent.id, at, exceptPoolId);
  const free = freeSeats(ent.seats, leased, pooled);
  if (wanted > free) throw new AppError('SEATS_EXHAUSTED', `${wanted} seats asked for, ${free} of ${ent.seats} are free`, { seats: ent.seats, free, requested: wanted });
}
