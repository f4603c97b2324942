/** What a scenario asks of a plugin call: shared by the workflows that ask and the activity that calls. */

/** Retry behaviour of plugin calls; part of a scenario's input so that replays see the same values. */
export interface PluginRetryPolicy {
  initialIntervalMs: number;
  maximumIntervalMs: number;
  maximumAttempts: number;
  heartbeatTimeoutMs: number;
  startToCloseTimeoutMs: number;
}

export const defaultPluginRetryPolicy: PluginRetryPolicy = {
  initialIntervalMs: 2_000,
  maximumIntervalMs: 60_000,
  maximumAttempts: 8,
  heartbeatTimeoutMs: 10_000,
  startToCloseTimeoutMs: 300_000,
};

/** Input of a plugin call activity. */
export interface PluginCallRequest {
  scenarioId: string;
  path: string;
  round: number;
  idempotencyKey: string;
  subscriptionId: number;
  operation: string;
  input: Record<string, unknown>;
}
