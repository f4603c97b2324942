import { ActivityFailure, ApplicationFailure, allHandlersFinished, condition, continueAsNew, proxyActivities, setHandler, workflowInfo } from '@temporalio/workflow';
import type { EntitlementLifecycleActivities } from '../activities/entitlement-lifecycle';
import {
  entitlementLifecycleStateQuery,
  expiryChangedSignal,
  operateUpdate,
  type ArmedExpiry,
  type EntitlementExpiry,
  type EntitlementLifecycleInput,
  type EntitlementOperationKind,
} from '../contracts/entitlement-lifecycle';

/** A staff operation: a database transaction; a refusal is final (activities/failures.ts), the rest is retried a little. */
const operations = proxyActivities<EntitlementLifecycleActivities>({
  startToCloseTimeout: '30s',
  retry: { initialInterval: '1s', backoffCoefficient: 2, maximumInterval: '10s', maximumAttempts: 5 },
});
/** The timer's steps retry until the database answers: the license must expire (or renew) however long that takes. */
const expirySteps = proxyActivities<EntitlementLifecycleActivities>({
  startToCloseTimeout: '30s',
  retry: { initialInterval: '1s', backoffCoefficient: 2, maximumInterval: '5m' },
});

/** Operations one run takes before it continues as new (history stays small on a license staff touch for years). */
const OPERATIONS_PER_RUN = 200;
const ENDED = new Set(['deleted', 'superseded']);

/**
 * One license's workflow (spec 04 §4.1, §7.3), id `licensing-ent-<entitlementId>`, long-lived:
 * - staff operations arrive as the `operate` update and run one at a time: the validator refuses a second one while
 *   one runs (or while the expiry is being handled) with OPERATION_IN_PROGRESS, so it is answered 409 and not queued;
 * - it owns the valid-until timer: at `expiresAt` the auto-renewal hand-off (standalone licenses with an auto-renewal
 *   period) and then `active → expired` if the license is still due; `expiryChanged` (a renewal paid by invoice, a
 *   coupon, a grant) re-reads the license and re-arms it, and so does every operation;
 * - it ends once the license is deleted or superseded, and continues as new when its history grows.
 */
export async function entitlementLifecycle(input: EntitlementLifecycleInput): Promise<{ status: string }> {
  const { entitlementId } = input;
  let armed: ArmedExpiry | null = input.armed ?? null;
  let total = input.operations ?? 0;
  let thisRun = 0;
  let running: EntitlementOperationKind | 'expiry' | null = null;
  let reportedAt: string | null = null;
  let endedAs: string | null = null;
  /** Bumped by every message and state change, so the main loop's wait wakes and recomputes its timeout. */
  let wake = 0;
  /** Bumped by every `arm`: a read that an operation overtook must not overwrite what the operation left. */
  let armings = 0;

  /** Waits for the license's valid-until when it is active with one; ends the workflow when the license is gone. */
  function arm(e: EntitlementExpiry): void {
    armings += 1;
    if (ENDED.has(e.status)) endedAs = e.status;
    armed = e.status === 'active' && e.expiresAt !== null && e.msLeft !== null ? { expiresAt: e.expiresAt, deadline: Date.now() + Math.max(0, e.msLeft) } : null;
    wake += 1;
  }

  setHandler(entitlementLifecycleStateQuery, () => ({ entitlementId, running: running === 'expiry' ? null : running, armed, operations: total }));
  setHandler(expiryChangedSignal, ({ at }) => {
    reportedAt = reportedAt === null || at > reportedAt ? at : reportedAt;
    wake += 1;
  });
  setHandler(
    operateUpdate,
    async (op) => {
      running = op.kind;
      wake += 1;
      try {
        const { result, expiry } = await operations.runEntitlementOperation(op);
        arm(expiry);
        return result;
      } catch (err) {
        const refusal = refusalOf(err);
        // A license that does not exist (a mistyped id) leaves nothing to wait for: the read ends this workflow.
        if (refusal instanceof ApplicationFailure && refusal.type === 'not_found') arm(await operations.readEntitlementExpiry({ entitlementId, at: op.at }));
        throw refusal;
      } finally {
        running = null;
        total += 1;
        thisRun += 1;
        wake += 1;
      }
    },
    {
      validator: (op) => {
        if (running !== null) {
          throw ApplicationFailure.create({ type: 'OPERATION_IN_PROGRESS', message: `an operation on this license is running (${running === 'expiry' ? 'its expiry' : running}); try again when it has finished`, nonRetryable: true, details: [{ requested: op.kind }] });
        }
      },
    },
  );

  for (;;) {
    if (running === null) {
      if (endedAs !== null) break;
      if (reportedAt !== null) {
        const at: string = reportedAt;
        reportedAt = null;
        const before = armings;
        const read = await expirySteps.readEntitlementExpiry({ entitlementId, at });
        if (armings === before) arm(read);
        continue;
      }
      if (armed !== null && Date.now() >= armed.deadline) {
        await reachExpiry(armed);
        continue;
      }
      if (thisRun >= OPERATIONS_PER_RUN || workflowInfo().continueAsNewSuggested) {
        await condition(allHandlersFinished);
        if (running === null && reportedAt === null) await continueAsNew<typeof entitlementLifecycle>({ entitlementId, armed, operations: total });
        continue;
      }
    }
    const seen = wake;
    const due: ArmedExpiry | null = running === null ? armed : null;
    if (due === null) await condition(() => wake !== seen);
    else await condition(() => wake !== seen, Math.max(1, due.deadline - Date.now()));
  }
  await condition(allHandlersFinished);
  return { status: endedAs ?? 'deleted' };

  /** The valid-until is reached: hand off the auto-renewal, then expire the license if it is still due. */
  async function reachExpiry(at: ArmedExpiry): Promise<void> {
    running = 'expiry';
    try {
      await expirySteps.handOffAutoRenewal({ entitlementId, expiresAt: at.expiresAt });
    } catch {
      // A refused hand-off (the balance spent between the check and the debit, say) leaves the license to expire.
    }
    try {
      arm(await expirySteps.expireEntitlement({ entitlementId, expiresAt: at.expiresAt }));
    } finally {
      running = null;
      wake += 1;
    }
  }
}

/** The operation's refusal as the update's failure: the ApplicationFailure carrying the AppError's code and details. */
function refusalOf(err: unknown): unknown {
  if (err instanceof ActivityFailure && err.cause instanceof ApplicationFailure) return err.cause;
  return err;
}
