/**
 * A real HTTP server playing an EXTERNAL vendor that speaks the `http-vendor` protocol. It is deliberately
 * a separate process-like thing (own socket, own state) so tests exercise the wire, the signature and the
 * idempotency behaviour exactly as production would, including the nasty cases: a vendor that acts even
 * though the caller gave up, and a vendor that acts and then loses the connection.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { matchVendorRoute, verifyVendorSignature, type VendorOperation } from '../../operations/plugins/adapters/http-vendor-protocol';
import { closeServer, listenOn, noRoute, readVendorRequest, sendJson, type VendorRequest } from '../../demo/vendor';
import { createVendorStore, type VendorResource, type VendorStoreOptions, type VendorUsageRecord } from '../../demo/vendor-store';

export interface FakeVendorCall {
  method: string;
  /** Pathname + search exactly as received (still percent-encoded). */
  path: string;
  /** The route the request matched; null for unknown routes. */
  operation: VendorOperation | null;
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

export interface FakeVendorOptions extends VendorStoreOptions {
  secret: string;
  /** When set, requests must carry `Authorization: Bearer <apiKey>` or get 401. */
  apiKey?: string;
  /** Random faults on any request, for chaos tests; off unless given. */
  faults?: FakeVendorFaults;
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
  readonly resources: readonly Readonly<VendorResource>[];
  /** Snapshot of every received request, in arrival order. */
  readonly calls: readonly Readonly<FakeVendorCall>[];
  callsFor(filter: VendorOperation | ((call: Readonly<FakeVendorCall>) => boolean)): Readonly<FakeVendorCall>[];
  resource(id: string): Readonly<VendorResource> | undefined;
  resourceByKey(idempotencyKey: string): Readonly<VendorResource> | undefined;
  /** The vendor meters usage of a resource: what `GET /resources/{id}/usage` pages (issue 20). */
  addUsage(id: string, records: VendorUsageRecord[]): void;
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
  doubleEffects(): Array<{ resourceId: string | null; operation: VendorOperation | null; idempotencyKey: string | null }>;
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

export async function startFakeVendor(options: FakeVendorOptions): Promise<FakeVendor> {
  let store = createVendorStore(options);
  let calls: FakeVendorCall[] = [];
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
      if (!res.headersSent && !res.destroyed) sendJson(res, 500, { error: `fake vendor crashed: ${String(err)}` });
    });
    inFlight.add(work);
    void work.finally(() => inFlight.delete(work));
  });

  /**
   * The protocol as the demo vendor answers it (the store), with the fake's behaviours around it: injected
   * failures and faults first, the API key after the signature, then holds, delays and dropped answers.
   */
  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    let request: VendorRequest;
    try {
      request = await readVendorRequest(req);
    } catch {
      return; // The client went away before the request was complete: nothing reached the vendor.
    }
    const route = matchVendorRoute(request.method, request.path);
    const call = recordCall(request, route);

    const answer = (status: number, payload: unknown) => {
      if (res.destroyed || res.socket?.destroyed) return; // The caller gave up; the vendor may still have acted.
      call.status = status;
      sendJson(res, status, payload);
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
    if (!route) {
      const { status, payload } = noRoute(request);
      return answer(status, payload);
    }

    if (!(await waitIfHeld(call, answer))) return;

    const result = store.apply(route, request);
    call.replayed = result.replayed;
    if (drops > 0) {
      drops -= 1;
      call.dropped = true;
      req.socket.destroy();
      return;
    }
    answer(result.status, result.payload);
  }

  function recordCall(request: VendorRequest, route: ReturnType<typeof matchVendorRoute>): FakeVendorCall {
    const { method, path, body, json, idempotencyKey, authorization } = request;
    const call: FakeVendorCall = {
      method,
      path,
      operation: route?.operation ?? null,
      resourceId: route?.resourceId ?? null,
      idempotencyKey,
      body,
      json,
      signatureValid: verifyVendorSignature(options.secret, request),
      authorization,
      at: new Date(),
      status: null,
      dropped: false,
      replayed: false,
      fault: null,
    };
    calls.push(call);
    return call;
  }

  /**
   * Holds and delays: false when the request must not go on (refused on release, or the vendor closed meanwhile).
   * A slow fault is a delay of at least `faults.slowMs`.
   */
  async function waitIfHeld(call: FakeVendorCall, answer: (status: number, payload: unknown) => void): Promise<boolean> {
    const held = holds.findIndex((h) => h.match(call));
    if (held >= 0) {
      const [hold] = holds.splice(held, 1);
      hold!.arrive({ ...call });
      const refusal = await hold!.released;
      if (closed) return false;
      if (refusal) {
        answer(refusal.status, { error: refusal.error });
        return false;
      }
    }
    const queued = delays.shift();
    const delay = call.fault === 'slow' ? Math.max(queued ?? 0, options.faults?.slowMs ?? 0) : queued;
    if (delay !== undefined) {
      await sleep(delay);
      if (closed) return false;
    }
    return true;
  }

  function randomFault(): FakeVendorCall['fault'] {
    const faults = options.faults;
    if (!faults || random() >= faults.rate) return null;
    return random() < (faults.slowShare ?? 0.5) ? 'slow' : 'error';
  }

  const url = await listenOn(server, 0, '127.0.0.1');

  const snapshotResource = (r: VendorResource): VendorResource => ({
    ...r,
    operations: r.operations.map((op) => ({ ...op })),
  });

  return {
    url,
    get resources() {
      return store.resources.map(snapshotResource);
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
      const found = store.resource(id);
      return found && snapshotResource(found);
    },
    resourceByKey(key) {
      const found = store.resourceByKey(key);
      return found && snapshotResource(found);
    },
    addUsage(id, records) {
      store.addUsage(id, records);
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
      for (const r of store.resources) {
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
      store = createVendorStore(options);
      calls = [];
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
      await closeServer(server);
    },
  };
}
