import { describe, expect, it } from 'vitest';
import { defaultDocumentMasks } from './document-numbers';
import {
  canCancelOrder,
  canChangeOrderEndDate,
  canModifyOrder,
  clientStatuses,
  errorSubscriptionStatuses,
  isErrorSubscriptionStatus,
  isOneOf,
  isOrderOpen,
  isTransitionalSubscriptionStatus,
  orderStatuses,
  orderTypeDocumentKind,
  orderTypes,
  paymentModels,
  paymentStatuses,
  paymentTypes,
  scenarioStatuses,
  stableStatusAfterSuccess,
  staffRoles,
  stepStatuses,
  subscriptionStatuses,
  transitionalSubscriptionStatuses,
  transitionalToError,
  transitionalToStable,
  type OrderStatus,
} from './statuses';

describe('status enumerations', () => {
  it('subscription statuses are exactly the codes of decision 13, plus delivered', () => {
    expect(subscriptionStatuses).toEqual([
      'new_order', 'installing', 'install_error', 'activating', 'activation_error', 'active', 'updating',
      'update_error', 'renewing', 'renewal_error', 'awaiting_manual_confirmation', 'payment_overdue',
      'stopping', 'stop_error', 'stopped', 'blocked', 'deleting', 'delete_error', 'deleted', 'delivered',
    ]);
  });

  it('order, payment, client, scenario, step, role and payment-model lists match the spec codes', () => {
    expect(orderStatuses).toEqual(['awaiting_payment', 'awaiting_provisioning', 'provisioning', 'activation_error', 'completed', 'cancelled']);
    expect(orderTypes).toEqual(['purchase', 'renewal', 'prolongation', 'resource_change', 'plan_switch']);
    expect(paymentTypes).toEqual(['order', 'manual_topup', 'postpay_services']);
    expect(paymentStatuses).toEqual(['waiting_for_payment', 'completed', 'overdue', 'invoice_preparing', 'invoice_sent', 'cancelled', 'paid_from_balance']);
    expect(clientStatuses).toEqual(['active', 'administratively_blocked', 'financially_blocked', 'deleted']);
    expect(scenarioStatuses).toEqual(['running', 'waiting', 'completed', 'failed', 'cancelled']);
    expect(stepStatuses).toEqual(['pending', 'running', 'succeeded', 'failed', 'waiting', 'skipped', 'cancelled']);
    // The four roles of spec 02 §14.1, and support (issue 8).
    expect(staffRoles).toEqual(['admin', 'product_manager', 'sales_manager', 'marketing', 'support']);
    expect(paymentModels).toEqual(['prepay', 'postpay']);
  });

  it('no list contains duplicates', () => {
    for (const list of [subscriptionStatuses, orderStatuses, orderTypes, paymentTypes, paymentStatuses, clientStatuses, scenarioStatuses, stepStatuses, staffRoles, paymentModels]) {
      expect(new Set(list).size).toBe(list.length);
    }
  });

  it('isOneOf accepts only members of the given list', () => {
    expect(isOneOf(orderStatuses, 'completed')).toBe(true);
    expect(isOneOf(orderStatuses, 'waiting for payment')).toBe(false);
    expect(isOneOf(orderStatuses, 42)).toBe(false);
  });
});

describe('transitional subscription statuses (spec 01 §6.3)', () => {
  it('map to their stable status on success', () => {
    expect(transitionalToStable).toEqual({
      installing: 'active',
      activating: 'active',
      updating: 'active',
      renewing: 'active',
      stopping: 'stopped',
      deleting: 'deleted',
    });
  });

  it('map to their error status on failure', () => {
    expect(transitionalToError).toEqual({
      installing: 'install_error',
      activating: 'activation_error',
      updating: 'update_error',
      renewing: 'renewal_error',
      stopping: 'stop_error',
      deleting: 'delete_error',
    });
  });

  it('every transitional status has both targets and all targets are real subscription statuses', () => {
    for (const status of transitionalSubscriptionStatuses) {
      expect(subscriptionStatuses).toContain(transitionalToStable[status]);
      expect(subscriptionStatuses).toContain(transitionalToError[status]);
    }
  });

  it('installing a non-recurring plan ends in delivered instead of active', () => {
    expect(stableStatusAfterSuccess('installing', { nonRecurring: true })).toBe('delivered');
    expect(stableStatusAfterSuccess('installing')).toBe('active');
    expect(stableStatusAfterSuccess('stopping', { nonRecurring: true })).toBe('stopped');
  });

  it('classifies transitional and error statuses; stable ones are neither', () => {
    expect(isTransitionalSubscriptionStatus('renewing')).toBe(true);
    expect(isTransitionalSubscriptionStatus('active')).toBe(false);
    expect(isErrorSubscriptionStatus('stop_error')).toBe(true);
    expect(isErrorSubscriptionStatus('payment_overdue')).toBe(false);
    expect(errorSubscriptionStatuses).toHaveLength(6);
  });
});

describe('order guards', () => {
  it('an order is open until completed or cancelled; activation_error stays open (decision 7)', () => {
    const open = orderStatuses.filter(isOrderOpen);
    expect(open).toEqual(['awaiting_payment', 'awaiting_provisioning', 'provisioning', 'activation_error']);
  });

  it('only prepay orders awaiting payment or any order awaiting provisioning but a purchase can be cancelled (spec 01 §16.9)', () => {
    const cancellable = (paymentModel: 'prepay' | 'postpay', type: 'renewal' | 'purchase' = 'renewal') =>
      orderStatuses.filter((status) => canCancelOrder({ status, paymentModel, type }));
    expect(cancellable('prepay')).toEqual(['awaiting_payment', 'awaiting_provisioning']);
    expect(cancellable('postpay')).toEqual(['awaiting_provisioning']);
    expect(cancellable('prepay', 'purchase')).toEqual(['awaiting_payment']);
  });

  it('modify has the cancel preconditions and is never offered for prolongation orders (spec 01 §16.10)', () => {
    expect(canModifyOrder({ status: 'awaiting_payment', paymentModel: 'prepay', type: 'renewal' })).toBe(true);
    expect(canModifyOrder({ status: 'awaiting_payment', paymentModel: 'prepay', type: 'prolongation' })).toBe(false);
    expect(canModifyOrder({ status: 'provisioning', paymentModel: 'prepay', type: 'purchase' })).toBe(false);
  });

  it('the end date can be moved only while awaiting payment or in activation error (spec 01 §16.8)', () => {
    const movable: OrderStatus[] = orderStatuses.filter(canChangeOrderEndDate);
    expect(movable).toEqual(['awaiting_payment', 'activation_error']);
  });

  it('each order type is numbered with its own document mask', () => {
    expect(orderTypes.map(orderTypeDocumentKind)).toEqual([
      'purchase_order',
      'renewal_order',
      'prolongation_order',
      'resource_change_order',
      'plan_switch_order',
    ]);
    expect(defaultDocumentMasks[orderTypeDocumentKind('renewal')]).toBe('RN%6');
  });
});
