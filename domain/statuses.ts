// Status enumerations shared by the database schema, the API and the workflows, plus small pure
// transition guards. Arrays are `as const` so they can feed DB enums / zod enums and give literal
// union types.

import type { DocumentKind } from './document-numbers';

/** Decision 13. `delivered` is the stable state of non-recurring plans (spec 01 §6.2). */
export const subscriptionStatuses = [
  'new_order',
  'installing',
  'install_error',
  'activating',
  'activation_error',
  'active',
  'updating',
  'update_error',
  'renewing',
  'renewal_error',
  'awaiting_manual_confirmation',
  'payment_overdue',
  'stopping',
  'stop_error',
  'stopped',
  'blocked',
  'deleting',
  'delete_error',
  'deleted',
  'delivered',
] as const;
export type SubscriptionStatus = (typeof subscriptionStatuses)[number];

/** Spec 01 §16.2 ("waiting for …" named awaiting_… here). */
export const orderStatuses = [
  'awaiting_payment',
  'awaiting_provisioning',
  'provisioning',
  'activation_error',
  'completed',
  'cancelled',
] as const;
export type OrderStatus = (typeof orderStatuses)[number];

export const orderTypes = ['purchase', 'renewal', 'prolongation', 'resource_change', 'plan_switch'] as const;
export type OrderType = (typeof orderTypes)[number];

/** Spec 02 §2.2. */
export const paymentTypes = ['order', 'manual_topup', 'postpay_services'] as const;
export type PaymentType = (typeof paymentTypes)[number];

/** Spec 02 §2.3. */
export const paymentStatuses = [
  'waiting_for_payment',
  'completed',
  'overdue',
  'invoice_preparing',
  'invoice_sent',
  'cancelled',
  'paid_from_balance',
] as const;
export type PaymentStatus = (typeof paymentStatuses)[number];

/** Spec 01 §4.1, with the codes of decision 3. */
export const clientStatuses = ['active', 'administratively_blocked', 'financially_blocked', 'deleted'] as const;
export type ClientStatus = (typeof clientStatuses)[number];

/** A client user's access level in the client panel (spec 01 §2): one owner per client. */
export const clientAccessLevels = ['owner', 'admin', 'user'] as const;
export type ClientAccessLevel = (typeof clientAccessLevels)[number];

/** Scenario runs (spec 01 §19) and their steps. */
export const scenarioStatuses = ['running', 'waiting', 'completed', 'failed', 'cancelled'] as const;
export type ScenarioStatus = (typeof scenarioStatuses)[number];

export const stepStatuses = ['pending', 'running', 'succeeded', 'failed', 'waiting', 'skipped', 'cancelled'] as const;
export type StepStatus = (typeof stepStatuses)[number];

/** A task's status in the task list (the `tasks` view), derived from its step's status and its attempts. */
export const taskStatuses = ['queued', 'running', 'failed', 'completed', 'cancelled'] as const;
export type TaskStatus = (typeof taskStatuses)[number];

/**
 * The step statuses each task status is derived from (the `tasks` view's CASE; queued and running are told
 * apart by a running attempt). A filter on the derived status also filters on the step's own column
 * (`step_status`), which the task indexes serve: the derived status alone matches no index (issue 16).
 */
export const stepStatusesOfTask: Readonly<Record<TaskStatus, readonly StepStatus[]>> = {
  completed: ['succeeded'],
  failed: ['failed'],
  cancelled: ['skipped', 'cancelled'],
  running: ['pending', 'running', 'waiting'],
  queued: ['pending', 'running', 'waiting'],
};

/**
 * Spec 02 §14.1's four roles (decision 29), and `support` (issue 8): the support engineer who gets failed
 * scenarios moving. Support reads operations and finance, retries and skips steps and runs tasks, but does
 * not decide manual operations or change clients, subscriptions or money.
 */
export const staffRoles = ['admin', 'product_manager', 'sales_manager', 'marketing', 'support'] as const;
export type StaffRole = (typeof staffRoles)[number];

export const paymentModels = ['prepay', 'postpay'] as const;
export type PaymentModel = (typeof paymentModels)[number];

/** Type guard for any of the lists above, e.g. `isOneOf(orderStatuses, input)`. */
export function isOneOf<T extends string>(values: readonly T[], value: unknown): value is T {
  return typeof value === 'string' && (values as readonly string[]).includes(value);
}

// ---------------------------------------------------------------------------------------------
// Subscription status groups (spec 01 §6.3)

export const transitionalSubscriptionStatuses = [
  'installing',
  'activating',
  'updating',
  'renewing',
  'stopping',
  'deleting',
] as const satisfies readonly SubscriptionStatus[];
export type TransitionalSubscriptionStatus = (typeof transitionalSubscriptionStatuses)[number];

/**
 * Where a transitional status lands when its operation succeeds. A block waits for this before
 * applying its own rules (decision 19). Installing a non-recurring plan lands on `delivered`
 * instead: use `stableStatusAfterSuccess`.
 */
export const transitionalToStable = {
  installing: 'active',
  activating: 'active',
  updating: 'active',
  renewing: 'active',
  stopping: 'stopped',
  deleting: 'deleted',
} as const satisfies Record<TransitionalSubscriptionStatus, SubscriptionStatus>;

/** Where a transitional status lands when its operation fails. */
export const transitionalToError = {
  installing: 'install_error',
  activating: 'activation_error',
  updating: 'update_error',
  renewing: 'renewal_error',
  stopping: 'stop_error',
  deleting: 'delete_error',
} as const satisfies Record<TransitionalSubscriptionStatus, SubscriptionStatus>;

export type ErrorSubscriptionStatus = (typeof transitionalToError)[TransitionalSubscriptionStatus];
export const errorSubscriptionStatuses = Object.values(transitionalToError) as ErrorSubscriptionStatus[];

export function isTransitionalSubscriptionStatus(status: SubscriptionStatus): status is TransitionalSubscriptionStatus {
  return isOneOf(transitionalSubscriptionStatuses, status);
}

export function isErrorSubscriptionStatus(status: SubscriptionStatus): status is ErrorSubscriptionStatus {
  return isOneOf(errorSubscriptionStatuses, status);
}

export function stableStatusAfterSuccess(
  status: TransitionalSubscriptionStatus,
  options: { nonRecurring?: boolean } = {},
): SubscriptionStatus {
  return status === 'installing' && options.nonRecurring ? 'delivered' : transitionalToStable[status];
}

// ---------------------------------------------------------------------------------------------
// Order guards (spec 01 §16)

/**
 * Open orders block new orders on their subscription (spec 01 §16.3). Everything but the two
 * terminal statuses is open, including `activation_error` (decision 7).
 */
export function isOrderOpen(status: OrderStatus): boolean {
  return status !== 'completed' && status !== 'cancelled';
}

/**
 * Spec 01 §16.9: only unpaid prepay orders and orders waiting for (deferred) provisioning can be
 * cancelled. Postpay orders never wait for payment, so `awaiting_payment` must come with prepay. A purchase
 * is provisioned as soon as it is paid: its scenario takes no cancellation after payment. The API refuses a
 * cancellation by this rule and the operator UI offers one only when it holds.
 */
export function canCancelOrder(order: { status: OrderStatus; paymentModel: PaymentModel; type: OrderType }): boolean {
  return (order.status === 'awaiting_payment' && order.paymentModel === 'prepay') || (order.status === 'awaiting_provisioning' && order.type !== 'purchase');
}

/** Spec 01 §16.10: "Modify" has the same preconditions as cancel, and never applies to prolongation orders. */
export function canModifyOrder(order: { status: OrderStatus; paymentModel: PaymentModel; type: OrderType }): boolean {
  return order.type !== 'prolongation' && canCancelOrder(order);
}

/** Spec 01 §16.8: the order end date can be moved only while awaiting payment or in activation error. */
export function canChangeOrderEndDate(status: OrderStatus): boolean {
  return status === 'awaiting_payment' || status === 'activation_error';
}

const documentKindByOrderType = {
  purchase: 'purchase_order',
  renewal: 'renewal_order',
  prolongation: 'prolongation_order',
  resource_change: 'resource_change_order',
  plan_switch: 'plan_switch_order',
} as const satisfies Record<OrderType, DocumentKind>;

/** Which document-number mask (spec 02 §13.2) numbers an order of this type. */
export function orderTypeDocumentKind(type: OrderType): DocumentKind {
  return documentKindByOrderType[type];
}
