/**
 * A vendor's books for the `http-vendor` protocol: resources in memory, and what each request does to them. The
 * one implementation of the protocol's vendor side, used by the demo vendor (`vendor.ts`) and by the tests' fake
 * vendor, which adds its fault injection on top.
 */
import type { VendorOperation, VendorRoute } from '../operations/plugins/adapters/http-vendor-protocol';

export interface VendorOperationRecord {
  operation: VendorOperation;
  idempotencyKey: string;
  body: unknown;
  at: Date;
}

export interface VendorResource {
  id: string;
  /** The Idempotency-Key of the create that made it. */
  idempotencyKey: string;
  state: 'active' | 'suspended' | 'deleted';
  /** The create body. */
  body: unknown;
  createdAt: Date;
  /** The operations applied after create (renew, stop, ...), in order, once per idempotency key. */
  operations: VendorOperationRecord[];
  /** Usage the vendor measured (pay-as-you-go, external), in the order it was measured: the `usage` route pages it. */
  usage: VendorUsageRecord[];
}

/** One usage record at the vendor, as `GET /resources/{id}/usage` answers it. */
export interface VendorUsageRecord {
  recordId: string;
  resource: string;
  quantity: number;
  usedAt: string;
  periodDays: number;
  unitPrice: number;
}

export interface VendorAnswer {
  status: number;
  payload: unknown;
  /** The idempotency key had been applied before: nothing changed. */
  replayed: boolean;
}

export interface VendorStoreOptions {
  /**
   * `create` only: the vendor deduplicates creates by their Idempotency-Key but acts on every other request it
   * receives, so a renew or stop sent twice acts twice (an effect listed twice under one key in `operations`).
   * Such a vendor relies on the caller asking `status` before it sends an operation again. Default `all`.
   */
  deduplicates?: 'all' | 'create';
}

/** What a request brings to the books besides its route: its Idempotency-Key header and its body as JSON. */
export interface VendorRequestInput {
  idempotencyKey: string | null;
  json: unknown;
}

export type VendorStore = ReturnType<typeof createVendorStore>;

/** The vendor's books: resources by id and by the key that created them, and what each request does to them. */
export function createVendorStore({ deduplicates = 'all' }: VendorStoreOptions = {}) {
  const resources: VendorResource[] = [];
  const byKey = new Map<string, VendorResource>();
  const answer = (status: number, payload: unknown, replayed = false): VendorAnswer => ({ status, payload, replayed });
  const find = (id: string | null) => (id === null ? undefined : resources.find((r) => r.id === id));

  /** `GET /resources/{id}/operations/{key}`: did the operation sent under this key take effect? */
  function operationStatus(route: VendorRoute): VendorAnswer {
    const resource = find(route.resourceId);
    const applied = resource?.operations.find((op) => op.idempotencyKey === route.key && (!route.asked || op.operation === route.asked));
    if (!resource || !applied) return answer(404, { error: 'no operation under this key' });
    return answer(200, { ...describe(resource), operation: applied.operation, idempotencyKey: applied.idempotencyKey, appliedAt: applied.at.toISOString() });
  }

  function status(route: VendorRoute): VendorAnswer {
    if (route.resourceId !== null && route.key !== null) return operationStatus(route);
    const found = route.key !== null ? byKey.get(route.key) : find(route.resourceId);
    return found ? answer(200, describe(found)) : answer(404, { error: 'resource not found' });
  }

  function create(key: string, body: unknown): VendorAnswer {
    const existing = byKey.get(key);
    if (existing) return answer(200, describe(existing), true);
    if (!body || typeof body !== 'object' || Array.isArray(body)) return answer(400, { error: 'body must be a JSON object' });
    const resource: VendorResource = { id: `res-${String(resources.length + 1).padStart(6, '0')}`, idempotencyKey: key, state: 'active', body, createdAt: new Date(), operations: [], usage: [] };
    resources.push(resource);
    byKey.set(key, resource);
    return answer(201, describe(resource));
  }

  /** `GET /resources/{id}/usage`: the records after the cursor (an offset into what was measured), a page at a time. */
  function usage(route: VendorRoute): VendorAnswer {
    const resource = find(route.resourceId);
    if (!resource) return answer(404, { error: 'resource not found' });
    const from = Number(route.cursor ?? 0);
    if (!Number.isInteger(from) || from < 0) return answer(400, { error: 'cursor: an offset this vendor gave' });
    const to = Math.min(resource.usage.length, from + (route.limit ?? 1000));
    return answer(200, { records: resource.usage.slice(from, to), nextCursor: String(to), hasMore: to < resource.usage.length });
  }

  /** Applies one request that the route has matched (its signature already checked). */
  function apply(route: VendorRoute, { idempotencyKey: key, json: body }: VendorRequestInput): VendorAnswer {
    if (route.operation === 'status') return status(route);
    if (route.operation === 'usage') return usage(route);
    // Without a key a retry could not be told from a new request: the protocol requires one on every change.
    if (!key) return answer(400, { error: 'Idempotency-Key header is required' });
    if (route.operation === 'create') return create(key, body);
    const resource = find(route.resourceId);
    if (!resource) return answer(404, { error: 'resource not found' });
    const applied = resource.operations.some((op) => op.operation === route.operation && op.idempotencyKey === key);
    if (applied && deduplicates !== 'create') return answer(200, describe(resource), true);
    if (resource.state === 'deleted' && route.operation !== 'delete') return answer(409, { error: `resource ${resource.id} is deleted` });
    if (route.operation === 'stop') resource.state = 'suspended';
    else if (route.operation === 'activate') resource.state = 'active';
    else if (route.operation === 'delete') resource.state = 'deleted';
    // A renewal or prolongation of a suspended resource resumes it when asked to (as real vendors do).
    else if ((route.operation === 'renew' || route.operation === 'prolong') && (body as { resume?: unknown } | null | undefined)?.resume === true) resource.state = 'active';
    resource.operations.push({ operation: route.operation, idempotencyKey: key, body, at: new Date() });
    return answer(200, describe(resource));
  }

  return {
    apply,
    /** The resources in creation order (live: the books themselves). */
    resources: resources as readonly VendorResource[],
    resource: (id: string) => find(id),
    resourceByKey: (key: string) => byKey.get(key),
    /** The vendor measures usage of a resource (the demo and the tests play the vendor's meter). */
    addUsage(id: string, records: VendorUsageRecord[]) {
      const resource = find(id);
      if (!resource) throw new Error(`no resource ${id}`);
      resource.usage.push(...records);
    },
  };
}

function describe(resource: VendorResource) {
  return { id: resource.id, state: resource.state, idempotencyKey: resource.idempotencyKey, createdAt: resource.createdAt.toISOString() };
}
