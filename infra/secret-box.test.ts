import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { SecretBox } from './secret-box';

describe('SecretBox (secrets at rest)', () => {
  const box = new SecretBox(randomBytes(32));

  it('opens what it sealed, and never stores the plain text', () => {
    const sealed = box.seal('Adm1n-pässword');
    expect(sealed).not.toContain('Adm1n');
    expect(sealed.startsWith(`v1.${box.fingerprint}.`)).toBe(true);
    expect(box.open(sealed)).toBe('Adm1n-pässword');
  });

  it('seals the same text differently each time (a random nonce per value)', () => {
    expect(box.seal('same')).not.toBe(box.seal('same'));
  });

  it('refuses a value sealed under another key and a tampered value', () => {
    const other = new SecretBox(randomBytes(32));
    expect(() => other.open(box.seal('x'))).toThrow(/another SECRETS_KEY/);
    const parts = box.seal('secret').split('.');
    parts[3] = Buffer.from('tampered').toString('base64url');
    expect(() => box.open(parts.join('.'))).toThrow();
  });

  it('takes its key as 64 hex digits or base64 of 32 bytes, nothing else', () => {
    const key = randomBytes(32);
    expect(SecretBox.fromText(key.toString('hex')).fingerprint).toBe(SecretBox.fromText(key.toString('base64')).fingerprint);
    expect(() => SecretBox.fromText('short')).toThrow(/32 bytes/);
  });
});
