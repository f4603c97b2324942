// The financial block predicate (spec 01 §4.5, decisions 1-2). One predicate, evaluated after every
// balance-changing transaction and by every billing run; the client is blocked exactly while it holds.

import { daysBetween, type IsoDate } from './dates';
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
