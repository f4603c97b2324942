import { getExternalWorkflowHandle, workflowInfo } from '@temporalio/workflow';
import { billingRunActivities as acts } from './activities';
import { Scenario } from './engine/scenario';
import { orderExpiredSignal } from './purchase-order';

export interface BillingDayInput {
  /** The business date this run is for (`YYYY-MM-DD`). */
  businessDate: string;
}

/** One run per business date; re-running a date (through the API) is safe: duties select what is still due. */
export const billingDayWorkflowId = (businessDate: string) => `billing-day-${businessDate}`;

/** How many items one duty handles per run; the rest are found by the next run. */
const dutyBatch = 5_000;

/**
 * The daily billing run (architecture rule 5, spec 01 §21, spec 02 §16). Each duty is a group of steps:
 * find what is due with one set-based query, then start or signal the scenarios that do the work.
 * Implemented so far: cancelling unpaid orders past their end date. Renewal, prolongation, expiry, stop
 * and deletion duties come with the lifecycle issue.
 */
export async function billingDay({ businessDate }: BillingDayInput): Promise<{ duties: Record<string, number> }> {
  const s = new Scenario({ type: 'billing_run', subject: { kind: 'billing_run', id: businessDate } });
  const { workflowId: scenarioId, runId } = workflowInfo();
  const duties: Record<string, number> = {};

  await s.run(async () => {
    await s.step('Begin billing run', () => acts.beginBillingRun({ businessDate, scenarioId, runId }));

    await s.group('Cancel unpaid orders past their end date', async () => {
      const due = (await s.step('Find unpaid orders', () => acts.findUnpaidOrdersPastEndDate({ businessDate, limit: dutyBatch }), { skippable: false }))!;
      const told = (await s.step('Tell each order', async () => {
        let signalled = 0;
        for (const workflowId of due) {
          try {
            await getExternalWorkflowHandle(workflowId).signal(orderExpiredSignal, { businessDate });
            signalled += 1;
          } catch {
            // The order's scenario ended in the meantime (paid or cancelled): nothing is due any more.
          }
        }
        return { signalled };
      }))!;
      duties.cancelUnpaidOrders = told.signalled;
      await s.step('Record duty', () => acts.recordDuty({ businessDate, duty: 'cancelUnpaidOrders', found: due.length, done: told.signalled }));
    });

    await s.step('Finish billing run', () => acts.finishBillingRun({ businessDate, status: 'completed' }));
  });
  return { duties };
}
