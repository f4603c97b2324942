import type { Db } from '../db/client';

/** A reseller's own settings as the settings page shows them: never the SMTP password or image bytes. */
export async function ownResellerSettings(db: Db, resellerId: number) {
  const [own] = await db<Array<Record<string, unknown>>>`
    select language, time_zone as "timeZone", sender_name as "senderName", sender_email as "senderEmail",
           smtp_host as "smtpHost", smtp_port as "smtpPort", smtp_security as "smtpSecurity", smtp_user as "smtpUser",
           smtp_password is not null as "smtpPasswordSet", seal_type as "sealType", octet_length(seal) as "sealBytes",
           logo_type as "logoType", octet_length(logo) as "logoBytes", document_masks as "documentMasks"
    from reseller_settings where reseller_id = ${resellerId}`;
  const smtp = own?.smtpHost
    ? { host: own.smtpHost, port: own.smtpPort, security: own.smtpSecurity, user: own.smtpUser, passwordSet: own.smtpPasswordSet }
    : null;
  return {
    language: (own?.language as string | null) ?? null,
    timeZone: (own?.timeZone as string | null) ?? null,
    sender: own?.senderEmail ? { name: own.senderName, email: own.senderEmail } : null,
    smtp,
    seal: own?.sealType ? { contentType: own.sealType, bytes: own.sealBytes } : null,
    logo: own?.logoType ? { contentType: own.logoType, bytes: own.logoBytes } : null,
    documentMasks: own?.documentMasks ?? {},
  };
}
