import type { Db } from '../../db/client';
import { checkPromoCodeUse, type ChargeKind, type DiscountTerms } from '../../domain/discounts';
import { AppError } from '../../domain/errors';
import type { MinorUnits } from '../../domain/money';

/** The order a promo code is asked for. */
export interface PromoCodeRequest {
  code: string;
  clientId: number;
  planId: number;
  planPeriodId: number;
  currency: string;
  today: string;
  /** The order's amount without discount. */
  amount: MinorUnits;
}

/** A promo code found usable: the discount's terms and what a redemption records. */
export interface UsablePromoCode {
  discountId: number;
  promoCodeId: number;
  terms: DiscountTerms;
}

interface CodeRow {
  promo_code_id: number; discount_id: number; code_status: 'active' | 'inactive'; reusable: boolean; activations: number;
  status: 'active' | 'inactive'; kind: 'percent' | 'amount'; percent_bp: number | null; amount: string | null; currency: string | null;
  valid_from: string | null; valid_to: string | null; all_plans: boolean; max_clients: number | null; max_subscriptions: number | null; uses: number;
  applies_setup: boolean; applies_renewal: boolean; applies_recurring: boolean; applies_transfer: boolean;
}

/**
 * Reads the code and checks its use (domain/discounts.ts checkPromoCodeUse). With `lock` (inside the order's
 * transaction), the discount's row and then the code's are locked first, in that order, so concurrent orders on
 * one discount queue here and a usage limit is read after the previous redemption committed: it cannot be exceeded.
 */
export async function usablePromoCode(db: Db, r: PromoCodeRequest, lock: boolean): Promise<UsablePromoCode> {
  const [found] = await db<Array<{ discount_id: number; promo_code_id: number }>>`select discount_id, id as promo_code_id from promo_codes where code = ${r.code}`;
  if (!found) throw new AppError('promo_code_unknown', `there is no promo code "${r.code}"`);
  if (lock) {
    await db`select 1 from discounts where id = ${found.discount_id} for update`;
    await db`select 1 from promo_codes where id = ${found.promo_code_id} for update`;
  }
  const [row] = await db<CodeRow[]>`
    select pc.id as promo_code_id, d.id as discount_id, pc.status as code_status, pc.reusable, pc.activations, d.status, d.kind, d.percent_bp,
           d.amount::text as amount, d.currency, d.valid_from::text as valid_from, d.valid_to::text as valid_to, d.all_plans, d.max_clients,
           d.max_subscriptions, d.uses, d.applies_setup, d.applies_renewal, d.applies_recurring, d.applies_transfer
    from promo_codes pc join discounts d on d.id = pc.discount_id where pc.id = ${found.promo_code_id}`;
  const [usage] = await db<Array<{ clients: number; mine: boolean; plan_allowed: boolean }>>`
    select (select count(distinct client_id)::int from discount_redemptions where discount_id = ${found.discount_id}) as clients,
           exists (select 1 from discount_redemptions where discount_id = ${found.discount_id} and client_id = ${r.clientId}) as mine,
           exists (select 1 from discount_plans where discount_id = ${found.discount_id} and plan_id = ${r.planId}
                   and (plan_period_id is null or plan_period_id = ${r.planPeriodId})) as plan_allowed`;
  const d = row!;
  checkPromoCodeUse({
    code: { status: d.code_status, reusable: d.reusable, activations: d.activations },
    discount: {
      status: d.status, validFrom: d.valid_from, validTo: d.valid_to, currency: d.currency, maxSubscriptions: d.max_subscriptions,
      maxClients: d.max_clients, uses: d.uses, clientsUsing: usage!.clients, clientHasUsed: usage!.mine, planAllowed: d.all_plans || usage!.plan_allowed,
    },
    order: { today: r.today, currency: r.currency, amount: r.amount },
  });
  const appliesTo: ChargeKind[] = [];
  if (d.applies_setup) appliesTo.push('setup');
  if (d.applies_renewal) appliesTo.push('renewal');
  if (d.applies_recurring) appliesTo.push('recurring');
  if (d.applies_transfer) appliesTo.push('transfer');
  const terms: DiscountTerms = d.kind === 'percent' ? { kind: 'percent', basisPoints: d.percent_bp!, appliesTo } : { kind: 'amount', amount: Number(d.amount), appliesTo };
  return { discountId: d.discount_id, promoCodeId: d.promo_code_id, terms };
}

/** Records the use of a promo code by an order (in the order's transaction, after `usablePromoCode(…, lock)`). */
export async function redeemPromoCode(tx: Db, o: UsablePromoCode & { orderId: number; clientId: number; discount: MinorUnits }): Promise<void> {
  await tx`update discounts set uses = uses + 1, updated_at = now() where id = ${o.discountId}`;
  await tx`update promo_codes set activations = activations + 1, updated_at = now() where id = ${o.promoCodeId}`;
  await tx`
    insert into discount_redemptions (discount_id, promo_code_id, order_id, client_id, discount)
    values (${o.discountId}, ${o.promoCodeId}, ${o.orderId}, ${o.clientId}, ${o.discount})`;
}
