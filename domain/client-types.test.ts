import { describe, expect, it } from 'vitest';
import { defaultClientTypeId, keyConflicts, typeForKey } from './client-types';

// Operator 1 → reseller 2 → sub-reseller 3; reseller 4 is 2's other child.
const path = [1, 2, 3];
const types = [
  { id: 1, key: 'individual', resellerId: 1 },
  { id: 3, key: 'legal_entity', resellerId: 1 },
  { id: 7, key: 'gold', resellerId: 1 },
  { id: 5, key: 'gold', resellerId: 3 },
  { id: 9, key: 'r_only', resellerId: 2 },
];

describe('which client type a key names (spec 05 §3.5 rule 1)', () => {
  it("the reseller's own type wins a key conflict over the one delegated from upstream", () => {
    expect(typeForKey(path, types, 'gold')?.id).toBe(5);
    expect(typeForKey([1, 2], types, 'gold')?.id).toBe(7);
  });
  it("an unknown key, or a type of a reseller off the path, names nothing", () => {
    expect(typeForKey(path, types, 'platinum')).toBeNull();
    expect(typeForKey([1, 2, 4], [{ id: 11, key: 'mine', resellerId: 3 }], 'mine')).toBeNull();
  });
});

describe('the default client type (spec 02 §10: exactly one)', () => {
  it("the reseller's own choice, else its nearest ancestor's", () => {
    expect(defaultClientTypeId(path, types, [{ resellerId: 1, clientTypeId: 3 }, { resellerId: 2, clientTypeId: 9 }])).toBe(9);
    expect(defaultClientTypeId(path, types, [{ resellerId: 1, clientTypeId: 3 }, { resellerId: 3, clientTypeId: 5 }])).toBe(5);
    expect(defaultClientTypeId([1, 2, 4], types.slice(0, 3), [{ resellerId: 1, clientTypeId: 3 }, { resellerId: 3, clientTypeId: 5 }])).toBe(3);
  });
  it('a chosen type that is gone gives way to the next choice up, then to the oldest type: deleting the default makes another default', () => {
    expect(defaultClientTypeId(path, types, [{ resellerId: 1, clientTypeId: 3 }, { resellerId: 3, clientTypeId: 42 }])).toBe(3);
    expect(defaultClientTypeId(path, types, [{ resellerId: 1, clientTypeId: 42 }])).toBe(1);
    expect(defaultClientTypeId(path, [], [])).toBeNull();
  });
});

describe('key conflicts (spec 05 §3.5 rule 1)', () => {
  it('marks every type whose key another type in the view shares', () => {
    expect([...keyConflicts(types)].sort()).toEqual([5, 7]);
    expect(keyConflicts(types.slice(0, 3)).size).toBe(0);
  });
});
