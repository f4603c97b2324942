import type { RunAction } from '../activities/billing-runs';
import { orderExpiredSignal, orderPaidSignal, provisionOrderSignal, type OrderExpiry } from '../contracts/messages';
import { billingRunActivities as billing } from './activities';
import { BillingRun, dutyBatch, scenarioStart } from './billing-run';
import { administrativeBlock, administrativeUnblock, financialBlock, financialUnblock } from './client-blocks';
import { subscriptionOrder } from './subscription-order';
import { blockSubscription, deleteSubscription, stopSubscription, unblockSubscription } from './subscription-operations';
import { usagePull } from './usage-pull';

/**
 * The duties of the daily billing run (workflows/billing-day.ts runs them in their order), each a group of steps:
 * find what is due with one set-based query filtered by the rules of `domain/lifecycle.ts`, then act or start the
 * scenarios that do the work. Step names and their order are what the run's tree shows and its history records.
 */

/** Spec 01 §16.8, decision 8: unpaid orders past their end date are told so, and cancel themselves. */
export function cancelUnpaidOrders(run: BillingRun) {
  const { s, businessDate } = run;
  return s.group('Cancel unpaid orders past their end date', async () => {
    const due = (await s.step('Find unpaid orders', () => billing.findUnpaidOrdersPastEndDate({ businessDate, limit: dutyBatch }), { skippable: false }))!;
    const told = (await s.step('Tell each order', async () => {
      const signalled = await run.tell(due, orderExpiredSignal, () => [{ businessDate }]);
      return { signalled };
    }))!;
    await run.record('cancelUnpaidOrders', due.length, told.signalled);
  });
}

/** Renewal and prolongation orders of automatic subscriptions, each started as its order scenario. */
export function createAutomaticOrders(run: BillingRun) {
  const { s, businessDate, policy } = run;
  return s.group('Create renewal and prolongation orders', async () => {
    const due = await run.find('create_order');
    const made = (await s.step('Create orders', () => billing.createAutomaticOrders({ businessDate, subscriptionIds: due.map((d) => d.subscriptionId) }), { skippable: false }))!;
    await s.step('Tell superseded orders', async () => ({
      told: await run.tell(made.superseded.map((o) => o.workflowId), orderExpiredSignal, (id): [OrderExpiry] => [
        { businessDate, reason: made.superseded.find((o) => o.workflowId === id)!.reason },
      ]),
    }));
    const unstarted = (await s.step('Find orders to start', () => billing.findUnstartedOrders({ limit: dutyBatch })))!;
    await s.step('Start order scenarios', async () => {
      await run.start(unstarted.map((o) => scenarioStart(subscriptionOrder, o.workflowId, [{ orderId: o.orderId, policy }])), 'batched');
      await billing.markScenariosStarted({ orderIds: unstarted.map((o) => o.orderId) });
      return { started: unstarted.length };
    });
    await run.record('createOrders', due.length, made.created.length);
  });
}

export function autoPay(run: BillingRun) {
  const { s, businessDate } = run;
  return s.group('Auto-pay from the balance', async () => {
    const due = await run.find('auto_payment');
    const result = (await s.step('Pay from balance', () => billing.autoPayOrders({ businessDate, items: due }), { skippable: false }))!;
    await s.step('Tell paid orders', async () => ({ told: await run.tell(result.paid, orderPaidSignal, () => [{ businessDate }]) }));
    await run.record('autoPayments', due.length, result.paid.length);
  });
}

/** Spec 01 §12.4: deferred orders whose provisioning date has come are told to go on. */
export function provisionDeferredOrders(run: BillingRun) {
  const { s, businessDate } = run;
  return s.group('Provision deferred orders', async () => {
    const due = await run.find('provision_deferred');
    const ids = due.flatMap((d) => (d.action.kind === 'provision_deferred' ? [d.action.orderId] : []));
    const told = (await s.step('Tell each order', async () => ({
      told: await run.tell(ids.map((id) => `order-${id}`), provisionOrderSignal, () => [{ businessDate }]),
    })))!;
    const actions = due.map((d, i) => ({ subscriptionId: d.subscriptionId, action: 'provision_deferred', orderId: ids[i] }));
    await s.step('Record actions', () => billing.recordRunActions({ businessDate, actions }));
    await run.record('provisionDeferred', due.length, told.told);
  });
}

export function markPaymentOverdue(run: BillingRun) {
  const { s, businessDate } = run;
  return s.group('Mark unpaid subscriptions payment overdue', async () => {
    const due = await run.find('mark_payment_overdue');
    const marked = (await s.step('Mark payment overdue', () => billing.markPaymentOverdue({ businessDate, subscriptionIds: due.map((d) => d.subscriptionId) }), { skippable: false }))!;
    await run.record('paymentOverdue', due.length, marked.marked);
  });
}

/** The stop and delete duties: each due subscription gets its operation scenario, `subscription-<id>-<kind>-<date>`. */
export function stopUnpaidSubscriptions(run: BillingRun) {
  return operationDuty(run, { group: 'Stop unpaid subscriptions', duty: 'stop', kind: 'stop-unpaid', reason: `not paid (billing run of ${run.businessDate})`, counter: 'stops' });
}

export function deleteExpiredSubscriptions(run: BillingRun) {
  const reason = `expired and not renewed (billing run of ${run.businessDate})`;
  return operationDuty(run, { group: 'Delete expired subscriptions', duty: 'delete', kind: 'delete-expired', reason, counter: 'deletions' });
}

interface OperationDuty {
  group: string;
  duty: 'stop' | 'delete';
  /** The middle of the scenario id. */
  kind: string;
  reason: string;
  /** The name the run's result counts it under. */
  counter: string;
}

function operationDuty(run: BillingRun, { group, duty, kind, reason, counter }: OperationDuty) {
  const { s, businessDate, policy } = run;
  const workflow = duty === 'stop' ? stopSubscription : deleteSubscription;
  return s.group(group, async () => {
    const due = await run.find(duty);
    const started = (await s.step(`Start ${duty} scenarios`, async () => {
      const starts = due.map((d) =>
        scenarioStart(workflow, `subscription-${d.subscriptionId}-${kind}-${businessDate}`, [{ subscriptionId: d.subscriptionId, reason, by: null, origin: 'billing_run', policy, businessDate }]),
      );
      return { started: await run.start(starts, 'batched') };
    }))!;
    const actions: RunAction[] = due.map((d) => ({ subscriptionId: d.subscriptionId, action: duty, outcome: d.action.kind === 'delete' ? { manual: d.action.manual } : {} }));
    await s.step('Record actions', () => billing.recordRunActions({ businessDate, actions }));
    await run.record(counter, due.length, started.started);
  });
}

/** Spec 02 §2.11: after the orders are made and auto-payment was tried, merge what is still waiting. */
export function mergeWaitingPayments(run: BillingRun) {
  const { s, businessDate } = run;
  return s.group('Merge waiting payments', async () => {
    const result = (await s.step('Merge payments per client', () => billing.mergeWaitingPayments({ businessDate }), { skippable: false }))!;
    await run.record('mergedPayments', result.clients, result.merged);
  });
}

/**
 * Spec 02 §16 item 11: the usage of pay-as-you-go (external) subscriptions is pulled from their vendors once a day,
 * each pull its own scenario (its pages are its tasks), started before the charges close so that what the vendor
 * already has for the period that ends today is in its charge. The run does not wait for them: a pull that ends
 * after the close books what is left by the closed-period setting, like any late record.
 */
export function pullUsage(run: BillingRun) {
  const { s, businessDate } = run;
  return s.group('Pull pay-as-you-go usage', async () => {
    const due = (await s.step('Find subscriptions to pull', () => billing.findUsagePulls({ businessDate, limit: dutyBatch }), { skippable: false }))!;
    const started = (await s.step('Start usage pulls', async () => ({
      started: await run.start(due.map((d) => scenarioStart(usagePull, d.workflowId, [{ subscriptionId: d.subscriptionId }])), 'batched'),
    })))!;
    await run.record('usagePulls', due.length, started.started);
  });
}

/**
 * Spec 01 §15: charges of blocked periods are closed, postpay subscriptions blocked or unblocked by their credit
 * limit, the period's acts issued, and subscriptions blocked or unblocked by their overdue payments.
 */
export function chargesAndCreditLimits(run: BillingRun) {
  const { s, businessDate } = run;
  return s.group('Charges and credit limits', async () => {
    const result = (await s.step('Close blocked charges', () => billing.closeCharges({ businessDate }), { skippable: false }))!;
    await run.record('chargesClosed', result.closed, result.closed);
    await applyCreditLimits(run);
    const issued = (await s.step('Issue acts', () => billing.issueActs({ businessDate }), { skippable: false }))!;
    await run.record('acts', issued.found, issued.issued);
    await blockOverduePayments(run);
  });
}

async function applyCreditLimits(run: BillingRun): Promise<void> {
  const { s, businessDate, policy } = run;
  const due = (await s.step('Compare debts with credit limits', () => billing.creditLimitActions(), { skippable: false }))!;
  const started = (await s.step('Start block and unblock scenarios', async () => {
    const starts = due.map((a) =>
      scenarioStart(a.operation === 'block' ? blockSubscription : unblockSubscription, `subscription-${a.subscriptionId}-${a.operation}-credit-${businessDate}`, [
        { subscriptionId: a.subscriptionId, reason: a.operation === 'block' ? 'credit limit exceeded' : 'debt within the credit limit', comment: `debt ${a.debt}, limit ${a.limit}`, by: null, policy },
      ]),
    );
    return { started: await run.start(starts, 'one by one') };
  }))!;
  await run.record('creditLimits', due.length, started.started);
}

async function blockOverduePayments(run: BillingRun): Promise<void> {
  const { s, businessDate, policy } = run;
  const overdue = (await s.step('Mark overdue payments', () => billing.overduePayments({ businessDate }), { skippable: false }))!;
  await s.step('Start overdue block and unblock scenarios', async () => {
    await run.start(
      [
        ...overdue.toBlock.map((b) =>
          scenarioStart(blockSubscription, `subscription-${b.subscriptionId}-block-overdue-${businessDate}`, [{ subscriptionId: b.subscriptionId, reason: 'payment overdue', comment: `act ${b.act}`, by: null, policy }]),
        ),
        ...overdue.toUnblock.map((subscriptionId) =>
          scenarioStart(unblockSubscription, `subscription-${subscriptionId}-unblock-overdue-${businessDate}`, [{ subscriptionId, reason: 'overdue payment paid', by: null, policy }]),
        ),
      ],
      'one by one',
    );
    return { blocking: overdue.toBlock.length, unblocking: overdue.toUnblock.length };
  });
  await run.record('overduePayments', overdue.overdue, overdue.toBlock.length);
}

export function revokeExpiredPromisedPayments(run: BillingRun) {
  const { s, businessDate } = run;
  return s.group('Revoke expired promised payments', async () => {
    const result = (await s.step('Revoke promised payments', () => billing.revokeExpiredPromisedPayments({ businessDate }), { skippable: false }))!;
    await run.record('promisedPaymentsRevoked', result.found, result.revoked);
  });
}

const blockScenarios = {
  financial: { block: financialBlock, unblock: financialUnblock },
  administrative: { block: administrativeBlock, unblock: administrativeUnblock },
} as const;

/** Spec 01 §4.5: clients enter or leave a financial block by their balance; each block period gets its scenario. */
export function evaluateFinancialBlocks(run: BillingRun) {
  const { s, businessDate, policy } = run;
  return s.group('Evaluate financial blocks', async () => {
    const result = (await s.step('Evaluate negative balances', () => billing.evaluateFinancialBlocks({ businessDate }), { skippable: false }))!;
    const pending = (await s.step('Find block periods to act on', () => billing.pendingBlockScenarios()))!;
    await s.step('Start block scenarios', async () => {
      const starts = pending.map((b) =>
        scenarioStart(blockScenarios[b.kind][b.scenario], `${b.kind}-${b.scenario}-${b.clientId}-${b.n}`, [{ clientId: b.clientId, n: b.n, policy }], { id: b.id, scenario: b.scenario }),
      );
      await run.start(starts, 'one by one');
      return { started: pending.length };
    });
    await run.record('financialBlocks', result.found, result.blocked);
  });
}

export function emitDailyNotificationEvents(run: BillingRun) {
  const { s, businessDate } = run;
  return s.group('Daily notification events', async () => {
    const result = (await s.step('Emit daily events', () => billing.emitDailyNotificationEvents({ businessDate }), { skippable: false }))!;
    await run.record('notificationEvents', result.found, result.emitted);
  });
}
