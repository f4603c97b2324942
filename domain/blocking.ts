// The financial block predicate (spec 01 §4.5, decisions 1-2). One predicate, evaluated after every
// balance-changing transaction and by every billing run; the client is blocked exactly while it holds.

import { daysBetween, type IsoDate } from './dates';
import { isOneOf, isTransitionalSubscriptionStatus, type SubscriptionStatus } from './statuses';
import type { ClientStatus } from './statuses';

export interface BlockInputs {
  /** Minor units; negative when the client owes. */
  balance: number;
  /** Non-negative: the balance may go down to −threshold (client override, else the service rule). */
  threshold: number;
  /** The day of the transaction that took the balance below 0; null while it is ≥ 0. */
  negativeSince: IsoDate | null;
  /** The allowed negative-balance period in days; −1 = the period never blocks. */
  allowedNegativeDays: number;
  today: IsoDate;
}

export type BlockReason = 'threshold' | 'negative_period';

/**
 * Why the financial block holds, or null when it does not: the balance is below −threshold, or it has been
 * negative for the allowed period (P = 0: as soon as it is negative; a client blocked by the period leaves
 * only at a balance ≥ 0).
 */
export function financialBlockReason(i: BlockInputs): BlockReason | null {
  if (i.balance < -i.threshold) return 'threshold';
  if (i.balance < 0 && i.allowedNegativeDays !== -1 && i.negativeSince !== null && daysBetween(i.negativeSince, i.today) >= i.allowedNegativeDays) {
    return 'negative_period';
  }
  return null;
}

/** Decision 1: the negative-since day starts with the transaction that takes the balance below 0 and resets at ≥ 0. */
export function nextNegativeSince(previous: IsoDate | null, balanceAfter: number, today: IsoDate): IsoDate | null {
  if (balanceAfter >= 0) return null;
  return previous ?? today;
}

// ---------------------------------------------------------------------------------------------
// What a block does with each prepaid subscription (spec 01 §4.4, §4.5.2, §6.3; decision 19)

/**
 * Error statuses a block stops anyway (decision 19): the operation that failed may be retried later and must not
 * bring the subscription back to work while the client is blocked. A failed deletion is left to its own scenario:
 * stopping it would leave a subscription shown as stopped that a retried deletion removed at the vendor.
 */
export const errorStatusesStoppedByBlock = ['install_error', 'activation_error', 'update_error', 'renewal_error', 'stop_error'] as const satisfies readonly SubscriptionStatus[];

/**
 * - `stop`: working (active, payment overdue): its stop scenario, which follows the stop mode;
 * - `wait`: an operation is in flight (a transitional status, a paid order being provisioned, a running operation
 *   scenario): look again once it has finished, whatever it ends in;
 * - `stop_after_error`: the operation ended in an error status: the block stops it itself, or leaves a failed step
 *   for support when the plugin cannot;
 * - `leave`: anything else (stopped, blocked, awaiting a person, deleted, a failed deletion).
 */
export type BlockAction = 'stop' | 'wait' | 'stop_after_error' | 'leave';

export function blockActionFor(s: { status: SubscriptionStatus; operationInFlight: boolean }): BlockAction {
  if (s.operationInFlight || isTransitionalSubscriptionStatus(s.status)) return 'wait';
  if (s.status === 'active' || s.status === 'payment_overdue') return 'stop';
  if (isOneOf(errorStatusesStoppedByBlock, s.status)) return 'stop_after_error';
  return 'leave';
}

/**
 * Decision 3, spec 01 §4.4: the statuses an operator's client operations start from. The administrative block
 * takes over from a financial one; activation lifts only an administrative block. The API refuses by this
 * table and the operator UI offers only what it allows.
 */
export const clientOperations = {
  administrative_block: ['active', 'financially_blocked'],
  activate: ['administratively_blocked'],
} as const satisfies Record<string, readonly ClientStatus[]>;
export type ClientOperation = keyof typeof clientOperations;

export function canStartClientOperation(operation: ClientOperation, status: string): boolean {
  return (clientOperations[operation] as readonly string[]).includes(status);
}
