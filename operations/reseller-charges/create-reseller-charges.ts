import type { Sql } from '../../db/client';
import type { IsoDate } from '../../domain/dates';
import type { Exchange } from '../../domain/exchange';
import { applicableDiscount, chargeMilliMonths, formatMilliMonths, resellerChargeAmounts, resellerChargeKinds, type ResellerDiscountCandidate } from '../../domain/reseller-charges';
import { usageLevelPrice } from '../../domain/plan-delegation';
import { resellerExchange } from '../exchange-rates/reseller-rate';

/** One (closed client charge, level above the seller) still without its reseller charge. */
interface DueLevel {
  charge_id: number;
  subscription_id: number;
  kind: string;
  resource_key: string | null;
  quantity: number;
  period_from: IsoDate;
  period_to: IsoDate;
  close_date: IsoDate;
  description: string;
  financial_day: number;
  level: number;
  plan_id: number;
  creditor: number;
  debtor: number;
  creditor_currency: string;
  plan_currency: string;
  unit_price: string | null;
  /** Usage charges: the exact provider cost and the chain's coefficients, root first (05 §4.7). */
  usage_cost: string | null;
  usage_markups: string[] | null;
  discounts: ResellerDiscountCandidate[];
}

/** How many client charges one pass reads. */
const batchSize = 2000;

/**
 * The reseller charges of closed client charges (spec 05 §5; 05 §11.6): for each closed client charge of a
 * subscription on a delegated plan, one reseller charge per level above the seller, at that level's sale price
 * (its copy of the plan; for a fixed-price plan, the price frozen when the charge's term began: §4.6,
 * take-cost-snapshot.ts), the client charge's period and quantity, the discount the level gave the level below
 * and the level's rate; a usage_external usage charge at the level's price through the chain the charge was priced
 * with (05 §4.7), a usage_internal one at the level's own resource prices for the charge's records (Δ = price × days ×
 * quantity / 30 per resource, 02 §4.10). Set-based: one recursive query finds every missing (client charge, level) of a batch and
 * one statement writes them; the unique (client charge, creditor) makes a re-run (or a retried activity) write
 * nothing twice. A level without a rate for the plan currency is skipped and tried again on the next run; so is a
 * resource no longer on the level's plan.
 */
export async function createResellerCharges(sql: Sql): Promise<{ created: number; skipped: number }> {
  let created = 0;
  let skipped = 0;
  let after = 0;
  for (;;) {
    const due = await dueLevels(sql, after);
    if (due.length === 0) break;
    after = Math.max(...due.map((d) => d.charge_id));
    const rows = [];
    const rates = new Map<string, Exchange | null>();
    for (const d of due) {
      const key = `${d.creditor}/${d.creditor_currency}/${d.plan_currency}/${d.close_date}`;
      if (!rates.has(key)) rates.set(key, await resellerExchange(sql, d.creditor, d.creditor_currency, d.plan_currency, d.close_date));
      const exchange = rates.get(key);
      const unitPrice = levelPrice(d);
      if (!exchange || unitPrice === null) {
        skipped += 1;
        continue;
      }
      const milliMonths = chargeMilliMonths(d.kind, d.period_from, d.period_to, d.financial_day);
      const discount = applicableDiscount(d.discounts, { from: d.period_from, to: d.period_to });
      const amounts = resellerChargeAmounts({ unitPrice, milliMonths, quantity: d.quantity, discountBp: discount?.percentBp ?? 0, exchange });
      rows.push({
        client_charge_id: d.charge_id, subscription_id: d.subscription_id, plan_id: d.plan_id, creditor_reseller_id: d.creditor, debtor_reseller_id: d.debtor,
        level: d.level, kind: d.kind, resource_key: d.resource_key, description: d.description, unit_price: unitPrice, quantity: d.quantity,
        period_months: formatMilliMonths(milliMonths), discount_id: discount?.id ?? null, discount_bp: discount?.percentBp ?? 0,
        discount_amount: amounts.discountAmount, original_amount: amounts.originalAmount, original_currency: d.plan_currency,
        exchange_rate: exchange.rate, exchange_nominal: exchange.nominal, amount: amounts.amount, currency: d.creditor_currency,
      });
    }
    if (rows.length > 0) {
      const written = await sql`
        insert into reseller_charges (client_charge_id, subscription_id, plan_id, creditor_reseller_id, debtor_reseller_id, level, kind, resource_key,
                                      description, unit_price, quantity, period_months, discount_id, discount_bp, discount_amount, original_amount,
                                      original_currency, exchange_rate, exchange_nominal, amount, currency)
        select client_charge_id, subscription_id, plan_id, creditor_reseller_id, debtor_reseller_id, level, kind, resource_key, description, unit_price,
               quantity, period_months, discount_id, discount_bp, discount_amount, original_amount, original_currency, exchange_rate, exchange_nominal,
               amount, currency
        from jsonb_to_recordset(${JSON.stringify(rows)}::jsonb) as x(
          client_charge_id int, subscription_id int, plan_id int, creditor_reseller_id int, debtor_reseller_id int, level int, kind text,
          resource_key text, description text, unit_price bigint, quantity int, period_months numeric, discount_id int, discount_bp int,
          discount_amount bigint, original_amount bigint, original_currency text, exchange_rate numeric, exchange_nominal int, amount bigint, currency text)
        on conflict (client_charge_id, creditor_reseller_id) where reverses_id is null do nothing
        returning id`;
      created += written.count;
    }
  }
  return { created, skipped };
}

/**
 * The creditor's sale price for the client charge: its copy's price (for a usage_internal usage charge, what the
 * charge's records cost at the copy's resource prices: dueLevels prices them), or for a usage_external one the charge's
 * provider cost × the coefficients from the root down to the creditor, as they were when the charge's records were
 * priced (05 §4.6: the chain in force for that charge). Null: none (the level is skipped and tried again).
 */
function levelPrice(d: DueLevel): number | null {
  if (d.kind === 'usage' && d.usage_markups !== null) {
    if (d.usage_cost === null) return null;
    // `level` counts up from the seller (1: its parent); the chain counts down from the root (0).
    return usageLevelPrice(d.usage_cost, d.usage_markups, d.usage_markups.length - 1 - d.level);
  }
  return d.unit_price === null ? null : Number(d.unit_price);
}

/** The missing levels of the next batch of closed client charges on delegated plans (ids above `after`). */
async function dueLevels(sql: Sql, after: number): Promise<DueLevel[]> {
  return sql<DueLevel[]>`
    with recursive due as (
      select c.id, c.subscription_id, c.client_id, c.order_id, c.kind, c.resource_key, coalesce(c.quantity, 1) as quantity, c.period_from, c.period_to,
             c.close_date, c.description, c.usage_cost, c.usage_markups, s.plan_id, s.plan_period_id, pr.financial_day, p.fixed_price, p.billing_type
      from charges c
      join subscriptions s on s.id = c.subscription_id
      join plans p on p.id = s.plan_id
      join provisioning_rules pr on pr.id = p.provisioning_rule_id
      where c.status = 'closed' and not c.refund and not c.superseded and c.kind = any(${[...resellerChargeKinds]}::text[])
        and p.chain_length > 0 and c.id > ${after}
        -- usage: the usage_external charges that carry their chain (one level per delegation and the seller's own), and
        -- usage_internal ones (priced from each level's resource prices).
        and (c.kind <> 'usage' or jsonb_array_length(c.usage_markups) = p.chain_length + 1 or (c.usage_markups is null and p.billing_type = 'usage_internal'))
        and (select count(*) from reseller_charges rc where rc.client_charge_id = c.id and rc.reverses_id is null) < p.chain_length
      order by c.id limit ${batchSize}
    ), chain (charge_id, level, plan_id, period_id, debtor) as (
      select d.id, 1, p.source_plan_id, pp.source_period_id, p.reseller_id
      from due d join plans p on p.id = d.plan_id join plan_periods pp on pp.id = d.plan_period_id
      where p.source_plan_id is not null
      union all
      select ch.charge_id, ch.level + 1, p.source_plan_id, pp.source_period_id, p.reseller_id
      from chain ch join plans p on p.id = ch.plan_id join plan_periods pp on pp.id = ch.period_id
      where p.source_plan_id is not null
    )
    select d.id as charge_id, d.subscription_id, d.kind, d.resource_key, d.quantity, d.period_from::text as period_from, d.period_to::text as period_to,
           d.close_date::text as close_date, d.description, d.financial_day, ch.level, up.id as plan_id, up.reseller_id as creditor, ch.debtor,
           cr.currency as creditor_currency, up.currency as plan_currency,
           d.usage_cost::text as usage_cost, d.usage_markups,
           -- Fixed price (05 §4.6): the level's prices come from sn, the snapshot of the client charge's term (below);
           -- a price the snapshot lacks (a resource added to the plan later), or any price without fixed price, is the
           -- current one. usage_external: priced from the charge's own chain (levelPrice), which already holds a fixed
           -- price's frozen levels. usage_internal: the charge's records at the level's monthly resource prices, Σ price
           -- × days × quantity / 30, rounded once like the client charge; none while a resource has no price at the level.
           case when d.kind = 'usage' and d.usage_markups is not null then null
           when d.kind = 'usage' then (
             select case when bool_and(x.price is not null) then round(sum(x.price * x.units / 30)) end
             from (
               select u.units, coalesce(
                 (sn.resource_prices -> u.resource ->> 'recurring')::bigint,
                 (select r.recurring_price from plan_resources r where r.plan_id = up.id and r.key = u.resource order by r.id limit 1)) as price
               from (select ur.resource, sum(ur.period_days * ur.quantity) as units from usage_records ur where ur.charge_id = d.id group by ur.resource) u
             ) x)
           else coalesce(
             case when d.resource_key is null then
               case d.kind when 'setup' then sn.setup_fee when 'renewal' then sn.renewal_fee when 'transfer' then sn.transfer_fee else sn.recurring_fee end
             else (sn.resource_prices -> d.resource_key ->> (case d.kind when 'setup' then 'setup' when 'renewal' then 'renewal' else 'recurring' end))::bigint
             end,
             case when d.resource_key is null then
               case d.kind when 'setup' then upp.setup_fee when 'renewal' then upp.renewal_fee when 'transfer' then upp.transfer_fee else upp.recurring_fee end
             else (select case d.kind when 'setup' then r.setup_price when 'renewal' then r.renewal_price else r.recurring_price end
                   from plan_resources r where r.plan_id = up.id and r.key = d.resource_key order by r.id limit 1)
             end) end::text as unit_price,
           coalesce((
             select jsonb_agg(jsonb_build_object('id', rd.id, 'percentBp', rd.percent_bp, 'validFrom', rd.valid_from, 'validTo', rd.valid_to))
             from reseller_discounts rd
             where rd.reseller_id = up.reseller_id and rd.status = 'active'
               and (rd.child_reseller_id is null or rd.child_reseller_id = ch.debtor)
               and (rd.subscription_id is null or rd.subscription_id = d.subscription_id)
               and (rd.client_id is null or rd.client_id = d.client_id)
               and (rd.plan_id is null or rd.plan_id = up.id)), '[]'::jsonb) as discounts
    from chain ch
    join due d on d.id = ch.charge_id
    join plans up on up.id = ch.plan_id
    join plan_periods upp on upp.id = ch.period_id
    join resellers cr on cr.id = up.reseller_id
    -- A fixed price's snapshot of the level: the latest an order not newer than the charge's took (the purchase, a
    -- renewal, a switch; never a cancelled one). None without fixed price: every price is then the current one.
    left join lateral (
      select sn.setup_fee, sn.recurring_fee, sn.renewal_fee, sn.transfer_fee, sn.resource_prices
      from reseller_cost_snapshots sn join orders so on so.id = sn.order_id
      where d.fixed_price and sn.subscription_id = d.subscription_id and sn.plan_period_id = upp.id and sn.order_id <= d.order_id and so.status <> 'cancelled'
      order by sn.order_id desc limit 1) sn on true
    where not exists (select 1 from reseller_charges rc where rc.client_charge_id = d.id and rc.creditor_reseller_id = up.reseller_id and rc.reverses_id is null)
    order by d.id, ch.level`;
}
