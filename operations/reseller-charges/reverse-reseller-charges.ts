import type { Sql } from '../../db/client';

/**
 * Reversals (spec 05 Q3, decided; docs/glossary.md "reseller charge reversal"): a reseller charge whose client
 * charge is no longer earned (deleted or refunded after it closed, as a cancelled order's one-off fees are, or
 * superseded by its split parts) is taken back by one reversing reseller charge at the same level: the original's
 * amounts negated, at the original's rate (never re-converted), closed now. The parts a split leaves closed get
 * their own reseller charges on the usual path, so each level's receivable ledger nets to what was actually earned.
 * Set-based, in the billing run's closing step right after the reseller charges are created; the unique index on
 * `reverses_id` is the reversal's idempotency key, so a re-run (or a retried activity) reverses nothing twice.
 */
export async function reverseResellerCharges(sql: Sql): Promise<{ reversed: number }> {
  const written = await sql`
    insert into reseller_charges (client_charge_id, subscription_id, plan_id, creditor_reseller_id, debtor_reseller_id, level, kind, resource_key,
                                  description, unit_price, quantity, period_months, discount_id, discount_bp, discount_amount, original_amount,
                                  original_currency, exchange_rate, exchange_nominal, amount, currency, reverses_id)
    select rc.client_charge_id, rc.subscription_id, rc.plan_id, rc.creditor_reseller_id, rc.debtor_reseller_id, rc.level, rc.kind, rc.resource_key,
           'Reversal (client charge ' || c.status || case when c.superseded then ', split' else '' end || '): ' || rc.description,
           rc.unit_price, rc.quantity, rc.period_months, rc.discount_id, rc.discount_bp, -rc.discount_amount, -rc.original_amount,
           rc.original_currency, rc.exchange_rate, rc.exchange_nominal, -rc.amount, rc.currency, rc.id
    from reseller_charges rc join charges c on c.id = rc.client_charge_id
    where rc.reverses_id is null and (c.status <> 'closed' or c.superseded or c.refund)
      and not exists (select 1 from reseller_charges x where x.reverses_id = rc.id)
    order by rc.id
    on conflict (reverses_id) where reverses_id is not null do nothing`;
  return { reversed: written.count };
}
