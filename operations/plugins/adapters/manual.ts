import { PluginError, type OperationInput, type PluginCallContext, type PluginResult, type PluginStatus, type ProvisioningPlugin } from '../../../contracts/plugin-contract';

/**
 * The `manual` plugin (spec 03 §12.3, "ManualProvisioning"): staff perform every operation of the service by
 * hand. It declares itself performed by people, so scenarios turn each operation into a manual operation and
 * a person's approval into its result; nothing calls its operations. If something does, the call fails
 * permanently with the reason, rather than pretending that a person has acted.
 */
export function createManualPlugin(): ProvisioningPlugin {
  const byPeople = (operation: string) => async (_ctx: PluginCallContext, _input: OperationInput): Promise<PluginResult> => {
    throw new PluginError('permanent', `the manual plugin's "${operation}" is performed by a person through a manual operation; it is not called`);
  };
  return {
    name: 'manual',
    performedBy: 'people',
    create: byPeople('create'),
    renew: byPeople('renew'),
    prolong: byPeople('prolong'),
    changeResources: byPeople('change_resources'),
    switchPlan: byPeople('switch_plan'),
    stop: byPeople('stop'),
    activate: byPeople('activate'),
    delete: byPeople('delete'),
    /** What the platform recorded: the resource exists once a person has installed it. */
    async status(ctx: PluginCallContext): Promise<PluginStatus> {
      const { vendorReference, startDate } = ctx.subscription;
      return { exists: vendorReference !== null || startDate !== null, ...(vendorReference ? { vendorReference } : {}) };
    },
  };
}
