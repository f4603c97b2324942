import type { Sql } from '../../db/client';
import { documentKinds, parseDocumentMask, type DocumentKind } from '../../domain/document-numbers';
import { imageTypeOf } from '../../domain/documents/images';
import { AppError } from '../../domain/errors';
import { literalAddressRefusal, type EgressPolicy } from '../../infra/egress';
import { checkImage } from '../../infra/pdf';
import type { SecretBox } from '../../infra/secret-box';
import { logEvent } from '../event-log/event-log';
import { sealSmtpPassword } from './smtp-password';

/** A change of a reseller's own settings: a field left out stays, a null clears it (then it is inherited). */
export interface ResellerSettingsChange {
  language?: string | null;
  timeZone?: string | null;
  sender?: { name?: string | null; email: string } | null;
  /** `password` left out keeps the stored one; it is written, never read back out. */
  smtp?: { host: string; port: number; security: 'tls' | 'starttls' | 'none'; user?: string | null; password?: string | null } | null;
  /** PNG or JPEG bytes. */
  seal?: Buffer | null;
  logo?: Buffer | null;
  documentMasks?: Partial<Record<DocumentKind, string>>;
}

function checkTimeZone(zone: string): void {
  try {
    new Intl.DateTimeFormat('en', { timeZone: zone });
  } catch {
    throw new AppError('invalid_time_zone', `timeZone: "${zone}" is not an IANA time zone`);
  }
}

function image(bytes: Buffer, field: string): { bytes: Buffer; type: string } {
  const type = imageTypeOf(bytes, field);
  if (!checkImage(bytes)) throw new AppError('invalid_image', `${field}: the ${type === 'image/png' ? 'PNG' : 'JPEG'} image cannot be read`);
  return { bytes, type };
}

/**
 * Stores a reseller's own settings (spec 05 §8, spec 02 §13.6) and logs which fields changed — names and plain
 * values, never the SMTP password or image bytes. The password is stored sealed with `secrets` (smtp-password.ts). The SMTP host must be one the egress policy lets the platform
 * reach (a reseller's administrator must not aim the platform's mail at an internal address).
 */
export async function saveResellerSettings(sql: Sql, resellerId: number, change: ResellerSettingsChange, { by, egress, secrets }: { by: number; egress: EgressPolicy; secrets: SecretBox | undefined }): Promise<void> {
  if (change.timeZone) checkTimeZone(change.timeZone);
  if (change.smtp) {
    const refusal = literalAddressRefusal(egress, new URL(`smtp://${change.smtp.host}:${change.smtp.port}`));
    if (refusal) throw new AppError('egress_refused', `smtp.host: ${refusal}`);
  }
  for (const [kind, mask] of Object.entries(change.documentMasks ?? {})) {
    if (!(documentKinds as string[]).includes(kind)) throw new AppError('invalid_document_mask', `documentMasks: unknown document kind "${kind}"`);
    parseDocumentMask(mask);
  }
  // Sealed before anything is written: without the key the whole change is refused, not half stored.
  const sealedPassword = typeof change.smtp?.password === 'string' ? sealSmtpPassword(secrets, change.smtp.password) : null;
  const seal = change.seal ? image(change.seal, 'seal') : change.seal;
  const logo = change.logo ? image(change.logo, 'logo') : change.logo;
  const has = (key: keyof ResellerSettingsChange) => change[key] !== undefined;
  await sql.begin(async (tx) => {
    await tx`insert into reseller_settings (reseller_id) values (${resellerId}) on conflict (reseller_id) do nothing`;
    const [current] = await tx<Array<{ document_masks: Record<string, string> | null }>>`
      select document_masks from reseller_settings where reseller_id = ${resellerId} for update`;
    if (has('language')) await tx`update reseller_settings set language = ${change.language ?? null} where reseller_id = ${resellerId}`;
    if (has('timeZone')) await tx`update reseller_settings set time_zone = ${change.timeZone ?? null} where reseller_id = ${resellerId}`;
    if (has('sender')) {
      await tx`update reseller_settings set sender_name = ${change.sender?.name ?? null}, sender_email = ${change.sender?.email ?? null} where reseller_id = ${resellerId}`;
    }
    if (has('smtp')) {
      const s = change.smtp;
      await tx`update reseller_settings set smtp_host = ${s?.host ?? null}, smtp_port = ${s?.port ?? null}, smtp_security = ${s?.security ?? null},
                 smtp_user = ${s?.user ?? null},
                 smtp_password = case when ${s === null} then null when ${s?.password === undefined} then smtp_password else ${sealedPassword} end
               where reseller_id = ${resellerId}`;
    }
    if (seal !== undefined) await tx`update reseller_settings set seal = ${seal?.bytes ?? null}, seal_type = ${seal?.type ?? null} where reseller_id = ${resellerId}`;
    if (logo !== undefined) await tx`update reseller_settings set logo = ${logo?.bytes ?? null}, logo_type = ${logo?.type ?? null} where reseller_id = ${resellerId}`;
    if (change.documentMasks) {
      const masks = { ...(current?.document_masks ?? {}), ...change.documentMasks };
      await tx`update reseller_settings set document_masks = ${tx.json(masks)} where reseller_id = ${resellerId}`;
    }
    await tx`update reseller_settings set updated_at = now() where reseller_id = ${resellerId}`;
    await logEvent(tx, { actorId: by, viaApi: true, entityKind: 'reseller', entityId: resellerId, action: 'settings_changed', changes: loggable(change) });
  });
}

/** What the event log shows of a change: plain values, and only that the password or an image changed. */
function loggable(change: ResellerSettingsChange): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(change)) {
    if (value === undefined) continue;
    if (key === 'seal' || key === 'logo') out[key] = value === null ? 'removed' : `${(value as Buffer).length} bytes`;
    else if (key === 'smtp' && value) {
      const { password, ...rest } = value as NonNullable<ResellerSettingsChange['smtp']>;
      out.smtp = { ...rest, ...(password === undefined ? {} : { password: password === null ? 'removed' : 'changed' }) };
    } else out[key] = value;
  }
  return out;
}
