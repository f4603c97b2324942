import { describe, expect, it } from 'vitest';
import { inSubtree, maxResellerDepth, resellerCreationRefusal } from './resellers';

// The tenant tree's rules (spec 05 §1, §7.2): operator 1 → reseller 2 → sub-reseller 3; reseller 4 is 2's sibling.

describe('the tenant tree', () => {
  it('a reseller is in its own subtree and in every ancestor\'s, never in a sibling\'s', () => {
    expect(inSubtree([1, 2, 3], 3)).toBe(true);
    expect(inSubtree([1, 2, 3], 2)).toBe(true);
    expect(inSubtree([1, 2, 3], 1)).toBe(true);
    expect(inSubtree([1, 2, 3], 4)).toBe(false);
  });

  it('a reseller is created under the caller\'s own reseller or a descendant, not beside or above it', () => {
    expect(resellerCreationRefusal(2, { id: 2, path: [1, 2] })).toBeNull();
    expect(resellerCreationRefusal(2, { id: 3, path: [1, 2, 3] })).toBeNull();
    expect(resellerCreationRefusal(2, { id: 4, path: [1, 4] })?.code).toBe('invalid_reference');
    expect(resellerCreationRefusal(2, { id: 1, path: [1] })?.code).toBe('invalid_reference');
  });

  it(`stops at ${maxResellerDepth} levels, the operator included`, () => {
    const deepest = Array.from({ length: maxResellerDepth }, (_, i) => i + 1);
    expect(resellerCreationRefusal(1, { id: maxResellerDepth - 1, path: deepest.slice(0, -1) })).toBeNull();
    expect(resellerCreationRefusal(1, { id: maxResellerDepth, path: deepest })?.code).toBe('reseller_tree_too_deep');
  });
});
