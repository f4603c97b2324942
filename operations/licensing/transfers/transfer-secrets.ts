import { randomBytes, scrypt, timingSafeEqual, type BinaryLike, type ScryptOptions } from 'node:crypto';
import { ALPHABET } from '../../../domain/licensing/codes';

/** Transfer secrets (spec 04 §1.2 Transfer `secretHash`, §4.2 Import) and partner public ids: what must not be guessed. */

const scryptAsync = (secret: BinaryLike, salt: BinaryLike, keylen: number, options: ScryptOptions) =>
  new Promise<Buffer>((resolve, reject) => scrypt(secret, salt, keylen, options, (err, key) => (err ? reject(err) : resolve(key))));
const SCRYPT = { N: 16_384, r: 8, p: 1 } as const;

/** A secret for a transfer whose starter gave none: 96 random bits. */
export const newTransferSecret = () => randomBytes(12).toString('base64url');

/** A transfer secret stored as `scrypt$N$r$p$salt$hash` (base64url): never the secret itself (§1.2 `secretHash`). */
export async function hashTransferSecret(secret: string): Promise<string> {
  const salt = randomBytes(16);
  const hash = await scryptAsync(secret, salt, 32, SCRYPT);
  return ['scrypt', SCRYPT.N, SCRYPT.r, SCRYPT.p, salt.toString('base64url'), hash.toString('base64url')].join('$');
}

/** Compares a secret with its stored hash in constant time (§4.2 Import step 4). */
export async function transferSecretMatches(secret: string, stored: string): Promise<boolean> {
  const [scheme, n, r, p, salt, hash] = stored.split('$');
  if (scheme !== 'scrypt' || !n || !r || !p || !salt || !hash) return false;
  const expected = Buffer.from(hash, 'base64url');
  const actual = await scryptAsync(secret, Buffer.from(salt, 'base64url'), expected.length, { N: Number(n), r: Number(r), p: Number(p) });
  return timingSafeEqual(actual, expected);
}

/** `n` characters of Crockford base32 from a CSPRNG (5 random bits each). */
const randomBase32 = (n: number) => Array.from(randomBytes(n), (b) => ALPHABET[b & 31]).join('');
/** A partner's public id: `LP` + 20 random characters (100 bits), so it cannot be guessed. */
export const newPartnerPublicId = () => `LP${randomBase32(20)}`;
/** Public ids are compared in canonical form: upper case, without spaces and hyphens. */
export const canonicalPartnerPublicId = (value: string) => value.toUpperCase().replace(/[\s-]/g, '');
