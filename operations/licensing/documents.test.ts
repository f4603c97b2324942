import { describe, expect, it } from 'vitest';
import { canonicalJson, generateSigningKeys, licenseFile, parseLicenseFile, signLicense, verifyLicense } from './documents';

const keys = generateSigningKeys();
const base = {
  vendor: 'MIKO',
  key: 'MIKO7K3QXM2H9DRT4WB8NEB8',
  product: 'accounting-pro',
  licensee: { user: 'Olga', organization: 'Acme Ltd' },
  model: 'fixed' as const,
  seats: 3,
  machineId: 'a'.repeat(64),
  issuedAt: '2026-11-30T00:00:00.000Z',
  expiresAt: '2027-11-30T00:00:00.000Z',
  maxDayPeriod: null,
  maxExec: null,
  initExec: null,
  maxMajor: 5,
  features: { reports: true, users: 10 },
  supportUntil: '2027-11-30',
};

describe('license documents (spec 04 §6.8; issue 7 acceptance 3)', () => {
  it('canonical JSON sorts keys at every level, so equal documents give equal bytes', () => {
    expect(canonicalJson({ b: 1, a: { d: [2, { z: 1, y: 2 }], c: null } })).toBe('{"a":{"c":null,"d":[2,{"y":2,"z":1}]},"b":1}');
  });

  it('a signed document verifies with the vendor public key, and not with another vendor key', () => {
    const signed = signLicense(base, keys.privateKey);
    expect(verifyLicense(signed, keys.publicKey)).toBe(true);
    expect(verifyLicense(signed, generateSigningKeys().publicKey)).toBe(false);
  });

  it('changing any byte of the license file makes verification fail', () => {
    const file = licenseFile(signLicense(base, keys.privateKey));
    const parsed = parseLicenseFile(file)!;
    expect(verifyLicense(parsed, keys.publicKey)).toBe(true);
    let checked = 0;
    for (let i = 0; i < file.length - 1; i += 1) {
      if (file[i] === '\n') continue;
      const code = file.charCodeAt(i);
      const changed = file.slice(0, i) + String.fromCharCode(code === 0x41 ? 0x42 : 0x41) + file.slice(i + 1);
      const again = parseLicenseFile(changed);
      // A change that breaks the JSON is refused at parsing; any other must fail the signature.
      if (again) expect(verifyLicense(again, keys.publicKey), `byte ${i}`).toBe(false);
      checked += 1;
    }
    expect(checked).toBeGreaterThan(300);
  });

  it('never throws on garbage', () => {
    expect(verifyLicense({ document: base, signature: 'not base64!' }, keys.publicKey)).toBe(false);
    expect(verifyLicense({ document: base, signature: 42 }, keys.publicKey)).toBe(false);
    expect(parseLicenseFile('')).toBeNull();
    expect(parseLicenseFile('{broken\nsig\n')).toBeNull();
  });
});
