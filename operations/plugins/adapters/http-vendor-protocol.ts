/**
 * The vendor's side of the `http-vendor` protocol (the platform's side is `http-vendor.ts`): which request is
 * which operation, and whether its signature is ours. Shared by the demo vendor (`demo/vendor.ts`) so that a vendor
 * written from it reads requests exactly as the plugin sends them.
 */
import { timingSafeEqual } from 'node:crypto';
import { signVendorRequest } from './http-vendor';

export type VendorOperation = 'create' | 'renew' | 'prolong' | 'change_resources' | 'switch_plan' | 'stop' | 'activate' | 'delete' | 'status';

export interface VendorRoute {
  operation: VendorOperation;
  /** The resource addressed by `/resources/{id}...`, if any. */
  resourceId: string | null;
  /** The idempotency key addressed by `GET /resources/by-key/{key}`, if any. */
  key: string | null;
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
  const pathname = rawPath.split('?')[0] ?? '';
  let segments: string[];
  try {
    // Split before decoding: an idempotency key like `order-12/6` arrives as one `%2F`-encoded segment.
    segments = pathname.split('/').filter(Boolean).map(decodeURIComponent);
  } catch {
    return null;
  }
  const [root, second, third, ...rest] = segments;
  if (root !== 'resources' || rest.length > 0) return null;
  if (second === undefined) return method === 'POST' ? { operation: 'create', resourceId: null, key: null } : null;
  if (second === 'by-key') return method === 'GET' && third !== undefined ? { operation: 'status', resourceId: null, key: third } : null;
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
