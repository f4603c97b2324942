import { inTransaction, type Db } from '../../../db/client';
import { AppError } from '../../../domain/errors';
import type { EntitlementStatus } from '../../../domain/licensing/activation';
import { logEvent, type EventEntry } from '../../event-log/event-log';
import { notFound } from '../refusals';
import { TRANSFER_TTL_DAYS, type TransferRow } from './pending-transfer';
import { canonicalPartnerPublicId, hashTransferSecret, newTransferSecret } from './transfer-secrets';

export interface StartTransferInput {
  entitlementId: number;
  toPartnerPublicId: string;
  /** At least 8 characters; generated when absent. */
  secret?: string | undefined;
  /**
   * The secret's hash, when the caller made the secret and keeps it (the API, so that the secret in clear never enters
   * the entitlement workflow's history): the answer's `secret` is then null.
   */
  secretHash?: string | undefined;
  actor: Pick<EventEntry, 'actorId' | 'actorKind'>;
  now: Date;
}

type Partner = { id: number; name: string; public_id: string };

export interface StartedTransfer {
  transfer: TransferRow;
  /** The secret in clear: answered once, stored only as a hash; null when the caller passed only its hash. */
  secret: string | null;
  license: { entitlementId: number; product: string; boundIp: string | null; expiresAt: string | null };
  fromPartner: Partner | null;
  toPartner: Partner;
}

/**
 * §4.2 Import steps 1-3: a pending transfer of a license to the partner with `toPartnerPublicId`. At most one
 * pending transfer per license: the partial unique index decides, so two concurrent requests give one transfer
 * and one 409 `TRANSFER_ALREADY_PENDING`. A pending transfer older than 14 days is expired first. The license stays
 * usable meanwhile.
 */
export async function startTransfer(db: Db, input: StartTransferInput): Promise<StartedTransfer> {
  const id = input.entitlementId;
  const at = input.now.toISOString();
  const [ent] = await db<Array<{ id: number; status: EntitlementStatus; bound_ip: string | null; expires_at: string | null; product: string }>>`
    select e.id, e.status, e.bound_ip, e.expires_at, p.code as product
    from entitlements e join licensing_products p on p.id = e.product_id where e.id = ${id}`;
  if (!ent) throw notFound('entitlement', id);
  if (ent.status === 'deleted' || ent.status === 'superseded') throw new AppError('entitlement_status', `the license is ${ent.status}`);
  const [to] = await db<Partner[]>`select id, name, public_id from licensing_partners where public_id = ${canonicalPartnerPublicId(input.toPartnerPublicId)}`;
  if (!to) throw new AppError('invalid_reference', 'no partner has this publicId');
  const secret = input.secretHash !== undefined ? null : (input.secret ?? newTransferSecret());
  const secretHash = input.secretHash ?? (await hashTransferSecret(secret!));
  const { transfer, fromPartnerId } = await inTransaction(db, async (tx) => {
    // The owner is read under the license's lock, so an approval committing meanwhile cannot leave a stale `from`.
    const [locked] = await tx<Array<{ partner_id: number | null }>>`select partner_id from entitlements where id = ${id} for update`;
    const owner = locked!.partner_id;
    if (to.id === owner) throw new AppError('transfer_to_owner', 'the license already belongs to this partner');
    // A pending transfer past its 14 days no longer blocks a new one.
    await tx`
      update license_transfers set status = 'expired', decided_at = created_at + make_interval(days => ${TRANSFER_TTL_DAYS}), updated_at = ${at}
      where entitlement_id = ${id} and status = 'pending' and created_at <= ${at}::timestamptz - make_interval(days => ${TRANSFER_TTL_DAYS})`;
    const [row] = await tx<TransferRow[]>`
      insert into license_transfers (entitlement_id, from_partner_id, to_partner_id, secret_hash, created_at, updated_at)
      values (${id}, ${owner}, ${to.id}, ${secretHash}, ${at}, ${at})
      on conflict (entitlement_id) where status = 'pending' do nothing
      returning *`;
    if (!row) throw new AppError('TRANSFER_ALREADY_PENDING', 'the license already has a pending transfer');
    await logEvent(tx, { ...input.actor, viaApi: true, entityKind: 'license_transfer', entityId: row.id, action: 'created', changes: { entitlementId: id, fromPartnerId: owner, toPartnerId: to.id } });
    return { transfer: row, fromPartnerId: owner };
  });
  const [from] = fromPartnerId === null ? [] : await db<Array<{ public_id: string; name: string }>>`select public_id, name from licensing_partners where id = ${fromPartnerId}`;
  return {
    transfer,
    secret,
    license: { entitlementId: ent.id, product: ent.product, boundIp: ent.bound_ip, expiresAt: ent.expires_at },
    fromPartner: from ? { id: fromPartnerId!, public_id: from.public_id, name: from.name } : null,
    toPartner: to,
  };
}
