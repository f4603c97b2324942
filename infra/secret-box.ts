import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';

/**
 * Secrets kept at rest (a licence's administrator password, spec 04 §4.2): AES-256-GCM under the installation's
 * `SECRETS_KEY`, a random nonce per value, and the key's fingerprint in the sealed text so that a value sealed
 * under another key is refused rather than decrypted into garbage. The sealed form is
 * `v1.<key fingerprint>.<nonce>.<ciphertext>.<tag>` (base64url parts). Nothing here is ever answered by the API.
 */
export class SecretBox {
  private readonly key: Buffer;
  readonly fingerprint: string;

  constructor(key: Buffer) {
    if (key.length !== 32) throw new Error('SECRETS_KEY must be 32 bytes');
    this.key = key;
    this.fingerprint = createHash('sha256').update(key).digest('base64url').slice(0, 8);
  }

  /** A key from its configured text: 32 bytes as base64 or hex. */
  static fromText(text: string): SecretBox {
    const key = /^[0-9a-f]{64}$/i.test(text) ? Buffer.from(text, 'hex') : Buffer.from(text, 'base64');
    return new SecretBox(key);
  }

  seal(plain: string): string {
    const nonce = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.key, nonce);
    const body = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
    return ['v1', this.fingerprint, nonce.toString('base64url'), body.toString('base64url'), cipher.getAuthTag().toString('base64url')].join('.');
  }

  open(sealed: string): string {
    const [version, fingerprint, nonce, body, tag] = sealed.split('.');
    if (version !== 'v1' || nonce === undefined || body === undefined || tag === undefined) throw new Error('not a sealed secret');
    if (fingerprint !== this.fingerprint) throw new Error('the secret was sealed under another SECRETS_KEY');
    const decipher = createDecipheriv('aes-256-gcm', this.key, Buffer.from(nonce, 'base64url'));
    decipher.setAuthTag(Buffer.from(tag, 'base64url'));
    return Buffer.concat([decipher.update(Buffer.from(body, 'base64url')), decipher.final()]).toString('utf8');
  }
}
