import { ActivityFailure, ApplicationFailure, allHandlersFinished, condition, continueAsNew, proxyActivities, setHandler, workflowInfo } from '@temporalio/workflow';
import type { EntitlementLifecycleActivities } from '../activities/entitlement-lifecycle';
import {
  entitlementLifecycleStateQuery,
  expiryChangedSignal,
  operateUpdate,
  type ArmedExpiry,
  type EntitlementExpiry,
  type EntitlementLifecycleInput,
  type EntitlementOperation,
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
  const license = new LicenseLifecycle(input);
  setHandler(entitlementLifecycleStateQuery, () => license.state());
  setHandler(expiryChangedSignal, ({ at }) => license.reported(at));
  setHandler(operateUpdate, (op) => license.operate(op), { validator: (op) => license.refuseWhileBusy(op.kind) });

  for (;;) {
    if (license.running === null) {
      if (license.endedAs !== null) break;
      if (license.reportedAt !== null) {
        await license.reread();
        continue;
      }
      if (license.armed !== null && Date.now() >= license.armed.deadline) {
        await license.reachExpiry(license.armed);
        continue;
      }
      if (license.thisRun >= OPERATIONS_PER_RUN || workflowInfo().continueAsNewSuggested) {
        await condition(allHandlersFinished);
        if (license.running === null && license.reportedAt === null) await continueAsNew<typeof entitlementLifecycle>(license.carriedOver());
        continue;
      }
    }
    const seen = license.wake;
    const due: ArmedExpiry | null = license.running === null ? license.armed : null;
    if (due === null) await condition(() => license.wake !== seen);
    else await condition(() => license.wake !== seen, Math.max(1, due.deadline - Date.now()));
  }
  await condition(allHandlersFinished);
  return { status: license.endedAs ?? 'deleted' };
}

/** What the workflow knows of its license, and the steps that change it (deterministic: workflow time, activities). */
class LicenseLifecycle {
  readonly entitlementId: number;
  armed: ArmedExpiry | null;
  total: number;
  thisRun = 0;
  running: EntitlementOperationKind | 'expiry' | null = null;
  reportedAt: string | null = null;
  endedAs: string | null = null;
  /** Bumped by every message and state change, so the main loop's wait wakes and recomputes its timeout. */
  wake = 0;
  /** Bumped by every `arm`: a read that an operation overtook must not overwrite what the operation left. */
  private armings = 0;

  constructor(input: EntitlementLifecycleInput) {
    this.entitlementId = input.entitlementId;
    this.armed = input.armed ?? null;
    this.total = input.operations ?? 0;
  }

  state() {
    return { entitlementId: this.entitlementId, running: this.running === 'expiry' ? null : this.running, armed: this.armed, operations: this.total };
  }

  carriedOver(): EntitlementLifecycleInput {
    return { entitlementId: this.entitlementId, armed: this.armed, operations: this.total };
  }

  /** Waits for the license's valid-until when it is active with one; ends the workflow when the license is gone. */
  arm(e: EntitlementExpiry): void {
    this.armings += 1;
    if (ENDED.has(e.status)) this.endedAs = e.status;
    this.armed = e.status === 'active' && e.expiresAt !== null && e.msLeft !== null ? { expiresAt: e.expiresAt, deadline: Date.now() + Math.max(0, e.msLeft) } : null;
    this.wake += 1;
  }

  reported(at: string): void {
    this.reportedAt = this.reportedAt === null || at > this.reportedAt ? at : this.reportedAt;
    this.wake += 1;
  }

  refuseWhileBusy(requested: EntitlementOperationKind): void {
    if (this.running === null) return;
    const what = this.running === 'expiry' ? 'its expiry' : this.running;
    throw ApplicationFailure.create({ type: 'OPERATION_IN_PROGRESS', message: `an operation on this license is running (${what}); try again when it has finished`, nonRetryable: true, details: [{ requested }] });
  }

  async operate(op: EntitlementOperation & { at: string }): Promise<unknown> {
    this.running = op.kind;
    this.wake += 1;
    try {
      const { result, expiry } = await operations.runEntitlementOperation(op);
      this.arm(expiry);
      return result;
    } catch (err) {
      const refusal = refusalOf(err);
      // A license that does not exist (a mistyped id) leaves nothing to wait for: the read ends this workflow.
      if (refusal instanceof ApplicationFailure && refusal.type === 'not_found') this.arm(await operations.readEntitlementExpiry({ entitlementId: this.entitlementId, at: op.at }));
      throw refusal;
    } finally {
      this.running = null;
      this.total += 1;
      this.thisRun += 1;
      this.wake += 1;
    }
  }

  /** A change reported from outside: re-read the license (unless an operation re-armed it meanwhile). */
  async reread(): Promise<void> {
    const at = this.reportedAt!;
    this.reportedAt = null;
    const before = this.armings;
    const read = await expirySteps.readEntitlementExpiry({ entitlementId: this.entitlementId, at });
    if (this.armings === before) this.arm(read);
  }

  /** The valid-until is reached: hand off the auto-renewal, then expire the license if it is still due. */
  async reachExpiry(at: ArmedExpiry): Promise<void> {
    this.running = 'expiry';
    try {
      await expirySteps.handOffAutoRenewal({ entitlementId: this.entitlementId, expiresAt: at.expiresAt });
    } catch {
      // A refused hand-off (the balance spent between the check and the debit, say) leaves the license to expire.
    }
    try {
      this.arm(await expirySteps.expireEntitlement({ entitlementId: this.entitlementId, expiresAt: at.expiresAt }));
    } finally {
      this.running = null;
      this.wake += 1;
    }
  }
}

/** The operation's refusal as the update's failure: the ApplicationFailure carrying the AppError's code and details. */
function refusalOf(err: unknown): unknown {
  if (err instanceof ActivityFailure && err.cause instanceof ApplicationFailure) return err.cause;
  return err;
}
