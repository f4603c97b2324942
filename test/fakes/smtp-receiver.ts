/**
 * A real SMTP server (smtp-server) standing in for the mail relay, an EXTERNAL party: messages arrive over
 * the wire and are parsed with mailparser. It can refuse the next N messages with a temporary error, or
 * be stopped and started again on the same port, to play a mail server that is down.
 */
import type { AddressInfo } from 'node:net';
import { simpleParser, type ParsedMail } from 'mailparser';
import { SMTPServer } from 'smtp-server';

export interface ReceivedMail {
  /** The user the client authenticated as (servers started with `credentials`). */
  user: string | null;
  to: string[];
  from: string;
  subject: string;
  text: string;
  html: string | null;
  messageId: string | null;
  parsed: ParsedMail;
}

export interface SmtpReceiver {
  url: string;
  port: number;
  received: ReceivedMail[];
  /** The next `n` messages are refused with 451 (a temporary failure). */
  refuseNext(n: number): void;
  close(): Promise<void>;
}

/** `credentials`: the server asks for them (AUTH PLAIN/LOGIN over the plain connection) and refuses others. */
export async function startSmtpReceiver({ credentials }: { credentials?: { user: string; password: string } } = {}): Promise<SmtpReceiver> {
  const received: ReceivedMail[] = [];
  let refuse = 0;
  const server = new SMTPServer({
    authOptional: !credentials,
    allowInsecureAuth: true,
    disabledCommands: ['STARTTLS'],
    onAuth(auth, _session, callback) {
      if (credentials && auth.username === credentials.user && auth.password === credentials.password) callback(null, { user: auth.username });
      else callback(new Error('invalid credentials'));
    },
    logger: false,
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        if (refuse > 0) {
          refuse -= 1;
          const err = new Error('mailbox busy, try again later') as Error & { responseCode: number };
          err.responseCode = 451;
          callback(err);
          return;
        }
        void simpleParser(Buffer.concat(chunks)).then((parsed) => {
          received.push({
            user: typeof session.user === 'string' ? session.user : null,
            to: session.envelope.rcptTo.map((r) => r.address),
            from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
            subject: parsed.subject ?? '',
            text: parsed.text ?? '',
            html: typeof parsed.html === 'string' ? parsed.html : null,
            messageId: parsed.messageId ?? null,
            parsed,
          });
          callback();
        }, callback);
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.server.address() as AddressInfo).port;
  return {
    url: `smtp://127.0.0.1:${port}`,
    port,
    received,
    refuseNext(n) {
      refuse = n;
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
