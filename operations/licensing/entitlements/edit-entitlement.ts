import { inTransaction, type Db } from '../../../db/client';
import { AppError } from '../../../domain/errors';
import { validUntilChange } from '../../../domain/licensing/panel';
import type { SecretBox } from '../../../infra/secret-box';
import { logEvent, type EventEntry } from '../../event-log/event-log';
import { generateLicenseKey } from '../keys/new-codes';
import { notFound, refuseBusyOrEnded } from '../refusals';
import { resetRegistrations } from './reset-registrations';

/** What the hosting panel's Edit form changes (spec 04 §4.2 Edit, §7.2 update); absent fields are kept. */
export interface EntitlementEdit {
  name?: string | null | undefined;
  boundIp?: string | null | undefined;
  /** Write-only: sealed at rest (infra/secret-box.ts), never answered; null clears it. */
  adminPassword?: string | null | undefined;
  /** The password already sealed by the caller (`sealAdminPassword`), so that it never travels in clear (the workflow's history). */
  sealedAdminPassword?: string | null | undefined;
  /** Null: no auto-renewal. */
  autoRenewMonths?: number | null | undefined;
  /** The cost of one automatic renewal (minor units, the client's currency); null: none, so nothing is renewed automatically. */
  autoRenewPrice?: number | null | undefined;
  /** Staff only; billing is told through the subscription's event log when a subscription bills the license. */
  validUntil?: Date | undefined;
  /** "Delete all existing registrations" (the ManagedExpiration anchor is kept). */
  resetRegistrations?: boolean | undefined;
  /** Replace the registration key by a newly generated one (the old key answers KEY_NOT_FOUND). */
  regenerateKey?: boolean | undefined;
}

export interface EditEntitlementInput {
  entitlementId: number;
  edit: EntitlementEdit;
  /** Seals the administrator password (the licensing secrets' box, LICENSING_KEY_ENCRYPTION_KEY); absent, setting one answers 409 `SECRETS_KEY_NOT_CONFIGURED`. */
  secretBox: SecretBox | undefined;
  actor: Pick<EventEntry, 'actorId' | 'actorKind'>;
  now: Date;
}

interface EditedRow {
  id: number;
  status: string;
  key_id: number;
  prefix: string;
  subscription_id: number | null;
  name: string | null;
  bound_ip: string | null;
  auto_renew_months: number | null;
  auto_renew_price: string | null;
  starts_at: Date;
  expires_at: Date | null;
  term_type: 'term' | 'perpetual';
}

/**
 * Edits a license (spec 04 §4.2 Edit) in one transaction: name, IP, the administrator password (sealed by
 * infra/secret-box.ts), auto-renewal, valid-until (the status follows it: `active` ⇄ `expired`), the registration
 * key replaced, and "delete all existing registrations" (operations/licensing/entitlements/reset-registrations.ts).
 * Refused while an operation runs (409 `OPERATION_IN_PROGRESS`) and for deleted or superseded licenses. The event
 * log keeps what changed, the password only as "changed"; a valid-until change of a license billed by a subscription
 * is also logged on the subscription, which is how billing hears of it.
 */
export async function editEntitlement(db: Db, input: EditEntitlementInput): Promise<void> {
  const { edit, now } = input;
  const sealed = edit.sealedAdminPassword !== undefined ? edit.sealedAdminPassword : edit.adminPassword === undefined || edit.adminPassword === null ? edit.adminPassword : sealAdminPassword(input.secretBox, edit.adminPassword);
  await inTransaction(db, async (tx) => {
    const [row] = await tx<EditedRow[]>`
      select e.id, e.status, e.key_id, v.prefix, e.subscription_id, e.name, e.bound_ip, e.auto_renew_months, e.auto_renew_price::text, e.starts_at, e.expires_at, p.term_type
      from entitlements e join license_keys k on k.id = e.key_id join licensing_vendors v on v.id = k.vendor_id join licensing_products p on p.id = e.product_id
      where e.id = ${input.entitlementId} for update of e`;
    if (!row) throw notFound('entitlement', input.entitlementId);
    refuseBusyOrEnded(row.status);
    const changes: Record<string, unknown> = {};
    let status = row.status;
    let expiresAt = row.expires_at;
    if (edit.validUntil !== undefined) {
      const decision = validUntilChange({ status: row.status, termType: row.term_type, startsAt: new Date(row.starts_at), validUntil: edit.validUntil, now });
      if (!decision.ok) throw new AppError(decision.code, decision.message);
      changes.validUntil = { from: row.expires_at, to: edit.validUntil.toISOString() };
      if (decision.status !== row.status) changes.status = { from: row.status, to: decision.status };
      status = decision.status;
      expiresAt = edit.validUntil;
    }
    if (edit.name !== undefined) changes.name = { from: row.name, to: edit.name };
    if (edit.boundIp !== undefined) changes.boundIp = { from: row.bound_ip, to: edit.boundIp };
    if (edit.autoRenewMonths !== undefined) changes.autoRenewMonths = { from: row.auto_renew_months, to: edit.autoRenewMonths };
    if (edit.autoRenewPrice !== undefined) changes.autoRenewPrice = { from: row.auto_renew_price === null ? null : Number(row.auto_renew_price), to: edit.autoRenewPrice };
    if (sealed !== undefined) changes.adminPassword = sealed === null ? 'cleared' : 'changed';
    await tx`
      update entitlements set
        name = ${edit.name === undefined ? row.name : edit.name},
        bound_ip = ${edit.boundIp === undefined ? row.bound_ip : edit.boundIp},
        auto_renew_months = ${edit.autoRenewMonths === undefined ? row.auto_renew_months : edit.autoRenewMonths},
        auto_renew_price = ${edit.autoRenewPrice === undefined ? row.auto_renew_price : edit.autoRenewPrice},
        admin_password_enc = ${sealed === undefined ? tx`admin_password_enc` : sealed},
        status = ${status}, expires_at = ${expiresAt === null ? null : new Date(expiresAt).toISOString()}, updated_at = ${now.toISOString()}
      where id = ${row.id}`;
    if (edit.resetRegistrations) {
      await resetRegistrations(tx, { entitlementId: row.id, regenerateKey: edit.regenerateKey === true });
      changes.registrationsReset = true;
    } else if (edit.regenerateKey) {
      await tx`update license_keys set code = ${generateLicenseKey(row.prefix)}, updated_at = now() where id = ${row.key_id}`;
    }
    if (edit.regenerateKey) changes.keyReplaced = true;
    await logEvent(tx, { ...input.actor, viaApi: true, entityKind: 'entitlement', entityId: row.id, action: 'edited', changes });
    if (changes.validUntil && row.subscription_id !== null) {
      await logEvent(tx, { ...input.actor, viaApi: true, entityKind: 'subscription', entityId: row.subscription_id, action: 'license_valid_until_changed', changes: { entitlementId: row.id, validUntil: changes.validUntil } });
    }
  });
}

/** Seals an administrator password (409 `SECRETS_KEY_NOT_CONFIGURED` without the licensing secrets' key). */
export function sealAdminPassword(box: SecretBox | undefined, password: string): string {
  if (!box) throw new AppError('SECRETS_KEY_NOT_CONFIGURED', 'the installation has no LICENSING_KEY_ENCRYPTION_KEY, so a password cannot be stored');
  return box.seal(password);
}
