import { ScheduleAlreadyRunning, ScheduleOverlapPolicy, type Client } from '@temporalio/client';
import { billingScheduleId } from '../contracts/scenarios';

export interface BillingScheduleOptions {
  taskQueue: string;
  timeZone: string;
  /** The hour of the day (in the platform time zone) the run starts. */
  hour: number;
  /** After an outage, missed runs within this many days are run, in order. */
  catchupDays: number;
  scheduleId?: string;
}

/**
 * Creates the daily billing schedule, or brings an existing one in line with the configuration. Missed
 * runs are buffered, not overlapped, so a catch-up runs the dates one after another in date order.
 */
export async function ensureBillingSchedule(client: Client, { taskQueue, timeZone, hour, catchupDays, scheduleId = billingScheduleId }: BillingScheduleOptions) {
  const spec = { calendars: [{ hour, minute: 0 }], timezone: timeZone };
  const action = {
    type: 'startWorkflow' as const,
    workflowType: 'billingDispatch',
    workflowId: `${scheduleId}-dispatch`,
    taskQueue,
    args: [{ timeZone }] as [{ timeZone: string }],
  };
  const policies = { catchupWindow: `${catchupDays} days`, overlap: ScheduleOverlapPolicy.BUFFER_ALL };
  try {
    await client.schedule.create({ scheduleId, spec, action, policies });
  } catch (err) {
    if (!(err instanceof ScheduleAlreadyRunning)) throw err;
    await client.schedule.getHandle(scheduleId).update((previous) => ({ ...previous, spec, action, policies }));
  }
  return client.schedule.getHandle(scheduleId);
}
