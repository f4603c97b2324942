import { ApplicationFailure, Context } from '@temporalio/activity';
import { PluginError } from '../contracts/plugin-contract';
import type { Sql } from '../db/client';
import { todayIn } from '../domain/dates';
import type { PluginRegistry } from '../operations/plugins/registry';
import { creditLimitActions } from '../operations/clients/credit-limits';
import { pullUsagePage } from '../operations/usage/pull-usage';

/** The usage pull's activity (issue 20): one page from the vendor, ingested with its cursor (operations/usage/pull-usage.ts). */
export function createUsageActivities({ sql, plugins, timeZone, now }: { sql: Sql; plugins: PluginRegistry; timeZone: string; now: () => Date }) {
  return {
    /** Spec 01 §15.2: a postpay subscription whose pulled usage grew its debt is compared with its credit limit. */
    async usageCreditLimitActions({ subscriptionId }: { subscriptionId: number }) {
      return creditLimitActions(sql, { subscriptionIds: [subscriptionId] });
    },

    async pullUsagePage({ subscriptionId, idempotencyKey }: { subscriptionId: number; idempotencyKey: string }) {
      const at = now();
      Context.current().heartbeat();
      try {
        return await pullUsagePage(sql, plugins, { subscriptionId, idempotencyKey, today: todayIn(timeZone, at), now: at, dayOf: (d) => todayIn(timeZone, d), signal: Context.current().cancellationSignal });
      } catch (err) {
        // A vendor's permanent refusal (4xx, a plugin without usage) waits for a decision; the rest is retried.
        if (err instanceof PluginError && err.errorClass === 'permanent') throw ApplicationFailure.create({ type: 'permanent', message: err.message, nonRetryable: true });
        throw err;
      }
    },
  };
}

export type UsageActivities = ReturnType<typeof createUsageActivities>;
