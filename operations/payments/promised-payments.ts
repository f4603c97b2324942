import type { TransactionSql } from 'postgres';
import type { Sql } from '../../db/client';
import { nextDocumentNumber } from '../documents/next-document-number';
import { logEvent } from '../event-log/event-log';
import { postLedgerEntry } from '../ledger/ledger';

interface ActivePromise {
  id: number;
  number: string;
  amount: string;
  currency: string;
  expires_on: string;
}

/** Promised payments (spec 02 §3): granting, revoking and covering them move the balance through the ledger. */

export async function grantPromisedPayment(
  tx: TransactionSql,
  p: { clientId: number; amount: number; currency: string; expiresOn: string; comment: string | null; by: number | null; status?: 'provided' | 'provided_by_topup'; replacesId?: number; overridden?: boolean },
) {
  const number = await nextDocumentNumber(tx, 'promised_payment');
  const [row] = await tx<Array<{ id: number }>>`
    insert into promised_payments (number, client_id, amount, currency, status, expires_on, comment, replaces_id, created_by, overridden)
    values (${number}, ${p.clientId}, ${p.amount}, ${p.currency}, ${p.status ?? 'provided'}, ${p.expiresOn}, ${p.comment}, ${p.replacesId ?? null}, ${p.by}, ${p.overridden ?? false})
    returning id`;
  // A replacement for a partly covered one adds nothing: its money is already on the balance.
  if (!p.replacesId) {
    await postLedgerEntry(tx, {
      clientId: p.clientId,
      kind: 'promised_payment',
      amount: p.amount,
      currency: p.currency,
      description: `Promised payment ${number} provided until ${p.expiresOn}`,
      idempotencyKey: `promised-granted/${row!.id}`,
    });
  }
  await logEvent(tx, { actorId: p.by, viaApi: p.by !== null, entityKind: 'promised_payment', entityId: row!.id, action: 'created', changes: { number, amount: p.amount, expiresOn: p.expiresOn, status: p.status ?? 'provided', overridden: p.overridden ?? false } });
  return { id: row!.id, number };
}

/** Revokes one promised payment: its amount leaves the balance (by hand, at expiry, or covered by a top-up). */
export async function revokePromisedPayment(tx: TransactionSql, id: number, { reason, by, status = 'revoked', amount }: { reason: string; by: number | null; status?: 'revoked' | 'revoked_by_topup'; amount?: number }) {
  const [p] = await tx<Array<ActivePromise & { client_id: number; status: string }>>`
    select id, number, amount::text, currency, expires_on::text, client_id, status from promised_payments where id = ${id} for update`;
  if (!p || (p.status !== 'provided' && p.status !== 'provided_by_topup')) return false;
  await tx`update promised_payments set status = ${status}, revoked_at = now(), revoked_reason = ${reason}, updated_at = now() where id = ${id}`;
  await postLedgerEntry(tx, {
    clientId: p.client_id,
    kind: 'promised_payment',
    amount: -(amount ?? Number(p.amount)),
    currency: p.currency,
    description: `Promised payment ${p.number} ${status === 'revoked_by_topup' ? 'partly covered by a top-up' : 'revoked'}: ${reason}`,
    idempotencyKey: `promised-revoked/${id}`,
  });
  await logEvent(tx, { actorId: by, viaApi: by !== null, entityKind: 'promised_payment', entityId: id, action: status, reason, changes: { status: [p.status, status] } });
  return true;
}

/**
 * Spec 02 §3.5 (b): a top-up covers the client's active promised payments, oldest first. One it covers in
 * full is revoked (its amount leaves the balance, so the client keeps T − P); one it covers in part is
 * revoked by top-up and replaced by a new one for the rest with the same expiry (the balance is unchanged).
 */
export async function coverPromisedPaymentsByTopUp(tx: TransactionSql, { clientId, amount, by }: { clientId: number; amount: number; by: number | null }) {
  const active = await tx<ActivePromise[]>`
    select id, number, amount::text, currency, expires_on::text from promised_payments
    where client_id = ${clientId} and status in ('provided', 'provided_by_topup') order by id for update`;
  let remaining = amount;
  for (const p of active) {
    if (remaining <= 0) break;
    const owed = Number(p.amount);
    if (remaining >= owed) {
      await revokePromisedPayment(tx, p.id, { reason: 'covered by a top-up', by });
      remaining -= owed;
    } else {
      await revokePromisedPayment(tx, p.id, { reason: `top-up of ${remaining} covers part of it`, by, status: 'revoked_by_topup', amount: remaining });
      await grantPromisedPayment(tx, { clientId, amount: owed - remaining, currency: p.currency, expiresOn: p.expires_on, comment: `rest of ${p.number}`, by, status: 'provided_by_topup', replacesId: p.id });
      remaining = 0;
    }
  }
}

/** Spec 02 §3.5 (a): the billing run revokes promised payments past their last day. */
export async function expiredPromisedPayments(sql: Sql, businessDate: string) {
  const rows = await sql<Array<{ id: number }>>`
    select id from promised_payments where status in ('provided', 'provided_by_topup') and expires_on < ${businessDate}::date order by id`;
  return rows.map((r) => r.id);
}
