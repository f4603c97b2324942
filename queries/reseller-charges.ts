import type { Db } from '../db/client';
import type { IsoDate } from '../domain/dates';

// Reseller charges as the parties see them (spec 05 §5.4, §7.2, Q21 decided): a reseller sees the charges where it
// is the creditor (what its children owe it) or the debtor (what it owes its parent), never a charge between two
// other levels.

export interface ResellerChargeFilter {
  /** The other party, when the list is a reseller page's tab. */
  counterpartyId?: number | undefined;
  role?: 'creditor' | 'debtor' | undefined;
  subscriptionId?: number | undefined;
  closedFrom?: IsoDate | undefined;
  closedTo?: IsoDate | undefined;
  after?: number | undefined;
  limit: number;
}

export interface ResellerChargeRow {
  id: number;
  clientChargeId: number;
  subscriptionId: number;
  planId: number;
  creditorResellerId: number;
  debtorResellerId: number;
  level: number;
  kind: string;
  resourceKey: string | null;
  description: string;
  clientId: number;
  unitPrice: number;
  quantity: number;
  periodMonths: string;
  discountId: number | null;
  discountBp: number;
  discountAmount: number;
  originalAmount: number;
  originalCurrency: string;
  exchangeRate: string;
  exchangeNominal: number;
  amount: number;
  currency: string;
  status: string;
  /** A reversal (05 Q3): the reseller charge it takes back (its amounts are that one's negated); null otherwise. */
  reversesId: number | null;
  createdAt: string;
  closedAt: string;
}

/** A page of the viewer's reseller charges, in id order (keyset on id); reads `limit + 1` rows. */
export async function listResellerCharges(db: Db, viewerId: number, f: ResellerChargeFilter): Promise<ResellerChargeRow[]> {
  const role = f.role ?? null;
  const other = f.counterpartyId ?? null;
  return db<ResellerChargeRow[]>`
    select rc.id, rc.client_charge_id as "clientChargeId", rc.subscription_id as "subscriptionId", rc.plan_id as "planId",
           rc.creditor_reseller_id as "creditorResellerId", rc.debtor_reseller_id as "debtorResellerId", rc.level, rc.kind,
           rc.resource_key as "resourceKey", rc.description, s.client_id as "clientId", rc.unit_price::int8 as "unitPrice", rc.quantity,
           rc.period_months::text as "periodMonths", rc.discount_id as "discountId", rc.discount_bp as "discountBp",
           rc.discount_amount as "discountAmount", rc.original_amount as "originalAmount", rc.original_currency as "originalCurrency",
           rc.exchange_rate::text as "exchangeRate", rc.exchange_nominal as "exchangeNominal", rc.amount, rc.currency, rc.status,
           rc.reverses_id as "reversesId", rc.created_at as "createdAt", rc.closed_at as "closedAt"
    from reseller_charges rc join subscriptions s on s.id = rc.subscription_id
    where ((${role}::text is distinct from 'debtor' and rc.creditor_reseller_id = ${viewerId} and (${other}::int is null or rc.debtor_reseller_id = ${other}))
        or (${role}::text is distinct from 'creditor' and rc.debtor_reseller_id = ${viewerId} and (${other}::int is null or rc.creditor_reseller_id = ${other})))
      and (${f.subscriptionId ?? null}::int is null or rc.subscription_id = ${f.subscriptionId ?? null})
      and (${f.closedFrom ?? null}::date is null or rc.closed_at >= ${f.closedFrom ?? null}::date)
      and (${f.closedTo ?? null}::date is null or rc.closed_at < ${f.closedTo ?? null}::date + 1)
      and rc.id > ${f.after ?? 0}
    order by rc.id limit ${f.limit + 1}`.then((rows) => rows.map((r) => ({ ...r, unitPrice: Number(r.unitPrice), discountAmount: Number(r.discountAmount), originalAmount: Number(r.originalAmount), amount: Number(r.amount) })));
}

export interface ReceivableBalance {
  creditorResellerId: number;
  debtorResellerId: number;
  currency: string;
  charges: number;
  amount: number;
}

/**
 * The receivable ledger (decision 37, option A): per (creditor, debtor, currency) the sum of the reseller charges,
 * where the viewer is one of the two, reversals included (05 Q3: they net a taken-back charge to zero). Nothing is
 * paid against it inside the platform: settlement is external.
 */
export async function receivableBalances(db: Db, viewerId: number): Promise<ReceivableBalance[]> {
  const rows = await db<Array<ReceivableBalance & { amount: string }>>`
    select creditor_reseller_id as "creditorResellerId", debtor_reseller_id as "debtorResellerId", currency, count(*)::int as charges, sum(amount)::text as amount
    from reseller_charges where creditor_reseller_id = ${viewerId} or debtor_reseller_id = ${viewerId}
    group by 1, 2, 3 order by 1, 2, 3`;
  return rows.map((r) => ({ ...r, amount: Number(r.amount) }));
}
