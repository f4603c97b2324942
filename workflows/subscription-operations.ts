import { workflowInfo } from '@temporalio/workflow';
import { pluginOperationOf, subscriptionOperations, type SubscriptionOperation as Operation } from '../domain/subscription-operations';
import { recordedPerformedBy } from '../domain/application-operations';
import { databaseActivities, type DatabaseActivities } from './activities';
import { Scenario } from './engine/scenario';
import type { SubscriptionOperationInput } from '../contracts/scenarios';
import { performPluginOperation } from './plugin-operation';

const capitalized = (word: string) => word[0]!.toUpperCase() + word.slice(1);

/** Moves the subscription's status from one of `from`; `dedupe` makes a repeated move (a replayed step) a no-op. */
type Move = (status: string, from: readonly string[], extra: { saveStatus?: string; reason?: string | null; by?: number | null; dedupe: string }) => Promise<unknown>;
type Subscription = NonNullable<Awaited<ReturnType<DatabaseActivities['subscriptions']['describeStop']>>>;

/** One operation being run: what every step of it needs. */
interface OperationRun {
  s: Scenario;
  operation: Operation;
  op: (typeof subscriptionOperations)[Operation];
  input: SubscriptionOperationInput;
  /** The reason, with the comment when there is one. */
  why: string;
  move: Move;
}

/**
 * An operator's stop, delete or activation of a subscription. Where the client's service rule says so
 * (stop mode, delete mode), the subscription first waits in "awaiting manual confirmation" for a manual
 * operation: approve goes on, reject returns it to the status it had (decision 14). Then the transitional
 * status, the plugin's operation (workflows/plugin-operation.ts: after the approval its service template may
 * ask for, whose refusal also returns the subscription to where it was; a task, or a manual operation for a
 * plugin performed by people; the error status when it fails, recovered by a run or retry), and the stable
 * status. Cancelling a failed operation returns the subscription to where it was.
 */
async function runOperation(operation: Operation, input: SubscriptionOperationInput) {
  const { subscriptions } = databaseActivities();
  const { subscriptionId, reason, comment, by, origin, businessDate } = input;
  const op = subscriptionOperations[operation];
  const s = new Scenario({ type: `subscription_${operation}`, subject: { kind: 'subscription', id: String(subscriptionId) } });
  const key = workflowInfo().workflowId;
  const move: Move = (status, from, extra) =>
    subscriptions.setSubscriptionStatus({ subscriptionId, status, from: [...from], saveStatus: extra.saveStatus, reason: extra.reason, by: extra.by, dedupeKey: `${key}/${extra.dedupe}`, ...(businessDate ? { chargeDate: businessDate } : {}) });
  const run: OperationRun = { s, operation, op, input, why: comment ? `${reason}: ${comment}` : reason, move };

  let previous = 'active';
  const result = await s.run(
    async () => {
      const sub = (await s.step(
        'Check subscription',
        // Stop keeps its own activity: recorded stop histories name it.
        () => (operation === 'stop' ? subscriptions.describeStop({ subscriptionId }) : subscriptions.describeSubscriptionOperation({ subscriptionId, operation })),
        { skippable: false },
      ))!;
      previous = sub.previousStatus;
      const manualMode = operation === 'stop' ? origin === undefined && sub.stopMode === 'manual' : sub.manualMode;
      if (manualMode && op.manualType && !(await confirmedByPerson(run, sub, op.manualType))) return { status: previous };
      await s.step(`Start ${op.transitional}`, () =>
        move(op.transitional, [...op.startsFrom, 'awaiting_manual_confirmation'], { saveStatus: previous, reason: run.why, by, dedupe: op.transitional }),
      );
      if (!(await performedByPlugin(run, sub, key))) return { status: previous };
      await s.step(`Mark ${op.done}`, () => move(op.done, [op.transitional, op.error], { reason: run.why, by, dedupe: op.done }));
      return { status: op.done };
    },
    { onCancel: (cancelReason) => move(previous, [op.transitional, op.error, 'awaiting_manual_confirmation'], { reason: cancelReason ?? `${operation} cancelled`, dedupe: 'cancelled' }) },
  );
  return result ?? { status: 'cancelled' };
}

/**
 * The client's service rule asks a person to confirm the operation: the subscription waits in "awaiting manual
 * confirmation"; a rejection returns it to the status it had (decision 14). True when approved.
 */
async function confirmedByPerson({ s, operation, op, input, why, move }: OperationRun, sub: Subscription, manualType: string): Promise<boolean> {
  const { subscriptionId, by } = input;
  const previous = sub.previousStatus;
  await s.step('Await manual confirmation', () => move('awaiting_manual_confirmation', op.startsFrom, { saveStatus: previous, reason: why, by, dedupe: 'awaiting' }));
  const answer = await s.manual(
    `Confirm ${operation}`,
    { type: manualType, clientId: sub.clientId, subscriptionId, orderId: null, description: `${capitalized(operation)} subscription #${subscriptionId} "${sub.name}": ${why}` },
    { rejection: 'answer', skippable: false },
  );
  if (answer?.approved) return true;
  await s.step('Restore previous status', () =>
    move(previous, ['awaiting_manual_confirmation'], { reason: answer?.comment ?? `${operation} rejected`, by: answer?.by ?? null, dedupe: 'restored' }),
  );
  return false;
}

/** The plugin performs the operation; a refusal returns the subscription to where it was (decision 14). True when done. */
async function performedByPlugin({ s, operation, op, input, move }: OperationRun, sub: Subscription, scenarioId: string): Promise<boolean> {
  const { subscriptionId, reason, policy } = input;
  const failed = (message: string) => move(op.error, [op.transitional], { reason: message, dedupe: `${op.error}/${message.slice(0, 80)}` });
  const retried = () => move(op.transitional, [op.error], { dedupe: `${op.transitional}-again` });
  const performed = await performPluginOperation(s, {
    scenarioId,
    subscriptionId,
    operation: pluginOperationOf[operation],
    input: { reason },
    // Results recorded before these fields existed: as the scenario then did, by people only for the manual plugin.
    plugin: { name: sub.plugin, performedBy: recordedPerformedBy(sub), approvals: sub.approvals ?? [] },
    policy,
    clientId: sub.clientId,
    orderId: null,
    description: `${capitalized(operation)} the application of subscription #${subscriptionId}`,
    steps: { vendor: `${capitalized(operation)} at vendor`, person: `${capitalized(operation)} application` },
    refusal: 'answer',
    onFailure: ({ message }) => failed(message),
    onRetry: retried,
  });
  if (performed.done) return true;
  // A refused stop or delete (and so a refused start) returns the subscription to where it was.
  const { comment, by } = performed.refused;
  await s.step('Restore previous status', () => move(sub.previousStatus, [op.transitional], { reason: comment ?? `${operation} refused`, by, dedupe: 'refused' }));
  return false;
}

/** Spec 01 §13.1: stop (suspend) a subscription. */
export function stopSubscription(input: SubscriptionOperationInput) {
  return runOperation('stop', input);
}

/** Spec 01 §13.5: delete a subscription. */
export function deleteSubscription(input: SubscriptionOperationInput) {
  return runOperation('delete', input);
}

/** Spec 01 §13.2: activate a stopped subscription. */
export function activateStoppedSubscription(input: SubscriptionOperationInput) {
  return runOperation('activate', input);
}

/** Spec 01 §15.2: block a postpay subscription whose current debt exceeds its credit limit. */
export function blockSubscription(input: SubscriptionOperationInput) {
  return runOperation('block', input);
}

/** Spec 01 §15.4: unblock it once the debt fits the limit again. */
export function unblockSubscription(input: SubscriptionOperationInput) {
  return runOperation('unblock', input);
}
