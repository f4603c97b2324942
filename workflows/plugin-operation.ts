import type { PluginResult } from '../contracts/plugin-contract';
import {
  applicationOperationOf,
  approvalStepName,
  manualOperationTypeOf,
  type PerformedOperation,
  type PluginProfile,
} from '../domain/application-operations';
import { pluginActivities } from './activities';
import type { Compensation, LeafOptions, Scenario } from './engine/scenario';
import type { PluginRetryPolicy } from '../contracts/plugin-calls';
import type { ManualOperationSpec, ManualOutcome } from '../contracts/scenario-records';

/** Step names of one operation: called at the vendor, or done by a person. */
export interface OperationSteps {
  vendor: string;
  person: string;
}

export interface PluginOperationRequest {
  scenarioId: string;
  subscriptionId: number;
  operation: PerformedOperation;
  /** The call's input; a retry decision's input is laid over it. */
  input: Record<string, unknown>;
  plugin: PluginProfile;
  /** The scenario's overrides of the plugin calls' retry policy. */
  policy: Partial<PluginRetryPolicy> | undefined;
  /** Whom the manual operations concern, and what they ask a person to do ("Renew … of subscription #12"). */
  clientId: number;
  orderId: number | null;
  description: string;
  steps: OperationSteps;
  /** A person confirms it even where the template asks no approval (decision 15), for this reason. */
  confirmBecause?: string;
  /**
   * A refused approval: `failure` fails the step (an order goes to activation error, then retry, skip or cancel
   * apply, spec 01 §18.4); `answer` hands the refusal back (a stop or delete returns to where it was, decision 14).
   */
  refusal?: 'failure' | 'answer';
  onFailure?: LeafOptions['onFailure'];
  onRetry?: LeafOptions['onRetry'];
  /**
   * Undoes the operation at the vendor if the scenario is cancelled after it (a purchase deletes what it
   * installed). Work a person did is not undone by the scenario.
   */
  undo?: { operation: PerformedOperation; name: string };
}

export type PluginOperationOutcome = { done: true; result: PluginResult | undefined } | { done: false; refused: ManualOutcome };

/**
 * Performs one operation of a subscription's plugin, the one way every scenario does it (architecture rule 7):
 * first the approval the service template asks for (`Approve renewal`, ...), then the operation, as a task that
 * calls the plugin through the contract, or, for a plugin performed by people, as the manual operation of the
 * same name (`renew_application`, ...) whose approval, with what the person reports, is the plugin's result.
 */
export async function performPluginOperation(s: Scenario, request: PluginOperationRequest): Promise<PluginOperationOutcome> {
  const application = applicationOperationOf[request.operation];
  const hooks = { onFailure: request.onFailure, onRetry: request.onRetry };
  const byPeople = request.plugin.performedBy === 'people';
  // A person who performs the operation approves it by doing it: one manual operation, not two (spec 01 §18.2).
  if (!byPeople && (request.plugin.approvals.includes(application) || request.confirmBecause)) {
    const reason = request.confirmBecause ? ` (${request.confirmBecause})` : '';
    const answer = await s.manual(
      approvalStepName[application],
      manualSpec(request, `Approve: ${request.description}${reason}`),
      request.refusal === 'answer' ? { rejection: 'answer', skippable: false } : hooks,
    );
    if (answer && !answer.approved) return { done: false, refused: answer };
  }
  if (byPeople) {
    const done = await s.manual(request.steps.person, manualSpec(request, request.description), hooks);
    return { done: true, result: done ? resultOf(done) : undefined };
  }
  const plugin = pluginActivities(request.policy);
  const result = await s.task(
    request.steps.vendor,
    ({ idempotencyKey, input, round, path }) =>
      plugin.callPlugin({ scenarioId: request.scenarioId, path, round, idempotencyKey, subscriptionId: request.subscriptionId, operation: request.operation, input: { ...request.input, ...input } }),
    { plugin: request.plugin.name, operation: request.operation, ...hooks, ...(request.undo ? { compensate: undoAtVendor(request, request.undo) } : {}) },
  );
  return { done: true, result };
}

function manualSpec(request: PluginOperationRequest, description: string): ManualOperationSpec {
  return {
    type: manualOperationTypeOf(applicationOperationOf[request.operation]),
    clientId: request.clientId,
    subscriptionId: request.subscriptionId,
    orderId: request.orderId,
    description,
  };
}

/** What a person reports (`{ vendorReference: 'RACK-7' }`) is the plugin's result. */
function resultOf(done: ManualOutcome): PluginResult {
  const { vendorReference, state } = done.output;
  return {
    ...(typeof vendorReference === 'string' ? { vendorReference } : {}),
    ...(typeof state === 'string' ? { state } : {}),
    data: done.output,
  };
}

function undoAtVendor(request: PluginOperationRequest, undo: NonNullable<PluginOperationRequest['undo']>): Compensation {
  const plugin = pluginActivities(request.policy);
  return {
    name: undo.name,
    run: ({ idempotencyKey, path, round }) =>
      plugin.callPlugin({ scenarioId: request.scenarioId, path, round, idempotencyKey, subscriptionId: request.subscriptionId, operation: undo.operation, input: {} }),
  };
}

