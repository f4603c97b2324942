// Rules of the key card (spec 04 §3.6) and the hosting-panel license operations (§4.2) that need no I/O: what
// counts as current use of a key, the composition a key-card coupon is prefilled with, which license
// configurations a product allows, which valid-until dates staff may set, and how a renewal may be paid.
//
// Pure: the caller passes `now` and persists what a rule answers.

import type { Refusal } from '../errors';

const DAY_MS = 86_400_000;

/** "Current usage" (§3.6): bindings and leases seen within this many minutes. */
export const CURRENT_USE_MINUTES = 15;

/** The earliest last-seen time that still counts as current use at `now`. */
export const currentUseSince = (now: Date): Date => new Date(now.getTime() - CURRENT_USE_MINUTES * 60_000);

// ---------------------------------------------------------------------------------------------------------
// §3.1, §3.6: a composition coupon generated from the key card
// ---------------------------------------------------------------------------------------------------------

export interface HeldProduct {
  productCode: string;
  status: string;
  seats: number;
  /** Null: perpetual. */
  expiresAt: Date | null;
}

export interface CompositionItem {
  productCode: string;
  /** Null: perpetual. */
  periodDays: number | null;
  seats: number;
}

/**
 * The product list a key card's composition coupon starts from (§3.1 [Proposal]): the key's active products,
 * each with the days it has left (rounded up, at least 1; a composition keeps `max(expiry, now + period)`, so the
 * prefill changes no expiry) or perpetual, and its seats. Staff edit it rather than retype it.
 */
export function compositionDraft(held: HeldProduct[], now: Date): CompositionItem[] {
  return held
    .filter((h) => h.status === 'active')
    .map((h) => ({
      productCode: h.productCode,
      periodDays: h.expiresAt === null ? null : Math.min(3650, Math.max(1, Math.ceil((h.expiresAt.getTime() - now.getTime()) / DAY_MS))),
      seats: h.seats,
    }));
}

// ---------------------------------------------------------------------------------------------------------
// §4.2 License configuration
// ---------------------------------------------------------------------------------------------------------

export type FeatureValue = boolean | number;

/**
 * A license configuration within what the product allows (§4.2 "License configuration", defined by §9 as
 * product-specific parameters within the product's limits). The product's master license `features` are the
 * limits: a boolean feature may be switched off, and on only where the product has it on; a numeric feature takes
 * a whole number from 0 up to the product's value. Any other feature (unknown to the product, or of another
 * type) is refused with `CONFIGURATION_OUT_OF_LIMITS`, naming every offending feature.
 * Choice: seats are changed by their own operation (§7.2 changeSeats), not here.
 */
export function configurationRefusal(productFeatures: Record<string, unknown>, requested: Record<string, FeatureValue>): Refusal | null {
  const problems: Array<{ feature: string; limit: unknown; requested: FeatureValue }> = [];
  for (const [feature, value] of Object.entries(requested)) {
    const limit = Object.hasOwn(productFeatures, feature) ? productFeatures[feature] : undefined;
    const fits =
      typeof limit === 'boolean'
        ? typeof value === 'boolean' && (limit || !value)
        : typeof limit === 'number'
          ? typeof value === 'number' && Number.isInteger(value) && value >= 0 && value <= limit
          : false;
    if (!fits) problems.push({ feature, limit: limit ?? null, requested: value });
  }
  if (problems.length === 0) return null;
  return { code: 'CONFIGURATION_OUT_OF_LIMITS', message: `outside what the product allows: ${problems.map((p) => p.feature).join(', ')}`, details: problems };
}

// ---------------------------------------------------------------------------------------------------------
// §4.2 Edit: valid-until (staff only)
// ---------------------------------------------------------------------------------------------------------

/**
 * Whether staff may set a license's valid-until (§4.2 Edit) to `validUntil`: a perpetual product's license has none
 * to set, and the date must lie after the license's start. A term license billed by a subscription may carry none
 * yet (billing's term drives it); staff may give it one, and billing is told. A date in the past is allowed (staff end a license that way);
 * the status follows the date: `active` ⇄ `expired` (§4.1), other statuses are left as they are.
 */
export function validUntilChange(input: { status: string; termType: 'term' | 'perpetual'; startsAt: Date; validUntil: Date; now: Date }): { ok: true; status: string } | ({ ok: false } & Refusal) {
  if (input.termType === 'perpetual') return { ok: false, code: 'VALID_UNTIL_INVALID', message: 'a perpetual license has no valid-until to change' };
  if (input.validUntil.getTime() <= input.startsAt.getTime()) return { ok: false, code: 'VALID_UNTIL_INVALID', message: 'valid-until must be after the license starts' };
  const lapsed = input.validUntil.getTime() <= input.now.getTime();
  const status = input.status === 'active' && lapsed ? 'expired' : input.status === 'expired' && !lapsed ? 'active' : input.status;
  return { ok: true, status };
}

// ---------------------------------------------------------------------------------------------------------
// §4.2 Renew: payment methods
// ---------------------------------------------------------------------------------------------------------

/** How a standalone renewal is paid (§4.2 Renew): the balance, an unpaid invoice it is added to, or a new invoice. */
export const PANEL_PAYMENT_METHODS = ['balance', 'unpaid_invoice', 'invoice'] as const;
export type PanelPaymentMethod = (typeof PANEL_PAYMENT_METHODS)[number];

/**
 * The payment methods a renewal offers (§4.2 Renew, §8 #30): the account balance only when it covers the cost
 * (`balance ≥ cost`, minor units); "add to an unpaid invoice" only when the client has one waiting; a new invoice
 * whenever there is a billing client. A key without a billing client (a first-run key) has no way to pay.
 * Choice: the "order" of the hosting panel is this platform's waiting top-up payment (an invoice); a billing
 * order belongs to a subscription, and a license billed by one is renewed through it.
 */
export function panelPaymentMethods(input: { balance: number | null; cost: number; unpaidInvoices: number }): PanelPaymentMethod[] {
  if (input.balance === null) return [];
  const methods: PanelPaymentMethod[] = [];
  if (input.balance >= input.cost) methods.push('balance');
  if (input.unpaidInvoices > 0) methods.push('unpaid_invoice');
  methods.push('invoice');
  return methods;
}
