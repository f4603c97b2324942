import { describe, expect, it } from 'vitest';
import { canStartOperation, expirationDateRefusal } from './subscription-operations';

describe('which operator operations may start from which subscription status', () => {
  it('stops only active or payment-overdue subscriptions', () => {
    expect(canStartOperation('stop', 'active')).toBe(true);
    expect(canStartOperation('stop', 'payment_overdue')).toBe(true);
    expect(canStartOperation('stop', 'stopped')).toBe(false);
  });
  it('activates only stopped subscriptions', () => {
    expect(canStartOperation('activate', 'stopped')).toBe(true);
    expect(canStartOperation('activate', 'active')).toBe(false);
  });
  it('deletes any non-deleted subscription that is not mid-operation', () => {
    for (const status of ['active', 'stopped', 'blocked', 'install_error']) expect(canStartOperation('delete', status)).toBe(true);
    for (const status of ['deleted', 'deleting', 'installing', 'new_order']) expect(canStartOperation('delete', status)).toBe(false);
  });
});

describe('the expiration-date service operation (spec 01 §13.3)', () => {
  it('changes a term that exists at the vendor; not an unlimited one, nor one not installed or deleted', () => {
    expect(expirationDateRefusal({ status: 'active', expirationDate: '2027-03-31' })).toBeNull();
    expect(expirationDateRefusal({ status: 'stopped', expirationDate: '2027-03-31' })).toBeNull();
    expect(expirationDateRefusal({ status: 'active', expirationDate: null })?.code).toBe('unlimited_period');
    for (const status of ['deleted', 'deleting', 'new_order', 'installing', 'install_error']) {
      expect(expirationDateRefusal({ status, expirationDate: '2027-03-31' })?.code, status).toBe('subscription_status');
    }
  });
});
