import { ApplicationFailure, sleep } from '@temporalio/workflow';
import {
  defaultNotificationRetryPolicy,
  sendNotificationScenarioId,
  type NotifyEventInput,
  type SendNotificationInput,
} from '../contracts/scenarios';
import { deliveryActivities, notificationActivities } from './activities';
import { startDetached } from './detached';

/**
 * One notification event (spec 03 §1.3): its handlers are matched and rendered into log rows, and each
 * row is sent by its own `notification-<id>` workflow. Business scenarios never wait for this and are
 * never failed by it: events reach it through the outbox.
 */
export async function notifyEvent({ eventId, policy = defaultNotificationRetryPolicy }: NotifyEventInput): Promise<{ notifications: number }> {
  const prepared = await notificationActivities.prepareNotifications({ eventId });
  for (const n of prepared) await startDetached(sendNotification, sendNotificationScenarioId(n.id), [{ notificationId: n.id, delayMs: n.delayMs, policy }]);
  return { notifications: prepared.length };
}

/** Holds a notification until its sending hour, then delivers it with retries; spent retries leave it `failed`. */
export async function sendNotification({ notificationId, delayMs, policy = defaultNotificationRetryPolicy }: SendNotificationInput): Promise<{ status: string }> {
  if (delayMs > 0) await sleep(delayMs);
  const delivery = deliveryActivities(policy);
  try {
    return await delivery.deliverNotification({ notificationId });
  } catch (err) {
    const cause = (err as { cause?: unknown }).cause;
    const message = cause instanceof ApplicationFailure || cause instanceof Error ? cause.message : String(err);
    await notificationActivities.markNotificationFailed({ notificationId, error: message });
    return { status: 'failed' };
  }
}
