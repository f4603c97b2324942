import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyLicense } from '../../operations/licensing/documents';
import { sealPlainSigningKeys } from '../../operations/licensing/signing/vendor-signing-keys';
import { generateSigningKeys } from '../../operations/licensing/documents';
import { secretBox } from '../../infra/secret-box';
import { createLicensingProduct, firstRunLicense, registerLicensingVendor } from '../support/licensing';
import { createTestPlatform, testLicensingKeyEncryptionKey, type TestPlatform } from '../support/platform';

/**
 * Issue 22 point 8: vendor signing keys are encrypted at rest with a key from configuration, and rotate. Through the
 * staff API (register, rotate, list) and the public licensing API (activate, lease, public key), with PostgreSQL read
 * directly only to show what is stored.
 */
let p: TestPlatform;
const prefix = 'ROTA';
let vendorId: number;

beforeAll(async () => {
  p = await createTestPlatform('licensing_key_rotation');
  vendorId = (await registerLicensingVendor(p, prefix, 'Rotating Software')).id as number;
});
afterAll(async () => p?.close());

let seq = 0;
const publicApi = (path: string, body: unknown) => p.api('POST', `/licensing/v1${path}`, body, { token: null, headers: { 'x-forwarded-for': `198.51.100.${(seq % 250) + 1}` } });
const machine = (n: number) => ({ signatures: { hdd: `HDD-${n}`, cpu: `CPU-${n}`, bios: `BIOS-${n}`, ethernet: `00:11:22:33:44:${String(n).padStart(2, '0')}` } });

/** A first-run key holding a staff-granted perpetual license of a new fixed (or floating) product. */
async function license(model: 'fixed' | 'floating' = 'fixed') {
  seq += 1;
  const code = `rot-${seq}`;
  await createLicensingProduct(p, prefix, code, `Rot ${seq}`, { licenseModel: model, activationPolicy: 'AcceptAllSingleMachine' });
  const { key } = await firstRunLicense(p, { prefix, productCode: code, companyName: `Customer ${seq}`, grant: { periodDays: null, seats: 2 }, publicApi });
  return { code, key };
}

const publicKeys = async () => (await p.api('GET', `/licensing/v1/vendors/${prefix}/public-key`, undefined, { token: null })).body;

describe('vendor signing keys: encrypted at rest, rotated (issue 22 point 8)', () => {
  it('stores the private key sealed under the configured key, never as PEM, and no answer carries it', async () => {
    const rows = await p.sql<Array<{ private_key_sealed: string; public_key: string }>>`select private_key_sealed, public_key from licensing_signing_keys where vendor_id = ${vendorId}`;
    expect(rows).toHaveLength(1);
    expect(rows[0]!.private_key_sealed).toMatch(/^v1\./);
    expect(rows[0]!.private_key_sealed).not.toContain('PRIVATE KEY');
    expect(secretBox(testLicensingKeyEncryptionKey).open(rows[0]!.private_key_sealed)).toContain('BEGIN PRIVATE KEY');
    const listed = await p.api('GET', '/api/v1/licensing/vendors');
    expect(JSON.stringify(listed.body)).not.toContain('PRIVATE');
    expect(JSON.stringify(await publicKeys())).not.toContain('PRIVATE');
  });

  it('after a rotation an old document still verifies with the old public key, new ones use the new key, and the endpoint lists both', async () => {
    const { code, key } = await license();
    const before = await publicApi('/activations', { key, productCode: code, machine: machine(1) });
    expect(before.status, JSON.stringify(before.body)).toBe(201);
    const old = await publicKeys();
    expect(old.keys).toHaveLength(1);
    expect(before.body.document.keyId).toBe(old.keys[0].keyId);
    expect(verifyLicense(before.body.document, old.publicKey)).toBe(true);

    const rotated = await p.api('POST', `/api/v1/licensing/vendors/${vendorId}/signing-keys/rotate`);
    expect(rotated.status, JSON.stringify(rotated.body)).toBe(201);
    expect(rotated.body).toMatchObject({ retiredKeyId: old.keys[0].keyId });
    expect(rotated.body.keyId).not.toBe(old.keys[0].keyId);

    const now = await publicKeys();
    expect(now.publicKey).toBe(rotated.body.publicKey);
    expect(now.keys.map((k: { keyId: number; status: string }) => [k.keyId, k.status])).toEqual([
      [rotated.body.keyId, 'active'],
      [old.keys[0].keyId, 'retired'],
    ]);
    // The old document: still good under the old key (listed, retired), not under the new one.
    expect(verifyLicense(before.body.document, now.keys[1].publicKey)).toBe(true);
    expect(verifyLicense(before.body.document, now.publicKey)).toBe(false);

    // New documents (a second machine, a floating lease) are signed with the new key.
    const after = await publicApi('/activations', { key, productCode: code, machine: machine(2) });
    expect(after.status, JSON.stringify(after.body)).toBe(201);
    expect(after.body.document.keyId).toBe(rotated.body.keyId);
    expect(verifyLicense(after.body.document, now.publicKey)).toBe(true);
    expect(verifyLicense(after.body.document, old.publicKey)).toBe(false);
    const floating = await license('floating');
    const lease = await publicApi('/leases', { key: floating.key, productCode: floating.code, machineId: 'm-1', userName: 'ann' });
    expect(lease.status, JSON.stringify(lease.body)).toBe(201);
    expect(lease.body.document.keyId).toBe(rotated.body.keyId);
    expect(verifyLicense(lease.body.document, now.publicKey)).toBe(true);

    const staffList = await p.api('GET', `/api/v1/licensing/vendors/${vendorId}/signing-keys`);
    expect(staffList.body.keys.map((k: { status: string }) => k.status)).toEqual(['active', 'retired']);
  });

  it('two rotations at once leave exactly one active key', async () => {
    const answers = await Promise.all([1, 2, 3].map(() => p.api('POST', `/api/v1/licensing/vendors/${vendorId}/signing-keys/rotate`)));
    expect(answers.map((a) => a.status)).toEqual([201, 201, 201]);
    const [row] = await p.sql<Array<{ active: number }>>`select count(*)::int as active from licensing_signing_keys where vendor_id = ${vendorId} and status = 'active'`;
    expect(row!.active).toBe(1);
  });

  it('without the configured key a vendor cannot be registered, rotated or sign: 503 LICENSING_KEYS_LOCKED', async () => {
    const locked = p.appWith({ licensingKeys: undefined });
    const call = (method: string, path: string, body?: unknown) =>
      locked.request(path, { method, headers: { authorization: `Bearer ${p.adminToken}`, 'content-type': 'application/json', 'x-forwarded-for': '198.51.100.200' }, body: body === undefined ? undefined : JSON.stringify(body) });
    const register = await call('POST', '/api/v1/licensing/vendors', { name: 'No Key', prefix: 'NOKY' });
    expect([register.status, ((await register.json()) as { code: string }).code]).toEqual([503, 'LICENSING_KEYS_LOCKED']);
    const rotate = await call('POST', `/api/v1/licensing/vendors/${vendorId}/signing-keys/rotate`, {});
    expect(rotate.status).toBe(503);
    const { code, key } = await license();
    const activation = await call('POST', '/licensing/v1/activations', { key, productCode: code, machine: machine(3) });
    expect([activation.status, ((await activation.json()) as { error: { code: string } }).error.code]).toEqual([503, 'LICENSING_KEYS_LOCKED']);
    // A key sealed under another configuration key does not open either: the same refusal, nothing signed.
    const other = p.appWith({ licensingKeys: secretBox(Buffer.alloc(32, 7)) });
    const wrong = await other.request('/licensing/v1/activations', { method: 'POST', headers: { 'content-type': 'application/json', 'x-forwarded-for': '198.51.100.201' }, body: JSON.stringify({ key, productCode: code, machine: machine(4) }) });
    expect([wrong.status, ((await wrong.json()) as { error: { code: string } }).error.code]).toEqual([503, 'LICENSING_KEYS_LOCKED']);
  });

  it('a key carried over in plain PEM (migration 0055) is sealed once by the API start-up step', async () => {
    const plain = generateSigningKeys();
    const [vendor] = await p.sql<Array<{ id: number }>>`insert into licensing_vendors (name, prefix) values ('Legacy', 'LEGA') returning id`;
    await p.sql`insert into licensing_signing_keys (vendor_id, public_key, private_key_sealed) values (${vendor!.id}, ${plain.publicKey}, ${plain.privateKey})`;
    const box = secretBox(testLicensingKeyEncryptionKey);
    expect(await sealPlainSigningKeys(p.sql, box)).toBe(1);
    expect(await sealPlainSigningKeys(p.sql, box)).toBe(0);
    const [row] = await p.sql<Array<{ private_key_sealed: string }>>`select private_key_sealed from licensing_signing_keys where vendor_id = ${vendor!.id}`;
    expect(box.open(row!.private_key_sealed)).toBe(plain.privateKey);
  });
});
