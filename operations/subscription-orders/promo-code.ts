import type { Db } from '../../db/client';
import type { PlannedCharge } from '../../domain/charges';
import type { IsoDate } from '../../domain/dates';
import { referenceOrder, spreadDiscount, type DiscountTerms } from '../../domain/discounts';
import { usablePromoCode, type PromoCodeRequest } from '../discounts/redeem-promo-code';
import type { SubscriptionOrderDraft } from './subscription-for-order';

/** Whom and what a promo code on a subscription order is checked against (the plan period is the order's own). */
export interface PromoCodeSubject {
  code: string;
  clientId: number;
  planId: number;
  planPeriodId: number;
  /** The plan's currency: a fixed-amount discount applies to orders priced in its currency only. */
  currency: string;
  today: IsoDate;
}

/**
 * A draft discounted by a promo code (the seed manual's 13.1; spec 02 §4.14), the way a purchase is: the code is
 * checked here, before anything is written, so an unusable one refuses the order with the purchase path's codes;
 * `charge` re-plans the order's charges under the discount's terms, and the order costs what they add up to (the
 * reference order amount). The lines share the discount. insertSubscriptionOrder checks the code again under the
 * discount's row lock and records the redemption in the order's transaction.
 */
export async function discountDraft(db: Db, draft: SubscriptionOrderDraft, subject: PromoCodeSubject, charge: (terms: DiscountTerms) => PlannedCharge[]): Promise<SubscriptionOrderDraft> {
  const request: PromoCodeRequest = { ...subject, amount: draft.amount };
  const { terms } = await usablePromoCode(db, request, false);
  const charges = charge(terms);
  // An order with nothing to charge period by period (none here has one with an amount) is discounted as a whole.
  const order = charges.length > 0
    ? { amount: charges.reduce((s, c) => s + c.amount, 0), discount: charges.reduce((s, c) => s + (c.discount ?? 0), 0) }
    : referenceOrder(draft.amount, terms);
  const lineDiscounts = spreadDiscount(draft.lines.map((l) => l.amount), order.discount);
  return {
    ...draft,
    amount: order.amount,
    charges,
    lines: draft.lines.map((l, i) => ({ ...l, amount: l.amount - lineDiscounts[i]!, discount: lineDiscounts[i]! })),
    promo: { request, discount: order.discount },
  };
}
