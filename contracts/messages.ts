import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import type { DecisionRequest, ManualDecisionRequest, ScenarioTree } from './scenario-records';

/** Every scenario answers this: the live step tree. */
export const scenarioTreeQuery = defineQuery<ScenarioTree>('scenarioTree');

/** A decision on a failed step. The validator rejects it before it enters history when it does not apply. */
export const decideUpdate = defineUpdate<{ accepted: true; step: string; decision: string }, [DecisionRequest]>(
  'decide',
);

/** Approve or reject a pending manual operation of this scenario. Answers once the decision is recorded. */
export const manualDecisionUpdate = defineUpdate<{ operationId: number; status: 'approved' | 'rejected' }, [ManualDecisionRequest]>(
  'decideManualOperation',
);

/** Cancel a queued task (one not yet executing, or backing off between attempts): the scenario runs its cancel path. */
export const cancelTaskUpdate = defineUpdate<{ accepted: true; step: string }, [{ step: string; reason: string; by: number | null }]>(
  'cancelTask',
);

/**
 * The same decision sent by another scenario (workflows cannot send updates): e.g. leaving a financial
 * block rejects the pending stop operations. Ignored when the operation is no longer awaited or decided.
 */
export const manualDecisionSignal = defineSignal<[ManualDecisionRequest]>('decideManualOperationBySystem');

// ---------------------------------------------------------------------------------------------------------------
// Orders (purchase and subscription orders answer the same messages)

export interface ConfirmPaymentRequest {
  method: string;
  by: number | null;
}
export interface CancelOrderRequest {
  reason: string | null;
  by: number | null;
}
/** The payment an operator's confirmation recorded. */
export interface ConfirmedPayment {
  paymentId: number;
  status: string;
}
/** Why the billing run tells an order it expired: its date, and a reason other than "not paid by its end date". */
export interface OrderExpiry {
  businessDate: string;
  reason?: string;
}

/** An operator confirmed the order's payment. Answers once the payment is recorded. */
export const confirmPaymentUpdate = defineUpdate<ConfirmedPayment, [ConfirmPaymentRequest]>('confirmPayment');
/** An operator cancelled the order while it awaits payment. Answers once the order is cancelled. */
export const cancelOrderUpdate = defineUpdate<{ status: 'cancelled' }, [CancelOrderRequest]>('cancelOrder');

/**
 * The billing run found the order unpaid past its end date (spec 01 §16.8, decision 8). A signal, so the
 * run never waits on an order; an order that is no longer awaiting payment ignores it.
 */
export const orderExpiredSignal = defineSignal<[OrderExpiry]>('orderExpired');

/** The billing run paid the order from the balance (auto-payment): go on to provisioning. */
export const orderPaidSignal = defineSignal<[{ businessDate: string }]>('orderPaid');
/** The billing run found a deferred order's provisioning date reached (spec 01 §12.4). */
export const provisionOrderSignal = defineSignal<[{ businessDate: string }]>('provisionOrder');
