import { ApplicationFailure, condition, setHandler } from '@temporalio/workflow';
import {
  cancelOrderUpdate,
  confirmPaymentUpdate,
  orderExpiredSignal,
  orderPaidSignal,
  provisionOrderSignal,
  type CancelOrderRequest,
  type ConfirmedPayment,
  type ConfirmPaymentRequest,
  type OrderExpiry,
} from '../contracts/messages';
import type { DatabaseActivities } from './activities';
import type { Compensation, Scenario } from './engine/scenario';

/** How the payment of an order awaiting it was settled. */
type PaymentOutcome =
  | { kind: 'paid' }
  | { kind: 'confirmed'; request: ConfirmPaymentRequest; result?: ConfirmedPayment }
  | { kind: 'cancelled'; request: CancelOrderRequest; done?: boolean };
type Cancelled = Extract<PaymentOutcome, { kind: 'cancelled' }>;

/** Awaiting payment; paid and awaiting its provisioning date (a deferred subscription order); past the gate. */
type Phase = 'payment' | 'deferred' | 'provisioning';

export interface PaymentGateOptions {
  orderId: number;
  /** The order activities of this execution (`databaseActivities()`). */
  orders: DatabaseActivities['orders'];
  /** What a confirmation or cancellation waiting for its turn is told when the order was paid another way. */
  settledMessage: string;
  /** The billing run auto-pays the order on its date and tells it `orderPaid` (automatic subscription orders). */
  autoPaid: boolean;
  /** The order may wait for a provisioning date (`provisionOrder`) and be cancelled while it waits. */
  deferrable: boolean;
}

/** How a cancellation before provisioning ends the order. */
export interface OrderCancellation {
  /** The steps that cancel the order (and give back what was paid). */
  steps: (request: CancelOrderRequest) => Promise<unknown>;
  /** The scenario's cancellation reason when the request gives none. */
  fallbackReason: string;
}

export interface PaymentWait {
  /** Pay from the client's balance first (`compensate` gives it back on a later cancel); false for automatic orders. */
  payFromBalance: false | { compensate?: Compensation };
  /** The name of the wait step. */
  waitName: string;
  cancel: OrderCancellation;
}

/**
 * The payment gate of an order scenario (purchase and subscription orders answer the same messages,
 * contracts/messages.ts): nothing is provisioned before the order is paid, from the balance, by the billing run's
 * auto-payment or confirmed by an operator; a cancel before payment (or, for a deferred order, before its
 * provisioning date) cancels the order, and the billing run expires an order unpaid past its end date. Confirm
 * and cancel are accepted from the start: an integrator may confirm right after creating the order. The workflow
 * creates the gate right after its scenario, so the handlers exist before the first step.
 */
export class PaymentGate {
  private phase: Phase = 'payment';
  private outcome: PaymentOutcome | null = null;
  private provisionNow = false;

  constructor(
    private readonly s: Scenario,
    private readonly options: PaymentGateOptions,
  ) {
    setHandler(confirmPaymentUpdate, (request) => this.confirm(request), { validator: (_request) => this.assertAwaitingPayment() });
    setHandler(cancelOrderUpdate, (request) => this.cancel(request), { validator: (_request) => this.assertCancellable() });
    if (options.autoPaid) {
      setHandler(orderPaidSignal, () => {
        if (this.awaitingPayment()) this.outcome = { kind: 'paid' };
      });
    }
    setHandler(orderExpiredSignal, (expiry) => this.expire(expiry));
    if (options.deferrable) {
      setHandler(provisionOrderSignal, () => {
        this.provisionNow = true;
      });
    }
  }

  /**
   * Waits until the order is paid: from the balance, by the billing run, or confirmed by an operator (the
   * confirmation is recorded here). A cancellation instead cancels the order and ends the scenario.
   */
  async awaitPayment({ payFromBalance, waitName, cancel }: PaymentWait): Promise<void> {
    const { s } = this;
    const { orderId, orders } = this.options;
    if (payFromBalance) {
      const paid = await s.step('Pay from balance', () => orders.payOrderFromBalance({ orderId }), { skippable: false, ...payFromBalance });
      // Paid: a confirmation or cancellation that came meanwhile is told the order was paid.
      if (paid?.paid) this.outcome = { kind: 'paid' };
    }
    if (this.outcome === null) await s.wait(waitName, () => this.outcome !== null);
    const decided: PaymentOutcome | null = this.outcome;
    if (decided?.kind === 'cancelled') await this.cancelOrder(decided, cancel);
    if (decided?.kind === 'confirmed') {
      decided.result = await s.step('Confirm payment', () => orders.confirmOrderPayment({ orderId, method: decided.request.method, by: decided.request.by }), {
        skippable: false,
      });
    }
  }

  /** A deferred order, paid, waits for its provisioning date (spec 01 §12.4); a cancel meanwhile cancels it. */
  async awaitProvisioningDate(provisioningDate: string | null, cancel: OrderCancellation): Promise<void> {
    this.phase = 'deferred';
    const cancelRequested = () => this.outcome?.kind === 'cancelled' && this.outcome.done !== true;
    await this.s.wait(`Wait for provisioning date ${provisioningDate}`, () => this.provisionNow || cancelRequested());
    const decided: PaymentOutcome | null = this.outcome;
    if (!this.provisionNow && decided?.kind === 'cancelled') await this.cancelOrder(decided, cancel);
  }

  /** The order goes on to provisioning: updates waiting for the payment are answered, new ones refused. */
  pass(): void {
    this.phase = 'provisioning';
  }

  private async cancelOrder(decided: Cancelled, cancel: OrderCancellation): Promise<never> {
    await cancel.steps(decided.request);
    decided.done = true;
    return this.s.cancel(decided.request.reason ?? cancel.fallbackReason);
  }

  private async confirm(request: ConfirmPaymentRequest): Promise<ConfirmedPayment> {
    const confirmed: PaymentOutcome = { kind: 'confirmed', request };
    this.outcome = confirmed;
    await condition(() => confirmed.result !== undefined || this.phase !== 'payment');
    if (!confirmed.result) throw this.settled();
    return confirmed.result;
  }

  private async cancel(request: CancelOrderRequest): Promise<{ status: 'cancelled' }> {
    const cancelled: PaymentOutcome = { kind: 'cancelled', request };
    this.outcome = cancelled;
    await condition(() => cancelled.done === true || this.phase === 'provisioning');
    if (!cancelled.done) throw this.settled();
    return { status: 'cancelled' };
  }

  /** Spec 01 §16.8, decision 8: unpaid past its end date; ignored once the payment is settled. */
  private expire({ businessDate, reason }: OrderExpiry): void {
    if (!this.awaitingPayment()) return;
    this.outcome = { kind: 'cancelled', request: { reason: reason ?? `not paid by its end date (billing run of ${businessDate})`, by: null } };
  }

  private awaitingPayment(): boolean {
    return this.phase === 'payment' && this.outcome === null;
  }

  private assertAwaitingPayment(): void {
    if (!this.awaitingPayment()) throw new Error('the order is not awaiting payment');
  }

  private assertCancellable(): void {
    if (this.awaitingPayment()) return;
    if (!this.options.deferrable) throw new Error('the order is not awaiting payment');
    if (this.phase !== 'deferred' || this.outcome?.kind === 'cancelled') {
      throw new Error('the order is neither awaiting payment nor awaiting its provisioning date');
    }
  }

  private settled(): ApplicationFailure {
    return ApplicationFailure.create({ type: 'order_already_paid', message: this.options.settledMessage, nonRetryable: true });
  }
}
