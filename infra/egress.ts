/**
 * The egress policy: every HTTP call the platform makes to a URL someone configured (a vendor's base URL, the
 * SMS gateway, webhooks to come) goes through `createOutboundFetch`, so that a catalogue writer cannot point the
 * worker at the database, the API itself, the Temporal UI or a cloud metadata service (issue 17, class 4).
 *
 * - Only `http` and `https`, no credentials in the URL, a host that is a DNS name or an IP literal.
 * - No loopback, private, link-local, shared (CGNAT), metadata, multicast or reserved address, IPv4 or IPv6
 *   (IPv4-mapped and NAT64 forms are judged by the IPv4 address inside), checked on the addresses the name
 *   resolves to, and the connection goes to exactly the address that was checked (the check is the socket's
 *   DNS lookup), so a name cannot resolve to something else between check and connect.
 * - Redirects are followed by hand, each hop checked again.
 * - An operator allow-lists hosts that really are vendors inside the network (`EGRESS_ALLOW_HOSTS`): an entry
 *   `host` allows every port of that host as written in the URL, `host:port` one port. An allow-listed host is
 *   called without the address check.
 */
import { lookup as dnsLookup, type LookupAddress, type LookupOptions } from 'node:dns';
import { Agent as HttpAgent, request as httpRequest, type IncomingMessage } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import { isIP } from 'node:net';

export interface EgressPolicy {
  /** Normalised `host` or `host:port` entries (lower case, IPv6 in brackets); see `parseAllowHosts`. */
  readonly allowHosts: readonly string[];
}

/** No host allow-listed: only public addresses are reached. */
export const publicEgressOnly: EgressPolicy = { allowHosts: [] };

/** A call the policy refuses; nothing was sent. Permanent: retrying cannot change the answer. */
export class EgressRefusedError extends Error {
  override readonly name = 'EgressRefusedError';
  readonly code = 'egress_refused';
}

// ---------------------------------------------------------------------------------------------
// Addresses
// ---------------------------------------------------------------------------------------------

export type RefusedAddressKind = 'metadata' | 'loopback' | 'private' | 'link-local' | 'shared (CGNAT)' | 'unspecified' | 'multicast' | 'reserved';

/** Cloud metadata services, named first so the refusal says what they are. */
const metadataAddresses = new Set(['169.254.169.254', '168.63.129.16', '100.100.100.200', 'fd00:ec2::254']);

const ipv4Ranges: Array<[string, number, RefusedAddressKind]> = [
  ['0.0.0.0', 8, 'unspecified'],
  ['10.0.0.0', 8, 'private'],
  ['100.64.0.0', 10, 'shared (CGNAT)'],
  ['127.0.0.0', 8, 'loopback'],
  ['169.254.0.0', 16, 'link-local'],
  ['172.16.0.0', 12, 'private'],
  ['192.0.0.0', 24, 'reserved'],
  ['192.0.2.0', 24, 'reserved'],
  ['192.88.99.0', 24, 'reserved'],
  ['192.168.0.0', 16, 'private'],
  ['198.18.0.0', 15, 'reserved'],
  ['198.51.100.0', 24, 'reserved'],
  ['203.0.113.0', 24, 'reserved'],
  ['224.0.0.0', 4, 'multicast'],
  ['240.0.0.0', 4, 'reserved'],
];

const ipv4ToNumber = (address: string) => address.split('.').reduce((n, part) => n * 256 + Number(part), 0);

function refusedIpv4(address: string): RefusedAddressKind | null {
  if (metadataAddresses.has(address)) return 'metadata';
  const n = ipv4ToNumber(address);
  for (const [base, bits, kind] of ipv4Ranges) {
    const size = 2 ** (32 - bits);
    if (Math.floor(n / size) === Math.floor(ipv4ToNumber(base) / size)) return kind;
  }
  return null;
}

/** The eight 16-bit groups of an IPv6 address (`::` expanded, a trailing dotted IPv4 part converted). */
export function ipv6Groups(address: string): number[] {
  let text = address.toLowerCase().split('%')[0]!;
  const dotted = /(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  if (dotted) {
    const n = ipv4ToNumber(dotted[1]!);
    text = `${text.slice(0, dotted.index)}${Math.floor(n / 65536).toString(16)}:${(n % 65536).toString(16)}`;
  }
  const [head = '', tail] = text.split('::');
  const part = (s: string) => (s ? s.split(':').map((g) => parseInt(g, 16)) : []);
  const front = part(head);
  const back = tail === undefined ? [] : part(tail);
  return [...front, ...new Array<number>(8 - front.length - back.length).fill(0), ...back];
}

function refusedIpv6(address: string): RefusedAddressKind | null {
  const g = ipv6Groups(address);
  const canonical = g.map((x) => x.toString(16)).join(':');
  if (metadataAddresses.has(address) || canonical === 'fd00:ec2:0:0:0:0:0:254') return 'metadata';
  const embeddedIpv4 = () => `${g[6]! >> 8}.${g[6]! & 255}.${g[7]! >> 8}.${g[7]! & 255}`;
  const zeros = (from: number, to: number) => g.slice(from, to).every((x) => x === 0);
  // IPv4-mapped (::ffff:a.b.c.d) and NAT64 (64:ff9b::a.b.c.d) reach the IPv4 address inside: judge that one.
  if (zeros(0, 5) && g[5] === 0xffff) return refusedIpv4(embeddedIpv4());
  if (g[0] === 0x64 && g[1] === 0xff9b && zeros(2, 6)) return refusedIpv4(embeddedIpv4());
  if (zeros(0, 7) && g[7] === 0) return 'unspecified';
  if (zeros(0, 7) && g[7] === 1) return 'loopback';
  if (zeros(0, 6)) return 'reserved'; // IPv4-compatible, deprecated
  if ((g[0]! & 0xfe00) === 0xfc00) return 'private'; // fc00::/7 unique local
  if ((g[0]! & 0xffc0) === 0xfe80) return 'link-local';
  if ((g[0]! & 0xffc0) === 0xfec0) return 'private'; // site-local, deprecated
  if ((g[0]! & 0xff00) === 0xff00) return 'multicast';
  if (g[0] === 0x2001 && (g[1] === 0x0db8 || g[1] === 0)) return 'reserved'; // documentation; Teredo tunnels
  if (g[0] === 0x2002) return 'reserved'; // 6to4 tunnels to any IPv4 address
  if (g[0] === 0x64 && g[1] === 0xff9b && g[2] === 1) return 'private'; // local-use NAT64
  if (g[0] === 0x100 && zeros(1, 4)) return 'reserved'; // discard prefix
  return null;
}

/** Why the policy refuses this IP address, or null when it is a public one. Not an IP at all: 'reserved'. */
export function refusedAddressKind(address: string): RefusedAddressKind | null {
  const version = isIP(address);
  if (version === 4) return refusedIpv4(address);
  if (version === 6) return refusedIpv6(address);
  return 'reserved';
}

// ---------------------------------------------------------------------------------------------
// URLs and the allow-list
// ---------------------------------------------------------------------------------------------

const dnsName = /^(?=.{1,253}\.?$)[a-z0-9_]([a-z0-9_-]{0,61}[a-z0-9_])?(\.[a-z0-9_]([a-z0-9_-]{0,61}[a-z0-9_])?)*\.?$/i;

/** The IP address a URL's host names literally (brackets of IPv6 removed), or null for a DNS name. */
const ipLiteral = (hostname: string) => {
  const bare = hostname.replace(/^\[|\]$/g, '');
  return isIP(bare) ? bare : null;
};

/**
 * What is wrong with the shape of an outbound URL, or null: not a URL, another scheme than http(s), credentials,
 * a host that is neither a DNS name nor an IP address. A base URL (`base`), to which paths are appended, has
 * no query or fragment either: a `?x=` suffix would turn every appended path into a query and select any path.
 */
export function urlShapeProblem(raw: string, { base = false } = {}): string | null {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return 'is not a URL';
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return 'must be an http or https URL';
  if (url.username || url.password) return 'must not carry credentials (use the settings for them)';
  if (!ipLiteral(url.hostname) && !dnsName.test(url.hostname)) return 'must name a host by DNS name or IP address';
  if (base && (url.search || url.hash || raw.includes('?') || raw.includes('#'))) return 'must not have a query or fragment (paths are appended to it)';
  return null;
}

function defaultPort(url: URL): string {
  return url.port || (url.protocol === 'https:' ? '443' : '80');
}

/** Whether the operator allow-listed this URL's host (any port) or its host and port. */
export function isAllowListed(policy: EgressPolicy, url: URL): boolean {
  const host = url.hostname.toLowerCase();
  return policy.allowHosts.some((entry) => entry === host || entry === `${host}:${defaultPort(url)}`);
}

/** The refusal of a URL whose host is an IP literal the policy refuses (no DNS: for checks when a URL is saved). */
export function literalAddressRefusal(policy: EgressPolicy, url: URL): string | null {
  const literal = ipLiteral(url.hostname);
  if (!literal || isAllowListed(policy, url)) return null;
  const kind = refusedAddressKind(literal);
  return kind ? `${url.host} is a ${kind} address; allow-list it in EGRESS_ALLOW_HOSTS if it really is the service` : null;
}

/**
 * `EGRESS_ALLOW_HOSTS`: entries separated by commas or spaces, each `host` or `host:port` (IPv6 in brackets),
 * normalised as URLs write hosts (lower case, IPv4 in dotted form). Throws on an entry that is neither.
 */
export function parseAllowHosts(text: string): string[] {
  return text
    .split(/[\s,]+/)
    .filter(Boolean)
    .map((entry) => {
      const match = /^(\[[^\]]+\]|[^:[\]]+)(?::(\d{1,5}))?$/.exec(entry);
      let url: URL | null = null;
      try {
        url = match ? new URL(`http://${match[1]}`) : null;
      } catch {
        url = null;
      }
      if (!match || !url || (!ipLiteral(url.hostname) && !dnsName.test(url.hostname)) || Number(match[2] ?? 1) > 65535) {
        throw new Error(`"${entry}" is not a host or host:port`);
      }
      return match[2] ? `${url.hostname}:${Number(match[2])}` : url.hostname;
    });
}

// ---------------------------------------------------------------------------------------------
// Calling out
// ---------------------------------------------------------------------------------------------

export interface OutboundRequest {
  method: string;
  headers?: Record<string, string>;
  body?: string;
  signal?: AbortSignal;
  /** `follow` (at most 5 redirects, each hop checked again) or `manual` (a 3xx answer is returned). Default `manual`. */
  redirect?: 'follow' | 'manual';
  /** Reading the answer's body fails past this many bytes (default 1 MiB): no vendor answer is larger. */
  maxResponseBytes?: number;
}

/** `fetch` for configured URLs: the same answer type, under the egress policy. */
export type OutboundFetch = (url: string | URL, request: OutboundRequest) => Promise<Response>;

const MAX_REDIRECTS = 5;

export function createOutboundFetch(policy: EgressPolicy): OutboundFetch {
  // Own agents: kept-alive sockets are reused only for the host whose lookup this policy checked.
  const agents = { http: new HttpAgent({ keepAlive: true }), https: new HttpsAgent({ keepAlive: true }) };
  return async function outboundFetch(url, request) {
    let current = new URL(String(url));
    let next: OutboundRequest = { ...request, headers: { ...request.headers } };
    for (let hop = 0; ; hop += 1) {
      const answer = await sendOnce(policy, agents, current, next);
      const location = answer.headers.get('location');
      if (request.redirect !== 'follow' || ![301, 302, 303, 307, 308].includes(answer.status) || !location) return answer;
      await answer.body?.cancel();
      if (hop >= MAX_REDIRECTS) throw new Error(`more than ${MAX_REDIRECTS} redirects from ${new URL(String(url)).origin}`);
      const target = new URL(location, current);
      next = redirected(next, answer.status, current.origin === target.origin);
      current = target;
    }
  };
}

/** The request for the next hop: 303 (and 301/302 after POST) turn into a GET; credentials stay with their origin. */
function redirected(request: OutboundRequest, status: number, sameOrigin: boolean): OutboundRequest {
  const headers = Object.fromEntries(
    Object.entries(request.headers ?? {}).filter(([name]) => sameOrigin || !['authorization', 'cookie'].includes(name.toLowerCase())),
  );
  if (status === 303 || ((status === 301 || status === 302) && request.method.toUpperCase() === 'POST')) {
    return { ...request, method: 'GET', body: undefined, headers: Object.fromEntries(Object.entries(headers).filter(([name]) => name.toLowerCase() !== 'content-type')) };
  }
  return { ...request, headers };
}

type LookupCallback = (err: NodeJS.ErrnoException | null, address: string | LookupAddress[], family?: number) => void;

/** A DNS lookup that refuses a name when any of its addresses is one the policy refuses. */
function checkedLookup(hostname: string, options: LookupOptions, callback: LookupCallback): void {
  dnsLookup(hostname, { ...options, all: true }, (err, addresses) => {
    if (err) return callback(err, '');
    for (const { address } of addresses) {
      const kind = refusedAddressKind(address);
      if (kind) {
        const refusal = new EgressRefusedError(`${hostname} resolves to ${address}, a ${kind} address; allow-list the host in EGRESS_ALLOW_HOSTS if it really is the service`);
        return callback(refusal, '');
      }
    }
    if (options.all) return callback(null, addresses);
    callback(null, addresses[0]!.address, addresses[0]!.family);
  });
}

function sendOnce(policy: EgressPolicy, agents: { http: HttpAgent; https: HttpsAgent }, url: URL, request: OutboundRequest): Promise<Response> {
  const problem = urlShapeProblem(url.href);
  if (problem) return Promise.reject(new EgressRefusedError(`${url.protocol}//${url.host}: ${problem}`));
  const allowed = isAllowListed(policy, url);
  const refusal = allowed ? null : literalAddressRefusal(policy, url);
  if (refusal) return Promise.reject(new EgressRefusedError(refusal));
  const secure = url.protocol === 'https:';
  return new Promise<Response>((resolve, reject) => {
    const req = (secure ? httpsRequest : httpRequest)(url, {
      method: request.method,
      headers: request.headers,
      signal: request.signal,
      agent: secure ? agents.https : agents.http,
      ...(allowed ? {} : { lookup: checkedLookup as never }),
    });
    req.on('error', reject);
    req.on('response', (res) => {
      try {
        resolve(toResponse(res, request));
      } catch (err) {
        res.destroy();
        reject(err);
      }
    });
    req.end(request.body);
  });
}

function toResponse(res: IncomingMessage, request: OutboundRequest): Response {
  const status = res.statusCode ?? 0;
  if (status < 200 || status > 599) throw new Error(`the server answered an invalid HTTP status ${status}`);
  const headers = new Headers();
  for (const [name, value] of Object.entries(res.headers)) {
    for (const v of Array.isArray(value) ? value : value === undefined ? [] : [value]) headers.append(name, v);
  }
  const noBody = [204, 205, 304].includes(status) || request.method.toUpperCase() === 'HEAD';
  if (noBody) res.resume();
  return new Response(noBody ? null : limitedBody(res, request.maxResponseBytes ?? 1024 * 1024), { status, statusText: res.statusMessage, headers });
}

/** The answer's body as a stream that fails once more than `max` bytes arrived, or when the connection drops. */
function limitedBody(res: IncomingMessage, max: number): ReadableStream<Uint8Array> {
  let size = 0;
  let settled = false;
  return new ReadableStream<Uint8Array>({
    start(controller) {
      const fail = (err: Error) => {
        if (settled) return;
        settled = true;
        controller.error(err);
        res.destroy();
      };
      res.on('data', (chunk: Buffer) => {
        if (settled) return;
        size += chunk.length;
        if (size > max) return fail(new Error(`the answer is larger than ${max} bytes`));
        controller.enqueue(new Uint8Array(chunk));
      });
      res.on('end', () => {
        if (settled) return;
        settled = true;
        controller.close();
      });
      res.on('error', fail);
      res.on('close', () => fail(Object.assign(new Error('the connection closed before the answer ended'), { code: 'ECONNRESET' })));
    },
    cancel() {
      settled = true;
      res.destroy();
    },
  });
}
