import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';

/**
 * Secrets at rest (issue 22 point 8): AES-256-GCM under a key that comes from configuration and is never stored
 * beside the data, so a copy of the database alone reveals no secret. A sealed value is one string,
 * `v1.<iv>.<tag>.<ciphertext>` (base64url parts), whose version says how to open it when the scheme changes.
 * The authentication tag makes a tampered value, or one sealed under another key, fail to open instead of
 * yielding garbage.
 */
export interface SecretBox {
  seal(plaintext: string): string;
  /** Throws `SecretBoxError` when the value is not sealed under this box's key. */
  open(sealed: string): string;
}

export class SecretBoxError extends Error {
  override readonly name = 'SecretBoxError';
}

const VERSION = 'v1';
/** A sealed value, recognisable without the key (a plaintext PEM starts with "-----BEGIN"). */
export const isSealed = (value: string): boolean => value.startsWith(`${VERSION}.`);

/** The box of a 32-byte key. */
export function secretBox(key: Buffer): SecretBox {
  if (key.length !== 32) throw new SecretBoxError('an AES-256 key is 32 bytes');
  return {
    seal(plaintext) {
      const iv = randomBytes(12);
      const cipher = createCipheriv('aes-256-gcm', key, iv);
      const ciphertext = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
      return [VERSION, iv.toString('base64url'), cipher.getAuthTag().toString('base64url'), ciphertext.toString('base64url')].join('.');
    },
    open(sealed) {
      const [version, iv, tag, ciphertext, ...rest] = sealed.split('.');
      if (version !== VERSION || !iv || !tag || ciphertext === undefined || rest.length > 0) throw new SecretBoxError('not a sealed secret');
      try {
        const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(iv, 'base64url'));
        decipher.setAuthTag(Buffer.from(tag, 'base64url'));
        return Buffer.concat([decipher.update(Buffer.from(ciphertext, 'base64url')), decipher.final()]).toString('utf8');
      } catch {
        throw new SecretBoxError('the secret does not open with the configured key (another key, or tampered)');
      }
    },
  };
}

/** The key of a configuration value: base64 (or base64url) of exactly 32 random bytes. Null when it is not one. */
export function secretBoxKeyFrom(text: string): Buffer | null {
  const clean = text.trim();
  if (!/^[A-Za-z0-9+/_-]+={0,2}$/.test(clean)) return null;
  const key = Buffer.from(clean.replace(/-/g, '+').replace(/_/g, '/'), 'base64');
  return key.length === 32 ? key : null;
}
