import type { Db } from '../db/client';
import { formatPercent } from '../domain/discounts';

export interface DiscountRow {
  id: number;
  name: string;
  kind: 'percent' | 'amount';
  percent: string | null;
  amount: number | null;
  currency: string | null;
  validFrom: string | null;
  validTo: string | null;
  allPlans: boolean;
  maxClients: number | null;
  maxSubscriptions: number | null;
  appliesTo: string[];
  status: 'active' | 'inactive';
  uses: number;
  createdAt: string;
}

interface Raw extends Omit<DiscountRow, 'percent' | 'amount' | 'appliesTo'> {
  percent_bp: number | null; amount: string | null; applies_setup: boolean; applies_renewal: boolean; applies_recurring: boolean; applies_transfer: boolean;
}

function present({ percent_bp, amount, applies_setup, applies_renewal, applies_recurring, applies_transfer, ...r }: Raw): DiscountRow {
  const appliesTo = [applies_setup && 'setup', applies_renewal && 'renewal', applies_recurring && 'recurring', applies_transfer && 'transfer'].filter((k): k is string => Boolean(k));
  return { ...r, percent: percent_bp === null ? null : formatPercent(percent_bp), amount: amount === null ? null : Number(amount), appliesTo };
}

const columns = (db: Db) => db`
  id, name, kind, percent_bp, amount::text as amount, currency, valid_from::text as "validFrom", valid_to::text as "validTo",
  all_plans as "allPlans", max_clients as "maxClients", max_subscriptions as "maxSubscriptions", applies_setup, applies_renewal,
  applies_recurring, applies_transfer, status, uses, created_at as "createdAt"`;

/** A page of discounts, newest first. */
export async function discountPage(db: Db, { limit, after }: { limit: number; after?: number | undefined }): Promise<DiscountRow[]> {
  const rows = await db<Raw[]>`
    select ${columns(db)} from discounts where (${after ?? null}::int is null or id < ${after ?? null}) order by id desc limit ${limit + 1}`;
  return rows.map(present);
}

/** A discount with its plans and promo codes, or null. */
export async function discountCard(db: Db, id: number) {
  const [row] = await db<Raw[]>`select ${columns(db)} from discounts where id = ${id}`;
  if (!row) return null;
  const plans = await db<Array<{ planId: number; planPeriodId: number | null }>>`
    select plan_id as "planId", plan_period_id as "planPeriodId" from discount_plans where discount_id = ${id} order by id`;
  const codes = await db<Array<{ id: number; code: string; reusable: boolean; status: string; activations: number }>>`
    select id, code, reusable, status, activations from promo_codes where discount_id = ${id} order by id`;
  return { ...present(row), plans, codes };
}
