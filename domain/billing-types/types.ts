// The vocabulary every billing type speaks (spec 02 §4.4, §4.9, §4.10): the charges of one subscription as the
// rules see them, and the changes a rule asks for. A billing type is a set of pure functions from the first to
// the second; operations/charges persists the changes, and the pure charge book (charge-book.ts) replays them
// for the property tests, so both run the same rules.

import type { IsoDate } from '../dates';
import type { Refusal } from '../errors';
import type { MinorUnits } from '../money';

export const billingTypes = [
  'prepaid_term',
  'monthly_flexible',
  'no_refund',
  'peak_monthly',
  'csp_monthly',
  'csp_annual',
  'eset_monthly',
  'non_recurring',
  // Pay-as-you-go (issue 20): billed by usage records, not by orders.
  'usage_internal',
  'usage_external',
] as const;
export type BillingType = (typeof billingTypes)[number];

/** The types a plan may take: all of them since usage records arrived (issue 20). */
export const sellableBillingTypes = billingTypes;

/** The usage types (pay-as-you-go): their money comes from usage records, not from orders. */
export const usageBillingTypes = ['usage_internal', 'usage_external'] as const satisfies readonly BillingType[];
export const isUsageBillingType = (t: BillingType): boolean => (usageBillingTypes as readonly string[]).includes(t);

/** The types whose charges orders create: the ones the order-driven property tests and benchmarks exercise. */
export const orderBilledTypes = billingTypes.filter((t) => !isUsageBillingType(t)) as Exclude<BillingType, 'usage_internal' | 'usage_external'>[];

export const chargeStatuses = ['new', 'open', 'blocked', 'closed', 'deleted', 'awaiting_refund', 'refunded'] as const;
export type ChargeStatus = (typeof chargeStatuses)[number];
export type ChargeKind = 'setup' | 'renewal' | 'transfer' | 'recurring' | 'usage';

/** One charge as the rules see it. Periods are inclusive; `closeDate` is when the billing run closes it. */
export interface ChargeView {
  id: number;
  orderId: number;
  kind: ChargeKind;
  status: ChargeStatus;
  from: IsoDate;
  to: IsoDate;
  closeDate: IsoDate;
  amount: MinorUnits;
  /** A refund charge (spec 02 §4.9): it records money given back, it never holds any. */
  refund: boolean;
  /** A charge for additional resources: the resource and the units above the included ones it pays for (absent: the service). */
  resourceKey?: string | null;
  quantity?: number | null;
  /** A later month of a no-refund commitment (seed 8.3.4.6.4): open, in no order's amount, replaced by its prolongation's charge. */
  commitment?: boolean;
}

/** A charge a rule creates by splitting `splitOf` (its parts always add up to it) or as a refund record. */
export interface NewCharge extends Omit<ChargeView, 'id' | 'orderId'> {
  splitOf: number;
  /** A charge that replaces several (manual close-all): all of them; they are all superseded by it. */
  mergeOf?: number[];
  /** Why it exists, for its description ("used part", "remainder", ...). */
  part: string;
}

/** What a rule changes: existing charges moved to a status, and new ones. Money follows from the statuses. */
export interface ChargeChanges {
  /** `superseded`: its amount now lives in the charges split from it (it is not counted in its order's sum). */
  set: Array<{ id: number; status: ChargeStatus; superseded?: boolean; to?: IsoDate; closeDate?: IsoDate }>;
  add: NewCharge[];
}

export const noChanges = (): ChargeChanges => ({ set: [], add: [] });

/** The subscription as the rules need it. */
export interface SubscriptionTerms {
  billingType: BillingType;
  financialDay: number;
  prepay: boolean;
  expirationDate: IsoDate | null;
  /** Stopped (or blocked, which behaves as stopped: spec 02 §4.11) when the event happens. */
  stopped: boolean;
}

/** Operations a billing type may forbid (spec 02 §4.10). */
export const restrictedOperations = ['stop', 'activate', 'delete', 'switch', 'increase', 'decrease', 'renew', 'manual_close'] as const;
export type RestrictedOperation = (typeof restrictedOperations)[number];

/** Events on a subscription that change its charges. */
export type ChargeEvent =
  | { kind: 'stop'; date: IsoDate }
  | { kind: 'activate'; date: IsoDate }
  | { kind: 'delete'; date: IsoDate }
  /** A financial day reached while the subscription is stopped (spec 02 §4.9 stop steps 5-6). */
  | { kind: 'financial_day_stopped'; date: IsoDate }
  /** The subscription leaves its plan: its current and future charges end (spec 02 §4.9 plan switch). */
  | { kind: 'switch'; date: IsoDate }
  /** A resource-change order takes `removed` additional units of `resource` away from `date` on (spec 02 §4.9 resource decrease). */
  | { kind: 'decrease'; date: IsoDate; resource: string; removed: number }
  | { kind: 'manual_close'; date: IsoDate };

/**
 * Money taken from the client's available balance by a charge (prepaid model, spec 02 §4.12): a blocked charge
 * holds its amount, a closed one has consumed it; new, open, deleted and refund charges hold nothing. Every
 * ledger movement of a charge change is the difference of this sum, so a rule cannot move money it does not
 * account for.
 */
export function moneyTaken(c: Pick<ChargeView, 'status' | 'amount' | 'refund'>): MinorUnits {
  return !c.refund && (c.status === 'blocked' || c.status === 'closed') ? c.amount : 0;
}

/** When an operation is asked for: the date, and the subscription's start and financial day (null start: not provisioned yet). */
export interface RefusalContext {
  date: IsoDate;
  startDate: IsoDate | null;
  financialDay: number;
}

/** A plan's shape as a billing type checks it (spec 02 §4.10: which prices and periods each type allows). */
export interface PlanShape {
  financialDay: number;
  periods: Array<{ duration: number; unit: 'day' | 'month' | 'year'; unlimited: boolean; trial: boolean; setupFee: number; renewalFee: number; recurringFee: number }>;
}

/**
 * One billing type (spec 02 §4.10): how its subscriptions are paid, what it forbids, and how each event changes
 * their charges. Every type implements every member; the defaults a type shares live in `rules.ts`.
 */
export interface BillingTypeRules {
  type: BillingType;
  /** The seed's name, for people. */
  label: string;
  /**
   * How its orders pay: `term` the whole term up front (pre-order, CSP annual, payment in full); `period` one
   * financial period at a time, prolonged by the billing run (G Suite, CSP monthly, ESET, no refund); `once` a
   * one-time sale (non-recurring); `usage` from usage records (pay-as-you-go: operations/usage).
   */
  payment: 'term' | 'period' | 'once' | 'usage';
  /** The status a subscription has once provisioned: `delivered` for one-time sales. */
  activeStatus: 'active' | 'delivered';
  /**
   * The purchase shows the term's later financial periods as open commitment charges (no refund, seed 8.3.4.6.4):
   * they are in no order's amount; each month's prolongation order replaces its commitment charge by its own.
   */
  commitsTerm?: boolean;
  /** A refusal when the type forbids the operation (spec 02 §4.10), checked before any order or scenario exists. */
  refuses(operation: RestrictedOperation, s: RefusalContext): Refusal | null;
  /** A refusal when a plan's prices or periods do not fit the type (vendor types take no one-off fees, ...). */
  planRefusal(plan: PlanShape): Refusal | null;
  /** Status of a charge when its order is paid on `date` (spec 02 §4.7). */
  paidStatus(c: Pick<ChargeView, 'kind' | 'from'>, date: IsoDate): 'blocked' | 'closed' | 'open';
  /** What a financial day does to the due charges of a stopped subscription: close them, delete them, or hold them. */
  whileStopped: 'close' | 'delete' | 'hold';
  /**
   * The charges of a renewal, when the type shapes them its own way (payment in full: one charge for the whole
   * month); absent, the order's charges follow the financial periods of the new term.
   */
  renewalCharges?(o: { expirationDate: IsoDate; nextExpiration: IsoDate; amount: MinorUnits }): Array<{ kind: 'recurring'; from: IsoDate; to: IsoDate; closeDate: IsoDate; amount: MinorUnits }>;
  /** The charge changes of an event (stop, activation, deletion, plan switch, a financial day while stopped, manual close-all). */
  onEvent(s: SubscriptionTerms, charges: readonly ChargeView[], event: ChargeEvent): ChargeChanges;
}
