/** The operations every provisioning plugin performs (contracts/plugin-contract.ts is the contract around them). */
export const pluginOperations = [
  'create',
  'renew',
  'prolong',
  'change_resources',
  'switch_plan',
  'stop',
  'activate',
  'delete',
  'status',
] as const;
export type PluginOperation = (typeof pluginOperations)[number];
