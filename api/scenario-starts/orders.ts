import { orderPaidSignal } from '../../contracts/messages';
import { startOnce, startScenario } from '../../contracts/scenario-client';
import { orderScenarioId, orderScenarioType } from '../../contracts/scenarios';
import { todayIn } from '../../domain/dates';
import { markOrderScenarioStarted, ordersAwaitingPaidSignal, ordersWithoutScenario } from '../../operations/orders/scenario-starts';
import type { ApiDeps } from '../deps';

/** Starts the order's scenario; a start that was already done (retry, sweep) is not an error. */
export async function startOrderScenario(deps: ApiDeps, orderId: number, type = 'purchase'): Promise<void> {
  await startOnce(startScenario(deps.temporal, orderScenarioType(type), { workflowId: orderScenarioId(orderId), taskQueue: deps.taskQueue, input: { orderId, policy: deps.pluginRetryPolicy } }));
  await markOrderScenarioStarted(deps.sql, orderId);
}

/**
 * Orders whose scenario start was lost (the process died between the insert and the start) are started
 * here; run at API start and then every minute. Nothing else writes orders without a scenario.
 */
export async function startMissingOrderScenarios(deps: ApiDeps): Promise<number> {
  const rows = await ordersWithoutScenario(deps.sql);
  for (const { id, type } of rows) await startOrderScenario(deps, id, type);
  return rows.length;
}

/**
 * Tells the scenarios of orders paid outside them (a merged payment) that they are paid. The signal is
 * idempotent; an order whose scenario missed it is found again by `resendPaidSignals`.
 */
export async function tellPaidOrders(deps: Pick<ApiDeps, 'temporal' | 'timeZone' | 'now'>, orderIds: number[]) {
  const businessDate = todayIn(deps.timeZone, (deps.now ?? (() => new Date()))());
  for (const orderId of orderIds) {
    await deps.temporal.workflow.getHandle(orderScenarioId(orderId)).signal(orderPaidSignal, { businessDate });
  }
}

/**
 * The sweep's half of `tellPaidOrders`: orders paid by a merged payment whose scenario still waits for
 * payment (the API stopped between the payment and the signal) are told again.
 */
export async function resendPaidSignals(deps: Pick<ApiDeps, 'sql' | 'temporal' | 'timeZone' | 'now'>): Promise<number> {
  const orderIds = await ordersAwaitingPaidSignal(deps.sql);
  await tellPaidOrders(deps, orderIds);
  return orderIds.length;
}
