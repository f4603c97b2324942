import type { TransactionSql } from 'postgres';
import { inTransaction, type Db } from '../../../db/client';
import { AppError } from '../../../domain/errors';
import { postLedgerEntry } from '../../ledger/ledger';
import { lockEntitlement } from '../entitlements/lock-entitlement';
import { notFound } from '../refusals';
import { applyMajorUpdateRow, type MajorUpdateRow } from './apply-major-update';

export interface PayMajorUpdateInput {
  updateId: number;
  /** `balance`: the key's billing client pays from its balance (a ledger entry); `external`: paid outside, by reference. */
  method: 'balance' | 'external';
  reference?: string | undefined;
  now: Date;
}

/**
 * Pays a quoted major update (spec 04 §5.3 "after payment … `entitledMajor = T`") and applies it, in one
 * transaction with the license locked. From the balance: one ledger movement of the quoted price under the business
 * key `license-major-update/<id>`, so a retried payment never debits twice; refused when the key has no billing
 * client (422 NO_BILLING_CLIENT), in another currency (422 currency_mismatch) or when the balance is short (409
 * BALANCE_TOO_LOW), and nothing moves. Paying an applied update again answers it as it is (idempotent).
 */
export async function payMajorUpdate(db: Db, input: PayMajorUpdateInput): Promise<{ updateId: number; status: 'applied'; paidVia: string; entitledMajor: number }> {
  return inTransaction(db, async (tx) => {
    const [found] = await tx<Array<{ entitlement_id: number }>>`select entitlement_id from license_major_updates where id = ${input.updateId}`;
    if (!found) throw notFound('major update', input.updateId);
    await lockEntitlement(tx, found.entitlement_id);
    const [update] = await tx<Array<MajorUpdateRow & { paid_via: string | null }>>`select * from license_major_updates where id = ${input.updateId} for update`;
    const row = update!;
    if (row.status === 'applied') return { updateId: row.id, status: 'applied', paidVia: row.paid_via!, entitledMajor: row.target_major };
    if (row.status === 'cancelled') throw new AppError('MAJOR_UPDATE_CANCELLED', 'a newer quote replaced this major update; pay that one');
    if (input.method === 'balance') await debitBalance(tx, row);
    await applyMajorUpdateRow(tx, { update: row, paidVia: input.method, reference: input.reference ?? null, now: input.now });
    return { updateId: row.id, status: 'applied', paidVia: input.method, entitledMajor: row.target_major };
  });
}

async function debitBalance(tx: TransactionSql, update: MajorUpdateRow): Promise<void> {
  const [client] = await tx<Array<{ id: number | null; currency: string | null; balance: string | null }>>`
    select c.id, c.currency, c.balance from entitlements e join license_keys k on k.id = e.key_id left join clients c on c.id = k.client_id
    where e.id = ${update.entitlement_id}`;
  if (!client?.id) throw new AppError('NO_BILLING_CLIENT', 'the license key belongs to no billing client: pay outside the platform (method external)');
  if (update.currency !== client.currency) throw new AppError('currency_mismatch', `the update is priced in ${update.currency}, the client pays in ${client.currency}`);
  const price = Number(update.price);
  if (Number(client.balance) < price) throw new AppError('BALANCE_TOO_LOW', `the balance ${client.balance} does not cover ${price}`, { balance: Number(client.balance), price });
  await postLedgerEntry(tx, {
    clientId: client.id,
    kind: 'license_update',
    amount: -price,
    currency: client.currency!,
    description: `License major update ${update.from_major} → ${update.target_major} (${update.percent} %)`,
    idempotencyKey: `license-major-update/${update.id}`,
  });
}
