import type { Db } from '../../../db/client';
import { AppError } from '../../../domain/errors';
import { notFound } from '../refusals';

export interface CreateUpgradeTemplateInput {
  productId: number;
  name: string;
  maxDayPeriod?: number | undefined;
  maxExec?: number | undefined;
  addToExisting: boolean;
}

/**
 * An upgrade template (spec 04 §1.2 UpgradeTemplate): deltas added to an account's license. Products with
 * ManagedExpiration or ManagedExecution only take templates with `addToExisting` (§1.2, §6.6), otherwise 422
 * `UPGRADE_TEMPLATE_INVALID`; a template must change at least one limit.
 */
export async function createUpgradeTemplate(db: Db, t: CreateUpgradeTemplateInput): Promise<Record<string, unknown>> {
  const [product] = await db<Array<{ id: number; managed_expiration: boolean; managed_execution: boolean }>>`
    select id, managed_expiration, managed_execution from licensing_products where id = ${t.productId}`;
  if (!product) throw notFound('licensing product', t.productId);
  if ((product.managed_expiration || product.managed_execution) && !t.addToExisting) {
    throw new AppError('UPGRADE_TEMPLATE_INVALID', 'a product with ManagedExpiration or ManagedExecution only takes upgrade templates with addToExisting (spec 04 §6.6)');
  }
  if (t.maxDayPeriod === undefined && t.maxExec === undefined) {
    throw new AppError('UPGRADE_TEMPLATE_INVALID', 'an upgrade template must change maxDayPeriod, maxExec or both');
  }
  const [row] = await db<Array<Record<string, unknown>>>`
    insert into upgrade_templates (product_id, name, max_day_period, max_exec, add_to_existing)
    values (${t.productId}, ${t.name}, ${t.maxDayPeriod ?? null}, ${t.maxExec ?? null}, ${t.addToExisting})
    returning id, product_id as "productId", name, max_day_period as "maxDayPeriod", max_exec as "maxExec", add_to_existing as "addToExisting"`;
  return row!;
}
