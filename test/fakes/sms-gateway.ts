/**
 * A real HTTP server playing an EXTERNAL SMS gateway: it accepts JSON `{ to, text }`, answers
 * `{ id }`, can be told to answer 500 for a while, like a gateway that is down, and to redirect the next
 * request elsewhere, like a gateway that moved (or one that tries to send us to an internal address).
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface FakeSmsGateway {
  url: string;
  messages: Array<{ to: string; text: string; authorization: string | null }>;
  /** Every request answers 500 until `failing(false)`. */
  failing(on: boolean): void;
  /** The next request is answered `307 Location: <location>` (a redirect that keeps the method and body). */
  redirectNext(location: string): void;
  requests: number;
  close(): Promise<void>;
}

export async function startFakeSmsGateway(): Promise<FakeSmsGateway> {
  let fail = false;
  let redirect: string | null = null;
  const gateway: FakeSmsGateway = {
    url: '',
    messages: [],
    requests: 0,
    failing(on) {
      fail = on;
    },
    redirectNext(location) {
      redirect = location;
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      gateway.requests += 1;
      if (redirect) {
        res.writeHead(307, { location: redirect }).end();
        redirect = null;
        return;
      }
      if (fail) {
        res.writeHead(500, { 'content-type': 'application/json' }).end('{"error":"gateway overloaded"}');
        return;
      }
      try {
        const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { to: string; text: string };
        gateway.messages.push({ to: body.to, text: body.text, authorization: req.headers.authorization ?? null });
        res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ id: `sms-${gateway.messages.length}` }));
      } catch {
        res.writeHead(400).end('bad json');
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  gateway.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/send`;
  return gateway;
}
