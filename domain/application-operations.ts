// The operations of an application (a subscription's instance at its plugin) as people name them (spec 01
// §18.2, spec 03 §12.3): install, start, stop, update, renew, delete. A service template may ask a person to
// approve any of them before its plugin is called (`capabilities.approvals`), and a plugin whose operations
// are performed by people (the `manual` plugin) has each one done by hand through a manual operation of the
// matching type. Every operation of the plugin contract is one of the six.

import type { PluginOperation } from './plugin-operations';

export const applicationOperations = ['install', 'start', 'stop', 'update', 'renew', 'delete'] as const;
export type ApplicationOperation = (typeof applicationOperations)[number];

/** The plugin operations a scenario performs (`status` only reads). */
export type PerformedOperation = Exclude<PluginOperation, 'status'>;

/**
 * Which application operation a plugin operation is. A prolongation extends the paid period like a renewal;
 * a resource change and a plan switch update the application.
 */
export const applicationOperationOf: Record<PerformedOperation, ApplicationOperation> = {
  create: 'install',
  activate: 'start',
  stop: 'stop',
  delete: 'delete',
  renew: 'renew',
  prolong: 'renew',
  change_resources: 'update',
  switch_plan: 'update',
};

/** The manual operation a person answers for it, whether to approve it or to perform it (spec 01 §18.2). */
export const manualOperationTypeOf = (operation: ApplicationOperation) => `${operation}_application` as const;

/** The name of the step that waits for a person's approval of it. */
export const approvalStepName: Record<ApplicationOperation, string> = {
  install: 'Approve installation',
  start: 'Approve start',
  stop: 'Approve stop',
  update: 'Approve update',
  renew: 'Approve renewal',
  delete: 'Approve deletion',
};

/** Who performs a plugin's operations: its vendor's system, called by an activity, or people, through manual operations. */
export type PerformedBy = 'vendor' | 'people';

/** What a scenario needs to know of the plugin of a subscription before it performs an operation. */
export interface PluginProfile {
  name: string;
  performedBy: PerformedBy;
  /** The application operations the service template asks a person to approve. */
  approvals: ApplicationOperation[];
}

/** The approvals a service template asks for (`capabilities.approvals`); anything else in the list is ignored. */
export function approvalsOf(capabilities: unknown): ApplicationOperation[] {
  const listed = (capabilities as { approvals?: unknown } | null)?.approvals;
  if (!Array.isArray(listed)) return [];
  return applicationOperations.filter((operation) => listed.includes(operation));
}

/**
 * Results recorded before plugins said who performs them name only the plugin; then the one plugin
 * performed by people was `manual`. Scenarios read such results when they replay, or when they were
 * started before the change, so this reading stays for them.
 */
export function recordedPerformedBy(recorded: { plugin: string; performedBy?: PerformedBy }): PerformedBy {
  return recorded.performedBy ?? (recorded.plugin === 'manual' ? 'people' : 'vendor');
}
