import { describe, expect, it } from 'vitest';
import { deleteRefusal, deletionSurvivors, editTarget, effectiveRows, propagationFlags, restoreRefusal, type PropagatedRow } from './propagation';

// Operator 1 → reseller 2 → sub-reseller 3 (path [1, 2, 3]); 4 is 2's sibling.
const row = (over: Partial<PropagatedRow>): PropagatedRow => ({ resellerId: 1, originResellerId: 1, modified: false, shipped: false, ...over });
const editable = { downstreamEdit: true };
const readOnly = { downstreamEdit: false };

describe('propagation flags (spec 03 §2.4)', () => {
  it('a factory default is Installed only at the operator; below it is Inherited', () => {
    expect(propagationFlags(1, row({ shipped: true }))).toEqual({ installed: true, inherited: false, modified: false });
    expect(propagationFlags(3, row({ shipped: true }))).toEqual({ installed: false, inherited: true, modified: false });
  });

  it('an object created at a level is neither inherited nor modified there, even after edits', () => {
    expect(propagationFlags(2, row({ resellerId: 2, originResellerId: 2 }))).toEqual({ installed: false, inherited: false, modified: false });
  });

  it("a reseller's edited copy is Inherited and Modified; its child sees that copy as merely Inherited", () => {
    const copy = row({ resellerId: 2, originResellerId: 1, modified: true });
    expect(propagationFlags(2, copy)).toEqual({ installed: false, inherited: true, modified: true });
    expect(propagationFlags(3, copy)).toEqual({ installed: false, inherited: true, modified: false });
  });

  it('an edited factory default at the operator is Installed and Modified', () => {
    expect(propagationFlags(1, row({ shipped: true, modified: true }))).toEqual({ installed: true, inherited: false, modified: true });
  });
});

describe('resolution by nearest ancestor', () => {
  const rows = [
    { key: 10, resellerId: 1, v: 'operator' },
    { key: 10, resellerId: 2, v: 'reseller copy' },
    { key: 20, resellerId: 1, v: 'operator only' },
    { key: 30, resellerId: 4, v: 'sibling own' },
  ];
  it('a reseller uses its own row, else its nearest ancestor’s; a sibling’s rows are never seen', () => {
    expect(effectiveRows([1, 2, 3], rows).map((r) => r.v).sort()).toEqual(['operator only', 'reseller copy']);
    expect(effectiveRows([1], rows).map((r) => r.v).sort()).toEqual(['operator', 'operator only']);
  });
});

describe('edit, restore and delete rules', () => {
  it('editing an inherited notification object writes a new copy; an own row is written in place', () => {
    expect(editTarget(2, row({}), editable)).toBe('new_copy');
    expect(editTarget(2, row({ resellerId: 2, modified: true }), editable)).toBe('own_row');
    expect(editTarget(1, row({}), readOnly)).toBe('own_row');
  });

  it('a delegated provisioning rule is read-only downstream (spec 05 §3.4 rule 4)', () => {
    expect(editTarget(2, row({}), readOnly)).toMatchObject({ code: 'copy_read_only' });
  });

  it('restore exists for an own modified copy and an edited factory default only (spec 03 §2.5)', () => {
    expect(restoreRefusal(2, row({ resellerId: 2, modified: true }))).toBeNull();
    expect(restoreRefusal(1, row({ shipped: true, modified: true }))).toBeNull();
    expect(restoreRefusal(2, row({}))).toMatchObject({ code: 'nothing_to_restore' });
    expect(restoreRefusal(2, row({ resellerId: 2, originResellerId: 2 }))).toMatchObject({ code: 'nothing_to_restore' });
  });

  it('only the creator deletes, never a factory default (spec 03 §2.6)', () => {
    expect(deleteRefusal(2, row({ resellerId: 2, originResellerId: 2 }))).toBeNull();
    expect(deleteRefusal(2, row({ resellerId: 2, modified: true }))).toMatchObject({ code: 'not_own_object' });
    expect(deleteRefusal(1, row({ shipped: true }))).toMatchObject({ code: 'not_own_object' });
  });

  it('an upstream deletion is survived by the shallowest modified holders on each branch', () => {
    expect(deletionSurvivors([[1, 2, 3], [1, 2], [1, 4]]).sort()).toEqual([2, 4]);
    expect(deletionSurvivors([])).toEqual([]);
  });
});
