import { describe, expect, it } from 'vitest';
import { delegationRefusal, followedPrice, markedUpPrice, normalizeMarkup, priceChain, usageChainMarkup } from './plan-delegation';

describe('the price chain (spec 05 §4.1, §13.1)', () => {
  it('1 → ×2 → ×3 gives 1, 2, 6', () => {
    expect(priceChain(100, ['2', '3'])).toEqual([100, 200, 600]);
  });
  it('markup not set at level 1, ×3 at level 2 gives 1, 1, 3', () => {
    expect(priceChain(100, [null, '3'])).toEqual([100, 100, 300]);
  });
  it('rounds half-up to a minor unit and refuses markups that are not positive with 2 decimals', () => {
    expect(markedUpPrice(333, '1.5')).toBe(500); // 499.5 → 500
    expect(markedUpPrice(1, '1.49')).toBe(1);
    expect(normalizeMarkup('2')).toBe('2.00');
    for (const bad of ['0', '-1', '1.234', 'abc', '']) expect(() => markedUpPrice(100, bad)).toThrow(/markup/);
  });
  it('a copy with automatic markup follows an upstream price change; one priced by hand stays frozen (§4.2)', () => {
    expect(followedPrice(600, 300, '3')).toBe(900);
    expect(followedPrice(650, 300, null)).toBe(650);
  });
});

describe('usage_external coefficients per level (spec 05 §4.7, 01 §8.3)', () => {
  it('multiplies every level down to the seller; an individual markup replaces only the seller level', () => {
    expect(usageChainMarkup(['2', '1.5'], '3', null)).toBe('9');
    expect(usageChainMarkup(['2', '1.5'], '3', '4')).toBe('12');
    expect(usageChainMarkup([], '1.25', null)).toBe('1.25');
  });
});

describe('who may delegate (spec 05 §3.3 rule 2)', () => {
  const base = { plan: { id: 7, resellerId: 1, status: 'active' as const, billingType: 'prepaid_term' }, callerResellerId: 1, child: { id: 2, parentId: 1 }, alreadyDelegated: false };
  it('the owner, an active plan, a direct child, once', () => {
    expect(delegationRefusal(base)).toBeNull();
    expect(delegationRefusal({ ...base, child: { id: 3, parentId: 2 } })?.code).toBe('delegation_not_to_child');
    expect(delegationRefusal({ ...base, child: null })?.code).toBe('delegation_not_to_child');
    expect(delegationRefusal({ ...base, plan: { ...base.plan, status: 'inactive' } })?.code).toBe('plan_inactive');
    expect(delegationRefusal({ ...base, plan: { ...base.plan, status: 'deactivated_by_provider' } })?.code).toBe('plan_inactive');
    expect(delegationRefusal({ ...base, alreadyDelegated: true })?.code).toBe('plan_already_delegated');
    expect(delegationRefusal({ ...base, callerResellerId: 2 })?.code).toBe('not_found');
  });
});
