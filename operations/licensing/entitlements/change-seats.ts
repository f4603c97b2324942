import { inTransaction, type Db } from '../../../db/client';
import { AppError } from '../../../domain/errors';
import { pooledSeats } from '../seat-pools/pool-rules';
import { lockEntitlement } from './lock-entitlement';

export interface ChangeSeatsInput {
  entitlementId: number;
  seats: number;
  /** Fixed licenses: revoke the most recently activated bindings above the new count. */
  force: boolean;
  now: Date;
}

export interface SeatsChanged {
  id: number;
  licenseModel: 'fixed' | 'floating';
  previousSeats: number;
  seats: number;
  inUse: number;
  revokedBindingIds: number[];
  /** Floating: the newest leases above the count, refused at their next heartbeat. */
  leasesAboveSeats?: number;
}

/**
 * Changes the seats of a license (spec 04 §7.2 changeSeats). An increase takes effect at once (new activation
 * accounts are created by their first activation). A decrease of a fixed license is refused with 409
 * `SEATS_IN_USE` while more bindings are active than the new count, unless `force`: then the most recently
 * activated bindings above the count are revoked (logged `Revoked`). A floating license simply changes: its
 * leases above the new count are refused at their next heartbeat (`SEATS_REDUCED`), newest first; a
 * local server's pool keeps its seats until its next renewal, which is granted only the seats then free.
 */
export async function changeSeats(db: Db, input: ChangeSeatsInput): Promise<SeatsChanged> {
  const { entitlementId: id, seats } = input;
  return inTransaction(db, async (tx) => {
    const ent = await lockEntitlement(tx, id);
    const use = ent.license_model === 'fixed' ? await fitFixedSeats(tx, input) : { inUse: await floatingSeatsInUse(tx, id, input.now), revokedBindingIds: [] };
    await tx`update entitlements set seats = ${seats}, updated_at = now() where id = ${id}`;
    return {
      id,
      licenseModel: ent.license_model,
      previousSeats: ent.seats,
      seats,
      ...use,
      ...(ent.license_model === 'floating' ? { leasesAboveSeats: Math.max(0, use.inUse - seats) } : {}),
    };
  });
}

/** The active bindings of a fixed license measured against the new count; with `force`, the newest above it revoked. */
async function fitFixedSeats(tx: Db, input: ChangeSeatsInput): Promise<{ inUse: number; revokedBindingIds: number[] }> {
  const { entitlementId: id, seats, now } = input;
  const active = await tx<Array<{ id: number; account_id: number; machine_id: string }>>`
    select b.id, b.account_id, b.machine_id from machine_bindings b join activation_accounts a on a.id = b.account_id
    where a.entitlement_id = ${id} and b.status = 'active'
    order by b.activated_at desc, b.id desc`;
  if (active.length <= seats) return { inUse: active.length, revokedBindingIds: [] };
  if (!input.force) {
    throw new AppError('SEATS_IN_USE', `${active.length} machines hold an active activation; deactivate some or use force to revoke the newest`, { activeBindings: active.length, seats });
  }
  const revoked = active.slice(0, active.length - seats);
  const revokedBindingIds = revoked.map((b) => b.id);
  await tx`update machine_bindings set status = 'revoked', deactivated_at = ${now.toISOString()} where id = any(${revokedBindingIds}::int[])`;
  for (const b of revoked) {
    await tx`
      insert into activation_logs (entitlement_id, account_id, binding_id, action, cause, machine_id, at)
      values (${id}, ${b.account_id}, ${b.id}, 'Revoked', 'seats_reduced', ${b.machine_id}, ${now.toISOString()})`;
  }
  return { inUse: seats, revokedBindingIds };
}

/** Live leases and the seats local servers' unlapsed pools hold (spec 04 §5.5). */
async function floatingSeatsInUse(tx: Db, entitlementId: number, now: Date): Promise<number> {
  const [leases] = await tx<Array<{ n: number }>>`
    select count(*)::int as n from leases where entitlement_id = ${entitlementId} and status = 'active' and expires_at > ${now.toISOString()}`;
  return leases!.n + (await pooledSeats(tx, entitlementId, now));
}
