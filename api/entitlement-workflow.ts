import { WithStartWorkflowOperation, WorkflowUpdateFailedError, type Client } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import { entitlementLifecycleId, expiryChangedSignal, operateUpdate, type EntitlementOperation } from '../contracts/entitlement-lifecycle';
import type { ScenarioWorkflows } from '../contracts/scenarios';
import { AppError, isErrorCode } from '../domain/errors';
import { toAppError } from './errors';
import type { Db } from '../db/client';
import { entitlementExists } from '../queries/licensing/key-scope';

interface WorkflowDeps {
  temporal: Client;
  taskQueue: string;
}

type Lifecycle = ScenarioWorkflows['entitlementLifecycle'];

/**
 * Runs a staff operation on a license in its workflow (spec 04 §7.3), starting the workflow if it is not running
 * (update-with-start, conflict policy USE_EXISTING), and answers the operation's result. The operation's refusal
 * comes back as the same AppError the route threw before the workflow existed (same status, code, details); a
 * second operation while one runs is refused by the workflow: 409 `OPERATION_IN_PROGRESS`, nothing changed.
 * `at` is the request's clock: the workflow measures the license's time left on it. An unknown license answers 404
 * `not_found` as before, without a workflow.
 */
export async function operateOnEntitlement<T>({ sql, temporal, taskQueue }: WorkflowDeps & { sql: Db }, op: EntitlementOperation, at: Date): Promise<T> {
  const id = op.input.entitlementId;
  // An unknown license starts no workflow (ids cannot be used to make workflows by the thousand).
  if (!(await entitlementExists(sql, id))) throw new AppError('not_found', `entitlement ${id} does not exist`);
  const startWorkflowOperation = new WithStartWorkflowOperation<Lifecycle>('entitlementLifecycle', {
    workflowId: entitlementLifecycleId(id),
    taskQueue,
    args: [{ entitlementId: id }],
    workflowIdConflictPolicy: 'USE_EXISTING',
  });
  try {
    return (await temporal.workflow.executeUpdateWithStart(operateUpdate, { args: [{ ...op, at: at.toISOString() }], startWorkflowOperation })) as T;
  } catch (err) {
    throw entitlementOperationError(err);
  }
}

/**
 * What a failed `operate` update means for the caller: the business refusal among its causes, as the route threw it
 * before the workflow existed. An update that failed without one is an operation whose activity gave up after its
 * retries (a database that did not answer, say; the workflow hands the activity's last failure on as the update's,
 * workflows/entitlement-lifecycle.ts `refusalOf`): 503 `operation_unavailable`, as its transaction never committed
 * and trying again later is right (not 422 `rejected_by_scenario`, which says the request was refused). Anything
 * else (Temporal unreachable, ...) as it is.
 */
export function entitlementOperationError(err: unknown): unknown {
  const refusal = refusalIn(err);
  if (refusal) return refusal;
  if (err instanceof WorkflowUpdateFailedError) return new AppError('operation_unavailable', 'the license operation could not be completed now; nothing was changed, try again');
  return err;
}

/** The business refusal somewhere in a Temporal failure's causes (update failure → activity failure → application failure). */
function refusalIn(err: unknown): AppError | null {
  for (let cause = err; cause instanceof Error; cause = cause.cause) {
    if (cause instanceof ApplicationFailure && cause.type && isErrorCode(cause.type)) {
      return new AppError(cause.type, cause.message, cause.details?.[0]);
    }
    // A value the database refused (activities/entitlement-lifecycle.ts): answered as the API answers it anywhere.
    if (cause instanceof ApplicationFailure && cause.type === 'database_refusal') return toAppError(cause.details?.[0]);
  }
  return null;
}

/**
 * Tells licenses' workflows that their valid-until or status changed outside them (a grant, a coupon, a renewal paid
 * by invoice), starting a workflow that is not running (signal-with-start), so the expiry timer waits for the new
 * date. Sent after the change committed, best effort: when it is lost the license's row is still right, public
 * validation already refuses an active license past its valid-until (domain/licensing/validation.ts), and the next
 * staff operation on the license re-arms its timer. `at` is the caller's clock.
 */
export async function tellExpiryChanged({ temporal, taskQueue }: WorkflowDeps, entitlementIds: Iterable<number>, at: Date): Promise<void> {
  for (const id of new Set(entitlementIds)) {
    try {
      await temporal.workflow.signalWithStart<Lifecycle, [{ at: string }]>('entitlementLifecycle', {
        workflowId: entitlementLifecycleId(id),
        taskQueue,
        args: [{ entitlementId: id }],
        signal: expiryChangedSignal,
        signalArgs: [{ at: at.toISOString() }],
      });
    } catch {
      // Best effort, see above: the change itself has committed and stays.
    }
  }
}
