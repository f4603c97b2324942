// Pay-as-you-go usage (issue 20, spec 02 §4.10, seed 8.3.4.7): what a usage record is worth, which financial period
// it belongs to, and the per-record refusals of the ingestion. The SQL of operations/usage computes the same Δ for a
// whole batch at once; this is the rule it follows, with the seed's worked example as its test.

import { financialPeriodOf } from './charges';
import { addDays, isValidIsoDate, type IsoDate } from './dates';

/** The most records one ingestion request takes (README "Usage records"); a larger batch is refused whole. */
export const MAX_USAGE_RECORDS_PER_REQUEST = 10_000;

/** Per-record refusals of the ingestion, each registered in errors.ts with its HTTP status. */
export const usageRecordCodes = [
  'validation_failed',
  'invalid_quantity',
  'future_timestamp',
  'unknown_subscription',
  'unknown_resource',
  'not_usage_billing',
  'subscription_deleted',
  'not_provisioned',
  'before_start',
  'price_required',
  'period_closed',
  'exchange_rate_missing',
] as const;
export type UsageRecordCode = (typeof usageRecordCodes)[number];

/** What a record for a closed financial period does (setting `usage_closed_period`): refused, or booked to the open one. */
export type ClosedPeriodPolicy = 'refuse' | 'next_period';

/**
 * Δ = monthly price × markup × record periodicity (days) × quantity / 30 (seed 8.3.4.7.4 step 4a), in minor units,
 * unrounded: a charge keeps the exact sum of its records and is itself rounded, so many small records never lose or
 * invent money by rounding each one.
 */
export function usageDelta(r: { monthlyPrice: number; markup?: number; periodDays: number; quantity: number }): number {
  return (r.monthlyPrice * (r.markup ?? 1) * r.periodDays * r.quantity) / 30;
}

/**
 * The financial period a usage day belongs to and its close date (the financial day after it: seed 8.3.4.7.3 rule
 * 6). A period takes records until its close date inclusive: the seed's daily records arrive the day after the use,
 * so the last day's record arrives on the financial day itself.
 */
export function usagePeriodOf(day: IsoDate, financialDay: number): { from: IsoDate; to: IsoDate; closeDate: IsoDate } {
  const p = financialPeriodOf(day, financialDay);
  return { ...p, closeDate: addDays(p.to, 1) };
}

/** Whether a record of `day` arrives after its period was closed by the billing run of its close date (or later). */
export function usagePeriodClosed(day: IsoDate, financialDay: number, today: IsoDate): boolean {
  return usagePeriodOf(day, financialDay).closeDate < today;
}

/** A usage record as the ingestion stores it: quantities and prices as exact decimal text. */
export interface UsageRecord {
  recordId: string;
  subscriptionId: number;
  resource: string;
  quantity: string;
  usedOn: IsoDate;
  periodDays: number;
  /** The provider's monthly price per unit, in the plan currency's minor units (external only). */
  unitPrice: string | null;
}

export type UsageRefusal = { code: UsageRecordCode; message: string };

const decimal = /^\d{1,18}(\.\d{1,6})?$/;

/** A non-negative decimal quantity or price (number or text, at most 6 decimals), as exact text; null when it is none. */
export function usageDecimal(value: unknown): string | null {
  const text = typeof value === 'number' && Number.isFinite(value) ? String(value) : typeof value === 'string' ? value.trim() : null;
  return text !== null && decimal.test(text) ? text : null;
}

const isoDay = /^\d{4}-\d{2}-\d{2}$/;

/**
 * One raw record of a request, checked on its own (the subscription-dependent checks are the operation's): shape,
 * quantity, price and time. `usedAt` is a day (`2026-11-21`) or an instant, counted in the platform's time zone;
 * after now (5 minutes' clock skew allowed) it is refused.
 */
export function normaliseUsageRecord(raw: unknown, at: { now: Date; dayOf: (d: Date) => IsoDate }): UsageRecord | UsageRefusal {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return { code: 'validation_failed', message: 'a record is a JSON object' };
  const r = raw as Record<string, unknown>;
  if (typeof r.recordId !== 'string' || r.recordId.length < 1 || r.recordId.length > 200) return { code: 'validation_failed', message: 'recordId: 1-200 characters' };
  if (!Number.isSafeInteger(r.subscriptionId) || (r.subscriptionId as number) < 1 || (r.subscriptionId as number) > 2 ** 31 - 1) return { code: 'validation_failed', message: 'subscriptionId: a positive integer' };
  if (typeof r.resource !== 'string' || r.resource.length < 1 || r.resource.length > 100) return { code: 'validation_failed', message: 'resource: 1-100 characters' };
  const quantity = usageDecimal(r.quantity);
  if (quantity === null) return { code: 'invalid_quantity', message: 'quantity: a non-negative number with at most 6 decimals' };
  const periodDays = r.periodDays ?? 1;
  if (!Number.isInteger(periodDays) || (periodDays as number) < 1 || (periodDays as number) > 31) return { code: 'validation_failed', message: 'periodDays: 1-31' };
  const unitPrice = r.unitPrice === undefined || r.unitPrice === null ? null : usageDecimal(r.unitPrice);
  if (r.unitPrice !== undefined && r.unitPrice !== null && unitPrice === null) return { code: 'validation_failed', message: 'unitPrice: a non-negative number of minor units with at most 6 decimals' };
  const usedOn = usageDay(r.usedAt, at);
  if ('code' in usedOn) return usedOn;
  return { recordId: r.recordId, subscriptionId: r.subscriptionId as number, resource: r.resource, quantity, usedOn: usedOn.day, periodDays: periodDays as number, unitPrice };
}

function usageDay(value: unknown, at: { now: Date; dayOf: (d: Date) => IsoDate }): { day: IsoDate } | UsageRefusal {
  if (typeof value !== 'string') return { code: 'validation_failed', message: 'usedAt: a date (YYYY-MM-DD) or an ISO 8601 instant' };
  const today = at.dayOf(at.now);
  if (isoDay.test(value)) {
    if (!isValidIsoDate(value)) return { code: 'validation_failed', message: 'usedAt: no such date' };
    return value > today ? { code: 'future_timestamp', message: `usedAt ${value} is after today (${today})` } : { day: value };
  }
  const instant = new Date(value);
  if (!/^\d{4}-\d{2}-\d{2}T/.test(value) || Number.isNaN(instant.getTime())) return { code: 'validation_failed', message: 'usedAt: a date (YYYY-MM-DD) or an ISO 8601 instant' };
  if (instant.getTime() > at.now.getTime() + 5 * 60_000) return { code: 'future_timestamp', message: `usedAt ${value} is in the future` };
  return { day: at.dayOf(instant) };
}
