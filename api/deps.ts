import type { Client } from '@temporalio/client';
import { OpenAPIHono } from '@hono/zod-openapi';
import type { Context, Next } from 'hono';
import type { Database, Sql } from '../db/client';
import type { EgressPolicy } from '../infra/egress';
import type { SecretBox } from '../infra/secret-box';
import type { PluginRetryPolicy } from '../contracts/plugin-calls';
import type { NotificationRetryPolicy } from '../contracts/scenarios';
import type { AppEnv } from './auth';
import { zodDetails } from './errors';

export interface ApiDeps {
  db: Database;
  sql: Sql;
  temporal: Client;
  taskQueue: string;
  timeZone: string;
  pluginRetryPolicy: PluginRetryPolicy;
  /** Injected so tests can pin the business date. */
  now?: () => Date;
  /** How hard notifications started from the API (resends) are tried; default: the workflow's. */
  notificationPolicy?: NotificationRetryPolicy;
  /** Which hosts inside the network configured URLs may name (EGRESS_ALLOW_HOSTS); default: none. */
  egress?: EgressPolicy;
  /** Seals and opens the licensing vendors' signing keys (LICENSING_KEY_ENCRYPTION_KEY); unset: they cannot be used. */
  licensingKeys?: SecretBox;
  /**
   * Seals the other secrets at rest, such as the resellers' SMTP passwords: the box of SECRETS_ENCRYPTION_KEY, the
   * same key as licensingKeys' (infra/config.ts `secretsKeyOf`). Unset: a password cannot be stored (409).
   */
  secrets?: SecretBox;
}

/**
 * A router whose validation failures answer like every other error: `{ code, message, details }`, and whose every
 * route passes the tenant gate (api/tenancy.ts) after its role check and its validation, right before the handler:
 * so another tenant's row answers exactly as an unknown one does, whatever else the request gets wrong.
 */
export function router() {
  const app = new OpenAPIHono<AppEnv>({
    defaultHook: (result, c) => {
      if (!result.success) {
        return c.json(
          { code: 'validation_failed', message: 'the request is invalid', details: zodDetails(result.error) },
          400,
        );
      }
    },
  });
  const openapi = app.openapi.bind(app);
  const gated: typeof app.openapi = (route, handler, hook) =>
    openapi(
      route,
      (async (c: Context<AppEnv>, next: Next) => {
        await c.get('tenancy')?.checkRows(c);
        return (handler as unknown as (c: Context<AppEnv>, next: Next) => unknown)(c, next);
      }) as unknown as typeof handler,
      hook,
    );
  app.openapi = gated;
  return app;
}
