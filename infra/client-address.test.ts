import { describe, expect, it } from 'vitest';
import { clientAddress, TrustedProxies } from './client-address';

describe('the client address behind trusted proxies (TRUST_PROXY)', () => {
  const proxies = TrustedProxies.parse('127.0.0.1, 10.0.0.0/8, fd00::/8');

  it('without trusted proxies, X-Forwarded-For is ignored and the connection is the client', () => {
    expect(clientAddress('127.0.0.1', '203.0.113.9', TrustedProxies.parse(undefined))).toBe('127.0.0.1');
    expect(clientAddress('198.51.100.7', '203.0.113.9', proxies)).toBe('198.51.100.7');
  });

  it('from a trusted proxy, the rightmost address that is not a trusted proxy is the client; what the client wrote left of it is not', () => {
    expect(clientAddress('127.0.0.1', '203.0.113.9', proxies)).toBe('203.0.113.9');
    expect(clientAddress('127.0.0.1', '1.1.1.1, 203.0.113.9, 10.1.2.3', proxies)).toBe('203.0.113.9');
    expect(clientAddress('::ffff:10.0.0.5', '2001:db8::1, fd00::2', proxies)).toBe('2001:db8::1');
  });

  it('a chain of trusted proxies only, or an entry that is no address, stops at the last address a proxy wrote', () => {
    expect(clientAddress('127.0.0.1', '10.0.0.2, 10.0.0.3', proxies)).toBe('10.0.0.2');
    expect(clientAddress('127.0.0.1', 'unknown, 10.0.0.3', proxies)).toBe('10.0.0.3');
    expect(clientAddress('127.0.0.1', '', proxies)).toBe('127.0.0.1');
  });

  it('refuses an entry that is no address or CIDR, naming it', () => {
    for (const bad of ['proxy.internal', '10.0.0.0/33', '::1/129', '10.0.0.0/8/1', '10.0.0.0/x']) expect(() => TrustedProxies.parse(bad)).toThrow(bad);
  });
});
