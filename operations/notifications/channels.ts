import nodemailer, { type Transporter } from 'nodemailer';
import { EgressRefusedError, type OutboundFetch } from '../../infra/egress';

/**
 * Delivery channels (spec 03 §9): e-mail through SMTP (nodemailer, configured by URL), SMS through an HTTP
 * gateway (URL, method, body template, authorization), client-panel messages stored in our database. A
 * channel either returns the provider's message id or throws; the caller records the attempt.
 */

export interface MailConfig {
  /** `smtp://user:pass@host:port` or `smtps://…`; unset: e-mails fail with a clear error. */
  url?: string;
  from: string;
}

export interface MailMessage {
  to: string;
  cc?: string | null;
  bcc?: string | null;
  subject: string;
  text: string;
  html?: string | null;
  /** Files sent with the e-mail (the invoice PDF of an "Order created" e-mail, spec 01 §16.11). */
  attachments?: Array<{ filename: string; content: Buffer; contentType: string }>;
}

/** A reseller's SMTP relay (spec 02 §13.6) as the transport URL sendMail takes; user and password URL-encoded. */
export function smtpUrl(server: { host: string; port: number; security: 'tls' | 'starttls' | 'none'; user: string | null; password: string | null }): string {
  const auth = server.user ? `${encodeURIComponent(server.user)}${server.password ? `:${encodeURIComponent(server.password)}` : ''}@` : '';
  const url = `${server.security === 'tls' ? 'smtps' : 'smtp'}://${auth}${server.host.includes(':') ? `[${server.host}]` : server.host}:${server.port}`;
  return server.security === 'none' ? `${url}?ignoreTLS=true` : url;
}

/** A sender as a From header: `"Name" <address>`, or the address alone. */
export function senderAddress(sender: { name: string | null; email: string }): string {
  const name = sender.name?.replace(/["\\\r\n]/g, '').trim();
  return name ? `"${name}" <${sender.email}>` : sender.email;
}

export class DeliveryError extends Error {
  constructor(
    message: string,
    /** False when trying again cannot help (no configuration, no recipient). */
    readonly retryable = true,
  ) {
    super(message);
    this.name = 'DeliveryError';
  }
}

const transports = new Map<string, Transporter>();

/**
 * Transport settings, as query parameters of the SMTP URL (how nodemailer reads a URL's options; the URL's own
 * win). Pooled: up to 10 connections are kept and reused instead of a connection and handshake per e-mail
 * (BENCHMARKS.md); `?maxConnections=` in SMTP_URL lowers that for a relay that allows fewer. Short timeouts: a dead server is an attempt that fails and is
 * retried, not a hung activity.
 */
const transportDefaults: Record<string, string> = {
  pool: 'true',
  maxConnections: '10',
  maxMessages: '500',
  connectionTimeout: '5000',
  greetingTimeout: '5000',
  socketTimeout: '10000',
};

export function transportUrl(url: string): string {
  const parsed = new URL(url);
  for (const [key, value] of Object.entries(transportDefaults)) if (!parsed.searchParams.has(key)) parsed.searchParams.set(key, value);
  return parsed.toString();
}

export async function sendMail(config: MailConfig, message: MailMessage): Promise<string> {
  if (!config.url) throw new DeliveryError('SMTP is not configured (set SMTP_URL)', false);
  let transport = transports.get(config.url);
  if (!transport) {
    transport = nodemailer.createTransport(transportUrl(config.url));
    // A pooled connection the server closes while idle is replaced on the next e-mail; nothing to do here.
    transport.on('error', () => {});
    transports.set(config.url, transport);
  }
  try {
    const info = await transport.sendMail({
      from: config.from,
      to: message.to,
      cc: message.cc || undefined,
      bcc: message.bcc || undefined,
      subject: message.subject,
      text: message.text,
      html: message.html || undefined,
      attachments: message.attachments,
    });
    return String(info.messageId);
  } catch (err) {
    throw new DeliveryError(`SMTP: ${(err as Error).message}`);
  }
}

/** The HTTP SMS gateway's settings (stored as the `sms_gateway` setting). */
export interface SmsGatewayConfig {
  url: string;
  method: 'POST' | 'PUT' | 'GET';
  /** The request body with `{phone}` and `{text}` markers, JSON-escaped where the content type is JSON. */
  body: string;
  contentType: string;
  /** An Authorization header value, if the gateway needs one. */
  authorization?: string;
  /** Where the gateway's message id is in a JSON answer (a top-level field name). */
  messageIdField?: string;
  timeoutMs?: number;
}

/**
 * Sends one SMS through the configured gateway, with the egress policy's fetch: the gateway URL (and every
 * redirect it answers) must not lead inside the network unless allow-listed. A refusal is not retried.
 */
export async function sendSms(config: SmsGatewayConfig | null, phone: string, text: string, outboundFetch: OutboundFetch): Promise<string> {
  if (!config) throw new DeliveryError('no SMS gateway is configured', false);
  const json = config.contentType.includes('json');
  const escape = (v: string) => (json ? JSON.stringify(v).slice(1, -1) : encodeURIComponent(v));
  const fill = (template: string) => template.replaceAll('{phone}', escape(phone)).replaceAll('{text}', escape(text));
  const url = config.method === 'GET' ? fill(config.url) : config.url;
  let answer: Response;
  let body: string;
  try {
    answer = await outboundFetch(url, {
      method: config.method,
      headers: { 'content-type': config.contentType, ...(config.authorization ? { authorization: config.authorization } : {}) },
      body: config.method === 'GET' ? undefined : fill(config.body),
      signal: AbortSignal.timeout(config.timeoutMs ?? 10_000),
      redirect: 'follow',
    });
    body = await answer.text();
  } catch (err) {
    if (err instanceof EgressRefusedError) throw new DeliveryError(`SMS gateway: egress refused: ${err.message}`, false);
    throw new DeliveryError(`SMS gateway unreachable: ${(err as Error).message}`);
  }
  if (!answer.ok) throw new DeliveryError(`SMS gateway answered ${answer.status}${gatewayText(body)}`);
  if (config.messageIdField) {
    try {
      const id = (JSON.parse(body) as Record<string, unknown>)[config.messageIdField];
      if (id !== undefined && id !== null) return String(id);
    } catch {
      // Not JSON: the answer's status is what counts.
    }
  }
  return `http-${answer.status}`;
}

/** A gateway's error answer in the notification log: its JSON, shortened; any other text (a page) is not shown. */
function gatewayText(body: string): string {
  try {
    JSON.parse(body);
    return `: ${body.slice(0, 300)}`;
  } catch {
    return body ? ` (${body.length} characters, not JSON, not shown)` : '';
  }
}
