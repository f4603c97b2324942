import { performance } from 'node:perf_hooks';
import type { Context, MiddlewareHandler } from 'hono';
import { matchedRoutes } from 'hono/route';
import { requestOrigin, type TrustedProxies } from '../infra/client-address';
import type { Logger } from '../infra/logger';
import { currentOrigin, currentRequestId, isValidRequestId, newRequestId, requestContext } from '../infra/request-context';
import type { AppEnv } from './auth';
import type { HttpMetrics } from './metrics';

/** The operator UI's session (web/session.ts) as far as the access log needs it: who is signed in. */
type RequestLogEnv = { Variables: AppEnv['Variables'] & { session?: { staffId: number } } };

export interface RequestLogOptions {
  logger?: Logger;
  http: HttpMetrics;
  /** Whose forwarding headers are believed (TRUST_PROXY). */
  trustedProxies: TrustedProxies;
}

/** Scrapes, probes and static assets: logged at debug so they do not drown the access log. */
const quiet = (path: string) => path === '/metrics' || path === '/health' || path.startsWith('/assets/') || path.startsWith('/api/docs/assets/');

/**
 * The route pattern that answered (`/api/v1/orders/:id`), never the raw path, so the HTTP series stay few.
 * Requests no route answered (404, a refusal in a middleware) carry the middleware's pattern, such as `/*`.
 */
function routeOf(c: Context): string {
  return matchedRoutes(c)[c.req.routeIndex]?.path ?? 'unmatched';
}

/**
 * Every request: an id (a plain incoming `x-request-id`, the id of the request that makes this in-process
 * call — the operator UI calls the API through `app.request` — or a new one) set as `requestId`, echoed in
 * the `x-request-id` answer header and carried by `requestContext` into the workflows the request starts;
 * its origin (client address, HTTPS), worked out once here by the trusted-proxy rule and read by everything
 * else through `currentOrigin()` (an in-process call keeps its caller's); one access log line without headers
 * or tokens; the HTTP metrics.
 */
export function requestLog({ logger, http, trustedProxies }: RequestLogOptions): MiddlewareHandler<RequestLogEnv> {
  return async function logRequest(c, next) {
    const incoming = c.req.header('x-request-id');
    const requestId = incoming && isValidRequestId(incoming) ? incoming : (currentRequestId() ?? newRequestId());
    c.set('requestId', requestId);
    const own = requestOrigin(c, trustedProxies);
    const origin = own.address === null ? currentOrigin() : own;
    const started = performance.now();
    await requestContext.run({ requestId, origin }, next);
    const seconds = (performance.now() - started) / 1000;
    c.header('x-request-id', requestId);
    const status = c.res.status;
    const route = routeOf(c);
    http.observe(c.req.method, route, status, seconds);
    if (logger) {
      const staffId = c.get('staff')?.id ?? c.get('session')?.staffId;
      const clientUserId = c.get('clientUser')?.id;
      logger[quiet(c.req.path) ? 'debug' : 'info'](
        {
          requestId,
          method: c.req.method,
          path: c.req.path,
          route,
          status,
          ip: origin.address,
          durationMs: Math.round(seconds * 10_000) / 10,
          ...(staffId !== undefined ? { staffId } : {}),
          ...(clientUserId !== undefined ? { clientUserId } : {}),
        },
        'request',
      );
    }
  };
}
