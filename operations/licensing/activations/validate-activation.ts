import type { Db } from '../../../db/client';
import { AppError } from '../../../domain/errors';
import { validationRefusal, type ValidationCode } from '../../../domain/licensing/validation';

export interface ActivationValidity {
  valid: boolean;
  /** `active` when valid, else the entitlement's status. */
  status: string;
  expiresAt: string | null;
  code?: ValidationCode;
  /** The replacing product, when the license was superseded. */
  replacement?: string | null;
}

/**
 * The periodic online check of an activation (spec 04 §7.1 validate): the binding is marked seen, and the answer
 * says whether it still holds, with the §7.4 code when it does not (domain/licensing/validation.ts). Only an
 * unknown binding, or one of another key, is an error (404 `ACTIVATION_NOT_FOUND`).
 */
export async function validateActivation(db: Db, input: { bindingId: number; code: string; machineId: string; now: Date }): Promise<ActivationValidity> {
  const id = input.bindingId;
  const [row] = await db<Array<{ status: string; machine_id: string; ent_status: string; expires_at: string | null; replacement: string | null }>>`
    select b.status, b.machine_id, e.status as ent_status, e.expires_at,
           (select p.code from entitlements r join licensing_products p on p.id = r.product_id where r.id = e.superseded_by) as replacement
    from machine_bindings b
      join activation_accounts a on a.id = b.account_id join entitlements e on e.id = a.entitlement_id join license_keys k on k.id = e.key_id
    where b.id = ${id} and k.code = ${input.code}`;
  if (!row) throw new AppError('ACTIVATION_NOT_FOUND', 'no such activation for this key');
  await db`update machine_bindings set last_seen_at = now() where id = ${id}`;
  const code = validationRefusal({
    bindingStatus: row.status,
    entitlementStatus: row.ent_status,
    expiresAt: row.expires_at === null ? null : new Date(row.expires_at),
    boundMachineId: row.machine_id,
    machineId: input.machineId,
    now: input.now,
  });
  return {
    valid: code === null,
    status: code === null ? 'active' : row.ent_status,
    expiresAt: row.expires_at,
    ...(code ? { code } : {}),
    ...(code === 'ENTITLEMENT_SUPERSEDED' ? { replacement: row.replacement } : {}),
  };
}
