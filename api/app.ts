import { OpenAPIHono } from '@hono/zod-openapi';
import { createMiddleware } from 'hono/factory';
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { bearerAuth, type AppEnv } from './auth';
import { limitRequestBodies, refuseInRouteShape } from './body-limits';
import { clientUserRoutes } from './routes/client-users';
import { licensingRoutes } from './routes/licensing';
import { licensingCouponRoutes } from './routes/licensing-coupons';
import { licensingEntitlementRoutes } from './routes/licensing-entitlements';
import { licensingTransferRoutes } from './routes/licensing-transfers';
import { licensingKeyCardRoutes } from './routes/licensing-key-card';
import { licensingLogRoutes } from './routes/licensing-logs';
import { licensingServerRoutes } from './routes/licensing-servers';
import { licensingPublicApi } from './licensing-public';
import { tellExpiryChanged } from './entitlement-workflow';
import { notificationRoutes } from './routes/notifications';
import { notificationCategoryRoutes } from './routes/notification-categories';
import type { ApiDeps } from './deps';
import { errorJson, toErrorResponse } from './errors';
import { checkHealth } from './health';
import { idempotency } from './idempotency';
import { HttpMetrics, metricsHandler } from './metrics';
import { requestLog } from './request-log';
import { refuseOperatorOnly, tenantGate } from './tenancy';
import { TrustedProxies } from '../infra/client-address';
import type { Logger } from '../infra/logger';
import { billingRunRoutes } from './routes/billing-runs';
import { catalogRoutes } from './routes/catalog';
import { discountRoutes } from './routes/discounts';
import { clientRoutes } from './routes/clients';
import { clientTypeRoutes } from './routes/client-types';
import { manualOperationRoutes } from './routes/manual-operations';
import { orderRoutes } from './routes/orders';
import { paymentRoutes } from './routes/payments';
import { scenarioRoutes } from './routes/scenarios';
import { settingsRoutes } from './routes/settings';
import { staffRoutes } from './routes/staff';
import { resellerRoutes } from './routes/resellers';
import { planDelegationRoutes } from './routes/plan-delegation';
import { resellerChargeRoutes } from './routes/reseller-charges';
import { documentRoutes } from './routes/documents';
import { resellerSettingsRoutes } from './routes/reseller-settings';
import { startPendingBlockScenarios } from './scenario-starts/client-blocks';
import { adjustmentRoutes } from './routes/adjustments';
import { chargeRoutes } from './routes/charges';
import { exchangeRateRoutes } from './routes/exchange-rates';
import { clientBlockRoutes } from './routes/client-blocks';
import { promisedPaymentRoutes } from './routes/promised-payments';
import { ledgerRoutes } from './routes/ledger';
import { subscriptionOrderRoutes } from './routes/subscription-orders';
import { subscriptionRoutes } from './routes/subscriptions';
import { taskRoutes } from './routes/tasks';
import { usageRoutes } from './routes/usage';
import { licensingSigningKeyRoutes } from './routes/licensing-signing-keys';
import { licensingMajorUpdateRoutes } from './routes/licensing-major-updates';

export interface AppOptions extends ApiDeps {
  logError?: (err: unknown, context: { method: string; path: string; requestId?: string }) => void;
  /** The process logger: one access log line per request (tests leave it out). */
  logger?: Logger;
  /** When set, `GET /metrics` needs `Authorization: Bearer <metricsToken>` (METRICS_TOKEN). */
  metricsToken?: string;
  /** Requests per minute per source address and per key on the public licensing API (default 60). */
  licensingRateLimit?: number;
  /** Anonymous trial registrations per product per hour on the public licensing API (LICENSING_TRIALS_PER_HOUR). */
  licensingTrialsPerHour?: number;
  /** Proxies whose X-Forwarded-For / X-Forwarded-Proto are believed (TRUST_PROXY: addresses and CIDRs); none by default. */
  trustProxy?: string;
  /** The Temporal Web UI the operator UI links scenarios to (TEMPORAL_UI_URL). */
  /** The Temporal Web UI the operator UI links to (platform/http-app.ts mounts the UI). */
  temporalUiUrl?: string;
}

/** The staff API's route groups under /api/v1, one per line (two branches adding a group then do not collide). */
const routeGroups = [
  catalogRoutes,
  discountRoutes,
  clientRoutes,
  clientTypeRoutes,
  orderRoutes,
  paymentRoutes,
  subscriptionRoutes,
  subscriptionOrderRoutes,
  scenarioRoutes,
  taskRoutes,
  manualOperationRoutes,
  staffRoutes,
  resellerRoutes,
  documentRoutes,
  resellerSettingsRoutes,
  planDelegationRoutes,
  resellerChargeRoutes,
  settingsRoutes,
  billingRunRoutes,
  ledgerRoutes,
  adjustmentRoutes,
  clientBlockRoutes,
  promisedPaymentRoutes,
  chargeRoutes,
  usageRoutes,
  exchangeRateRoutes,
  clientUserRoutes,
  notificationRoutes,
  notificationCategoryRoutes,
  licensingRoutes,
  licensingCouponRoutes,
  licensingEntitlementRoutes,
  licensingTransferRoutes,
  licensingSigningKeyRoutes,
  licensingMajorUpdateRoutes,
  licensingKeyCardRoutes,
  licensingLogRoutes,
  licensingServerRoutes,
];

/** The HTTP application: `/health`, the API under `/api/v1`, its OpenAPI document and reference page. */
export function createApp(options: AppOptions) {
  const { logError = (err) => console.error(err) } = options;
  const app = new OpenAPIHono<AppEnv>();
  const http = new HttpMetrics();

  app.onError((err, c) => {
    const { status } = toErrorResponse(err);
    if (status >= 500) logError(err, { method: c.req.method, path: c.req.path, requestId: c.get('requestId') });
    return errorJson(c, err);
  });
  app.notFound((c) => c.json({ code: 'not_found', message: `no route ${c.req.method} ${c.req.path}` }, 404));

  // First of all: the request id (into workflows too), the request's origin, the access log line and the HTTP metrics.
  app.use('*', requestLog({ logger: options.logger, http, trustedProxies: TrustedProxies.parse(options.trustProxy) }));
  // Then, before anything reads a body: each route's size limit and the JSON nesting cap (api/body-limits.ts).
  app.use('*', limitRequestBodies({ refuse: refuseInRouteShape }));
  app.get('/metrics', metricsHandler({ sql: options.sql, http, token: options.metricsToken, logError }));

  app.get('/health', async (c) => {
    const health = await checkHealth(options);
    return c.json(health, health.status === 'ok' ? 200 : 503);
  });

  const v1 = new OpenAPIHono<AppEnv>();
  v1.use('*', bearerAuth(options.sql));
  const tenancy = { refuseOperatorOnly, checkRows: tenantGate(options.sql) };
  v1.use('*', async (c, next) => {
    c.set('tenancy', tenancy);
    await next();
  });
  v1.use('*', idempotency(options.sql));
  // A request that moved a balance may have begun or ended a financial block: start its scenario now.
  v1.use('*', async (c, next) => {
    await next();
    if (c.req.method === 'POST' && c.res.status < 400) {
      await startPendingBlockScenarios(options).catch((err) => logError(err, { method: c.req.method, path: c.req.path }));
    }
  });
  for (const routes of routeGroups) {
    v1.route('/', routes(options));
  }
  app.route('/api/v1', v1);
  // The public licensing API protected applications call (spec 04 §7.1): its own path, keys as credentials.
  app.route('/licensing/v1', licensingPublicApi({ sql: options.sql, rateLimit: options.licensingRateLimit, trialsPerHour: options.licensingTrialsPerHour, licensingKeys: options.licensingKeys, now: options.now, expiryChanged: (ids, at) => void tellExpiryChanged(options, ids, at) }));

  app.openAPIRegistry.registerComponent('securitySchemes', 'bearer', { type: 'http', scheme: 'bearer' });
  app.doc31('/api/openapi.json', {
    openapi: '3.1.0',
    info: {
      title: 'Billing and provisioning platform API',
      version: '1',
      description:
        'All routes under /api/v1 need `Authorization: Bearer <token>`. POST routes that create something accept an ' +
        '`Idempotency-Key` header. Errors are `{ code, message, details }`. Money is in integer minor units.',
    },
    security: [{ bearer: [] }],
  });

  // The reference page runs Swagger UI: scripts from this server only (its start-up is a file too, not inline).
  app.use('/api/docs', referencePageHeaders);
  app.use('/api/docs/*', referencePageHeaders);
  app.get('/api/docs', (c) => c.html(referencePage));
  app.get('/api/docs/assets/:file', async (c) => {
    const file = c.req.param('file');
    if (file === 'start.js') return c.body(referenceStart, 200, { 'content-type': 'application/javascript; charset=utf-8', 'cache-control': 'public, max-age=300' });
    if (!swaggerAssets.has(file)) return c.json({ code: 'not_found', message: 'no such asset' }, 404);
    const body = await readFile(join(swaggerUiDir, file));
    return c.body(body, 200, {
      'content-type': file.endsWith('.css') ? 'text/css' : 'application/javascript',
      'cache-control': 'public, max-age=86400',
    });
  });

  return app;
}

// The reference page works offline: Swagger UI's assets come from the installed package, not a CDN.
const swaggerUiDir = createRequire(import.meta.url).resolve('swagger-ui-dist/package.json').replace(/package\.json$/, '');
const swaggerAssets = new Set(['swagger-ui.css', 'swagger-ui-bundle.js', 'swagger-ui-standalone-preset.js']);
const referencePage = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>API reference</title>
<link rel="stylesheet" href="/api/docs/assets/swagger-ui.css"></head>
<body><div id="ui"></div>
<script src="/api/docs/assets/swagger-ui-bundle.js"></script>
<script src="/api/docs/assets/start.js"></script>
</body></html>`;
const referenceStart = "window.ui = SwaggerUIBundle({ url: '/api/openapi.json', dom_id: '#ui', deepLinking: true });\n";

/**
 * The operator UI's policy (web/app.tsx), except that Swagger UI sets style attributes and shows data: images;
 * nothing loads from elsewhere, no inline or evaluated script runs, and no other site may frame the page.
 */
const referencePageHeaders = createMiddleware(async (c, next) => {
  await next();
  c.header('content-security-policy', "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; script-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'");
  c.header('x-content-type-options', 'nosniff');
  c.header('referrer-policy', 'same-origin');
});
