import { inTransaction, oneRow, type Db } from '../../db/client';
import { checkDiscountTerms, type ChargeKind, type DiscountTerms } from '../../domain/discounts';
import { AppError } from '../../domain/errors';
import { logEvent, type EventEntry } from '../event-log/event-log';

export interface DiscountInput {
  name: string;
  terms: DiscountTerms;
  /** A fixed amount's currency (required for one, refused for a percentage). */
  currency?: string | undefined;
  validFrom?: string | undefined;
  validTo?: string | undefined;
  /** Empty: every plan. A plan without periods: every period of it. */
  plans: Array<{ planId: number; planPeriodIds?: number[] | undefined }>;
  maxClients?: number | undefined;
  maxSubscriptions?: number | undefined;
  appliesTo: readonly ChargeKind[];
  codes: Array<{ code: string; reusable: boolean }>;
  actor: Pick<EventEntry, 'actorId' | 'actorKind'>;
}

function checkInput(d: DiscountInput): void {
  checkDiscountTerms(d.terms);
  if (d.terms.kind === 'amount' && !d.currency) throw new AppError('invalid_value', 'a fixed-amount discount needs its currency');
  if (d.terms.kind === 'percent' && d.currency) throw new AppError('invalid_value', 'a percentage discount has no currency');
  if (d.validFrom && d.validTo && d.validFrom > d.validTo) throw new AppError('invalid_period', `the discount ends (${d.validTo}) before it starts (${d.validFrom})`);
  if (d.appliesTo.length === 0) throw new AppError('invalid_value', 'a discount applies to at least one kind of fee');
  const codes = d.codes.map((c) => c.code);
  if (new Set(codes).size !== codes.length) throw new AppError('promo_code_taken', 'the same promo code is given twice');
}

/**
 * Creates a promo-code discount (the seed manual's 13.1.1, 13.1.2.1) with its plan restrictions and promo codes, in
 * one transaction. A code another discount holds is refused (codes are unique, case-sensitive). Returns its id.
 */
export async function createDiscount(db: Db, d: DiscountInput): Promise<number> {
  checkInput(d);
  return inTransaction(db, async (tx) => {
    const [taken] = d.codes.length ? await tx<Array<{ code: string }>>`select code from promo_codes where code in ${tx(d.codes.map((c) => c.code))} limit 1` : [];
    if (taken) throw new AppError('promo_code_taken', `the promo code "${taken.code}" exists`);
    const applies = new Set(d.appliesTo);
    const { id } = await oneRow(tx<Array<{ id: number }>>`
      insert into discounts (name, kind, percent_bp, amount, currency, valid_from, valid_to, all_plans, max_clients, max_subscriptions,
                             applies_setup, applies_renewal, applies_recurring, applies_transfer)
      values (${d.name}, ${d.terms.kind}, ${d.terms.kind === 'percent' ? d.terms.basisPoints : null}, ${d.terms.kind === 'amount' ? d.terms.amount : null},
              ${d.currency ?? null}, ${d.validFrom ?? null}, ${d.validTo ?? null}, ${d.plans.length === 0}, ${d.maxClients ?? null}, ${d.maxSubscriptions ?? null},
              ${applies.has('setup')}, ${applies.has('renewal')}, ${applies.has('recurring')}, ${applies.has('transfer')})
      returning id`);
    for (const p of d.plans) {
      const periods = p.planPeriodIds?.length ? p.planPeriodIds : [null];
      for (const periodId of periods) {
        const [known] = await tx`
          select 1 from plans pl where pl.id = ${p.planId}
            and (${periodId}::int is null or exists (select 1 from plan_periods pp where pp.id = ${periodId} and pp.plan_id = pl.id))`;
        if (!known) throw new AppError('invalid_reference', periodId === null ? `plan ${p.planId} does not exist` : `plan ${p.planId} has no period ${periodId}`);
        await tx`insert into discount_plans (discount_id, plan_id, plan_period_id) values (${id}, ${p.planId}, ${periodId})`;
      }
    }
    for (const c of d.codes) await tx`insert into promo_codes (discount_id, code, reusable) values (${id}, ${c.code}, ${c.reusable})`;
    await logEvent(tx, { ...d.actor, viaApi: true, entityKind: 'discount', entityId: id, action: 'created', changes: { name: d.name, codes: d.codes.length } });
    return id;
  });
}
