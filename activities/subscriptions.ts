import { ApplicationFailure } from '@temporalio/common';
import type { Sql } from '../db/client';
import { approvalsOf } from '../domain/application-operations';
import type { PluginRegistry } from '../operations/plugins/registry';
import { isTransitionalSubscriptionStatus, type SubscriptionStatus } from '../domain/statuses';
import { canStartOperation, subscriptionOperations, type SubscriptionOperation } from '../domain/subscription-operations';
import { moveSubscriptionStatus, type SubscriptionMove } from '../operations/subscriptions/move-subscription-status';

/** Subscription lifecycle side effects in our database. Each is idempotent: it checks the state it would produce. */
export function createSubscriptionActivities({ sql, plugins, today }: { sql: Sql; plugins: PluginRegistry; today: () => string }) {
  async function describe(subscriptionId: number, operation: SubscriptionOperation) {
    const spec = subscriptionOperations[operation];
    const [row] = await sql<Array<{ status: SubscriptionStatus; client_id: number; client_status: string; payment_model: string; name: string; plugin: string; capabilities: unknown; stop_mode: 'automatic' | 'manual'; delete_mode: 'automatic' | 'manual'; saved_status: string | null }>>`
      select s.status, s.client_id, c.status as client_status, s.payment_model, s.name, t.plugin, t.capabilities, r.stop_mode, r.delete_mode, s.saved_status
      from subscriptions s join service_templates t on t.id = s.service_template_id
           join clients c on c.id = s.client_id join service_rules r on r.id = c.service_rule_id
      where s.id = ${subscriptionId}`;
    if (!row) throw ApplicationFailure.create({ type: 'subscription_not_found', message: `subscription ${subscriptionId} does not exist`, nonRetryable: true });
    // A re-run after a crash finds the subscription already on its way: carry on from there.
    const inProgress = (spec.underWay as readonly string[]).includes(row.status);
    if (!inProgress && isTransitionalSubscriptionStatus(row.status)) {
      // Another operation got there first (a renewal paid while a block's stop was starting): retried, so this one
      // goes on once that one has finished, instead of failing a step for a race.
      throw ApplicationFailure.create({ type: 'subscription_busy', message: `subscription ${subscriptionId} is ${row.status}; waiting for that operation to finish` });
    }
    // Spec 01 §4.5.3 (and §4.4): no prepaid subscription of a blocked client is activated; an activation started
    // before the client was blocked again must not undo the block's stop.
    if (operation === 'activate' && row.payment_model === 'prepay' && row.client_status !== 'active' && !inProgress) {
      throw ApplicationFailure.create({ type: 'client_blocked', message: `client ${row.client_id} is ${row.client_status}; its subscriptions stay stopped`, nonRetryable: true });
    }
    if (!canStartOperation(operation, row.status) && !inProgress) {
      throw ApplicationFailure.create({ type: spec.refusal, message: `subscription ${subscriptionId} is ${row.status}`, nonRetryable: true });
    }
    return {
      clientId: row.client_id,
      name: row.name,
      plugin: row.plugin,
      performedBy: plugins.performedBy(row.plugin),
      /** Application operations the service template wants a person to approve (`stop`, `delete`, `start`, ...). */
      approvals: approvalsOf(row.capabilities),
      /** Whether the service rule wants a person to confirm (stop and delete modes). */
      manualMode: spec.mode === null ? false : row[spec.mode] === 'manual',
      stopMode: row.stop_mode,
      previousStatus: inProgress ? (row.saved_status ?? 'active') : row.status,
    };
  }

  return {
    /** What a stop needs to know (kept by this name: recorded stop histories call it). */
    async describeStop({ subscriptionId }: { subscriptionId: number }) {
      return describe(subscriptionId, 'stop');
    },

    /** What a delete or activate needs to know, and a refusal when it cannot start now. */
    async describeSubscriptionOperation({ subscriptionId, operation }: { subscriptionId: number; operation: SubscriptionOperation }) {
      return describe(subscriptionId, operation);
    },

    /**
     * Moves a subscription to a status, remembering the stable status it had (decision 14) when asked.
     * `from` lists the statuses the move is allowed from; anything else is left alone (idempotent re-runs). A stop,
     * activation or deletion changes the subscription's charges as of today (its billing type's rules).
     */
    async setSubscriptionStatus(args: SubscriptionMove) {
      await sql.begin((tx) => moveSubscriptionStatus(tx, { chargeDate: today(), ...args }));
    },
  };
}

export type SubscriptionActivities = ReturnType<typeof createSubscriptionActivities>;
