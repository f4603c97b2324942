import type { Db } from '../../../db/client';
import { AppError } from '../../../domain/errors';
import { generateSigningKeys } from '../documents';

export interface RegisterVendorInput {
  name: string;
  /** Four letters A-Z, the start of every key and coupon of the vendor (spec 04 §2). */
  prefix: string;
}

export interface RegisteredVendor {
  id: number;
  name: string;
  prefix: string;
  publicKey: string;
}

/** A software vendor with its key prefix; its Ed25519 signing key is generated here and never leaves the database. */
export async function registerVendor(db: Db, input: RegisterVendorInput): Promise<RegisteredVendor> {
  const keys = generateSigningKeys();
  const [row] = await db<RegisteredVendor[]>`
    insert into licensing_vendors (name, prefix, public_key, private_key) values (${input.name}, ${input.prefix}, ${keys.publicKey}, ${keys.privateKey})
    on conflict (prefix) do nothing returning id, name, prefix, public_key as "publicKey"`;
  if (!row) throw new AppError('prefix_taken', `the prefix ${input.prefix} belongs to another vendor`);
  return row;
}
