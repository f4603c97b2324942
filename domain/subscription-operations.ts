import type { Refusal } from './errors';

/**
 * Operator operations on a subscription (spec 01 §6.3-6.4, §13): the statuses each may start from, its
 * transitional, error and stable statuses, and what a service rule's mode turns it into.
 */
export const subscriptionOperations = {
  stop: {
    startsFrom: ['active', 'payment_overdue'],
    underWay: ['awaiting_manual_confirmation', 'stopping', 'stop_error', 'stopped'],
    transitional: 'stopping',
    error: 'stop_error',
    done: 'stopped',
    /** The service-rule column that can require a person's confirmation. */
    mode: 'stop_mode',
    manualType: 'stop_subscription',
    refusal: 'not_stoppable',
  },
  delete: {
    startsFrom: ['active', 'delivered', 'payment_overdue', 'stopped', 'blocked', 'install_error', 'activation_error', 'update_error', 'renewal_error', 'stop_error'],
    underWay: ['awaiting_manual_confirmation', 'deleting', 'delete_error', 'deleted'],
    transitional: 'deleting',
    error: 'delete_error',
    done: 'deleted',
    mode: 'delete_mode',
    manualType: 'delete_subscription',
    refusal: 'not_deletable',
  },
  activate: {
    startsFrom: ['stopped'],
    underWay: ['activating', 'activation_error'],
    transitional: 'activating',
    error: 'activation_error',
    done: 'active',
    mode: null,
    manualType: null,
    refusal: 'not_activatable',
  },
  /** Spec 01 §15.2: a postpay subscription over its credit limit is blocked like a stop (plugin `stop`). */
  block: {
    startsFrom: ['active', 'payment_overdue', 'stopped'],
    underWay: ['stopping', 'stop_error', 'blocked'],
    transitional: 'stopping',
    error: 'stop_error',
    done: 'blocked',
    mode: null,
    manualType: null,
    refusal: 'not_blockable',
  },
  /** Spec 01 §15.4: back to work once the debt fits the limit again (plugin `activate`). */
  unblock: {
    startsFrom: ['blocked'],
    underWay: ['activating', 'activation_error', 'active'],
    transitional: 'activating',
    error: 'activation_error',
    done: 'active',
    mode: null,
    manualType: null,
    refusal: 'not_unblockable',
  },
} as const;

/** The plugin operation each subscription operation calls. */
export const pluginOperationOf = { stop: 'stop', delete: 'delete', activate: 'activate', block: 'stop', unblock: 'activate' } as const;

export type SubscriptionOperation = keyof typeof subscriptionOperations;

/** Whether an operator may start this operation on a subscription in this status. */
export function canStartOperation(operation: SubscriptionOperation, status: string): boolean {
  return (subscriptionOperations[operation].startsFrom as readonly string[]).includes(status);
}

/** Spec 01 §13.3: statuses in which the expiration date is not set by hand (nothing at the vendor yet, or gone). */
const expirationDateFixedIn = ['deleted', 'deleting', 'new_order', 'installing', 'install_error'];

/** Whether the expiration-date service operation may change this subscription's date (it needs a term: not unlimited). */
export function expirationDateRefusal(s: { status: string; expirationDate: string | null }): Refusal | null {
  if (s.expirationDate === null) return { code: 'unlimited_period', message: 'an unlimited subscription has no expiration date' };
  if (expirationDateFixedIn.includes(s.status)) return { code: 'subscription_status', message: `the subscription is ${s.status}; its expiration date cannot be changed` };
  return null;
}
