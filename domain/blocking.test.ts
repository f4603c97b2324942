import { describe, expect, it } from 'vitest';
import { blockActionFor, canStartClientOperation, financialBlockReason, nextNegativeSince } from './blocking';

const base = { balance: 0, threshold: 200, negativeSince: null, allowedNegativeDays: -1, today: '2027-03-10' };

describe('financial block predicate (decisions 1-2)', () => {
  it('holds below −threshold, not at it', () => {
    expect(financialBlockReason({ ...base, balance: -200, negativeSince: '2027-03-10' })).toBeNull();
    expect(financialBlockReason({ ...base, balance: -201, negativeSince: '2027-03-10' })).toBe('threshold');
    expect(financialBlockReason({ ...base, threshold: 0, balance: -1, negativeSince: '2027-03-10' })).toBe('threshold');
  });

  it('the allowed negative period: −1 never blocks, 0 blocks at once, P blocks on the P-th day', () => {
    const negative = { ...base, balance: -10, negativeSince: '2027-03-07' };
    expect(financialBlockReason({ ...negative, allowedNegativeDays: -1 })).toBeNull();
    expect(financialBlockReason({ ...negative, allowedNegativeDays: 0, negativeSince: '2027-03-10' })).toBe('negative_period');
    expect(financialBlockReason({ ...negative, allowedNegativeDays: 4 })).toBeNull();
    expect(financialBlockReason({ ...negative, allowedNegativeDays: 3 })).toBe('negative_period');
  });

  it('a client blocked by the period leaves only at a balance ≥ 0', () => {
    const blocked = { ...base, allowedNegativeDays: 1, negativeSince: '2027-03-01' };
    expect(financialBlockReason({ ...blocked, balance: -1 })).toBe('negative_period');
    expect(financialBlockReason({ ...blocked, balance: 0, negativeSince: null })).toBeNull();
  });

  it('negative since starts with the first transaction below 0 and resets at ≥ 0', () => {
    expect(nextNegativeSince(null, -5, '2027-03-10')).toBe('2027-03-10');
    expect(nextNegativeSince('2027-03-01', -50, '2027-03-10')).toBe('2027-03-01');
    expect(nextNegativeSince('2027-03-01', 0, '2027-03-10')).toBeNull();
    expect(nextNegativeSince(null, 10, '2027-03-10')).toBeNull();
  });
});

describe('what a block does with a prepaid subscription (spec 01 §4.4, §4.5.2, §6.3; decision 19)', () => {
  const idle = { operationInFlight: false };
  it('stops working subscriptions', () => {
    expect(blockActionFor({ ...idle, status: 'active' })).toBe('stop');
    expect(blockActionFor({ ...idle, status: 'payment_overdue' })).toBe('stop');
  });

  it('waits for an operation in flight, whatever the status shows, before deciding', () => {
    for (const status of ['installing', 'activating', 'updating', 'renewing', 'stopping', 'deleting'] as const) {
      expect(blockActionFor({ ...idle, status })).toBe('wait');
    }
    // A paid renewal not yet renewing, an activation not yet activating.
    expect(blockActionFor({ status: 'active', operationInFlight: true })).toBe('wait');
    expect(blockActionFor({ status: 'stopped', operationInFlight: true })).toBe('wait');
  });

  it('stops anyway after an operation ended in its error status, except a failed deletion', () => {
    for (const status of ['install_error', 'activation_error', 'update_error', 'renewal_error', 'stop_error'] as const) {
      expect(blockActionFor({ ...idle, status })).toBe('stop_after_error');
    }
    expect(blockActionFor({ ...idle, status: 'delete_error' })).toBe('leave');
  });

  it('leaves everything else unchanged', () => {
    for (const status of ['stopped', 'blocked', 'awaiting_manual_confirmation', 'deleted', 'new_order', 'delivered'] as const) {
      expect(blockActionFor({ ...idle, status })).toBe('leave');
    }
  });
});

describe('client operations (decision 3)', () => {
  it('blocks an active or financially blocked client, and activates only an administratively blocked one', () => {
    const from = (op: 'administrative_block' | 'activate') => ['active', 'administratively_blocked', 'financially_blocked', 'deleted'].filter((st) => canStartClientOperation(op, st));
    expect(from('administrative_block')).toEqual(['active', 'financially_blocked']);
    expect(from('activate')).toEqual(['administratively_blocked']);
  });
});
