// What each kind of order on an existing subscription does (spec 01 §6.3, §9-12): the transitional
// status the subscription passes through, the error status a failed plugin call leaves, and the plugin
// operation. Shared by the order scenario, its activities and the API.

import type { PerformedOperation } from './application-operations';

import type { Refusal } from './errors';

export const subscriptionOrderTypes = ['renewal', 'prolongation', 'resource_change', 'plan_switch'] as const;
export type SubscriptionOrderType = (typeof subscriptionOrderTypes)[number];

export interface OrderEffect {
  label: string;
  transitional: 'renewing' | 'updating';
  error: 'renewal_error' | 'update_error';
  operation: PerformedOperation;
  /** Statuses a person may place this order from. */
  orderableFrom: readonly string[];
}

export const orderEffects: Record<SubscriptionOrderType, OrderEffect> = {
  // Spec 01 §6.4: a stopped or overdue subscription becomes active once its renewal is paid.
  renewal: { label: 'Renew', transitional: 'renewing', error: 'renewal_error', operation: 'renew', orderableFrom: ['active', 'payment_overdue', 'stopped'] },
  // Spec 01 §11.3: a stopped per-period subscription is prolonged by hand instead of activated.
  prolongation: { label: 'Prolong', transitional: 'renewing', error: 'renewal_error', operation: 'prolong', orderableFrom: ['active', 'payment_overdue', 'stopped'] },
  resource_change: { label: 'Change resources', transitional: 'updating', error: 'update_error', operation: 'change_resources', orderableFrom: ['active'] },
  plan_switch: { label: 'Switch plan', transitional: 'updating', error: 'update_error', operation: 'switch_plan', orderableFrom: ['active'] },
};

/** The workflow that processes an order of this type. */
export const orderWorkflowName = (type: string): 'purchaseOrder' | 'subscriptionOrder' => (type === 'purchase' ? 'purchaseOrder' : 'subscriptionOrder');

/** A rule's refusal, as the API answers it (status, machine code, human message) and the UI hides the action. */
export type { Refusal };

export interface OrderSubject {
  id: number;
  status: string;
  clientStatus: string;
  paymentModel: 'prepay' | 'postpay';
}

/**
 * Whether a person may place this order on the subscription now (spec 01 §16, §4.2): its status must allow the
 * order, and a blocked client's subscriptions are not changed (in a financial block, postpay ones still are).
 */
export function orderRefusal(type: SubscriptionOrderType, s: OrderSubject, verb: string): Refusal | null {
  if (!orderEffects[type].orderableFrom.includes(s.status)) return { code: 'subscription_status', message: `subscription ${s.id} is ${s.status}; it cannot be ${verb} now` };
  return clientRefusal(s);
}

/** Spec 01 §4.2: a blocked client's subscriptions are not changed; in a financial block, postpay ones still are. */
export function clientRefusal(s: Pick<OrderSubject, 'clientStatus' | 'paymentModel'>): Refusal | null {
  if (s.clientStatus === 'financially_blocked' && s.paymentModel === 'postpay') return null;
  return s.clientStatus === 'active' ? null : { code: 'client_blocked', message: `the client is ${s.clientStatus}` };
}
