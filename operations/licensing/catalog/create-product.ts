import type { Db } from '../../../db/client';
import { AppError } from '../../../domain/errors';
import type { ActivationPolicy } from '../../../domain/licensing/activation';
import type { TermType } from '../../../domain/licensing/commercial';

export interface CreateProductInput {
  vendorPrefix: string;
  code: string;
  name: string;
  licenseModel: 'fixed' | 'floating';
  termType: TermType;
  /** -1 = unlimited. */
  maxActivations: number;
  activationPolicy: ActivationPolicy;
  managedExpiration: boolean;
  managedExecution: boolean;
  nonTransferable: boolean;
  transferTimeMode: 'managed' | 'preserve';
  masterLicense: Record<string, unknown>;
  trialDays: number;
  /** Major releases (spec 04 §5.3), `releasedAt` an ISO date. */
  majorReleases?: Array<{ major: number; releasedAt: string }>;
  /** The perpetual retail price (minor units) and its currency, which §5.3 quotes price updates from. */
  retailPrice?: number | undefined;
  retailCurrency?: string | undefined;
}

/** A licensing product of a vendor with its activation settings and master license (spec 04 §1.2 Product). */
export async function createProduct(db: Db, p: CreateProductInput): Promise<{ id: number }> {
  const [vendor] = await db<Array<{ id: number }>>`select id from licensing_vendors where prefix = ${p.vendorPrefix}`;
  if (!vendor) throw new AppError('invalid_reference', `no vendor with prefix ${p.vendorPrefix}`);
  const [row] = await db<Array<{ id: number }>>`
    insert into licensing_products (vendor_id, code, name, license_model, term_type, max_activations, activation_policy,
                                    managed_expiration, managed_execution, non_transferable, transfer_time_mode, master_license, trial_days,
                                    major_releases, retail_price, retail_currency)
    values (${vendor.id}, ${p.code}, ${p.name}, ${p.licenseModel}, ${p.termType}, ${p.maxActivations}, ${p.activationPolicy},
            ${p.managedExpiration}, ${p.managedExecution}, ${p.nonTransferable}, ${p.transferTimeMode}, ${JSON.stringify(p.masterLicense)}::jsonb, ${p.trialDays},
            ${JSON.stringify(p.majorReleases ?? [])}::jsonb, ${p.retailPrice ?? null}, ${p.retailCurrency ?? null})
    on conflict (vendor_id, code) do nothing returning id`;
  if (!row) throw new AppError('product_code_taken', `the vendor already has a product ${p.code}`);
  return row;
}
