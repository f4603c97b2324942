import type { Db, Sql } from '../../db/client';
import type { OutboundFetch } from '../../infra/egress';
import { invoiceDocument } from '../documents/document-files';
import { effectiveResellerSettings } from '../resellers/effective-reseller-settings';
import type { SecretBox } from '../../infra/secret-box';
import { openSmtpPassword, SmtpPasswordLocked } from '../resellers/smtp-password';
import { DeliveryError, senderAddress, sendMail, sendSms, smtpUrl, type MailConfig, type MailMessage, type SmsGatewayConfig } from './channels';

interface Claimed {
  status: string;
  channel: string;
  recipient: string;
  content: { subject: string | null; html: string | null; text: string; cc?: string | null; bcc?: string | null };
  attempts: number;
  provider_message_id: string | null;
  client_id: number | null;
  event: string;
  event_id: number | null;
}

export interface DeliveryChannels {
  mail: MailConfig;
  /** Opens a reseller's sealed SMTP password (SECRETS_ENCRYPTION_KEY); unset: such a relay cannot be used. */
  secrets?: SecretBox | undefined;
  /** How the SMS gateway is called (under the egress policy). */
  smsFetch: OutboundFetch;
}

/**
 * Issue 21 point 6: a client's e-mail leaves through its reseller's SMTP relay and sender, or the nearest
 * ancestor's; with none on the way up, through the installation's (SMTP_URL, MAIL_FROM).
 */
async function mailConfigFor(sql: Db, clientId: number | null, installation: MailConfig, secrets: SecretBox | undefined): Promise<MailConfig> {
  if (clientId === null) return installation;
  const [client] = await sql<Array<{ reseller_id: number }>>`select reseller_id from clients where id = ${clientId}`;
  const settings = client ? await effectiveResellerSettings(sql, client.reseller_id) : null;
  if (!settings) return installation;
  let password: string | null = null;
  try {
    password = settings.smtp ? openSmtpPassword(secrets, settings.smtp.storedPassword) : null;
  } catch (err) {
    // No retry can open it: the notification fails now, saying why, and can be resent once the key is configured.
    if (err instanceof SmtpPasswordLocked) throw new DeliveryError(err.message, false);
    throw err;
  }
  return {
    url: settings.smtp ? smtpUrl({ ...settings.smtp, password }) : installation.url,
    from: settings.sender ? senderAddress(settings.sender) : installation.from,
  };
}

/** Spec 01 §16.11: an "Order created" e-mail carries the order's invoice as a PDF (rendered once, then as stored). */
async function attachmentsOf(sql: Sql, n: Claimed): Promise<MailMessage['attachments']> {
  if (n.event !== 'order_created' || n.event_id === null) return undefined;
  const [event] = await sql<Array<{ subject_kind: string; subject_id: string }>>`select subject_kind, subject_id from notification_events where id = ${n.event_id}`;
  if (event?.subject_kind !== 'order') return undefined;
  const invoice = await invoiceDocument(sql, Number(event.subject_id));
  return invoice ? [{ filename: invoice.fileName, content: invoice.pdf, contentType: 'application/pdf' }] : undefined;
}

/** Sends through the row's channel; returns the provider's message id or throws (channels.ts DeliveryError, ...). */
async function send(sql: Sql, notificationId: number, n: Claimed, { mail, smsFetch, secrets }: DeliveryChannels): Promise<string> {
  if (n.channel === 'email') {
    const config = await mailConfigFor(sql, n.client_id, mail, secrets);
    const attachments = await attachmentsOf(sql, n);
    return sendMail(config, { to: n.recipient, cc: n.content.cc, bcc: n.content.bcc, subject: n.content.subject ?? '', text: n.content.text, html: n.content.html, attachments });
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
    returning status, channel, recipient, content, attempts, provider_message_id, client_id, event, event_id`;
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
