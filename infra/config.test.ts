import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig, secretsKeyOf } from './config';

describe('configuration from the environment', () => {
  it('applies defaults when nothing is set', () => {
    const config = loadConfig({});
    expect(config).toMatchObject({ PORT: 3000, TEMPORAL_NAMESPACE: 'default', TEMPORAL_TASK_QUEUE: 'billing', PLATFORM_TIME_ZONE: 'UTC' });
    expect(config.TEMPORAL_ADDRESS).toBeUndefined();
  });

  it('reads TRUST_PROXY as addresses and CIDRs, IPv4 and IPv6', () => {
    expect(loadConfig({ TRUST_PROXY: '127.0.0.1, 10.0.0.0/8,::1 , fd00::/8' }).TRUST_PROXY).toBe('127.0.0.1, 10.0.0.0/8,::1 , fd00::/8');
  });

  it('reads LICENSING_KEY_ENCRYPTION_KEY as 32 bytes of base64', () => {
    expect(loadConfig({ LICENSING_KEY_ENCRYPTION_KEY: Buffer.alloc(32, 1).toString('base64') }).LICENSING_KEY_ENCRYPTION_KEY?.length).toBe(32);
  });

  it('the secrets key is SECRETS_ENCRYPTION_KEY, else its earlier name LICENSING_KEY_ENCRYPTION_KEY; two different keys stop the process', () => {
    const one = Buffer.alloc(32, 1).toString('base64');
    const two = Buffer.alloc(32, 2).toString('base64');
    expect(secretsKeyOf(loadConfig({ SECRETS_ENCRYPTION_KEY: one }))).toEqual(Buffer.alloc(32, 1));
    expect(secretsKeyOf(loadConfig({ LICENSING_KEY_ENCRYPTION_KEY: one }))).toEqual(Buffer.alloc(32, 1));
    expect(secretsKeyOf(loadConfig({ SECRETS_ENCRYPTION_KEY: one, LICENSING_KEY_ENCRYPTION_KEY: one }))).toEqual(Buffer.alloc(32, 1));
    expect(secretsKeyOf(loadConfig({}))).toBeUndefined();
    expect(() => secretsKeyOf(loadConfig({ SECRETS_ENCRYPTION_KEY: one, LICENSING_KEY_ENCRYPTION_KEY: two }))).toThrow(/SECRETS_ENCRYPTION_KEY: differs from LICENSING_KEY_ENCRYPTION_KEY/);
  });

  it('treats empty strings as unset, as compose files and shells produce them', () => {
    expect(loadConfig({ BOOTSTRAP_ADMIN_TOKEN: '', PORT: '' }).PORT).toBe(3000);
  });

  it.each([
    ['PORT', 'eighty'],
    ['PORT', '70000'],
    ['DATABASE_URL', 'mysql://localhost/db'],
    ['TEMPORAL_ADDRESS', 'localhost'],
    ['PLATFORM_TIME_ZONE', 'Mars/Olympus'],
    ['LOG_LEVEL', 'loud'],
    ['BOOTSTRAP_ADMIN_TOKEN', 'short'],
    ['METRICS_TOKEN', 'short'],
    ['TRUST_PROXY', '10.0.0.0/33'],
    ['TRUST_PROXY', '127.0.0.1, proxy.internal'],
    ['LICENSING_TRIALS_PER_HOUR', '-1'],
    ['LICENSING_KEY_ENCRYPTION_KEY', 'c2hvcnQ='],
    ['LICENSING_KEY_ENCRYPTION_KEY', 'not base64 at all!'],
    ['EGRESS_ALLOW_HOSTS', 'http://vendor.internal'],
    ['EGRESS_ALLOW_HOSTS', 'vendor.internal:99999'],
  ])('a bad %s stops start-up with a message naming it', (name, value) => {
    expect(() => loadConfig({ [name]: value })).toThrow(ConfigError);
    expect(() => loadConfig({ [name]: value })).toThrow(new RegExp(`\\b${name}\\b`));
  });

  it('reads EGRESS_ALLOW_HOSTS as host and host:port entries, normalised, none by default', () => {
    expect(loadConfig({}).EGRESS_ALLOW_HOSTS).toEqual([]);
    expect(loadConfig({ EGRESS_ALLOW_HOSTS: 'Vendor.Internal:8443, 10.0.0.5 [::1]:9000' }).EGRESS_ALLOW_HOSTS).toEqual(['vendor.internal:8443', '10.0.0.5', '[::1]:9000']);
  });
});
