import type postgres from 'postgres';
import type { Db } from '../../db/client';

/**
 * Runs `work` in the caller's transaction when `db` is one, else in a new transaction of the pool. Every licensing
 * operation that must be atomic takes the `Db` it is given through here, so a route can call it alone and another
 * operation can call it inside its own transaction (generating a composition coupon applies it in the same one).
 * A transaction is told apart by `savepoint`, which postgres.js gives transactions only (both have `begin`).
 */
export function inTransaction<T>(db: Db, work: (tx: postgres.TransactionSql) => Promise<T>): Promise<T> {
  if ('savepoint' in db) return work(db);
  return db.begin(work) as Promise<T>;
}
