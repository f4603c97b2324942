import { defineSearchAttributeKey, SearchAttributeType, WorkflowExecutionAlreadyStartedError } from '@temporalio/common';
import { executeChild, workflowInfo } from '@temporalio/workflow';
import { todayIn } from '../domain/dates';
import { billingDayScenarioId, type BillingDispatchInput } from '../contracts/scenarios';
import { billingDay } from './billing-day';

const scheduledStartTime = defineSearchAttributeKey('TemporalScheduledStartTime', SearchAttributeType.DATETIME);

/**
 * Started by the daily schedule. Turns the time the run was scheduled for (not the time it started: a
 * catch-up after an outage runs late) into the business date, and runs `billing-day-<date>` as a child.
 * A date that is already running is left to that run.
 */
export async function billingDispatch({ timeZone }: BillingDispatchInput): Promise<{ businessDate: string; started: boolean }> {
  const info = workflowInfo();
  const scheduledFor = info.typedSearchAttributes.get(scheduledStartTime) ?? info.startTime;
  const businessDate = todayIn(timeZone, scheduledFor);
  try {
    await executeChild(billingDay, { workflowId: billingDayScenarioId(businessDate), args: [{ businessDate }] });
    return { businessDate, started: true };
  } catch (err) {
    if (err instanceof WorkflowExecutionAlreadyStartedError) return { businessDate, started: false };
    throw err;
  }
}
