import type { Db } from '../../../db/client';
import { heldPool } from './held-pool';

/** Release (spec 04 §5.5): the local server gives its pool back; its seats are free at once. Releasing twice is harmless. */
export async function releaseSeatPool(db: Db, input: { poolId: string; code: string; now: Date }): Promise<void> {
  const pool = await heldPool(db, input);
  await db`update seat_pools set status = 'released', released_at = ${input.now.toISOString()}, updated_at = ${input.now.toISOString()} where id = ${pool.id} and status = 'active'`;
}
