import type { Db } from '../../../db/client';
import { refuseInProgress } from '../refusals';
import { entitlementCard } from './entitlement-card';

/** Edits a license (spec 04 §4.2): the IP address activations must declare (null: any). */
export async function setBoundIp(db: Db, input: { entitlementId: number; boundIp: string | null }): Promise<void> {
  const current = await entitlementCard(db, input.entitlementId);
  refuseInProgress(current.status);
  await db`update entitlements set bound_ip = ${input.boundIp}, updated_at = now() where id = ${input.entitlementId}`;
}
