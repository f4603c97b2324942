/**
 * A demo vendor: a small HTTP server that speaks the `http-vendor` protocol (README, "Using the API") and keeps its
 * resources in memory, so a newcomer's first purchase has somebody to provision at (`npm run vendor:demo`). It does
 * what the protocol asks of a real vendor: it checks the signature and deduplicates by `Idempotency-Key`, so a
 * retried create answers the resource it already made. Everything is gone when it stops.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { matchVendorRoute, parseVendorJson, verifyVendorSignature, type SignedRequest } from '../operations/plugins/adapters/http-vendor-protocol';
import { createVendorStore, type VendorAnswer, type VendorResource } from './vendor-store';

/** A request as a vendor reads it off the wire. */
export interface VendorRequest extends SignedRequest {
  idempotencyKey: string | null;
  authorization: string | null;
  /** The body parsed as JSON, or undefined when empty or invalid. */
  json: unknown;
}

/** Reads a whole request; rejects when the caller goes away before it is complete. */
export async function readVendorRequest(req: IncomingMessage): Promise<VendorRequest> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  const body = Buffer.concat(chunks).toString('utf8');
  const header = (name: string) => {
    const value = req.headers[name];
    return typeof value === 'string' ? value : null;
  };
  return {
    method: (req.method ?? 'GET').toUpperCase(),
    path: req.url ?? '/',
    body,
    json: parseVendorJson(body),
    timestamp: header('x-timestamp'),
    signature: header('x-signature'),
    idempotencyKey: header('idempotency-key'),
    authorization: header('authorization'),
  };
}

/** The answer to a request no route of the protocol matches. */
export const noRoute = ({ method, path }: VendorRequest): VendorAnswer => ({ status: 404, payload: { error: `no route for ${method} ${path.split('?')[0]}` }, replayed: false });

export function sendJson(res: ServerResponse, status: number, payload: unknown): void {
  const text = JSON.stringify(payload);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

/** Listens on host:port (0: any free port) and answers the base URL. */
export async function listenOn(server: Server, port: number, host: string): Promise<string> {
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  return `http://${host}:${(server.address() as AddressInfo).port}`;
}

/** Closes the server and the connections it still holds (keep-alive ones would keep it open). */
export function closeServer(server: Server): Promise<void> {
  server.closeAllConnections();
  return new Promise<void>((resolve) => server.close(() => resolve()));
}

export interface DemoVendorOptions {
  /** The shared secret: the service template's `settings.secret`. */
  secret: string;
  port?: number;
  host?: string;
  /** One line per request (default: none). */
  log?: (line: string) => void;
}

export interface DemoVendor {
  url: string;
  resources: readonly VendorResource[];
  close(): Promise<void>;
}

export async function startDemoVendor({ secret, port = 0, host = '127.0.0.1', log = () => {} }: DemoVendorOptions): Promise<DemoVendor> {
  const store = createVendorStore();
  const server = createServer((req, res) => {
    handle(req, res).catch((err: unknown) => sendJson(res, 500, { error: `demo vendor failed: ${String(err)}` }));
  });

  /** The demo's meter: one vCPU-day a day per resource, measured when the platform asks (a real vendor meters by itself). */
  function meterToday(id: string) {
    const resource = store.resource(id);
    const today = new Date().toISOString().slice(0, 10);
    if (resource && !resource.usage.some((u) => u.usedAt === today)) store.addUsage(id, [{ recordId: `${id}-${today}`, resource: 'cpu', quantity: 1, usedAt: today, periodDays: 1, unitPrice: 1000 }]);
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const request = await readVendorRequest(req);
    const { method, path, idempotencyKey: key } = request;
    const result = ((): VendorAnswer => {
      const route = matchVendorRoute(method, path);
      if (!verifyVendorSignature(secret, request)) {
        return { status: 401, payload: { error: "invalid signature: the service template's settings.secret must be this vendor's secret" }, replayed: false };
      }
      if (route?.operation === 'usage' && route.resourceId) meterToday(route.resourceId);
      return route ? store.apply(route, request) : noRoute(request);
    })();
    const id = (result.payload as { id?: string }).id;
    log(`${method} ${path} key=${key ?? '-'} -> ${result.status}${id ? ` ${id}` : ''}${result.replayed ? ' (replayed: already done)' : ''}`);
    sendJson(res, result.status, result.payload);
  }

  return { url: await listenOn(server, port, host), resources: store.resources, close: () => closeServer(server) };
}
