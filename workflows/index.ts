import type { ScenarioWorkflows } from '../contracts/scenarios';
import { billingDay } from './billing-day';
import { billingDispatch } from './billing-dispatch';
import { entitlementLifecycle } from './entitlement-lifecycle';
import { administrativeBlock, administrativeUnblock, financialBlock, financialUnblock } from './client-blocks';
import { notifyEvent, sendNotification } from './notifications';
import { purchaseOrder } from './purchase-order';
import { subscriptionOrder } from './subscription-order';
import { usagePull } from './usage-pull';
import { activateStoppedSubscription, blockSubscription, deleteSubscription, stopSubscription, unblockSubscription } from './subscription-operations';

/** The workflow types the worker registers, by name. */
export {
  activateStoppedSubscription,
  administrativeBlock,
  administrativeUnblock,
  billingDay,
  billingDispatch,
  blockSubscription,
  deleteSubscription,
  entitlementLifecycle,
  financialBlock,
  financialUnblock,
  notifyEvent,
  purchaseOrder,
  sendNotification,
  stopSubscription,
  subscriptionOrder,
  unblockSubscription,
  usagePull,
};

/** Compile-time check: every scenario of the contracts is registered here with the signature callers start it by. */
type Implements<T extends ScenarioWorkflows> = T;
export type RegisteredScenarios = Implements<{
  purchaseOrder: typeof purchaseOrder;
  subscriptionOrder: typeof subscriptionOrder;
  stopSubscription: typeof stopSubscription;
  deleteSubscription: typeof deleteSubscription;
  activateStoppedSubscription: typeof activateStoppedSubscription;
  blockSubscription: typeof blockSubscription;
  unblockSubscription: typeof unblockSubscription;
  financialBlock: typeof financialBlock;
  financialUnblock: typeof financialUnblock;
  administrativeBlock: typeof administrativeBlock;
  administrativeUnblock: typeof administrativeUnblock;
  billingDay: typeof billingDay;
  billingDispatch: typeof billingDispatch;
  notifyEvent: typeof notifyEvent;
  sendNotification: typeof sendNotification;
  usagePull: typeof usagePull;
  entitlementLifecycle: typeof entitlementLifecycle;
}>;
