import { describe, expect, it } from 'vitest';
import { readLicenseServerConfig } from './config';

const base = { LICENSE_SERVER_ROOT_URL: 'https://billing.example.com/licensing/v1', LICENSE_SERVER_KEY: 'MIKO-7K3QX-M2H9D-RT4WB-8NEB8', LICENSE_SERVER_PRODUCT: 'calc-net', LICENSE_SERVER_SEATS: '5' };

describe('the local license server configuration', () => {
  it('asks for 24 h pools by default and never for more (spec 04 §5.5); seconds are allowed for tests', () => {
    expect(readLicenseServerConfig(base)).toMatchObject({ LICENSE_SERVER_POOL_SECONDS: 86_400, LICENSE_SERVER_SEATS: 5, LICENSE_SERVER_HOST: '127.0.0.1', LICENSE_SERVER_PORT: 8790 });
    expect(readLicenseServerConfig({ ...base, LICENSE_SERVER_POOL_SECONDS: '6' }).LICENSE_SERVER_POOL_SECONDS).toBe(6);
    expect(() => readLicenseServerConfig({ ...base, LICENSE_SERVER_POOL_SECONDS: '86401' })).toThrow(/LICENSE_SERVER_POOL_SECONDS/);
  });

  it('names the variable that is wrong: a key with a wrong check character, no seats', () => {
    expect(() => readLicenseServerConfig({ ...base, LICENSE_SERVER_KEY: 'MIKO-7K3QX-M2H9D-RT4WB-8NFB8' })).toThrow(/LICENSE_SERVER_KEY: not a license key/);
    expect(() => readLicenseServerConfig({ ...base, LICENSE_SERVER_SEATS: '0' })).toThrow(/LICENSE_SERVER_SEATS/);
  });
});
