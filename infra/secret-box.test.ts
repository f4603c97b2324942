import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { isSealed, secretBox, secretBoxKeyFrom, SecretBoxError } from './secret-box';

describe('secrets at rest (AES-256-GCM under a configured key)', () => {
  const key = randomBytes(32);
  it('opens what it sealed, and never seals the same text to the same value', () => {
    const box = secretBox(key);
    const a = box.seal('-----BEGIN PRIVATE KEY-----\nabc\n-----END PRIVATE KEY-----\n');
    expect(isSealed(a)).toBe(true);
    expect(a).not.toContain('PRIVATE');
    expect(box.open(a)).toContain('abc');
    expect(box.seal('x')).not.toBe(box.seal('x'));
  });

  it('refuses a value sealed under another key or changed by one character', () => {
    const sealed = secretBox(key).seal('secret');
    expect(() => secretBox(randomBytes(32)).open(sealed)).toThrow(SecretBoxError);
    const last = sealed.at(-1) === 'A' ? 'B' : 'A';
    expect(() => secretBox(key).open(sealed.slice(0, -1) + last)).toThrow(SecretBoxError);
    expect(() => secretBox(key).open('-----BEGIN PRIVATE KEY-----')).toThrow(SecretBoxError);
  });

  it('takes a key from configuration only when it is 32 bytes of base64', () => {
    expect(secretBoxKeyFrom(key.toString('base64'))?.equals(key)).toBe(true);
    expect(secretBoxKeyFrom(key.toString('base64url'))?.equals(key)).toBe(true);
    expect(secretBoxKeyFrom(randomBytes(16).toString('base64'))).toBeNull();
    expect(secretBoxKeyFrom('not a key!')).toBeNull();
  });
});
