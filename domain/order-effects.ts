// What each kind of order on an existing subscription does (spec 01 §6.3, §9-12): the transitional
// status the subscription passes through, the error status a failed plugin call leaves, and the plugin
// operation. Shared by the order scenario, its activities and the API.

import type { PerformedOperation } from './application-operations';

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
