import { randomUUID } from 'node:crypto';
import type { LocalPool, PoolIdentity, SignedPool } from './pool';
import { RootUnreachable, type RootAnswer, type RootClient } from './root-client';

export interface PoolKeeperOptions {
  pool: LocalPool;
  root: RootClient;
  identity: PoolIdentity;
  /** The vendor prefix of the key: whose public key checks the pool. */
  prefix: string;
  seats: number;
  validSeconds: number;
  now: () => Date;
  save: () => Promise<void>;
  log: (line: Record<string, unknown>) => void;
}

/**
 * Keeps the local server's pool alive from the root (spec 04 §5.5): obtain when it has none or the pool lapsed,
 * renew after two thirds of the validity; each pass that cannot reach the root changes nothing and the next pass
 * tries again. The pool serves until its `validUntil` whatever the root does, except that a root answering
 * LICENSE_SERVER_REVOKED (staff revoked this server) ends it at once and for good.
 */
export function poolKeeper({ pool, root, identity, prefix, seats, validSeconds, now, save, log }: PoolKeeperOptions) {
  const rootSeen = { lastContactAt: null as string | null, lastError: null as string | null };

  /** The root's answer, noting that it was reached; a refusal is remembered for GET /status. */
  function reached<T>(answer: RootAnswer<T>): RootAnswer<T> {
    rootSeen.lastContactAt = now().toISOString();
    rootSeen.lastError = answer.ok ? null : `${answer.code}: ${answer.message}`;
    if (!answer.ok) log({ event: 'root_refused', code: answer.code, message: answer.message });
    return answer;
  }

  async function fetchPublicKey(): Promise<boolean> {
    const answer = reached(await root.publicKey(prefix));
    if (answer.ok) pool.state.publicKey = answer.body.publicKey;
    return answer.ok;
  }

  /** Checks and installs a grant; a signature that fails once is checked again with a freshly fetched key (the vendor may have rotated it). */
  async function install(signed: SignedPool): Promise<void> {
    try {
      pool.install(signed);
    } catch (err) {
      if (!(await fetchPublicKey())) throw err;
      pool.install(signed);
    }
  }

  async function obtain(): Promise<void> {
    const answer = await withFreeSeats(seats, reached, (k) => root.obtain({ ...identity, seats: k, validSeconds, requestKey: pool.state.requestKey }));
    if ((await revokedByRoot({ pool, save, log }, answer)) || !answer.ok) return;
    await install(answer.body);
    // The request key is used up: the next obtain (after this pool lapses) is a new request.
    pool.state.requestKey = randomUUID();
    await save();
    const grant = answer.body.document.pool;
    log({ event: 'pool_obtained', poolId: grant.id, seats: grant.seats, validUntil: grant.validUntil });
  }

  async function renew(poolId: string): Promise<void> {
    const answer = await withFreeSeats(seats, reached, (k) => root.renew(poolId, { key: identity.key, seats: k, validSeconds }));
    if (await revokedByRoot({ pool, save, log }, answer)) return;
    if (!answer.ok) {
      // The root no longer holds this pool: obtain a new one on the next pass. Other refusals (seats reduced, the
      // license suspended) leave the pool to serve until its end, as the root counts its seats until then.
      if (answer.code === 'POOL_LAPSED' || answer.code === 'POOL_NOT_FOUND') pool.drop(randomUUID());
      await save();
      return;
    }
    await install(answer.body);
    await save();
    log({ event: 'pool_renewed', poolId, seats: answer.body.document.pool.seats, validUntil: answer.body.document.pool.validUntil });
  }

  let busy = false;
  /** One pass: obtain, renew or nothing. Passes never overlap. */
  async function tick(): Promise<void> {
    if (busy) return;
    busy = true;
    try {
      if (pool.state.revoked) return;
      if (!pool.state.publicKey && !(await fetchPublicKey())) return;
      const at = now();
      if (pool.phase(at) !== 'active') await obtain();
      else if (pool.renewalDue(at)) await renew(pool.state.pool!.document.pool.id);
    } catch (err) {
      rootSeen.lastError = (err as Error).message;
      log({ event: err instanceof RootUnreachable ? 'root_unreachable' : 'pool_error', message: (err as Error).message });
    } finally {
      busy = false;
    }
  }

  return { tick, rootStatus: () => ({ ...rootSeen }) };
}

/** Whether the root refused this server as revoked by staff: then it gives its pool up and stops asking (pool.revoke). */
async function revokedByRoot({ pool, save, log }: Pick<PoolKeeperOptions, 'pool' | 'save' | 'log'>, answer: RootAnswer<unknown>): Promise<boolean> {
  if (answer.ok || answer.code !== 'LICENSE_SERVER_REVOKED') return false;
  pool.revoke();
  await save();
  log({ event: 'server_revoked', message: answer.message });
  return true;
}

/**
 * Asks the root with the configured seats; when fewer are free (409 SEATS_EXHAUSTED with `free` ≥ 1, e.g. after the
 * license's seats were reduced) asks again for those: some seats serve better than none, and every renewal asks for
 * the configured count again, so the pool grows back when seats come free.
 */
async function withFreeSeats(seats: number, reached: <T>(a: RootAnswer<T>) => RootAnswer<T>, ask: (k: number) => Promise<RootAnswer<SignedPool>>): Promise<RootAnswer<SignedPool>> {
  const answer = reached(await ask(seats));
  const free = (answer.ok ? null : (answer.details as { free?: unknown } | null)?.free) ?? null;
  if (answer.ok || answer.code !== 'SEATS_EXHAUSTED' || typeof free !== 'number' || free < 1 || free >= seats) return answer;
  return reached(await ask(free));
}
