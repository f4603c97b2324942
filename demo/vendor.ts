/**
 * A demo vendor: a small HTTP server that speaks the `http-vendor` protocol (README, "Using the API") and keeps its
 * resources in memory, so a newcomer's first purchase has somebody to provision at (`npm run vendor:demo`). It does
 * what the protocol asks of a real vendor: it checks the signature and deduplicates by `Idempotency-Key`, so a
 * retried create answers the resource it already made. Everything is gone when it stops.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { matchVendorRoute, verifyVendorSignature, type VendorOperation, type VendorRoute } from '../operations/plugins/adapters/http-vendor-protocol';

export interface VendorResource {
  id: string;
  /** The Idempotency-Key of the create that made it. */
  idempotencyKey: string;
  state: 'active' | 'suspended' | 'deleted';
  /** The create body. */
  body: unknown;
  createdAt: Date;
  /** The operations applied after create, in order, once per idempotency key. */
  operations: Array<{ operation: VendorOperation; idempotencyKey: string; body: unknown; at: Date }>;
}

export interface VendorAnswer {
  status: number;
  payload: unknown;
  /** The idempotency key had been applied before: nothing changed. */
  replayed: boolean;
}

/** The vendor's books: resources by id and by the key that created them, and what each request does to them. */
export function createVendorStore() {
  const resources: VendorResource[] = [];
  const byKey = new Map<string, VendorResource>();
  const answer = (status: number, payload: unknown, replayed = false): VendorAnswer => ({ status, payload, replayed });
  const find = (id: string | null) => (id === null ? undefined : resources.find((r) => r.id === id));

  function create(key: string, body: unknown): VendorAnswer {
    const existing = byKey.get(key);
    if (existing) return answer(200, describe(existing), true);
    if (!body || typeof body !== 'object' || Array.isArray(body)) return answer(400, { error: 'body must be a JSON object' });
    const resource: VendorResource = { id: `res-${String(resources.length + 1).padStart(6, '0')}`, idempotencyKey: key, state: 'active', body, createdAt: new Date(), operations: [] };
    resources.push(resource);
    byKey.set(key, resource);
    return answer(201, describe(resource));
  }

  /** Applies one request; `key` is its Idempotency-Key header. */
  function apply(route: VendorRoute, key: string | null, body: unknown): VendorAnswer {
    if (route.operation === 'status') {
      const found = route.key !== null ? byKey.get(route.key) : find(route.resourceId);
      return found ? answer(200, describe(found)) : answer(404, { error: 'resource not found' });
    }
    // Without a key a retry could not be told from a new request: the protocol requires one on every change.
    if (!key) return answer(400, { error: 'Idempotency-Key header is required' });
    if (route.operation === 'create') return create(key, body);
    const resource = find(route.resourceId);
    if (!resource) return answer(404, { error: 'resource not found' });
    if (resource.operations.some((op) => op.operation === route.operation && op.idempotencyKey === key)) return answer(200, describe(resource), true);
    if (resource.state === 'deleted' && route.operation !== 'delete') return answer(409, { error: `resource ${resource.id} is deleted` });
    if (route.operation === 'stop') resource.state = 'suspended';
    else if (route.operation === 'activate' || ((route.operation === 'renew' || route.operation === 'prolong') && (body as { resume?: unknown } | undefined)?.resume === true)) resource.state = 'active';
    else if (route.operation === 'delete') resource.state = 'deleted';
    resource.operations.push({ operation: route.operation, idempotencyKey: key, body, at: new Date() });
    return answer(200, describe(resource));
  }

  return { apply, resources: resources as readonly VendorResource[] };
}

function describe(resource: VendorResource) {
  return { id: resource.id, state: resource.state, idempotencyKey: resource.idempotencyKey, createdAt: resource.createdAt.toISOString() };
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
    handle(req, res).catch((err: unknown) => send(res, 500, { error: `demo vendor failed: ${String(err)}` }));
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const method = (req.method ?? 'GET').toUpperCase();
    const path = req.url ?? '/';
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const body = Buffer.concat(chunks).toString('utf8');
    const header = (name: string) => (typeof req.headers[name] === 'string' ? (req.headers[name] as string) : null);
    const key = header('idempotency-key');
    const result = ((): VendorAnswer => {
      const route = matchVendorRoute(method, path);
      if (!verifyVendorSignature(secret, { timestamp: header('x-timestamp'), signature: header('x-signature'), method, path, body })) {
        return { status: 401, payload: { error: "invalid signature: the service template's settings.secret must be this vendor's secret" }, replayed: false };
      }
      if (!route) return { status: 404, payload: { error: `no route for ${method} ${path.split('?')[0]}` }, replayed: false };
      return store.apply(route, key, parseJson(body));
    })();
    const id = (result.payload as { id?: string }).id;
    log(`${method} ${path} key=${key ?? '-'} -> ${result.status}${id ? ` ${id}` : ''}${result.replayed ? ' (replayed: already done)' : ''}`);
    send(res, result.status, result.payload);
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  return {
    url: `http://${host}:${address.port}`,
    resources: store.resources,
    close: () => new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}

function parseJson(text: string): unknown {
  if (!text) return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

function send(res: ServerResponse, status: number, payload: unknown): void {
  const text = JSON.stringify(payload);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}
