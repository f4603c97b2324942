import { inTransaction, type Db } from '../../../db/client';
import { AppError } from '../../../domain/errors';
import type { SecretBox } from '../../../infra/secret-box';
import { createVendorSigningKey, requireVault } from '../signing/vendor-signing-keys';

export interface RegisterVendorInput {
  name: string;
  /** Four letters A-Z, the start of every key and coupon of the vendor (spec 04 §2). */
  prefix: string;
  /** Seals the new signing key (LICENSING_KEY_ENCRYPTION_KEY). */
  vault: SecretBox | undefined;
}

export interface RegisteredVendor {
  id: number;
  name: string;
  prefix: string;
  publicKey: string;
  keyId: number;
}

/** A software vendor with its key prefix and its first Ed25519 signing key, sealed at rest (signing/vendor-signing-keys.ts). */
export async function registerVendor(db: Db, input: RegisterVendorInput): Promise<RegisteredVendor> {
  requireVault(input.vault);
  return inTransaction(db, async (tx) => {
    const [row] = await tx<Array<{ id: number; name: string; prefix: string }>>`
      insert into licensing_vendors (name, prefix) values (${input.name}, ${input.prefix})
      on conflict (prefix) do nothing returning id, name, prefix`;
    if (!row) throw new AppError('prefix_taken', `the prefix ${input.prefix} belongs to another vendor`);
    const key = await createVendorSigningKey(tx, { vendorId: row.id, vault: input.vault });
    return { ...row, ...key };
  });
}
