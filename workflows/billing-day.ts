import { getExternalWorkflowHandle, patched, workflowInfo, type SignalDefinition, type Workflow } from '@temporalio/workflow';
import type { DueItem, RunAction } from '../activities/billing-runs';
import type { ScenarioStart } from '../activities/scenario-dispatch';
import type { Duty } from '../domain/lifecycle';
import { billingRunActivities as acts, scenarioDispatchActivities as dispatchActs } from './activities';
import { administrativeBlock, administrativeUnblock, financialBlock, financialUnblock } from './client-blocks';
import { startDetached } from './detached';
import { Scenario } from './engine/scenario';
import { orderExpiredSignal, orderPaidSignal, provisionOrderSignal } from '../contracts/messages';
import type { BillingDayInput } from '../contracts/scenarios';
import { subscriptionOrder } from './subscription-order';
import { blockSubscription, deleteSubscription, stopSubscription, unblockSubscription } from './subscription-operations';

type OrderExpired = { businessDate: string; reason?: string };

/** How many items one duty handles per run; the rest are found by the next run. */
const dutyBatch = 5_000;
/** How many scenarios a run started before the dispatch activity starts or tells at once from the workflow. */
const concurrency = 20;

async function inBatches<T>(items: readonly T[], each: (item: T) => Promise<void>): Promise<void> {
  for (let i = 0; i < items.length; i += concurrency) await Promise.all(items.slice(i, i + concurrency).map(each));
}


/**
 * The daily billing run (architecture rule 5, spec 01 §21, spec 02 §16). Each duty is a group of steps:
 * find what is due with one set-based query filtered by the rules of `domain/lifecycle.ts`, then act or
 * start the scenarios that do the work. Duties run in a fixed order, each seeing the previous ones' effects:
 * cancel unpaid orders, create automatic orders, auto-pay, provision deferred orders, payment overdue,
 * stop, delete.
 */
export async function billingDay({ businessDate, policy }: BillingDayInput): Promise<{ duties: Record<string, number> }> {
  const s = new Scenario({ type: 'billing_run', subject: { kind: 'billing_run', id: businessDate } });
  const { workflowId: scenarioId, runId } = workflowInfo();
  const duties: Record<string, number> = {};
  // Runs from this version on start and tell their scenarios from an activity (scenario-dispatch.ts), in bulk: a
  // start or a signal sent from here is a command with events in this run's history, which a date with thousands
  // of them would take past Temporal's limit. Runs recorded before keep the old commands when they are replayed.
  const dispatch = patched('scenario-dispatch-activity');
  /** Starts the scenarios through the dispatch activity; returns how many it started (the others existed). */
  const startAll = async (starts: ScenarioStart[]) => (starts.length === 0 ? 0 : (await dispatchActs.startScenarios({ starts })).started);
  const scenarioStart = <W extends Workflow>(type: W, workflowId: string, args: Parameters<W>, blockPeriod?: ScenarioStart['blockPeriod']): ScenarioStart => ({
    workflowType: type.name,
    workflowId,
    args,
    ...(blockPeriod ? { blockPeriod } : {}),
  });
  /** Tells each scenario the signal with its arguments; returns how many were still running to be told. */
  const tellAll = async <A extends unknown[]>(workflowIds: readonly string[], signal: SignalDefinition<A>, argsFor: (id: string) => A): Promise<number> => {
    if (dispatch) {
      if (workflowIds.length === 0) return 0;
      return (await dispatchActs.signalScenarios({ signal: signal.name, signals: workflowIds.map((workflowId) => ({ workflowId, args: argsFor(workflowId) })) })).told;
    }
    return tell(workflowIds, (id) => getExternalWorkflowHandle(id).signal(signal, ...argsFor(id)));
  };
  const tell = async (workflowIds: readonly string[], send: (id: string) => Promise<void>) => {
    let told = 0;
    await inBatches(workflowIds, async (id) => {
      try {
        await send(id);
        told += 1;
      } catch {
        // The scenario ended in the meantime: nothing is due any more.
      }
    });
    return told;
  };
  const find = (duty: Duty) => s.step(`Find due: ${duty.replaceAll('_', ' ')}`, () => acts.findDue({ businessDate, duty, limit: dutyBatch }), { skippable: false }) as Promise<DueItem[]>;
  const record = (duty: string, found: number, done: number) => {
    duties[duty] = done;
    return s.step('Record duty', () => acts.recordDuty({ businessDate, duty, found, done }));
  };

  /** The stop and delete duties: each due subscription gets its operation scenario, `subscription-<id>-<kind>-<date>`. */
  const operationDuty = (group: string, duty: 'stop' | 'delete', workflow: typeof stopSubscription, kind: string, reason: string, counter: string) =>
    s.group(group, async () => {
      const due = await find(duty);
      const started = (await s.step(`Start ${duty} scenarios`, async () => {
        if (dispatch) {
          const reasonArgs = (subscriptionId: number): Parameters<typeof stopSubscription> => [{ subscriptionId, reason, by: null, origin: 'billing_run', policy }];
          return { started: await startAll(due.map((d) => scenarioStart(workflow, `subscription-${d.subscriptionId}-${kind}-${businessDate}`, reasonArgs(d.subscriptionId)))) };
        }
        let n = 0;
        await inBatches(due, async (d) => {
          const args: Parameters<typeof stopSubscription> = [{ subscriptionId: d.subscriptionId, reason, by: null, origin: 'billing_run', policy }];
          if (await startDetached(workflow, `subscription-${d.subscriptionId}-${kind}-${businessDate}`, args)) n += 1;
        });
        return { started: n };
      }))!;
      const actions: RunAction[] = due.map((d) => ({ subscriptionId: d.subscriptionId, action: duty, outcome: d.action.kind === 'delete' ? { manual: d.action.manual } : {} }));
      await s.step('Record actions', () => acts.recordRunActions({ businessDate, actions }));
      await record(counter, due.length, started.started);
    });

  await s.run(async () => {
    await s.step('Begin billing run', () => acts.beginBillingRun({ businessDate, scenarioId, runId }));

    await s.group('Cancel unpaid orders past their end date', async () => {
      const due = (await s.step('Find unpaid orders', () => acts.findUnpaidOrdersPastEndDate({ businessDate, limit: dutyBatch }), { skippable: false }))!;
      const told = (await s.step('Tell each order', async () => {
        const signalled = await tellAll(due, orderExpiredSignal, () => [{ businessDate }]);
        return { signalled };
      }))!;
      duties.cancelUnpaidOrders = told.signalled;
      await s.step('Record duty', () => acts.recordDuty({ businessDate, duty: 'cancelUnpaidOrders', found: due.length, done: told.signalled }));
    });

    if (patched('lifecycle-duties')) {
      await s.group('Create renewal and prolongation orders', async () => {
        const due = await find('create_order');
        const made = (await s.step('Create orders', () => acts.createAutomaticOrders({ businessDate, subscriptionIds: due.map((d) => d.subscriptionId) }), { skippable: false }))!;
        await s.step('Tell superseded orders', async () => ({
          told: await tellAll(made.superseded.map((o) => o.workflowId), orderExpiredSignal, (id): [OrderExpired] => [
            { businessDate, reason: made.superseded.find((o) => o.workflowId === id)!.reason },
          ]),
        }));
        const unstarted = (await s.step('Find orders to start', () => acts.findUnstartedOrders({ limit: dutyBatch })))!;
        await s.step('Start order scenarios', async () => {
          if (dispatch) await startAll(unstarted.map((o) => scenarioStart(subscriptionOrder, o.workflowId, [{ orderId: o.orderId, policy }])));
          else {
            await inBatches(unstarted, async (o) => {
              await startDetached(subscriptionOrder, o.workflowId, [{ orderId: o.orderId, policy }]);
            });
          }
          await acts.markScenariosStarted({ orderIds: unstarted.map((o) => o.orderId) });
          return { started: unstarted.length };
        });
        await record('createOrders', due.length, made.created.length);
      });

      await s.group('Auto-pay from the balance', async () => {
        const due = await find('auto_payment');
        const result = (await s.step('Pay from balance', () => acts.autoPayOrders({ businessDate, items: due }), { skippable: false }))!;
        await s.step('Tell paid orders', async () => ({ told: await tellAll(result.paid, orderPaidSignal, () => [{ businessDate }]) }));
        await record('autoPayments', due.length, result.paid.length);
      });

      await s.group('Provision deferred orders', async () => {
        const due = await find('provision_deferred');
        const ids = due.flatMap((d) => (d.action.kind === 'provision_deferred' ? [d.action.orderId] : []));
        const told = (await s.step('Tell each order', async () => ({
          told: await tellAll(ids.map((id) => `order-${id}`), provisionOrderSignal, () => [{ businessDate }]),
        })))!;
        await s.step('Record actions', () => acts.recordRunActions({ businessDate, actions: due.map((d, i) => ({ subscriptionId: d.subscriptionId, action: 'provision_deferred', orderId: ids[i] })) }));
        await record('provisionDeferred', due.length, told.told);
      });

      await s.group('Mark unpaid subscriptions payment overdue', async () => {
        const due = await find('mark_payment_overdue');
        const marked = (await s.step('Mark payment overdue', () => acts.markPaymentOverdue({ businessDate, subscriptionIds: due.map((d) => d.subscriptionId) }), { skippable: false }))!;
        await record('paymentOverdue', due.length, marked.marked);
      });

      await operationDuty('Stop unpaid subscriptions', 'stop', stopSubscription, 'stop-unpaid', `not paid (billing run of ${businessDate})`, 'stops');
      await operationDuty('Delete expired subscriptions', 'delete', deleteSubscription, 'delete-expired', `expired and not renewed (billing run of ${businessDate})`, 'deletions');
    }

    if (patched('merge-payments')) {
      // Spec 02 §2.11: after the orders are made and auto-payment was tried, merge what is still waiting.
      await s.group('Merge waiting payments', async () => {
        const result = (await s.step('Merge payments per client', () => acts.mergeWaitingPayments({ businessDate }), { skippable: false }))!;
        await record('mergedPayments', result.clients, result.merged);
      });
    }

    if (patched('close-charges')) {
      await s.group('Charges and credit limits', async () => {
        const result = (await s.step('Close blocked charges', () => acts.closeCharges({ businessDate }), { skippable: false }))!;
        await record('chargesClosed', result.closed, result.closed);
        const due = (await s.step('Compare debts with credit limits', () => acts.creditLimitActions(), { skippable: false }))!;
        const started = (await s.step('Start block and unblock scenarios', async () => {
          const creditArgs = (a: (typeof due)[number]): Parameters<typeof blockSubscription> => [
            { subscriptionId: a.subscriptionId, reason: a.operation === 'block' ? 'credit limit exceeded' : 'debt within the credit limit', comment: `debt ${a.debt}, limit ${a.limit}`, by: null, policy },
          ];
          if (dispatch) {
            return { started: await startAll(due.map((a) => scenarioStart(a.operation === 'block' ? blockSubscription : unblockSubscription, `subscription-${a.subscriptionId}-${a.operation}-credit-${businessDate}`, creditArgs(a)))) };
          }
          let n = 0;
          for (const a of due) {
            if (await startDetached(a.operation === 'block' ? blockSubscription : unblockSubscription, `subscription-${a.subscriptionId}-${a.operation}-credit-${businessDate}`, creditArgs(a))) n += 1;
          }
          return { started: n };
        }))!;
        await record('creditLimits', due.length, started.started);
        const acts_ = (await s.step('Issue acts', () => acts.issueActs({ businessDate }), { skippable: false }))!;
        await record('acts', acts_.found, acts_.issued);
        const overdue = (await s.step('Mark overdue payments', () => acts.overduePayments({ businessDate }), { skippable: false }))!;
        await s.step('Start overdue block and unblock scenarios', async () => {
          const blockArgs = (b: (typeof overdue.toBlock)[number]): Parameters<typeof blockSubscription> => [{ subscriptionId: b.subscriptionId, reason: 'payment overdue', comment: `act ${b.act}`, by: null, policy }];
          const unblockArgs = (subscriptionId: number): Parameters<typeof unblockSubscription> => [{ subscriptionId, reason: 'overdue payment paid', by: null, policy }];
          if (dispatch) {
            await startAll([
              ...overdue.toBlock.map((b) => scenarioStart(blockSubscription, `subscription-${b.subscriptionId}-block-overdue-${businessDate}`, blockArgs(b))),
              ...overdue.toUnblock.map((id) => scenarioStart(unblockSubscription, `subscription-${id}-unblock-overdue-${businessDate}`, unblockArgs(id))),
            ]);
          } else {
            for (const b of overdue.toBlock) await startDetached(blockSubscription, `subscription-${b.subscriptionId}-block-overdue-${businessDate}`, blockArgs(b));
            for (const subscriptionId of overdue.toUnblock) await startDetached(unblockSubscription, `subscription-${subscriptionId}-unblock-overdue-${businessDate}`, unblockArgs(subscriptionId));
          }
          return { blocking: overdue.toBlock.length, unblocking: overdue.toUnblock.length };
        });
        await record('overduePayments', overdue.overdue, overdue.toBlock.length);
      });
    }

    if (patched('promised-payment-expiry')) {
      await s.group('Revoke expired promised payments', async () => {
        const result = (await s.step('Revoke promised payments', () => acts.revokeExpiredPromisedPayments({ businessDate }), { skippable: false }))!;
        await record('promisedPaymentsRevoked', result.found, result.revoked);
      });
    }

    if (patched('financial-block-duty')) {
      await s.group('Evaluate financial blocks', async () => {
        const result = (await s.step('Evaluate negative balances', () => acts.evaluateFinancialBlocks({ businessDate }), { skippable: false }))!;
        const pending = (await s.step('Find block periods to act on', () => acts.pendingBlockScenarios()))!;
        await s.step('Start block scenarios', async () => {
          const typeOf = (b: (typeof pending)[number]) => ({ financial: { block: financialBlock, unblock: financialUnblock }, administrative: { block: administrativeBlock, unblock: administrativeUnblock } })[b.kind][b.scenario];
          const inputOf = (b: (typeof pending)[number]): Parameters<typeof financialBlock> => [{ clientId: b.clientId, n: b.n, policy }];
          if (dispatch) {
            await startAll(pending.map((b) => scenarioStart(typeOf(b), `${b.kind}-${b.scenario}-${b.clientId}-${b.n}`, inputOf(b), { id: b.id, scenario: b.scenario })));
          } else {
            for (const b of pending) {
              await startDetached(typeOf(b), `${b.kind}-${b.scenario}-${b.clientId}-${b.n}`, inputOf(b));
              await acts.markBlockScenarioStarted({ id: b.id, scenario: b.scenario });
            }
          }
          return { started: pending.length };
        });
        await record('financialBlocks', result.found, result.blocked);
      });
    }

    if (patched('notification-events')) {
      await s.group('Daily notification events', async () => {
        const result = (await s.step('Emit daily events', () => acts.emitDailyNotificationEvents({ businessDate }), { skippable: false }))!;
        await record('notificationEvents', result.found, result.emitted);
      });
    }

    await s.step('Finish billing run', () => acts.finishBillingRun({ businessDate, status: 'completed' }));
  });
  return { duties };
}
