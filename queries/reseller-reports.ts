import type { Db } from '../db/client';
import type { CsvCell } from '../infra/csv';
import type { IsoDate } from '../domain/dates';
import { formatAmount } from '../domain/money';

// The reports of spec 05 §9 (seed 17.2, 17.6), relative to the requesting level, as rows for a CSV export.

/** The most rows one export reads: a larger period is asked for in parts. */
export const maxReportRows = 100_000;

export interface ReportWindow {
  closedFrom: IsoDate;
  closedTo: IsoDate;
}

const money = (v: string | number | null | undefined): CsvCell => (v === null || v === undefined ? null : formatAmount(Number(v)));

/**
 * 17.2 Closed client charges of the viewer's clients, each with its cost: the reseller charge the viewer owes
 * upstream for it (empty for the operator and for the viewer's own plans).
 */
export async function closedClientChargesReport(db: Db, viewerId: number, w: ReportWindow): Promise<{ header: string[]; rows: CsvCell[][] }> {
  const found = await db<Array<Record<string, string | number | null>>>`
    select c.id, c.closed_at::text as closed_at, c.client_id, cl.name as client_name, c.subscription_id, p.id as plan_id, p.name as plan_name,
           c.kind, c.resource_key, c.description, c.period_from::text as period_from, c.period_to::text as period_to, c.quantity,
           c.amount::text as amount, c.discount::text as discount, c.currency, rc.amount::text as cost, rc.currency as cost_currency
    from charges c
    join clients cl on cl.id = c.client_id
    left join subscriptions s on s.id = c.subscription_id
    left join plans p on p.id = s.plan_id
    left join reseller_charges rc on rc.client_charge_id = c.id and rc.debtor_reseller_id = ${viewerId} and rc.reverses_id is null
    where cl.reseller_id = ${viewerId} and c.status = 'closed' and not c.superseded and not c.refund
      and c.closed_at >= ${w.closedFrom}::date and c.closed_at < ${w.closedTo}::date + 1
    order by c.id limit ${maxReportRows}`;
  const header = ['Charge ID', 'Closed', 'Client ID', 'Client', 'Subscription ID', 'Plan ID', 'Plan', 'Kind', 'Resource', 'Description', 'Period from', 'Period to',
    'Quantity', 'Amount', 'Discount', 'Currency', 'Cost per charge', 'Cost currency'];
  const rows = found.map((r) => [r.id, r.closed_at, r.client_id, r.client_name, r.subscription_id, r.plan_id, r.plan_name, r.kind, r.resource_key, r.description,
    r.period_from, r.period_to, r.quantity ?? 1, money(r.amount), money(r.discount), r.currency, money(r.cost), r.cost_currency]);
  return { header, rows };
}

interface LevelBlock { resellerId: number; name: string; unitPrice: number | null; amount: number; currency: string; discountId: number | null; discountAmount: number }

/**
 * 17.6 Closed reseller charges owed to the viewer, each with every level's block: the viewer's (what the level
 * below owes it), then each level below down to the seller (what it receives from the next level, or at the
 * seller from the end client: the client charge's amount and discount). Q1 decided: the "billing period" is the
 * client charge's period. A reversal (05 Q3) is a row of its own, closed when it was made, with negated amounts and the
 * id of the charge it takes back.
 */
export async function closedResellerChargesReport(db: Db, viewerId: number, w: ReportWindow): Promise<{ header: string[]; rows: CsvCell[][] }> {
  const found = await db<Array<Record<string, unknown> & { lower: LevelBlock[]; seller: LevelBlock; level: number }>>`
    select rc.id, rc.created_at::text as created_at, rc.closed_at::text as closed_at, c.period_from::text as period_from, c.period_to::text as period_to,
           s.id as subscription_id, s.created_at::text as subscription_created, s.expiration_date::text as expires, rc.plan_id, p.name as plan_name,
           rc.resource_key, rc.quantity, rc.level, me.name as my_name, rc.unit_price::text as unit_price, rc.amount::text as amount, rc.currency,
           rc.discount_id, rc.discount_amount::text as discount_amount, cl.id as client_id, cl.name as client_name, rc.reverses_id,
           coalesce((select jsonb_agg(jsonb_build_object('resellerId', x.creditor_reseller_id, 'name', xr.name, 'unitPrice', x.unit_price, 'amount', x.amount,
                                                  'currency', x.currency, 'discountId', x.discount_id, 'discountAmount', x.discount_amount) order by x.level desc)
                     from reseller_charges x join resellers xr on xr.id = x.creditor_reseller_id
                     where x.client_charge_id = rc.client_charge_id and x.level < rc.level and (x.reverses_id is null) = (rc.reverses_id is null)), '[]'::jsonb) as lower,
           -- A reversal's row shows the client charge taken back too (05 Q3): negated, like the levels' blocks.
           jsonb_build_object('resellerId', sr.id, 'name', sr.name, 'unitPrice', null,
                              'amount', case when rc.reverses_id is null then c.amount else -c.amount end, 'currency', c.currency,
                              'discountId', null, 'discountAmount', case when rc.reverses_id is null then c.discount else -c.discount end) as seller
    from reseller_charges rc
    join charges c on c.id = rc.client_charge_id
    join subscriptions s on s.id = rc.subscription_id
    join clients cl on cl.id = s.client_id
    join resellers sr on sr.id = cl.reseller_id
    join resellers me on me.id = rc.creditor_reseller_id
    join plans p on p.id = rc.plan_id
    where rc.creditor_reseller_id = ${viewerId} and rc.closed_at >= ${w.closedFrom}::date and rc.closed_at < ${w.closedTo}::date + 1
    order by rc.id limit ${maxReportRows}`;
  const depth = Math.max(1, ...found.map((r) => r.level));
  const blockHeader = (n: number) => [`Level ${n} reseller ID`, `Level ${n} reseller`, `Level ${n} unit price`, `Level ${n} amount to reseller`, `Level ${n} currency`, `Level ${n} discount ID`, `Level ${n} discount amount`];
  const header = ['Charge ID', 'Created', 'Closed', 'Billing period from', 'Billing period to', 'Subscription ID', 'Subscription created', 'Expires', 'Plan ID', 'Plan',
    'Resource', 'Quantity', 'Operator ID', 'Operator', 'Unit price', 'Amount to operator', 'Currency', 'Discount ID', 'Discount amount',
    ...Array.from({ length: depth }, (_, i) => blockHeader(i + 1)).flat(), 'Client ID', 'Client', 'Reverses charge ID'];
  const block = (b: LevelBlock | undefined): CsvCell[] => (b ? [b.resellerId, b.name, money(b.unitPrice), money(b.amount), b.currency, b.discountId, money(b.discountAmount)] : Array<CsvCell>(7).fill(null));
  const rows = found.map((r) => {
    const levels = [...r.lower, r.seller];
    return [r.id, r.created_at, r.closed_at, r.period_from, r.period_to, r.subscription_id, r.subscription_created, r.expires, r.plan_id, r.plan_name, r.resource_key,
      r.quantity, viewerId, r.my_name, money(r.unit_price as string), money(r.amount as string), r.currency, r.discount_id, money(r.discount_amount as string),
      ...Array.from({ length: depth }, (_, i) => block(levels[i])).flat(), r.client_id, r.client_name, r.reverses_id] as CsvCell[];
  });
  return { header, rows };
}
