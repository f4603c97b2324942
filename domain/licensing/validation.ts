// The answer of the periodic online check of an activation (spec 04 §7.1 validate, §7.4 codes). Pure.

/** Why an activation no longer validates. ACTIVATION_REVOKED / _DEACTIVATED are ours: a binding ended by
 * "delete all registrations" or by the client itself. */
export type ValidationCode =
  | 'ENTITLEMENT_INACTIVE'
  | 'ENTITLEMENT_SUPERSEDED'
  | 'ACTIVATION_REVOKED'
  | 'ACTIVATION_REPLACED'
  | 'ACTIVATION_DEACTIVATED'
  | 'ENTITLEMENT_SUSPENDED'
  | 'ENTITLEMENT_EXPIRED'
  | 'HARDWARE_MISMATCH';

export interface ValidationInput {
  /** The machine binding's status. */
  bindingStatus: string;
  entitlementStatus: string;
  /** The entitlement's end; null = perpetual. */
  expiresAt: Date | null;
  /** The machine id the binding was made for. */
  boundMachineId: string;
  /** The machine id the client sends now. */
  machineId: string;
  now: Date;
}

/**
 * The first reason, in this order, why an activation does not validate, or null when it does: the license gone
 * (deleted or never delivered), replaced by another product, the binding ended (revoked, replaced, deactivated),
 * the license suspended, expired (by status or past its end), or a check from another machine.
 */
export function validationRefusal(v: ValidationInput): ValidationCode | null {
  const expired = v.expiresAt !== null && v.expiresAt.getTime() <= v.now.getTime();
  if (v.entitlementStatus === 'deleted' || v.entitlementStatus === 'ordered') return 'ENTITLEMENT_INACTIVE';
  if (v.entitlementStatus === 'superseded') return 'ENTITLEMENT_SUPERSEDED';
  if (v.bindingStatus === 'revoked') return 'ACTIVATION_REVOKED';
  if (v.bindingStatus === 'replaced') return 'ACTIVATION_REPLACED';
  if (v.bindingStatus === 'deactivated') return 'ACTIVATION_DEACTIVATED';
  if (v.entitlementStatus === 'suspended') return 'ENTITLEMENT_SUSPENDED';
  if (v.entitlementStatus === 'expired' || expired) return 'ENTITLEMENT_EXPIRED';
  if (v.boundMachineId !== v.machineId) return 'HARDWARE_MISMATCH';
  return null;
}
