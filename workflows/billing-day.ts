import { patched, workflowInfo } from '@temporalio/workflow';
import type { BillingDayInput } from '../contracts/scenarios';
import { billingRunActivities as billing } from './activities';
import {
  autoPay,
  cancelUnpaidOrders,
  chargesAndCreditLimits,
  createAutomaticOrders,
  deleteExpiredSubscriptions,
  emitDailyNotificationEvents,
  evaluateFinancialBlocks,
  markPaymentOverdue,
  mergeWaitingPayments,
  provisionDeferredOrders,
  pullUsage,
  revokeExpiredPromisedPayments,
  stopUnpaidSubscriptions,
} from './billing-duties';
import { BillingRun } from './billing-run';
import { Scenario } from './engine/scenario';

/**
 * The daily billing run (architecture rule 5, spec 01 §21, spec 02 §16). Each duty (workflows/billing-duties.ts) is
 * a group of steps: find what is due with one set-based query filtered by the rules of `domain/lifecycle.ts`, then
 * act or start the scenarios that do the work. Duties run in a fixed order, each seeing the previous ones' effects:
 * cancel unpaid orders, create automatic orders, auto-pay, provision deferred orders, payment overdue, stop,
 * delete, then the duties added since, each behind the `patched()` marker it was added with, so that runs recorded
 * before replay as they ran.
 */
export async function billingDay(input: BillingDayInput): Promise<{ duties: Record<string, number> }> {
  const { businessDate } = input;
  const s = new Scenario({ type: 'billing_run', subject: { kind: 'billing_run', id: businessDate } });
  const { workflowId: scenarioId, runId } = workflowInfo();
  const run = new BillingRun(s, input);

  await s.run(async () => {
    await s.step('Begin billing run', () => billing.beginBillingRun({ businessDate, scenarioId, runId }));
    await cancelUnpaidOrders(run);
    if (patched('lifecycle-duties')) {
      await createAutomaticOrders(run);
      await autoPay(run);
      await provisionDeferredOrders(run);
      await markPaymentOverdue(run);
      await stopUnpaidSubscriptions(run);
      await deleteExpiredSubscriptions(run);
    }
    if (patched('merge-payments')) await mergeWaitingPayments(run);
    if (patched('usage-pulls')) await pullUsage(run);
    if (patched('close-charges')) await chargesAndCreditLimits(run);
    if (patched('promised-payment-expiry')) await revokeExpiredPromisedPayments(run);
    if (patched('financial-block-duty')) await evaluateFinancialBlocks(run);
    if (patched('notification-events')) await emitDailyNotificationEvents(run);
    await s.step('Finish billing run', () => billing.finishBillingRun({ businessDate, status: 'completed' }));
  });
  return { duties: run.duties };
}
