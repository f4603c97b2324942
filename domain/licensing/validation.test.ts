import { describe, expect, it } from 'vitest';
import { validationRefusal, type ValidationInput } from './validation';

const now = new Date('2027-03-01T12:00:00.000Z');
const valid: ValidationInput = { bindingStatus: 'active', entitlementStatus: 'active', expiresAt: null, boundMachineId: 'm1', machineId: 'm1', now };

describe('validating an activation (spec 04 §7.1 validate, §7.4)', () => {
  it('an active binding of an active, unexpired license on its own machine validates', () => {
    expect(validationRefusal(valid)).toBeNull();
    expect(validationRefusal({ ...valid, expiresAt: new Date('2027-03-02T00:00:00.000Z') })).toBeNull();
  });

  it('a deleted or never delivered license is inactive, before anything about the binding', () => {
    expect(validationRefusal({ ...valid, entitlementStatus: 'deleted', bindingStatus: 'revoked' })).toBe('ENTITLEMENT_INACTIVE');
    expect(validationRefusal({ ...valid, entitlementStatus: 'ordered' })).toBe('ENTITLEMENT_INACTIVE');
  });

  it('a superseded license says so even when its binding was revoked with it', () => {
    expect(validationRefusal({ ...valid, entitlementStatus: 'superseded', bindingStatus: 'revoked' })).toBe('ENTITLEMENT_SUPERSEDED');
  });

  it('an ended binding names how it ended, before the license is found suspended or expired', () => {
    expect(validationRefusal({ ...valid, bindingStatus: 'revoked', entitlementStatus: 'suspended' })).toBe('ACTIVATION_REVOKED');
    expect(validationRefusal({ ...valid, bindingStatus: 'replaced' })).toBe('ACTIVATION_REPLACED');
    expect(validationRefusal({ ...valid, bindingStatus: 'deactivated', entitlementStatus: 'expired' })).toBe('ACTIVATION_DEACTIVATED');
  });

  it('a suspended license comes before an expired one, and a license past its end is expired whatever its status says', () => {
    expect(validationRefusal({ ...valid, entitlementStatus: 'suspended', expiresAt: new Date('2027-01-01T00:00:00.000Z') })).toBe('ENTITLEMENT_SUSPENDED');
    expect(validationRefusal({ ...valid, entitlementStatus: 'expired' })).toBe('ENTITLEMENT_EXPIRED');
    expect(validationRefusal({ ...valid, expiresAt: now })).toBe('ENTITLEMENT_EXPIRED');
  });

  it('a check from another machine is a hardware mismatch, the last reason checked', () => {
    expect(validationRefusal({ ...valid, machineId: 'm2' })).toBe('HARDWARE_MISMATCH');
    expect(validationRefusal({ ...valid, machineId: 'm2', entitlementStatus: 'suspended' })).toBe('ENTITLEMENT_SUSPENDED');
  });
});
