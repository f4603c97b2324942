import { z } from '@hono/zod-openapi';
import {
  clientStatuses,
  orderStatuses,
  orderTypes,
  paymentModels,
  paymentStatuses,
  paymentTypes,
  scenarioStatuses,
  stepStatuses,
  subscriptionStatuses,
} from '../domain/statuses';

/**
 * What the API answers, described once. Routes parse their answers with these schemas, so the OpenAPI
 * document cannot drift from the wire format (undeclared fields are dropped, missing ones fail loudly).
 */
const timestamp = z.union([z.date(), z.string()]).transform((v) => new Date(v).toISOString()).openapi({ type: 'string', format: 'date-time' });
const optionalTimestamp = timestamp.nullable();
const amount = z.coerce.number().int().describe('integer minor units');
const date = z.string().nullable().openapi({ format: 'date' });

export const eventEntry = z
  .object({
    id: z.coerce.number(),
    createdAt: timestamp,
    actorKind: z.enum(['staff', 'system', 'client_user']),
    actorId: z.number().nullable(),
    viaApi: z.boolean().optional(),
    action: z.string(),
    reason: z.string().nullable(),
    changes: z.unknown().nullable(),
  })
  .openapi('EventLogEntry');

export const contact = z
  .object({ id: z.number(), name: z.string(), email: z.string().nullable(), phone: z.string().nullable(), language: z.string().nullable(), role: z.string() })
  .openapi('Contact');

export const client = z
  .object({
    id: z.number(),
    name: z.string(),
    status: z.enum(clientStatuses),
    clientType: z.string(),
    serviceRuleId: z.number(),
    managerId: z.number().nullable(),
    currency: z.string(),
    language: z.string(),
    balance: amount,
    postpayPermission: z.string(),
    creditThresholdOverride: amount.nullable(),
    negativeSince: optionalTimestamp,
    createdAt: timestamp,
    updatedAt: timestamp,
    contacts: z.array(contact),
  })
  .openapi('Client');

export const paymentSummary = z
  .object({
    id: z.number(),
    number: z.string(),
    type: z.enum(paymentTypes),
    status: z.enum(paymentStatuses),
    amount,
    currency: z.string(),
    method: z.string().nullable(),
    closedAt: optionalTimestamp,
  })
  .openapi('PaymentSummary');

export const payment = paymentSummary
  .extend({
    clientId: z.number(),
    orderId: z.number().nullable(),
    comment: z.string().nullable(),
    balanceAfter: amount.nullable(),
    confirmedBy: z.number().nullable(),
    createdAt: timestamp,
    /** A merged payment (spec 02 §2.11) and the orders it pays for. */
    merged: z.boolean(),
    mergedOrderIds: z.array(z.number()),
    /** Set on a payment cancelled by a merge: the merged payment that carries it now. */
    mergedIntoId: z.number().nullable(),
  })
  .openapi('Payment');

export const scenarioSummary = z
  .object({
    id: z.string(),
    type: z.string(),
    status: z.enum(scenarioStatuses),
    currentStep: z.string().nullable(),
    startedAt: timestamp,
    finishedAt: optionalTimestamp,
    durationMs: z.number().nullable(),
  })
  .openapi('ScenarioSummary');

export const orderItem = z
  .object({
    id: z.number(),
    kind: z.string(),
    priceType: z.string(),
    description: z.string(),
    quantity: z.number(),
    periodMonths: z.string(),
    unitPrice: amount,
    discount: amount,
    amount,
    status: z.string(),
  })
  .openapi('OrderItem');

export const order = z
  .object({
    id: z.number(),
    number: z.string(),
    type: z.enum(orderTypes),
    status: z.enum(orderStatuses),
    statusReason: z.string().nullable(),
    clientId: z.number(),
    subscriptionId: z.number().nullable(),
    planId: z.number(),
    planPeriodId: z.number(),
    paymentModel: z.enum(paymentModels),
    currency: z.string(),
    amount,
    discount: amount,
    promoCode: z.string().nullable().describe('the promo code that discounted the order, if any'),
    endDate: z.string().openapi({ format: 'date' }),
    provisioningDate: date,
    deferred: z.boolean(),
    createdBy: z.number().nullable(),
    scenarioId: z.string(),
    createdAt: timestamp,
    updatedAt: timestamp,
    closedAt: optionalTimestamp,
    items: z.array(orderItem),
    payments: z.array(paymentSummary),
    scenarios: z.array(scenarioSummary),
    events: z.array(eventEntry),
  })
  .openapi('Order');

export const subscription = z
  .object({
    id: z.number(),
    name: z.string(),
    clientId: z.number(),
    planId: z.number(),
    planPeriodId: z.number(),
    status: z.enum(subscriptionStatuses),
    savedStatus: z.enum(subscriptionStatuses).nullable(),
    statusReason: z.string().nullable(),
    billingType: z.string(),
    paymentModel: z.enum(paymentModels),
    trial: z.boolean(),
    currency: z.string(),
    startDate: date,
    expirationDate: date,
    prolongedUntil: date,
    autoRenew: z.boolean(),
    autoRenewPointDays: z.number(),
    manualRenewPointDays: z.number(),
    vendorReference: z.string().nullable(),
    createdAt: timestamp,
    updatedAt: timestamp,
    orders: z.array(z.object({ id: z.number(), number: z.string(), type: z.enum(orderTypes), status: z.enum(orderStatuses), amount, createdAt: timestamp })),
    events: z.array(eventEntry),
  })
  .openapi('Subscription');

export const stepAttempt = z
  .object({
    path: z.string(),
    round: z.number(),
    attempt: z.number(),
    status: z.enum(['running', 'succeeded', 'failed', 'abandoned']),
    errorClass: z.string().nullable(),
    errorMessage: z.string().nullable(),
    responseExcerpt: z.string().nullable(),
    startedAt: timestamp,
    finishedAt: optionalTimestamp,
    durationMs: z.number().nullable(),
  })
  .openapi('StepAttempt');

export interface StepNode {
  path: string;
  parentPath: string | null;
  position: number;
  name: string;
  kind: string;
  status: (typeof stepStatuses)[number];
  children: StepNode[];
  [key: string]: unknown;
}

export const step: z.ZodType<StepNode> = z
  .object({
    path: z.string(),
    parentPath: z.string().nullable(),
    position: z.number(),
    name: z.string(),
    kind: z.enum(['group', 'step', 'task', 'wait', 'manual', 'compensation']),
    status: z.enum(stepStatuses),
    plugin: z.string().nullable(),
    operation: z.string().nullable(),
    idempotencyKey: z.string().nullable(),
    input: z.unknown().nullable(),
    output: z.unknown().nullable(),
    errorClass: z.string().nullable(),
    errorMessage: z.string().nullable(),
    rounds: z.number(),
    startedAt: optionalTimestamp,
    finishedAt: optionalTimestamp,
    durationMs: z.number().nullable(),
    attempts: z.array(stepAttempt),
    get children() {
      return z.array(step);
    },
  })
  .openapi('Step') as unknown as z.ZodType<StepNode>;

export const scenario = scenarioSummary
  .extend({
    runId: z.string(),
    subjectKind: z.enum(['order', 'subscription', 'client', 'billing_run']),
    subjectId: z.string(),
    error: z.string().nullable(),
    tree: z.array(step),
    decisions: z.array(
      z.object({
        step: z.string(),
        decision: z.enum(['retry', 'skip', 'cancel']),
        reason: z.string().nullable(),
        input: z.unknown().nullable(),
        decidedBy: z.number().nullable(),
        decidedAt: timestamp,
      }),
    ),
  })
  .openapi('Scenario');
