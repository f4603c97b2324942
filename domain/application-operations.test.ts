import { describe, expect, it } from 'vitest';
import { pluginOperations } from './plugin-operations';
import { applicationOperationOf, applicationOperations, approvalsOf, approvalStepName, manualOperationTypeOf, recordedPerformedBy } from './application-operations';

describe('application operations (spec 01 §18.2, spec 03 §12.3)', () => {
  it('every operation of the plugin contract that acts is one of the six a person may approve or perform', () => {
    const acting = pluginOperations.filter((o) => o !== 'status');
    expect(Object.keys(applicationOperationOf).sort()).toEqual([...acting].sort());
    expect(new Set(Object.values(applicationOperationOf))).toEqual(new Set(applicationOperations));
  });

  it('a prolongation is approved and performed as a renewal; a resource change and a plan switch as an update', () => {
    expect([applicationOperationOf.prolong, applicationOperationOf.change_resources, applicationOperationOf.switch_plan]).toEqual(['renew', 'update', 'update']);
    expect(manualOperationTypeOf(applicationOperationOf.create)).toBe('install_application');
    expect(approvalStepName.install).toBe('Approve installation');
  });

  it("reads a template's approvals, ignoring what is not an application operation", () => {
    expect(approvalsOf({ approvals: ['stop', 'install', 'renewal', 7] })).toEqual(['install', 'stop']);
    expect(approvalsOf({ approvals: 'install' })).toEqual([]);
    expect(approvalsOf({})).toEqual([]);
    expect(approvalsOf(null)).toEqual([]);
  });

  it('results recorded before plugins said who performs them: only the manual plugin was performed by people', () => {
    expect(recordedPerformedBy({ plugin: 'manual' })).toBe('people');
    expect(recordedPerformedBy({ plugin: 'http-vendor' })).toBe('vendor');
    expect(recordedPerformedBy({ plugin: 'manual', performedBy: 'vendor' })).toBe('vendor');
  });
});
