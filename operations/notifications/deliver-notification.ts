import type { Db, Sql } from '../../db/client';
import type { OutboundFetch } from '../../infra/egress';
import { sendMail, sendSms, type MailConfig, type SmsGatewayConfig } from './channels';

interface Claimed {
  status: string;
  channel: string;
  recipient: string;
  content: { subject: string | null; html: string | null; text: string; cc?: string | null; bcc?: string | null };
  attempts: number;
  provider_message_id: string | null;
}

export interface DeliveryChannels {
  mail: MailConfig;
  /** How the SMS gateway is called (under the egress policy). */
  smsFetch: OutboundFetch;
}

/** Sends through the row's channel; returns the provider's message id or throws (channels.ts DeliveryError, ...). */
async function send(sql: Db, notificationId: number, n: Claimed, { mail, smsFetch }: DeliveryChannels): Promise<string> {
  if (n.channel === 'email') {
    return sendMail(mail, { to: n.recipient, cc: n.content.cc, bcc: n.content.bcc, subject: n.content.subject ?? '', text: n.content.text, html: n.content.html });
  }
  if (n.channel === 'sms') {
    const [setting] = await sql<Array<{ value: SmsGatewayConfig }>>`select value from settings where key = 'sms_gateway'`;
    return sendSms(setting?.value ?? null, n.recipient, n.content.text, smsFetch);
  }
  // Client-panel notifications are delivered by being stored; the panel lists them.
  return `panel-${notificationId}`;
}

export type DeliveryOutcome =
  | { status: 'sent'; providerMessageId: string | null }
  /** The attempt failed and is recorded: the notification is queued again with its error, for the caller to retry or give up. */
  | { status: 'failed'; error: unknown };

/**
 * One delivery attempt of a queued notification, recorded in its attempt log. Null when the notification does not
 * exist; a sent one is not sent again.
 */
export async function deliverNotification(sql: Sql, notificationId: number, channels: DeliveryChannels): Promise<DeliveryOutcome | null> {
  const [n] = await sql<Claimed[]>`
    update notifications set status = case when status = 'sent' then status else 'sending' end,
           attempts = attempts + case when status = 'sent' then 0 else 1 end, updated_at = now()
    where id = ${notificationId}
    returning status, channel, recipient, content, attempts, provider_message_id`;
  if (!n) return null;
  if (n.status === 'sent') return { status: 'sent', providerMessageId: n.provider_message_id };
  try {
    const providerMessageId = await send(sql, notificationId, n, channels);
    await sql.begin(async (tx) => {
      await tx`insert into notification_attempts (notification_id, attempt, status, provider_message_id) values (${notificationId}, ${n.attempts}, 'sent', ${providerMessageId})`;
      await tx`update notifications set status = 'sent', provider_message_id = ${providerMessageId}, last_error = null, sent_at = now(), updated_at = now() where id = ${notificationId}`;
    });
    return { status: 'sent', providerMessageId };
  } catch (err) {
    const message = (err as Error).message;
    await sql.begin(async (tx) => {
      await tx`insert into notification_attempts (notification_id, attempt, status, error) values (${notificationId}, ${n.attempts}, 'failed', ${message})`;
      await tx`update notifications set status = 'queued', last_error = ${message}, updated_at = now() where id = ${notificationId}`;
    });
    return { status: 'failed', error: err };
  }
}

/** The retries are spent: the notification is `failed` with its last error, and can be resent by hand. */
export async function markNotificationFailed(sql: Db, notificationId: number, error: string): Promise<void> {
  await sql`
    update notifications set status = 'failed', last_error = coalesce(last_error, ${error}), updated_at = now()
    where id = ${notificationId} and status <> 'sent'`;
}
