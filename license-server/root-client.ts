import type { SignedPool } from './pool';

/** What the root answered: its body, or its coded refusal (spec 04 §7.1 `{ error: { code, message } }`). */
export type RootAnswer<T> = { ok: true; body: T } | { ok: false; status: number; code: string; message: string; details: unknown };

/** The root could not be reached (refused, timed out, not HTTP): the local server keeps serving its pool. */
export class RootUnreachable extends Error {}

/**
 * The root's public licensing API (`.../licensing/v1`) as the local server calls it: the vendor's public key and
 * the seat-pool calls. Every call has a timeout, so an unreachable root never stalls the renewal loop.
 */
export function rootClient(baseUrl: string, timeoutMs = 5_000) {
  const base = baseUrl.replace(/\/+$/, '');
  async function call<T>(method: string, path: string, body?: unknown): Promise<RootAnswer<T>> {
    let res: Response;
    try {
      res = await fetch(`${base}${path}`, {
        method,
        headers: body === undefined ? {} : { 'content-type': 'application/json' },
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: AbortSignal.timeout(timeoutMs),
      });
    } catch (err) {
      throw new RootUnreachable(`the root at ${base} is unreachable: ${(err as Error).message}`);
    }
    const text = await res.text();
    let parsed: unknown = null;
    try {
      parsed = text ? JSON.parse(text) : null;
    } catch {
      // not JSON: a proxy's error page, say
    }
    if (res.ok) return { ok: true, body: parsed as T };
    if (res.status >= 500) throw new RootUnreachable(`the root at ${base} answered ${res.status}`);
    const error = (parsed as { error?: { code?: string; message?: string; details?: unknown } } | null)?.error;
    return { ok: false, status: res.status, code: error?.code ?? `HTTP_${res.status}`, message: error?.message ?? text.slice(0, 200), details: error?.details ?? null };
  }
  return {
    publicKey: (prefix: string) => call<{ publicKey: string }>('GET', `/vendors/${encodeURIComponent(prefix)}/public-key`),
    obtain: (body: { key: string; productCode: string; serverId: string; seats: number; validSeconds: number; requestKey: string }) => call<SignedPool>('POST', '/seat-pools', body),
    renew: (poolId: string, body: { key: string; seats: number; validSeconds: number }) => call<SignedPool>('POST', `/seat-pools/${encodeURIComponent(poolId)}/renew`, body),
    release: (poolId: string, key: string) => call<null>('DELETE', `/seat-pools/${encodeURIComponent(poolId)}`, { key }),
  };
}

export type RootClient = ReturnType<typeof rootClient>;
