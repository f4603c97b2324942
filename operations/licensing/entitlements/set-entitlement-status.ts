import type { Db } from '../../../db/client';
import { AppError } from '../../../domain/errors';
import { refuseInProgress } from '../refusals';
import { entitlementCard } from './entitlement-card';

/** The two staff switches of a license (spec 04 §4.2 enable / disable, §7.2 suspend / resume): the target and where it may come from. */
export const ENTITLEMENT_SWITCHES = {
  suspend: { to: 'suspended', from: ['active'] },
  resume: { to: 'active', from: ['suspended'] },
} as const;

export type EntitlementSwitch = keyof typeof ENTITLEMENT_SWITCHES;

/**
 * Suspends or resumes a license by hand: its bindings stay, and validate again once resumed. Switching to the
 * status it already has changes nothing; any other status answers 409 `entitlement_status`.
 */
export async function setEntitlementStatus(db: Db, input: { entitlementId: number; change: EntitlementSwitch }): Promise<void> {
  const { to, from } = ENTITLEMENT_SWITCHES[input.change];
  const current = await entitlementCard(db, input.entitlementId);
  refuseInProgress(current.status);
  if (current.status !== to && !(from as readonly string[]).includes(current.status)) {
    throw new AppError('entitlement_status', `the license is ${current.status}`);
  }
  await db`update entitlements set status = ${to}, updated_at = now() where id = ${input.entitlementId} and status = any(${[...from]}::text[])`;
}
