import { inTransaction, type Db } from '../../../db/client';
import { AppError } from '../../../domain/errors';
import { isSealed, SecretBoxError, type SecretBox } from '../../../infra/secret-box';
import { notFound } from '../refusals';
import { generateSigningKeys, signLicense, type LicenseDocument, type SignedLicense } from '../documents';

/**
 * A vendor's signing keys (spec 04 §6.8, issue 22 point 8). The private half is sealed with the configured
 * LICENSING_KEY_ENCRYPTION_KEY (`vault`) before it is written and opened only to sign; the database alone never
 * holds a usable private key. One key per vendor is active and signs; rotation retires it, and a retired key keeps
 * its public half so that documents it signed still verify.
 */

/** The configured box, or 503 LICENSING_KEYS_LOCKED: without it nothing can be sealed or signed. */
export function requireVault(vault: SecretBox | undefined): SecretBox {
  if (!vault) throw new AppError('LICENSING_KEYS_LOCKED', 'LICENSING_KEY_ENCRYPTION_KEY is not configured: vendor signing keys cannot be used');
  return vault;
}

export interface VendorSigningKey {
  keyId: number;
  publicKey: string;
}

/** A new active key pair for a vendor that has none active (registration) or just retired one (rotation). */
export async function createVendorSigningKey(db: Db, input: { vendorId: number; vault: SecretBox | undefined }): Promise<VendorSigningKey> {
  const vault = requireVault(input.vault);
  const keys = generateSigningKeys();
  const [row] = await db<Array<{ id: number }>>`
    insert into licensing_signing_keys (vendor_id, public_key, private_key_sealed) values (${input.vendorId}, ${keys.publicKey}, ${vault.seal(keys.privateKey)})
    returning id`;
  return { keyId: row!.id, publicKey: keys.publicKey };
}

/**
 * Rotation: the active key is retired and a new one becomes active, in one transaction with the vendor row locked
 * so that two rotations at once leave exactly one active key. Documents signed before keep verifying with the
 * retired key's public half, which the public-key endpoint goes on listing.
 */
export async function rotateVendorSigningKey(db: Db, input: { vendorId: number; vault: SecretBox | undefined; now: Date }): Promise<VendorSigningKey & { retiredKeyId: number | null }> {
  requireVault(input.vault);
  return inTransaction(db, async (tx) => {
    const [vendor] = await tx`select id from licensing_vendors where id = ${input.vendorId} for update`;
    if (!vendor) throw notFound('vendor', input.vendorId);
    const [retired] = await tx<Array<{ id: number }>>`
      update licensing_signing_keys set status = 'retired', retired_at = ${input.now.toISOString()}
      where vendor_id = ${input.vendorId} and status = 'active' returning id`;
    const created = await createVendorSigningKey(tx, input);
    return { ...created, retiredKeyId: retired?.id ?? null };
  });
}

/** A document signed with the vendor's active key; `keyId` names the key, so a verifier picks its public half. */
export type VendorSignedLicense = SignedLicense & { keyId: number };

/**
 * Signs a license document (§6.8) with the vendor's active key. The signing API for every document the platform
 * issues (activations, leases, seat pools of local license servers): `signLicense` stays the pure primitive.
 */
export async function signVendorDocument(
  db: Db,
  input: { vendorId: number; vault: SecretBox | undefined; document: Omit<LicenseDocument, 'docId'> & { docId?: string } },
): Promise<VendorSignedLicense> {
  const [key] = await db<Array<{ id: number; private_key_sealed: string }>>`
    select id, private_key_sealed from licensing_signing_keys where vendor_id = ${input.vendorId} and status = 'active'`;
  if (!key) throw new AppError('LICENSING_KEYS_LOCKED', `vendor ${input.vendorId} has no active signing key`);
  return { ...signLicense(input.document, openPrivateKey(key.private_key_sealed, input.vault)), keyId: key.id };
}

/** The PEM of a stored private key; a key not yet sealed (carried over by migration 0055) is used as it is. */
function openPrivateKey(stored: string, vault: SecretBox | undefined): string {
  if (!isSealed(stored)) return stored;
  try {
    return requireVault(vault).open(stored);
  } catch (err) {
    if (err instanceof SecretBoxError) throw new AppError('LICENSING_KEYS_LOCKED', 'the signing key does not open with LICENSING_KEY_ENCRYPTION_KEY');
    throw err;
  }
}

export interface PublishedKey {
  keyId: number;
  publicKey: string;
  status: 'active' | 'retired';
  createdAt: string;
  retiredAt: string | null;
}

/** Every public key of a vendor, the active one first, then the retired ones newest first. */
export async function vendorPublicKeys(db: Db, vendorId: number): Promise<PublishedKey[]> {
  return db<PublishedKey[]>`
    select id as "keyId", public_key as "publicKey", status, created_at as "createdAt", retired_at as "retiredAt"
    from licensing_signing_keys where vendor_id = ${vendorId}
    order by (status = 'active') desc, id desc`;
}

/** The staff view of a vendor's keys (public halves); 404 for an unknown vendor. */
export async function vendorSigningKeys(db: Db, vendorId: number): Promise<PublishedKey[]> {
  const [vendor] = await db`select id from licensing_vendors where id = ${vendorId}`;
  if (!vendor) throw notFound('vendor', vendorId);
  return vendorPublicKeys(db, vendorId);
}

/**
 * Seals the private keys still stored as plain PEM (those migration 0055 carried over). Run by the API at start
 * when the encryption key is configured; idempotent: a sealed key is left alone. Answers how many it sealed.
 */
export async function sealPlainSigningKeys(db: Db, vault: SecretBox): Promise<number> {
  const plain = await db<Array<{ id: number; private_key_sealed: string }>>`
    select id, private_key_sealed from licensing_signing_keys where private_key_sealed not like 'v1.%'`;
  for (const key of plain) {
    await db`update licensing_signing_keys set private_key_sealed = ${vault.seal(key.private_key_sealed)} where id = ${key.id} and private_key_sealed = ${key.private_key_sealed}`;
  }
  return plain.length;
}
