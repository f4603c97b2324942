import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createOutboundFetch, EgressRefusedError, isAllowListed, literalAddressRefusal, parseAllowHosts, publicEgressOnly, refusedAddressKind, urlShapeProblem } from './egress';

describe('refusedAddressKind', () => {
  it('refuses loopback, private, link-local, CGNAT, metadata, multicast and reserved IPv4 addresses', () => {
    const cases: Array<[string, string]> = [
      ['127.0.0.1', 'loopback'], ['127.255.0.9', 'loopback'], ['0.0.0.0', 'unspecified'], ['10.20.30.40', 'private'],
      ['172.16.0.1', 'private'], ['172.31.255.255', 'private'], ['192.168.1.1', 'private'], ['100.64.0.1', 'shared (CGNAT)'],
      ['169.254.169.254', 'metadata'], ['168.63.129.16', 'metadata'], ['100.100.100.200', 'metadata'], ['169.254.1.1', 'link-local'],
      ['224.0.0.1', 'multicast'], ['255.255.255.255', 'reserved'], ['198.18.0.1', 'reserved'], ['192.0.0.170', 'reserved'],
    ];
    for (const [address, kind] of cases) expect(refusedAddressKind(address), address).toBe(kind);
  });

  it('refuses the IPv6 equivalents, judging IPv4-mapped and NAT64 addresses by the IPv4 address inside', () => {
    const cases: Array<[string, string]> = [
      ['::1', 'loopback'], ['::', 'unspecified'], ['::ffff:127.0.0.1', 'loopback'], ['::ffff:7f00:1', 'loopback'],
      ['::ffff:a9fe:a9fe', 'metadata'], ['64:ff9b::10.0.0.1', 'private'], ['fd00::1', 'private'], ['fc12:3456::1', 'private'],
      ['fe80::1', 'link-local'], ['fd00:ec2::254', 'metadata'], ['ff02::1', 'multicast'], ['2001:db8::1', 'reserved'],
      ['2002:7f00:1::1', 'reserved'], ['::127.0.0.1', 'reserved'],
    ];
    for (const [address, kind] of cases) expect(refusedAddressKind(address), address).toBe(kind);
  });

  it('lets public addresses through', () => {
    for (const address of ['93.184.216.34', '8.8.8.8', '172.32.0.1', '100.128.0.1', '2606:4700::1111', '::ffff:8.8.8.8', '64:ff9b::808:808']) {
      expect(refusedAddressKind(address), address).toBeNull();
    }
  });
});

describe('outbound URLs', () => {
  it('takes http(s) URLs naming a host, and says what is wrong with others', () => {
    expect(urlShapeProblem('https://vendor.example.com/api/v2')).toBeNull();
    expect(urlShapeProblem('http://10.0.0.5:8080')).toBeNull();
    expect(urlShapeProblem('http://gw.example.com/send?to={phone}&text={text}')).toBeNull();
    expect(urlShapeProblem('file:///etc/passwd')).toMatch(/http/);
    expect(urlShapeProblem('gopher://127.0.0.1:5432/_')).toMatch(/http/);
    expect(urlShapeProblem('http://user:pass@vendor.example.com')).toMatch(/credentials/);
    expect(urlShapeProblem('http://{phone}.example.com/')).toMatch(/host/);
    expect(urlShapeProblem('not a url')).toMatch(/not a URL/);
    expect(urlShapeProblem('https://vendor.example.com/api?x=', { base: true })).toMatch(/query/);
    expect(urlShapeProblem('https://vendor.example.com/api#x', { base: true })).toMatch(/query or fragment/);
  });

  it('allow-lists by host (any port) or by host and port, as the URL writes the host', () => {
    const policy = { allowHosts: parseAllowHosts('vendor.internal, 10.0.0.5:8443,[::1]') };
    expect(isAllowListed(policy, new URL('http://Vendor.Internal:9999/x'))).toBe(true);
    expect(isAllowListed(policy, new URL('https://10.0.0.5:8443'))).toBe(true);
    expect(isAllowListed(policy, new URL('https://10.0.0.5'))).toBe(false);
    expect(isAllowListed(policy, new URL('http://[::1]:5432'))).toBe(true);
    expect(isAllowListed(policy, new URL('http://localhost'))).toBe(false);
    expect(() => parseAllowHosts('http://x')).toThrow();
  });

  it('refuses a literal internal address when saved, unless allow-listed; names are left to the call', () => {
    expect(literalAddressRefusal(publicEgressOnly, new URL('http://127.0.0.1:5432'))).toMatch(/loopback/);
    expect(literalAddressRefusal(publicEgressOnly, new URL('http://0x7f000001'))).toMatch(/loopback/);
    expect(literalAddressRefusal({ allowHosts: ['127.0.0.1'] }, new URL('http://127.0.0.1:5432'))).toBeNull();
    expect(literalAddressRefusal(publicEgressOnly, new URL('http://localhost'))).toBeNull();
    expect(literalAddressRefusal(publicEgressOnly, new URL('http://8.8.8.8'))).toBeNull();
  });
});

describe('createOutboundFetch', () => {
  let server: Server;
  let base: string;
  let port: number;
  const seen: Array<{ url: string; authorization: string | undefined }> = [];
  let answer: (url: string) => { status: number; headers?: Record<string, string>; body?: string } = () => ({ status: 200, body: 'ok' });

  beforeAll(async () => {
    server = createServer((req, res) => {
      seen.push({ url: req.url!, authorization: req.headers.authorization });
      const a = answer(req.url!);
      res.writeHead(a.status, a.headers).end(a.body ?? '');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as AddressInfo).port;
    base = `http://127.0.0.1:${port}`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  const refusal = (promise: Promise<unknown>) => promise.then(() => null, (err: unknown) => err);

  it('refuses a loopback address, by literal or by a name resolving to it, before anything is sent', async () => {
    const strict = createOutboundFetch(publicEgressOnly);
    seen.length = 0;
    expect(await refusal(strict(`${base}/x`, { method: 'GET' }))).toBeInstanceOf(EgressRefusedError);
    const byName = await refusal(strict(`http://localhost:${port}/x`, { method: 'GET' }));
    expect(byName).toBeInstanceOf(EgressRefusedError);
    expect((byName as Error).message).toMatch(/localhost resolves to .*loopback/);
    expect(seen).toEqual([]);
  });

  it('calls an allow-listed host, follows redirects within the policy, and refuses one that leaves it', async () => {
    const fetchOut = createOutboundFetch({ allowHosts: [`127.0.0.1:${port}`] });
    answer = (url) => (url === '/moved' ? { status: 307, headers: { location: '/here' } } : url === '/away' ? { status: 302, headers: { location: `http://localhost:${port}/inside` } } : { status: 200, body: `at ${url}` });
    seen.length = 0;
    const followed = await fetchOut(`${base}/moved`, { method: 'POST', body: 'x', headers: { authorization: 'Bearer t' }, redirect: 'follow' });
    expect(await followed.text()).toBe('at /here');
    expect(seen).toEqual([{ url: '/moved', authorization: 'Bearer t' }, { url: '/here', authorization: 'Bearer t' }]);
    const manual = await fetchOut(`${base}/moved`, { method: 'GET' });
    expect(manual.status).toBe(307);
    seen.length = 0;
    expect(await refusal(fetchOut(`${base}/away`, { method: 'GET', redirect: 'follow' }))).toBeInstanceOf(EgressRefusedError);
    expect(seen.map((s) => s.url)).toEqual(['/away']);
  });

  it('fails reading an answer larger than the cap', async () => {
    const fetchOut = createOutboundFetch({ allowHosts: ['127.0.0.1'] });
    answer = () => ({ status: 200, body: 'y'.repeat(10_000) });
    const res = await fetchOut(`${base}/big`, { method: 'GET', maxResponseBytes: 1000 });
    expect(await refusal(res.text())).toBeInstanceOf(Error);
  });
});
