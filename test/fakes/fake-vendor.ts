/**
 * A real HTTP server playing an EXTERNAL vendor that speaks the `http-vendor` protocol. It is deliberately
 * a separate process-like thing (own socket, own state) so tests exercise the wire, the signature and the
 * idempotency behaviour exactly as production would, including the nasty cases: a vendor that acts even
 * though the caller gave up, and a vendor that acts and then loses the connection.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { timingSafeEqual } from 'node:crypto';
import { signVendorRequest } from '../../operations/plugins/adapters/http-vendor';

export type FakeVendorOperation =
  | 'create'
  | 'renew'
  | 'prolong'
  | 'change_resources'
  | 'switch_plan'
  | 'stop'
  | 'activate'
  | 'delete'
  | 'status';

export interface FakeVendorCall {
  method: string;
  /** Pathname + search exactly as received (still percent-encoded). */
  path: string;
  /** The route the request matched; null for unknown routes. */
  operation: FakeVendorOperation | null;
  /** The resource addressed by the path (`/resources/:id...`), if any. */
  resourceId: string | null;
  idempotencyKey: string | null;
  /** The raw body string. */
  body: string;
  /** The body parsed as JSON, or undefined when empty/invalid. */
  json: unknown;
  signatureValid: boolean;
  authorization: string | null;
  at: Date;
  /** HTTP status answered; null while pending or when the socket was dropped / the client went away. */
  status: number | null;
  /** The connection was destroyed on purpose after processing (`dropAfterProcessingNext`). */
  dropped: boolean;
  /** A dedupe hit: the idempotency key had already been applied, nothing changed. */
  replayed: boolean;
  /** A random fault (`FakeVendorOptions.faults`) hit this request: a 5xx answer or a slow one. */
  fault: 'error' | 'slow' | null;
}

export interface FakeVendorOperationRecord {
  operation: FakeVendorOperation;
  idempotencyKey: string | null;
  body: unknown;
  at: Date;
}

export interface FakeVendorResource {
  id: string;
  /** The Idempotency-Key of the create that produced it. */
  idempotencyKey: string;
  state: 'active' | 'suspended' | 'deleted';
  /** The create body, parsed. */
  body: unknown;
  createdAt: Date;
  /** Every applied operation after create (renew, stop, ...), in order, deduplicated by key. */
  operations: FakeVendorOperationRecord[];
}

export interface FakeVendorOptions {
  secret: string;
  /** When set, requests must carry `Authorization: Bearer <apiKey>` or get 401. */
  apiKey?: string;
  /** Random faults on any request, for chaos tests; off unless given. */
  faults?: FakeVendorFaults;
  /**
   * `create` only: the vendor deduplicates creates by their Idempotency-Key but acts on every other request it
   * receives, so a renew or stop sent twice acts twice (an effect listed twice under one key in `operations`).
   * Such a vendor relies on the caller asking `status` before it sends an operation again. Default `all`.
   */
  deduplicates?: 'all' | 'create';
}

/** A request held by `hold()` before the vendor acts on it. */
export interface FakeVendorHold {
  /** Resolves with the held request once it arrives. */
  readonly arrived: Promise<Readonly<FakeVendorCall>>;
  /**
   * Lets the request go on: the vendor acts on it and answers, if the caller is still there. With `refuse` it
   * answers that error instead and does nothing (a vendor that took its time, then said no).
   */
  release(refuse?: { status: number; error: string }): void;
}

/**
 * A vendor that fails a share of all requests: half of the failures (by default) answer 500/502/503/504
 * before anything happens, the other half are held past the caller's timeout and then processed anyway
 * (the vendor acted, the caller never heard).
 */
export interface FakeVendorFaults {
  /** Share of requests that fail, 0..1. */
  rate: number;
  /** How long a slow request is held before it is processed and answered. */
  slowMs: number;
  /** Share of the failures that are slow rather than 5xx, 0..1 (default 0.5). */
  slowShare?: number;
  /** Source of randomness in [0, 1); a seeded one makes a run repeatable. Default Math.random. */
  random?: () => number;
}

export interface FakeVendor {
  /** Base URL, e.g. `http://127.0.0.1:41234` (no trailing slash). */
  readonly url: string;
  /** Snapshot of the resources, in creation order. */
  readonly resources: readonly Readonly<FakeVendorResource>[];
  /** Snapshot of every received request, in arrival order. */
  readonly calls: readonly Readonly<FakeVendorCall>[];
  callsFor(filter: FakeVendorOperation | ((call: Readonly<FakeVendorCall>) => boolean)): Readonly<FakeVendorCall>[];
  resource(id: string): Readonly<FakeVendorResource> | undefined;
  resourceByKey(idempotencyKey: string): Readonly<FakeVendorResource> | undefined;
  /** The next n requests answer `status` with a JSON error before anything else happens. */
  failNext(n: number, status?: number): void;
  /** The next n requests are rejected (a permanent-looking 4xx) with `{ error: message }`. */
  rejectNext(n: number, status?: number, message?: string): void;
  /** The next n requests are held `ms` before being processed and answered; they are processed even if the client left. */
  delayNext(n: number, ms: number): void;
  /** The next n requests are processed, then their connection is destroyed without an answer. */
  dropAfterProcessingNext(n: number): void;
  /**
   * Holds the next request `match` accepts (after the checks, before the vendor acts) until `release()`: a vendor
   * that takes its time. A held request is acted on when released even if its caller has gone.
   */
  hold(match: (call: Readonly<FakeVendorCall>) => boolean): FakeVendorHold;
  /**
   * Effects applied more than once: an operation listed twice under one key on a resource (only a vendor that
   * `deduplicates: 'create'` can show one), and requests the vendor recognised as repeats of an applied key.
   */
  doubleEffects(): Array<{ resourceId: string | null; operation: FakeVendorOperation | null; idempotencyKey: string | null }>;
  /** Resolves when no request is being held or processed (e.g. after a delayed request the client abandoned). */
  whenIdle(): Promise<void>;
  /** Forgets resources, calls and pending behaviours. */
  reset(): void;
  close(): Promise<void>;
}

interface InjectedFailure {
  status: number;
  error: string;
}

const FAULT_STATUSES = [500, 502, 503, 504];

const ACTION_ROUTES: Record<string, FakeVendorOperation> = {
  renew: 'renew',
  prolong: 'prolong',
  'change-resources': 'change_resources',
  'switch-plan': 'switch_plan',
  stop: 'stop',
  activate: 'activate',
};

export async function startFakeVendor(options: FakeVendorOptions): Promise<FakeVendor> {
  let resources: FakeVendorResource[] = [];
  let calls: FakeVendorCall[] = [];
  let resourceByKey = new Map<string, FakeVendorResource>();
  let nextId = 1;
  // One queue for fail and reject so interleaved calls (failNext then rejectNext) happen in that order.
  let failures: InjectedFailure[] = [];
  let delays: number[] = [];
  let drops = 0;
  type Refusal = { status: number; error: string } | undefined;
  let holds: Array<{ match: (call: Readonly<FakeVendorCall>) => boolean; arrive: (call: Readonly<FakeVendorCall>) => void; released: Promise<Refusal> }> = [];
  const releases = new Set<() => void>();
  const inFlight = new Set<Promise<void>>();
  const random = options.faults?.random ?? Math.random;
  const timers = new Set<NodeJS.Timeout>();
  let closed = false;

  const sleep = (ms: number) =>
    new Promise<void>((resolve) => {
      const timer = setTimeout(() => {
        timers.delete(timer);
        resolve();
      }, ms);
      timers.add(timer);
    });

  const server = createServer((req, res) => {
    const work = handle(req, res).catch((err: unknown) => {
      if (!res.headersSent && !res.destroyed) send(res, 500, { error: `fake vendor crashed: ${String(err)}` });
    });
    inFlight.add(work);
    void work.finally(() => inFlight.delete(work));
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const method = (req.method ?? 'GET').toUpperCase();
    const path = req.url ?? '/';
    let body: string;
    try {
      const chunks: Buffer[] = [];
      for await (const chunk of req) chunks.push(chunk as Buffer);
      body = Buffer.concat(chunks).toString('utf8');
    } catch {
      return; // The client went away before the request was complete: nothing reached the vendor.
    }

    const route = matchRoute(method, path);
    const header = (name: string) => {
      const value = req.headers[name];
      return typeof value === 'string' ? value : null;
    };
    const call: FakeVendorCall = {
      method,
      path,
      operation: route?.operation ?? null,
      resourceId: route?.resourceId ?? null,
      idempotencyKey: header('idempotency-key'),
      body,
      json: parseJson(body),
      signatureValid: verifySignature(options.secret, {
        timestamp: header('x-timestamp'),
        signature: header('x-signature'),
        method,
        path,
        body,
      }),
      authorization: header('authorization'),
      at: new Date(),
      status: null,
      dropped: false,
      replayed: false,
      fault: null,
    };
    calls.push(call);

    const answer = (status: number, payload: unknown) => {
      if (res.destroyed || res.socket?.destroyed) return; // The caller gave up; the vendor may still have acted.
      call.status = status;
      send(res, status, payload);
    };

    const failure = failures.shift();
    if (failure) return answer(failure.status, { error: failure.error });
    call.fault = randomFault();
    if (call.fault === 'error') {
      const status = FAULT_STATUSES[Math.floor(random() * FAULT_STATUSES.length)] ?? 503;
      return answer(status, { error: `injected fault (HTTP ${status})` });
    }

    if (!call.signatureValid) return answer(401, { error: 'invalid signature' });
    if (options.apiKey !== undefined && call.authorization !== `Bearer ${options.apiKey}`) {
      return answer(401, { error: 'invalid api key' });
    }
    if (!route) return answer(404, { error: `no route for ${method} ${path.split('?')[0]}` });

    const held = holds.findIndex((h) => h.match(call));
    if (held >= 0) {
      const [hold] = holds.splice(held, 1);
      hold!.arrive({ ...call });
      const refusal = await hold!.released;
      if (closed) return;
      if (refusal) return answer(refusal.status, { error: refusal.error });
    }

    const queued = delays.shift();
    const delay = call.fault === 'slow' ? Math.max(queued ?? 0, options.faults?.slowMs ?? 0) : queued;
    if (delay !== undefined) {
      await sleep(delay);
      if (closed) return;
    }

    const result = apply(route, call);
    if (drops > 0) {
      drops -= 1;
      call.dropped = true;
      req.socket.destroy();
      return;
    }
    answer(result.status, result.payload);
  }

  function apply(
    route: { operation: FakeVendorOperation; resourceId: string | null; key: string | null },
    call: FakeVendorCall,
  ): { status: number; payload: unknown } {
    const { operation } = route;

    if (operation === 'status' && route.resourceId !== null && route.key !== null) {
      // Reconciliation of an operation: did the one sent under this key take effect?
      const resource = findResource(route.resourceId);
      const asked = new URLSearchParams(call.path.split('?')[1] ?? '').get('operation');
      const applied = resource?.operations.find((op) => op.idempotencyKey === route.key && (asked === null || op.operation === asked));
      if (!resource || !applied) return { status: 404, payload: { error: 'no operation under this key' } };
      return { status: 200, payload: { ...describe(resource), operation: applied.operation, idempotencyKey: applied.idempotencyKey, appliedAt: applied.at.toISOString() } };
    }
    if (operation === 'status') {
      const found = route.key !== null ? resourceByKey.get(route.key) : findResource(route.resourceId);
      if (!found) return { status: 404, payload: { error: 'resource not found' } };
      return { status: 200, payload: describe(found) };
    }

    // A vendor that cannot deduplicate is exactly what the protocol exists to prevent, so insist on the key.
    if (!call.idempotencyKey) return { status: 400, payload: { error: 'Idempotency-Key header is required' } };

    if (operation === 'create') {
      const existing = resourceByKey.get(call.idempotencyKey);
      if (existing) {
        call.replayed = true;
        return { status: 200, payload: describe(existing) };
      }
      if (!call.json || typeof call.json !== 'object' || Array.isArray(call.json)) {
        return { status: 400, payload: { error: 'body must be a JSON object' } };
      }
      const resource: FakeVendorResource = {
        id: `res-${String(nextId++).padStart(6, '0')}`,
        idempotencyKey: call.idempotencyKey,
        state: 'active',
        body: call.json,
        createdAt: new Date(),
        operations: [],
      };
      resources.push(resource);
      resourceByKey.set(resource.idempotencyKey, resource);
      return { status: 201, payload: describe(resource) };
    }

    const resource = findResource(route.resourceId);
    if (!resource) return { status: 404, payload: { error: 'resource not found' } };

    const applied = resource.operations.some(
      (op) => op.operation === operation && op.idempotencyKey === call.idempotencyKey,
    );
    if (applied && options.deduplicates !== 'create') {
      call.replayed = true;
      return { status: 200, payload: describe(resource) };
    }
    if (resource.state === 'deleted' && operation !== 'delete') {
      return { status: 409, payload: { error: `resource ${resource.id} is deleted` } };
    }

    if (operation === 'stop') resource.state = 'suspended';
    else if (operation === 'activate') resource.state = 'active';
    else if (operation === 'delete') resource.state = 'deleted';
    // A renewal or prolongation of a suspended resource resumes it when asked to (as real vendors do).
    else if ((operation === 'renew' || operation === 'prolong') && (call.json as { resume?: boolean } | null)?.resume === true) resource.state = 'active';
    resource.operations.push({ operation, idempotencyKey: call.idempotencyKey, body: call.json, at: new Date() });
    return { status: 200, payload: describe(resource) };
  }

  function randomFault(): FakeVendorCall['fault'] {
    const faults = options.faults;
    if (!faults || random() >= faults.rate) return null;
    return random() < (faults.slowShare ?? 0.5) ? 'slow' : 'error';
  }

  function findResource(id: string | null): FakeVendorResource | undefined {
    return id === null ? undefined : resources.find((r) => r.id === id);
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;

  const snapshotResource = (r: FakeVendorResource): FakeVendorResource => ({
    ...r,
    operations: r.operations.map((op) => ({ ...op })),
  });

  return {
    url: `http://127.0.0.1:${port}`,
    get resources() {
      return resources.map(snapshotResource);
    },
    get calls() {
      return calls.map((c) => ({ ...c }));
    },
    callsFor(filter) {
      const predicate =
        typeof filter === 'function' ? filter : (call: Readonly<FakeVendorCall>) => call.operation === filter;
      return calls.filter(predicate).map((c) => ({ ...c }));
    },
    resource(id) {
      const found = findResource(id);
      return found && snapshotResource(found);
    },
    resourceByKey(key) {
      const found = resourceByKey.get(key);
      return found && snapshotResource(found);
    },
    failNext(n, status = 503) {
      for (let i = 0; i < n; i++) failures.push({ status, error: `injected failure (HTTP ${status})` });
    },
    rejectNext(n, status = 422, message = 'request rejected by vendor') {
      for (let i = 0; i < n; i++) failures.push({ status, error: message });
    },
    delayNext(n, ms) {
      for (let i = 0; i < n; i++) delays.push(ms);
    },
    dropAfterProcessingNext(n) {
      drops += n;
    },
    hold(match) {
      let arrive: (call: Readonly<FakeVendorCall>) => void = () => {};
      let release: (refusal: Refusal) => void = () => {};
      const arrived = new Promise<Readonly<FakeVendorCall>>((resolve) => (arrive = resolve));
      const released = new Promise<Refusal>((resolve) => (release = resolve));
      const onClose = () => release(undefined);
      releases.add(onClose);
      holds.push({ match, arrive, released });
      return {
        arrived,
        release(refuse) {
          releases.delete(onClose);
          release(refuse);
        },
      };
    },
    doubleEffects() {
      const doubles: ReturnType<FakeVendor['doubleEffects']> = [];
      for (const r of resources) {
        const seen = new Set<string>();
        for (const op of r.operations) {
          const key = `${op.operation} ${op.idempotencyKey}`;
          if (seen.has(key)) doubles.push({ resourceId: r.id, operation: op.operation, idempotencyKey: op.idempotencyKey });
          seen.add(key);
        }
      }
      for (const c of calls) if (c.replayed) doubles.push({ resourceId: c.resourceId, operation: c.operation, idempotencyKey: c.idempotencyKey });
      return doubles;
    },
    async whenIdle() {
      while (inFlight.size > 0) await Promise.allSettled([...inFlight]);
    },
    reset() {
      resources = [];
      calls = [];
      resourceByKey = new Map();
      nextId = 1;
      failures = [];
      delays = [];
      drops = 0;
      holds = [];
    },
    async close() {
      closed = true;
      for (const release of releases) release();
      for (const timer of timers) clearTimeout(timer);
      timers.clear();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

function matchRoute(
  method: string,
  rawPath: string,
): { operation: FakeVendorOperation; resourceId: string | null; key: string | null } | null {
  const pathname = rawPath.split('?')[0] ?? '';
  let segments: string[];
  try {
    // Split before decoding: an idempotency key like `wf-1/steps/0` arrives as one `%2F`-encoded segment.
    segments = pathname.split('/').filter(Boolean).map(decodeURIComponent);
  } catch {
    return null;
  }
  if (segments[0] !== 'resources') return null;
  const [, second, third, ...rest] = segments;
  if (rest.length > 0 && third !== 'operations') return null;

  if (second === undefined) return method === 'POST' ? { operation: 'create', resourceId: null, key: null } : null;
  if (second === 'by-key') {
    return method === 'GET' && third !== undefined && segments.length === 3
      ? { operation: 'status', resourceId: null, key: third }
      : null;
  }
  if (third === 'operations') {
    // `GET /resources/:id/operations/:key[?operation=renew]`: whether the operation sent under that key took effect.
    return method === 'GET' && rest.length === 1 ? { operation: 'status', resourceId: second, key: rest[0]! } : null;
  }
  if (third === undefined) {
    if (method === 'GET') return { operation: 'status', resourceId: second, key: null };
    if (method === 'DELETE') return { operation: 'delete', resourceId: second, key: null };
    return null;
  }
  const action = ACTION_ROUTES[third];
  return method === 'POST' && action ? { operation: action, resourceId: second, key: null } : null;
}

function verifySignature(
  secret: string,
  req: { timestamp: string | null; signature: string | null; method: string; path: string; body: string },
): boolean {
  if (!req.timestamp || !req.signature || !/^\d+$/.test(req.timestamp)) return false;
  const expected = Buffer.from(
    signVendorRequest({ secret, timestamp: req.timestamp, method: req.method, path: req.path, body: req.body }),
  );
  const given = Buffer.from(req.signature);
  return expected.length === given.length && timingSafeEqual(expected, given);
}

function describe(resource: FakeVendorResource) {
  return {
    id: resource.id,
    state: resource.state,
    idempotencyKey: resource.idempotencyKey,
    createdAt: resource.createdAt.toISOString(),
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
