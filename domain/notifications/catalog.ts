import type { VariableType } from './rules';

/**
 * The notification event catalogue (spec 03 §6) as far as the platform has the events' sources, plus
 * `task_failed` for support. Each event names the entity blocks its data carries; a block is a set of
 * placeholders (spec 03 §8 names) with their types. The same data serves templates (nested objects,
 * `{{order.number}}`) and rules (dotted variables, `order.total > 1000`).
 */

/** Placeholder blocks: name → type. Money is in minor units (`*.total`), with a formatted `*_with_currency` twin where useful. */
export const blocks = {
  common: {
    current_date: 'date',
    'owner.id': 'integer',
    'owner.email': 'string',
    'owner.name': 'string',
    'owner.phone': 'string',
    'owner.language': 'string',
  },
  account: {
    'account.id': 'integer',
    'account.name': 'string',
    'account.status': 'string',
    'account.human_status_name': 'string',
    'account.balance': 'integer',
    'account.balance_with_currency': 'string',
    'account.currency': 'string',
    'account.financial_blocking_threshold': 'integer',
    'account.type_id': 'integer',
    'account.type_key': 'string',
    'account.class_id': 'integer',
    'account.class_key': 'string',
    'account.language': 'string',
    'account.bill_user_email': 'string',
    'account.bill_user_name': 'string',
    'account.tech_user_email': 'string',
    'account.tech_user_name': 'string',
    'account.manager.name': 'string',
    'account.manager.email': 'string',
  },
  order: {
    'order.id': 'integer',
    'order.number': 'string',
    'order.type': 'string',
    'order.status': 'string',
    'order.total': 'integer',
    'order.total_with_currency': 'string',
    'order.currency': 'string',
    'order.created_at': 'date',
    'order.plans_ids': 'array',
    'order.renewal_is_positive': 'boolean',
  },
  subscription: {
    'subscription.id': 'integer',
    'subscription.name': 'string',
    'subscription.status': 'string',
    'subscription.start_date': 'date',
    'subscription.expiration_date': 'date',
    'subscription.auto_renewal': 'boolean',
    'subscription.trial': 'boolean',
    'subscription.payment_model': 'string',
    'subscription.billing_type': 'string',
    'subscription.days_left': 'integer',
    'subscription.days_passed': 'integer',
    'subscription.renewal_amount': 'integer',
  },
  plan: {
    'plan.id': 'integer',
    'plan.name': 'string',
    'plan.status': 'string',
    'plan_period.duration_value': 'integer',
    'plan_period.duration_type': 'string',
    'plan_period.trial': 'boolean',
    'plan_period.setup_fee': 'integer',
    'plan_period.recurring_fee': 'integer',
    'plan_period.renewal_fee': 'integer',
    'product.id': 'integer',
    'product.name': 'string',
  },
  payment: {
    'payment.id': 'integer',
    'payment.document_number': 'string',
    'payment.type': 'string',
    'payment.status': 'string',
    'payment.total': 'integer',
    'payment.total_with_currency': 'string',
    'payment.currency': 'string',
    'payment.comment': 'string',
    'payment.created_at': 'date',
    'payment.expiration_date': 'date',
    'payment.days_left': 'integer',
    'payment.orders': 'string',
  },
  guaranteedPayment: {
    'guaranteed_payment.id': 'integer',
    'guaranteed_payment.document_number': 'string',
    'guaranteed_payment.status': 'string',
    'guaranteed_payment.total': 'integer',
    'guaranteed_payment.total_with_currency': 'string',
    'guaranteed_payment.expiration_date': 'date',
    'guaranteed_payment.days_left': 'integer',
  },
  manualOperation: {
    'operation.id': 'integer',
    'operation.type': 'string',
    'operation.status': 'string',
    'operation.comment': 'string',
  },
  invoice: {
    'invoice.id': 'integer',
    'invoice.document_number': 'string',
    'invoice.total': 'integer',
    'invoice.total_with_currency': 'string',
    'invoice.financial_day': 'date',
  },
  license: {
    'license.key': 'string',
    'license.product': 'string',
    'license.product_name': 'string',
    'license.vendor': 'string',
    'license.seats': 'integer',
    'license.expiration_date': 'date',
  },
  task: {
    'task.id': 'integer',
    'task.scenario_id': 'string',
    'task.step': 'string',
    'task.plugin': 'string',
    'task.operation': 'string',
    'task.error_class': 'string',
    'task.error_message': 'string',
  },
} as const satisfies Record<string, Record<string, VariableType>>;

type BlockName = keyof typeof blocks;

export interface EventDefinition {
  name: string;
  /** When it fires, in the operator's words. */
  fires: string;
  /** The record the event is about; notifications are deduplicated per event, record and transition or date. */
  subject: 'client' | 'order' | 'subscription' | 'payment' | 'promised_payment' | 'manual_operation' | 'task' | 'license';
  blocks: readonly BlockName[];
  /** Variables with a previous value (`.was`). */
  was?: readonly string[];
  /** Evaluated by the billing run for its business date (spec 03 §6.3). */
  daily?: boolean;
  /** Without a rule the handler would fire for everything every day (spec 03 §6 "Rule req."). */
  ruleRequired?: boolean;
  /** Who receives it by default (the shipped templates' recipients). */
  audience: 'client' | 'staff';
}

export const notificationEvents = {
  order_created: {
    name: 'Order created',
    fires: 'an order that needs a payment is created (purchase, renewal, prolongation, resource change, plan switch)',
    subject: 'order',
    blocks: ['common', 'account', 'order', 'subscription', 'plan', 'payment'],
    audience: 'client',
  },
  order_changed: {
    name: 'Order changed',
    fires: 'an order changes status (paid, provisioning, completed, cancelled, activation error)',
    subject: 'order',
    blocks: ['common', 'account', 'order', 'subscription', 'plan'],
    was: ['order.status'],
    audience: 'client',
  },
  subscription_changed: {
    name: 'Subscription changed',
    fires: 'a subscription becomes active, payment overdue, stopped, blocked, awaiting manual confirmation or deleted',
    subject: 'subscription',
    blocks: ['common', 'account', 'subscription', 'plan'],
    was: ['subscription.status'],
    audience: 'client',
  },
  before_subscription_expiration: {
    name: 'Before subscription expiration',
    fires: 'daily, for every working subscription with an expiration date still ahead (rule on subscription.days_left)',
    subject: 'subscription',
    blocks: ['common', 'account', 'subscription', 'plan'],
    daily: true,
    ruleRequired: true,
    audience: 'client',
  },
  after_subscription_expiration: {
    name: 'After subscription expiration',
    fires: 'daily, for every subscription past its expiration date and not deleted (rule on subscription.days_passed)',
    subject: 'subscription',
    blocks: ['common', 'account', 'subscription', 'plan'],
    daily: true,
    ruleRequired: true,
    audience: 'client',
  },
  payment_received: {
    name: 'Payment has been received',
    fires: 'a payment is completed, paid from the balance or cancelled',
    subject: 'payment',
    blocks: ['common', 'account', 'payment'],
    was: ['payment.status'],
    audience: 'client',
  },
  joined_payment_created: {
    name: 'Joined payment created',
    fires: 'payments are merged into one (by hand or by the nightly merge)',
    subject: 'payment',
    blocks: ['common', 'account', 'payment'],
    audience: 'client',
  },
  payment_due_date_coming: {
    name: 'Payment due date is coming',
    fires: 'daily, for every waiting payment for postpay services (rule on payment.days_left; 0 = its last day)',
    subject: 'payment',
    blocks: ['common', 'account', 'payment'],
    daily: true,
    audience: 'client',
  },
  postpay_payment_created: {
    name: 'Postpay payment created',
    fires: 'the act of a financial period is issued with its payment for rendered services',
    subject: 'payment',
    blocks: ['common', 'account', 'invoice', 'payment'],
    audience: 'client',
  },
  account_created: {
    name: 'Account created',
    fires: 'a client is created',
    subject: 'client',
    blocks: ['common', 'account'],
    audience: 'client',
  },
  account_changed: {
    name: 'Account changed',
    fires: 'a client enters or leaves a financial or administrative block',
    subject: 'client',
    blocks: ['common', 'account'],
    was: ['account.status'],
    audience: 'client',
  },
  low_balance: {
    name: 'Low balance',
    fires: 'a balance change leaves the balance at or below zero (once per crossing)',
    subject: 'client',
    blocks: ['common', 'account'],
    was: ['account.balance'],
    audience: 'client',
  },
  promised_payment_created: {
    name: 'Promised payment created',
    fires: 'a promised payment is granted',
    subject: 'promised_payment',
    blocks: ['common', 'account', 'guaranteedPayment'],
    audience: 'client',
  },
  promised_payment_changed: {
    name: 'Promised payment changed',
    fires: 'a promised payment is revoked (on expiry, by a top-up or by hand) or replaced by a partial top-up',
    subject: 'promised_payment',
    blocks: ['common', 'account', 'guaranteedPayment'],
    was: ['guaranteed_payment.status'],
    audience: 'client',
  },
  promised_payment_expiring: {
    name: 'Promised payment will expire',
    fires: 'daily, for every promised payment in force (rule on guaranteed_payment.days_left)',
    subject: 'promised_payment',
    blocks: ['common', 'account', 'guaranteedPayment'],
    daily: true,
    ruleRequired: true,
    audience: 'client',
  },
  manual_operation: {
    name: 'Manual operation',
    fires: 'a manual operation is created, approved or rejected',
    subject: 'manual_operation',
    blocks: ['common', 'account', 'manualOperation', 'subscription'],
    was: ['operation.status'],
    audience: 'staff',
  },
  license_issued: {
    name: 'Licence issued',
    fires: 'the licensing plugin issues a licence for a subscription (the key and its product: the licence delivery mail of spec 04 §5.5)',
    subject: 'license',
    blocks: ['common', 'account', 'license', 'subscription'],
    audience: 'client',
  },
  task_failed: {
    name: 'Task failed',
    fires: 'a plugin call fails for good and waits in the task list for support',
    subject: 'task',
    blocks: ['common', 'account', 'task'],
    audience: 'staff',
  },
} as const satisfies Record<string, EventDefinition>;

export type NotificationEvent = keyof typeof notificationEvents;
export const notificationEventKeys = Object.keys(notificationEvents) as NotificationEvent[];

export const isNotificationEvent = (key: string): key is NotificationEvent => Object.hasOwn(notificationEvents, key);

/** The rule variables of an event: its blocks' placeholders and, where it has them, previous values. */
export function eventVariables(event: NotificationEvent): Record<string, VariableType> {
  const def: EventDefinition = notificationEvents[event];
  const vars: Record<string, VariableType> = {};
  for (const block of def.blocks) Object.assign(vars, blocks[block]);
  for (const name of def.was ?? []) vars[`${name}.was`] = vars[name]!;
  return vars;
}

/** The placeholders a template of the event may use (the variables, without previous values). */
export function eventPlaceholders(event: NotificationEvent): string[] {
  const def: EventDefinition = notificationEvents[event];
  return def.blocks.flatMap((block) => Object.keys(blocks[block])).sort();
}

export const notificationChannels = ['email', 'sms', 'panel'] as const;
export type NotificationChannel = (typeof notificationChannels)[number];

export const notificationLanguages = ['en', 'ru'] as const;
export type NotificationLanguage = (typeof notificationLanguages)[number];
