/**
 * The scenarios the platform runs, as their callers see them: each workflow type's name, input and result, and
 * the business key that is its workflow id (architecture rule 4). The API starts and tells scenarios through
 * these; the workflows implement them (workflows/index.ts checks each signature against this list).
 */

import type { SubscriptionOperation } from '../domain/subscription-operations';
import type { EntitlementLifecycleInput } from './entitlement-lifecycle';
import type { PluginRetryPolicy } from './plugin-calls';

// ---------------------------------------------------------------------------------------------------------------
// Inputs

export interface PurchaseOrderInput {
  orderId: number;
  policy?: Partial<PluginRetryPolicy>;
}

/** Renewal, prolongation, resource-change and plan-switch orders: one scenario per order, like purchases. */
export interface SubscriptionOrderInput {
  orderId: number;
  policy?: Partial<PluginRetryPolicy>;
}

export interface SubscriptionOperationInput {
  subscriptionId: number;
  reason: string;
  comment?: string;
  by: number | null;
  policy?: Partial<PluginRetryPolicy>;
  /**
   * Who asked, when not a person: the billing run stops unpaid subscriptions and an administrative block
   * stops every subscription (decision 3) whatever the client's stop mode.
   */
  origin?: 'billing_run' | 'administrative_block';
  /**
   * The business date the operation belongs to, when it is not today: a billing run's stops and deletions split
   * the charges as of the run's date (spec 02 §4.9). Absent (older histories, people): the worker's today.
   */
  businessDate?: string;
}

export type BlockKind = 'financial' | 'administrative';

export interface ClientBlockInput {
  clientId: number;
  /** The client's n-th block of this kind. */
  n: number;
  policy?: Partial<PluginRetryPolicy>;
}

export interface BillingDayInput {
  /** The business date this run is for (`YYYY-MM-DD`). */
  businessDate: string;
  /** The plugin retry policy of the scenarios the run starts (tests shorten it). */
  policy?: Partial<PluginRetryPolicy>;
}

export interface BillingDispatchInput {
  /** The platform time zone the business day is counted in. */
  timeZone: string;
}

/** How hard a notification is tried before it is `failed` (part of the input, so replays see the same values). */
export interface NotificationRetryPolicy {
  attempts: number;
  initialIntervalMs: number;
  maxIntervalMs: number;
}

export const defaultNotificationRetryPolicy: NotificationRetryPolicy = { attempts: 6, initialIntervalMs: 10_000, maxIntervalMs: 10 * 60_000 };

export interface NotifyEventInput {
  eventId: number;
  policy?: NotificationRetryPolicy;
}

export interface SendNotificationInput {
  notificationId: number;
  delayMs: number;
  policy?: NotificationRetryPolicy;
}

// ---------------------------------------------------------------------------------------------------------------
// The workflow types, by the name Temporal knows them

type Outcome = Promise<{ status: string }>;
type SubscriptionOperationScenario = (input: SubscriptionOperationInput) => Outcome;

/** A usage pull of a pay-as-you-go (external) subscription (issue 20). */
export interface UsagePullInput {
  subscriptionId: number;
  /** Pages at most in one pull (default 100); the next pull goes on from the cursor. */
  maxPages?: number;
}

export interface ScenarioWorkflows {
  purchaseOrder: (input: PurchaseOrderInput) => Outcome;
  subscriptionOrder: (input: SubscriptionOrderInput) => Outcome;
  stopSubscription: SubscriptionOperationScenario;
  deleteSubscription: SubscriptionOperationScenario;
  activateStoppedSubscription: SubscriptionOperationScenario;
  blockSubscription: SubscriptionOperationScenario;
  unblockSubscription: SubscriptionOperationScenario;
  financialBlock: (input: ClientBlockInput) => Promise<{ stopping: number }>;
  financialUnblock: (input: ClientBlockInput) => Promise<{ restoring: number }>;
  administrativeBlock: (input: ClientBlockInput) => Promise<{ stopping: number }>;
  administrativeUnblock: (input: ClientBlockInput) => Promise<{ restoring: number }>;
  billingDay: (input: BillingDayInput) => Promise<{ duties: Record<string, number> }>;
  billingDispatch: (input: BillingDispatchInput) => Promise<{ businessDate: string; started: boolean }>;
  notifyEvent: (input: NotifyEventInput) => Promise<{ notifications: number }>;
  sendNotification: (input: SendNotificationInput) => Outcome;
  usagePull: (input: UsagePullInput) => Promise<{ pages: number; records: number }>;
  /** One license's workflow (spec 04 §7.3): contracts/entitlement-lifecycle.ts has its id and messages. */
  entitlementLifecycle: (input: EntitlementLifecycleInput) => Promise<{ status: string }>;
}

export type ScenarioType = keyof ScenarioWorkflows;

/** The workflow type of each kind of block and unblock. */
export const blockScenarioType = {
  financial: { block: 'financialBlock', unblock: 'financialUnblock' },
  administrative: { block: 'administrativeBlock', unblock: 'administrativeUnblock' },
} as const satisfies Record<BlockKind, Record<'block' | 'unblock', ScenarioType>>;

/** The workflow type of each operation on a subscription. */
export const subscriptionOperationScenarioType = {
  stop: 'stopSubscription',
  delete: 'deleteSubscription',
  activate: 'activateStoppedSubscription',
  block: 'blockSubscription',
  unblock: 'unblockSubscription',
} as const satisfies Record<SubscriptionOperation, ScenarioType>;

/** The workflow that processes an order of this type. */
export const orderScenarioType = (orderType: string): 'purchaseOrder' | 'subscriptionOrder' => (orderType === 'purchase' ? 'purchaseOrder' : 'subscriptionOrder');

// ---------------------------------------------------------------------------------------------------------------
// Workflow ids: business keys, so that a repeated request never starts the same scenario twice

/** Every order, purchase or not: `order-<id>`. */
export const orderScenarioId = (orderId: number) => `order-${orderId}`;

/** One request is one scenario: `subscription-<id>-<operation>-<n>`. */
export const subscriptionOperationScenarioId = (subscriptionId: number, operation: SubscriptionOperation, n: number) =>
  `subscription-${subscriptionId}-${operation}-${n}`;

export const blockScenarioId = (kind: BlockKind, clientId: number, n: number) => `${kind}-block-${clientId}-${n}`;
export const unblockScenarioId = (kind: BlockKind, clientId: number, n: number) => `${kind}-unblock-${clientId}-${n}`;

/** One run per business date; re-running a date (through the API) is safe: duties select what is still due. */
export const billingDayScenarioId = (businessDate: string) => `billing-day-${businessDate}`;

/** The schedule that starts a billing run every day, with catch-up after an outage. */
export const billingScheduleId = 'billing-daily';

export const notifyEventScenarioId = (eventId: number) => `notify-event-${eventId}`;
export const sendNotificationScenarioId = (notificationId: number) => `notification-${notificationId}`;
/** The n-th usage pull of a subscription. */
export const usagePullScenarioId = (subscriptionId: number, n: number) => `usage-pull-${subscriptionId}-${n}`;
/** The pull the billing run of a business date starts (one a day: a retried run starts none again). */
export const usagePullDayScenarioId = (subscriptionId: number, businessDate: string) => `usage-pull-${subscriptionId}-on-${businessDate}`;

/**
 * The header that carries the id of the HTTP request that started a scenario (infra/request-context.ts for the
 * client and activity sides, workflows/interceptors.ts for the workflow side). Nothing decides anything by it.
 */
export const REQUEST_ID_HEADER = 'request-id';

/** Spec 01 §4.5.5: the comment of the stop operations rejected when the client leaves the block. */
export const leftBlockComment = 'Account was moved from credit hold';
