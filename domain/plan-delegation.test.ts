import { describe, expect, it } from 'vitest';
import { delegationRefusal, followedPrice, markedUpPrice, multiplyDecimals, normalizeMarkup, priceChain, usageChain, usageChainMarkup, usageLevelPrice } from './plan-delegation';

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
  it('keeps every digit of the product (4-decimal root, 2-decimal levels)', () => {
    expect(multiplyDecimals(['1.2345', '1.25', '1.33'])).toBe('2.05235625');
    expect(multiplyDecimals(['2.0000', '3.00'])).toBe('6');
  });
  it('the chain of a subscription: the individual markup replaces the seller level only; fixed_price freezes the levels above', () => {
    expect(usageChain(['1.0000', '2.0000', '3.0000'], { individual: null, frozenUpstream: null })).toEqual(['1.0000', '2.0000', '3.0000']);
    expect(usageChain(['1.0000', '2.0000', '3.0000'], { individual: '4.0000', frozenUpstream: null })).toEqual(['1.0000', '2.0000', '4.0000']);
    expect(usageChain(['1.0000', '2.5000', '3.0000'], { individual: null, frozenUpstream: ['1.0000', '2.0000'] })).toEqual(['1.0000', '2.0000', '3.0000']);
    // A snapshot of another length (the plan was not delegated then) is not this chain's.
    expect(usageChain(['1.5', '2'], { individual: null, frozenUpstream: [] })).toEqual(['1.5', '2']);
  });
  it('a level sells a usage charge at its cost × the coefficients from the root down to it, never the seller\'s (§5.2)', () => {
    // Provider cost 10.00; operator 1, reseller ×2, sub-reseller ×3: the client pays 60.00, the levels sell at 10.00 and 20.00.
    expect([0, 1, 2].map((d) => usageLevelPrice('1000.00000000', ['1.0000', '2.00', '3.00'], d))).toEqual([1000, 2000, 6000]);
    expect(usageLevelPrice('333', ['1.5'], 0)).toBe(500); // 499.5 half-up
    expect(usageLevelPrice('0.00000001', ['1'], 0)).toBe(0);
    expect(() => usageLevelPrice('10', ['1'], 1)).toThrow(/level/);
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
