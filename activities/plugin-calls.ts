import { Context } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import type { Sql } from '../db/client';
import type { PluginCallRequest } from '../contracts/plugin-calls';
import {
  invokePlugin,
  PluginError,
  pluginOperations,
  type PluginCallContext,
  type PluginOperation,
  type PluginResult,
  type ProvisioningPlugin,
} from '../contracts/plugin-contract';
import type { PluginRegistry } from '../operations/plugins/registry';

export interface PluginCallDeps {
  sql: Sql;
  plugins: PluginRegistry;
}

/**
 * Calls a subscription's plugin. Idempotent by `request.idempotencyKey`, which the plugin must honour.
 * Each attempt is written to `step_attempts` (the task log). Every call but the first of a step (a retry after a
 * failure, a lost answer or a dead worker; a retry decision) first asks the plugin's `status` whether the vendor
 * already acted under this key: a `create` by the resource it made, any other operation by that operation's
 * effect. If it did, its answer is the result and nothing is sent again, so an unknown outcome never makes a
 * second resource, a second renewal or a second stop.
 * Long because the factory holds the plugin activities (call, status, reconciliation) around shared closures;
 * each activity is a short function.
 */
export function createPluginActivities({ sql, plugins }: PluginCallDeps) {
  async function loadContext(request: PluginCallRequest, signal: AbortSignal) {
    const [row] = await sql<
      Array<{
        id: number;
        client_id: number;
        plan_id: number;
        sku: string | null;
        name: string;
        vendor_reference: string | null;
        start_date: string | null;
        expiration_date: string | null;
        plugin: string;
        settings: Record<string, unknown>;
      }>
    >`
      select s.id, s.client_id, s.plan_id, p.sku, s.name, s.vendor_reference, s.start_date::text, s.expiration_date::text,
             t.plugin, t.settings
      from subscriptions s join plans p on p.id = s.plan_id join service_templates t on t.id = s.service_template_id
      where s.id = ${request.subscriptionId}`;
    if (!row) {
      throw ApplicationFailure.create({
        type: 'permanent',
        message: `subscription ${request.subscriptionId} does not exist`,
        nonRetryable: true,
      });
    }
    const resources = await sql<Array<{ key: string; quantity: number }>>`
      select key, quantity from subscription_resources where subscription_id = ${row.id} order by key`;
    const ctx: PluginCallContext = {
      idempotencyKey: request.idempotencyKey,
      settings: row.settings,
      signal,
      subscription: {
        id: row.id,
        clientId: row.client_id,
        planId: row.plan_id,
        planSku: row.sku,
        name: row.name,
        vendorReference: row.vendor_reference,
        startDate: row.start_date,
        expirationDate: row.expiration_date,
        resources,
      },
    };
    return { ctx, pluginName: row.plugin };
  }

  async function startAttempt(request: PluginCallRequest, attempt: number) {
    // An attempt still "running" from an earlier try died with its worker; its outcome is unknown.
    await sql`
      update step_attempts set status = 'abandoned', error_class = 'unknown_outcome',
             error_message = 'the worker running this attempt stopped before it finished', finished_at = now(),
             duration_ms = (extract(epoch from now() - started_at) * 1000)::int
      where scenario_id = ${request.scenarioId} and path = ${request.path} and status = 'running'
        and not (round = ${request.round} and attempt = ${attempt})`;
    await sql`
      insert into step_attempts (scenario_id, path, round, attempt, status, started_at)
      values (${request.scenarioId}, ${request.path}, ${request.round}, ${attempt}, 'running', now())
      on conflict (scenario_id, path, round, attempt) do update set status = 'running', started_at = now(),
        finished_at = null, error_class = null, error_message = null`;
  }

  async function finishAttempt(
    request: PluginCallRequest,
    attempt: number,
    outcome: { status: 'succeeded' | 'failed'; errorClass?: string; message?: string; excerpt?: string },
  ) {
    await sql`
      update step_attempts set status = ${outcome.status}, error_class = ${outcome.errorClass ?? null},
             error_message = ${outcome.message ?? null}, response_excerpt = ${outcome.excerpt ?? null},
             finished_at = now(), duration_ms = (extract(epoch from now() - started_at) * 1000)::int
      where scenario_id = ${request.scenarioId} and path = ${request.path}
        and round = ${request.round} and attempt = ${attempt}`;
  }

  /** What the vendor already did under this step's key, or null when it did nothing (or cannot tell). */
  async function reconcile(plugin: ProvisioningPlugin, operation: PluginOperation, ctx: PluginCallContext): Promise<PluginResult | null> {
    if (operation === 'status') return null;
    if (operation === 'create') {
      if (ctx.subscription.vendorReference) return { vendorReference: ctx.subscription.vendorReference, state: 'active' };
      const status = await plugin.status(ctx);
      return status.exists ? { ...status, data: { ...status.data, reconciled: true } } : null;
    }
    const { applied, exists: _exists, ...status } = await plugin.status(ctx, { operation });
    return applied === true ? { ...status, data: { ...status.data, reconciled: true } } : null;
  }

  return {
    async callPlugin(request: PluginCallRequest): Promise<PluginResult> {
      const activity = Context.current();
      const attempt = activity.info.attempt;
      if (!(pluginOperations as readonly string[]).includes(request.operation)) {
        throw ApplicationFailure.create({ type: 'permanent', message: `unknown plugin operation "${request.operation}"`, nonRetryable: true });
      }
      const operation = request.operation as PluginOperation;
      await startAttempt(request, attempt);
      const beat = setInterval(() => activity.heartbeat(), Math.max(500, (activity.info.heartbeatTimeoutMs ?? 10_000) / 3));
      try {
        const { ctx, pluginName } = await loadContext(request, activity.cancellationSignal);
        const plugin = plugins.get(pluginName);
        const firstTry = attempt === 1 && request.round === 1;
        const reconciled = firstTry ? null : await reconcile(plugin, operation, ctx);
        const result = reconciled ?? (await invokePlugin(plugin, operation, ctx, request.input));
        await finishAttempt(request, attempt, { status: 'succeeded', excerpt: result.responseExcerpt });
        return { ...result, responseExcerpt: undefined };
      } catch (err) {
        const failure = classify(err);
        await finishAttempt(request, attempt, {
          status: 'failed',
          errorClass: failure.errorClass,
          message: failure.message,
          excerpt: failure.excerpt,
        }).catch(() => {});
        throw ApplicationFailure.create({
          type: failure.errorClass,
          message: failure.message,
          nonRetryable: failure.errorClass === 'permanent',
          details: failure.httpStatus === undefined ? [] : [{ httpStatus: failure.httpStatus }],
        });
      } finally {
        clearInterval(beat);
      }
    },
  };
}

function classify(err: unknown): { errorClass: string; message: string; excerpt?: string; httpStatus?: number } {
  if (err instanceof PluginError) {
    return {
      errorClass: err.errorClass,
      message: err.message,
      excerpt: err.details.responseExcerpt,
      httpStatus: err.details.httpStatus,
    };
  }
  if (err instanceof ApplicationFailure) {
    return { errorClass: err.type ?? 'transient', message: err.message };
  }
  // Anything unexpected (a database hiccup, a bug in an adapter) is retried; the retry policy bounds it.
  return { errorClass: 'transient', message: err instanceof Error ? err.message : String(err) };
}

export type PluginActivities = ReturnType<typeof createPluginActivities>;
