/**
 * The wire of the `http-vendor` protocol, both sides of it: how a request is signed, and on the vendor's side which
 * request is which operation and whether its signature is ours (the platform's side is `http-vendor.ts`). Shared by
 * the demo vendor (`demo/vendor.ts`) and the tests' fake vendor, so that a vendor written from it reads requests
 * exactly as the plugin sends them.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

export interface VendorSignatureInput {
  secret: string;
  /** Unix seconds, exactly as sent in `X-Timestamp`. */
  timestamp: string | number;
  method: string;
  /** URL pathname + search, exactly as sent on the wire (still percent-encoded). */
  path: string;
  /** The exact body string sent; '' when there is none. */
  body: string;
}

/** The value of `X-Signature`: `sha256=<hex HMAC-SHA256(secret, "<timestamp>.<METHOD>.<path>.<body>")>`. */
export function signVendorRequest(input: VendorSignatureInput): string {
  const payload = `${input.timestamp}.${input.method.toUpperCase()}.${input.path}.${input.body}`;
  return `sha256=${createHmac('sha256', input.secret).update(payload).digest('hex')}`;
}

/** A body of either side as JSON: undefined when it is empty or not JSON (the caller decides what that means). */
export function parseVendorJson(text: string): unknown {
  if (!text) return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

export type VendorOperation = 'create' | 'renew' | 'prolong' | 'change_resources' | 'switch_plan' | 'stop' | 'activate' | 'delete' | 'status' | 'usage';

export interface VendorRoute {
  operation: VendorOperation;
  /** The resource addressed by `/resources/{id}...`, if any. */
  resourceId: string | null;
  /**
   * The idempotency key addressed by `GET /resources/by-key/{key}` (the resource a create made), or with a resource
   * id by `GET /resources/{id}/operations/{key}` (whether the operation sent under that key took effect), if any.
   */
  key: string | null;
  /** `GET /resources/{id}/operations/{key}?operation=<op>`: the operation asked about, if the query names one. */
  asked?: string | null;
  /** `GET /resources/{id}/usage?cursor=&limit=` (issue 20): where the page starts and how long it may be. */
  cursor?: string | null;
  limit?: number;
}

/** `POST /resources/{id}/<action>` */
const ACTIONS: Record<string, VendorOperation> = {
  renew: 'renew',
  prolong: 'prolong',
  'change-resources': 'change_resources',
  'switch-plan': 'switch_plan',
  stop: 'stop',
  activate: 'activate',
};

/** The operation a request asks for, or null when it is none of the protocol's routes. */
export function matchVendorRoute(method: string, rawPath: string): VendorRoute | null {
  const [pathname = '', query = ''] = rawPath.split('?');
  let segments: string[];
  try {
    // Split before decoding: an idempotency key like `order-12/6` arrives as one `%2F`-encoded segment.
    segments = pathname.split('/').filter(Boolean).map(decodeURIComponent);
  } catch {
    return null;
  }
  const [root, second, third, fourth, ...rest] = segments;
  if (root !== 'resources' || rest.length > 0) return null;
  if (second === undefined) return method === 'POST' ? { operation: 'create', resourceId: null, key: null } : null;
  if (second === 'by-key') return method === 'GET' && third !== undefined && fourth === undefined ? { operation: 'status', resourceId: null, key: third } : null;
  if (third === 'operations') {
    return method === 'GET' && fourth !== undefined ? { operation: 'status', resourceId: second, key: fourth, asked: new URLSearchParams(query).get('operation') } : null;
  }
  if (third === 'usage' && fourth === undefined) {
    const q = new URLSearchParams(query);
    return method === 'GET' ? { operation: 'usage', resourceId: second, key: null, cursor: q.get('cursor'), limit: Math.min(10_000, Math.max(1, Number(q.get('limit')) || 1000)) } : null;
  }
  if (fourth !== undefined) return null;
  if (third === undefined) {
    if (method === 'GET') return { operation: 'status', resourceId: second, key: null };
    if (method === 'DELETE') return { operation: 'delete', resourceId: second, key: null };
    return null;
  }
  const action = ACTIONS[third];
  return method === 'POST' && action ? { operation: action, resourceId: second, key: null } : null;
}

export interface SignedRequest {
  /** `X-Timestamp` and `X-Signature` as received (null when missing). */
  timestamp: string | null;
  signature: string | null;
  method: string;
  /** Pathname + search exactly as received (still percent-encoded). */
  path: string;
  body: string;
}

/** Whether `X-Signature` is the HMAC of this request under the shared secret (constant-time comparison). */
export function verifyVendorSignature(secret: string, request: SignedRequest): boolean {
  if (!request.timestamp || !request.signature || !/^\d+$/.test(request.timestamp)) return false;
  const expected = Buffer.from(signVendorRequest({ secret, ...request, timestamp: request.timestamp }));
  const given = Buffer.from(request.signature);
  return expected.length === given.length && timingSafeEqual(expected, given);
}
