import { describe, expect, it } from 'vitest';
import { canStartOperation } from './subscription-operations';

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
