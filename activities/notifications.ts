import { ApplicationFailure } from '@temporalio/common';
import type { Sql } from '../db/client';
import { createOutboundFetch, type EgressPolicy } from '../infra/egress';
import type { SecretBox } from '../infra/secret-box';
import { DeliveryError, type MailConfig } from '../operations/notifications/channels';
import { deliverNotification, markNotificationFailed } from '../operations/notifications/deliver-notification';
import { prepareNotifications } from '../operations/notifications/prepare-notifications';

export interface NotificationActivityDeps {
  sql: Sql;
  timeZone: string;
  now: () => Date;
  mail: MailConfig;
  /** The SMS gateway is called under the egress policy (infra/egress.ts). */
  egress: EgressPolicy;
  /** Opens the resellers' sealed SMTP passwords (SECRETS_ENCRYPTION_KEY). */
  secrets?: SecretBox | undefined;
}

/**
 * The notification pipeline (spec 03 §1.3) as activities: an event's active handlers are matched by their
 * rules and rendered into log rows (once per event and handler, whoever retries), then each row is
 * delivered through its channel with every attempt recorded (operations/notifications/).
 */
export function createNotificationActivities({ sql, timeZone, now, mail, egress, secrets }: NotificationActivityDeps) {
  const smsFetch = createOutboundFetch(egress);
  return {
    /** Returns the event's queued notifications and how long each is held (its sending hour, by the platform clock). */
    async prepareNotifications({ eventId }: { eventId: number }): Promise<Array<{ id: number; delayMs: number }>> {
      return prepareNotifications(sql, eventId, { timeZone, now });
    },

    /** One delivery attempt; a failure is recorded and thrown so Temporal retries it with back-off. */
    async deliverNotification({ notificationId }: { notificationId: number }): Promise<{ status: string; providerMessageId: string | null }> {
      const outcome = await deliverNotification(sql, notificationId, { mail, smsFetch, secrets });
      if (!outcome) throw ApplicationFailure.nonRetryable(`notification ${notificationId} does not exist`, 'notification_missing');
      if (outcome.status === 'sent') return outcome;
      const { error } = outcome;
      const message = (error as Error).message;
      if (error instanceof DeliveryError && !error.retryable) throw ApplicationFailure.nonRetryable(message, 'delivery_not_retryable');
      throw ApplicationFailure.retryable(message, 'delivery_failed');
    },

    /** The retries are spent: the notification is `failed` with its last error, and can be resent by hand. */
    async markNotificationFailed({ notificationId, error }: { notificationId: number; error: string }) {
      await markNotificationFailed(sql, notificationId, error);
    },
  };
}

export type NotificationActivities = ReturnType<typeof createNotificationActivities>;
