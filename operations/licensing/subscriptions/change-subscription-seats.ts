import type { Db } from '../../../db/client';

/** Billing changes the `seats` resource of a subscription (spec 04 §7.2 changeSeats from billing): the license follows. */
export async function changeSubscriptionSeats(db: Db, input: { entitlementId: number; seats: number }): Promise<void> {
  await db`update entitlements set seats = ${input.seats}, updated_at = now() where id = ${input.entitlementId}`;
}
