import { BlockList, isIP } from 'node:net';
import type { Context } from 'hono';

/**
 * Who is on the other end of a request: the address the per-address limits count, the sign-in event log and
 * the access log record, and whether the browser came over HTTPS (the session cookie's `Secure`). Forwarding
 * headers (`X-Forwarded-For`, `X-Forwarded-Proto`) are anyone's to write, so they are believed only when the
 * connection comes from a proxy named in `TRUST_PROXY`; by default none is.
 */
export interface RequestOrigin {
  /** The client's address, or null when the request did not come over a connection (an in-process call). */
  address: string | null;
  https: boolean;
}

/** The proxies whose forwarding headers are believed (`TRUST_PROXY`: addresses and CIDR ranges). */
export class TrustedProxies {
  private readonly list = new BlockList();
  readonly size: number;

  constructor(entries: readonly string[] = []) {
    for (const entry of entries) addEntry(this.list, entry);
    this.size = entries.length;
  }

  /** Parses `TRUST_PROXY`: addresses and CIDRs separated by commas; throws naming the entry it cannot read. */
  static parse(value: string | undefined): TrustedProxies {
    return new TrustedProxies((value ?? '').split(',').map((s) => s.trim()).filter(Boolean));
  }

  trusts(address: string): boolean {
    if (this.size === 0) return false;
    const family = isIP(address);
    return family !== 0 && this.list.check(address, family === 4 ? 'ipv4' : 'ipv6');
  }
}

function addEntry(list: BlockList, entry: string): void {
  const [address = '', prefix, extra] = entry.split('/');
  const family = isIP(address);
  const bits = prefix === undefined ? null : /^\d{1,3}$/.test(prefix) ? Number(prefix) : NaN;
  if (family === 0 || extra !== undefined || Number.isNaN(bits) || (bits !== null && bits > (family === 4 ? 32 : 128))) {
    throw new Error(`"${entry}" is not an IP address or CIDR range (such as 10.0.0.0/8 or ::1)`);
  }
  const type = family === 4 ? 'ipv4' : 'ipv6';
  if (bits === null) list.addAddress(address, type);
  else list.addSubnet(address, bits, type);
}

/** `::ffff:192.0.2.1` (an IPv4 client on a dual-stack socket) is 192.0.2.1. */
const plain = (address: string) => (/^::ffff:\d+\.\d+\.\d+\.\d+$/i.test(address) ? address.slice(7) : address);

/**
 * The client's address from the connection's peer and `X-Forwarded-For`. Each trusted proxy appends the address
 * it saw, so the chain is read from the right: the first address that is not a trusted proxy is the client.
 * What lies left of it was written by the client and is ignored, as is everything when the peer is not trusted.
 */
export function clientAddress(peer: string, forwardedFor: string | undefined, trusted: TrustedProxies): string {
  let address = plain(peer);
  if (!forwardedFor || !trusted.trusts(address)) return address;
  const hops = forwardedFor.split(',').map((hop) => plain(hop.trim()));
  for (let i = hops.length - 1; i >= 0; i -= 1) {
    // A hop that is no address was not written by a proxy of ours: stop at the last one that was.
    if (isIP(hops[i]!) === 0) return address;
    address = hops[i]!;
    if (!trusted.trusts(address)) return address;
  }
  return address;
}

/** The connection's peer address on the Node server; none for `app.request()` calls in the same process. */
const peerOf = (c: Context): { address: string | null; encrypted: boolean } => {
  const socket = (c.env as { incoming?: { socket?: { remoteAddress?: string; encrypted?: boolean } } } | undefined)?.incoming?.socket;
  return { address: socket?.remoteAddress ?? null, encrypted: socket?.encrypted === true };
};

/**
 * Where a request comes from. HTTPS is the connection's own TLS, or the first `X-Forwarded-Proto` value of a
 * trusted proxy (the proxy facing the browser). A request without a connection gets null and plain HTTP: the
 * caller (request-log.ts) lends it the origin of the request that made it.
 */
export function requestOrigin(c: Context, trusted: TrustedProxies): RequestOrigin {
  const peer = peerOf(c);
  if (peer.address === null) return { address: null, https: peer.encrypted };
  const viaTrustedProxy = trusted.trusts(plain(peer.address));
  const forwardedProto = viaTrustedProxy ? c.req.header('x-forwarded-proto')?.split(',')[0]?.trim().toLowerCase() : undefined;
  return { address: clientAddress(peer.address, c.req.header('x-forwarded-for'), trusted), https: peer.encrypted || forwardedProto === 'https' };
}
