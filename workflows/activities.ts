import { patched, proxyActivities, proxyLocalActivities } from '@temporalio/workflow';
import type { BillingRunActivities } from '../activities/billing-runs';
import type { ClientBlockActivities } from '../activities/client-blocks';
import type { LifecycleOrderActivities } from '../activities/lifecycle-orders';
import type { NotificationActivities } from '../activities/notifications';
import type { OrderActivities } from '../activities/orders';
import type { PluginActivities } from '../activities/plugin-calls';
import type { ScenarioDispatchActivities } from '../activities/scenario-dispatch';
import type { SubscriptionActivities } from '../activities/subscriptions';
import type { UsageActivities } from '../activities/usage';
import { defaultPluginRetryPolicy, type PluginRetryPolicy } from '../contracts/plugin-calls';
import type { NotificationRetryPolicy } from '../contracts/scenarios';

/**
 * Activities as workflows see them. Database steps retry transient errors with back-off for a few
 * minutes, then the step fails and waits for a decision; business errors are non-retryable.
 */
const databaseSteps = {
  startToCloseTimeout: '30s',
  retry: { initialInterval: '1s', backoffCoefficient: 2, maximumInterval: '30s', maximumAttempts: 10 },
} as const;

export const orderActivities = proxyActivities<OrderActivities>(databaseSteps);
/**
 * The same database steps as local activities (orders and subscription operations started from the version with
 * `patched('local-database-steps')`): run by the worker inside the workflow task that schedules them, without a
 * round trip through the Temporal server and a new workflow task each (BENCHMARKS.md: the purchase spent most of
 * its time there). Fit for short, idempotent writes to our own database; a plugin call stays a full activity.
 */
const localDatabaseSteps = {
  startToCloseTimeout: databaseSteps.startToCloseTimeout,
  retry: databaseSteps.retry,
  // Retries further apart than this wait on a workflow timer instead of holding the workflow task.
  localRetryThreshold: '10s',
} as const;
export const localOrderActivities = proxyLocalActivities<OrderActivities>(localDatabaseSteps);
export const localLifecycleOrderActivities = proxyLocalActivities<LifecycleOrderActivities>(localDatabaseSteps);
export const localSubscriptionActivities = proxyLocalActivities<SubscriptionActivities>(localDatabaseSteps);
export const lifecycleOrderActivities = proxyActivities<LifecycleOrderActivities>(databaseSteps);
export const clientBlockActivities = proxyActivities<ClientBlockActivities>(databaseSteps);
export const subscriptionActivities = proxyActivities<SubscriptionActivities>(databaseSteps);
/** A usage page calls the vendor and ingests up to a thousand records: a plugin call's timeout, retried like one. */
// The heartbeat timeout lets a page whose worker was killed be retried within seconds, not after the 2 minutes.
export const usageActivities = proxyActivities<UsageActivities>({ ...databaseSteps, startToCloseTimeout: '2m', heartbeatTimeout: '10s', retry: { ...databaseSteps.retry, nonRetryableErrorTypes: ['permanent'] } });

/**
 * The database activities of an order or subscription operation: local ones for executions started from the
 * version with `patched('local-database-steps')`, full activities for older ones, which replay as they ran. Called
 * first thing in those workflows, where the marker has always been.
 */
export function databaseActivities() {
  const local = patched('local-database-steps');
  return {
    orders: local ? localOrderActivities : orderActivities,
    lifecycleOrders: local ? localLifecycleOrderActivities : lifecycleOrderActivities,
    subscriptions: local ? localSubscriptionActivities : subscriptionActivities,
  };
}
export type DatabaseActivities = ReturnType<typeof databaseActivities>;

/** The billing run's set-based steps may take longer. */
export const billingRunActivities = proxyActivities<BillingRunActivities>({ ...databaseSteps, startToCloseTimeout: '2m' });
/** Starting or telling thousands of scenarios: long, so it heartbeats its progress and a retry resumes from there. */
export const scenarioDispatchActivities = proxyActivities<ScenarioDispatchActivities>({
  ...databaseSteps,
  startToCloseTimeout: '30m',
  heartbeatTimeout: '1m',
});

/**
 * Plugin calls follow the scenario's retry policy, which is part of its input (replays see the same values): the
 * defaults with the input's overrides (tests shorten them).
 */
export function pluginActivities(overrides: Partial<PluginRetryPolicy> = {}) {
  const policy = { ...defaultPluginRetryPolicy, ...overrides };
  return proxyActivities<PluginActivities>({
    startToCloseTimeout: policy.startToCloseTimeoutMs,
    heartbeatTimeout: policy.heartbeatTimeoutMs,
    retry: {
      initialInterval: policy.initialIntervalMs,
      maximumInterval: policy.maximumIntervalMs,
      backoffCoefficient: 2,
      maximumAttempts: policy.maximumAttempts,
      nonRetryableErrorTypes: ['permanent'],
    },
  });
}

/** Preparing and marking notifications: database steps, given a minute each. */
export const notificationActivities = proxyActivities<NotificationActivities>({ ...databaseSteps, startToCloseTimeout: '1m' });

/**
 * Delivering a notification follows its retry policy (part of the input); spent retries leave it `failed`. A
 * refusal by the channel or a missing notification is not retried.
 */
export function deliveryActivities(policy: NotificationRetryPolicy) {
  return proxyActivities<NotificationActivities>({
    startToCloseTimeout: '2m',
    retry: {
      initialInterval: policy.initialIntervalMs,
      backoffCoefficient: 2,
      maximumInterval: policy.maxIntervalMs,
      maximumAttempts: policy.attempts,
      nonRetryableErrorTypes: ['delivery_not_retryable', 'notification_missing'],
    },
  });
}
