import { describe, expect, it } from 'vitest';
import { applicationOperationOf, manualOperationTypeOf, type PerformedOperation } from '../../../domain/application-operations';
import { manualOperationTypes } from '../../../db/schema/scenarios';
import { invokePlugin, PluginError, pluginOperations, type PluginCallContext } from '../../../contracts/plugin-contract';
import { createManualPlugin } from './manual';
import { PluginRegistry } from '../registry';

const performed = pluginOperations.filter((o): o is PerformedOperation => o !== 'status');
const context: PluginCallContext = {
  idempotencyKey: 'order-1/5',
  settings: {},
  subscription: { id: 1, clientId: 1, planId: 1, planSku: null, name: 'Rack', vendorReference: null, startDate: null, expirationDate: null, resources: [] },
};

describe('the manual plugin', () => {
  it('is registered as performed by people; the other plugins by their vendor', () => {
    const registry = new PluginRegistry([createManualPlugin(), { ...createManualPlugin(), name: 'acme', performedBy: undefined }]);
    expect(registry.performedBy('manual')).toBe('people');
    expect(registry.performedBy('acme')).toBe('vendor');
    expect(registry.performedBy('not-installed')).toBe('vendor');
  });

  it('refuses to be called for an operation: a person performs it, so a call is a permanent failure that says so', async () => {
    for (const operation of performed) {
      const call = invokePlugin(createManualPlugin(), operation, context, {});
      await expect(call).rejects.toBeInstanceOf(PluginError);
      await expect(call).rejects.toMatchObject({ errorClass: 'permanent', message: expect.stringContaining('performed by a person') });
    }
  });

  it('answers status from what the platform recorded', async () => {
    const plugin = createManualPlugin();
    expect(await plugin.status(context)).toEqual({ exists: false });
    expect(await plugin.status({ ...context, subscription: { ...context.subscription, vendorReference: 'RACK-7', startDate: '2027-01-01' } })).toEqual({ exists: true, vendorReference: 'RACK-7' });
  });

  it('every operation of the contract has a manual operation type a person answers', () => {
    for (const operation of performed) {
      expect(manualOperationTypes).toContain(manualOperationTypeOf(applicationOperationOf[operation]));
    }
  });
});
