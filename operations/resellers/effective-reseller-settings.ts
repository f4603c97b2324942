import type { Db } from '../../db/client';

/** A reseller's SMTP relay, with its password as stored (sealed): for sending only, never for an answer. */
export interface SmtpServer {
  host: string;
  port: number;
  security: 'tls' | 'starttls' | 'none';
  user: string | null;
  /** Sealed (smtp-password.ts `openSmtpPassword` gives the password); plain only if stored before passwords were sealed. */
  storedPassword: string | null;
  /** The reseller whose server it is (the reseller itself or its nearest ancestor with one). */
  resellerId: number;
}

/** What a reseller uses, after inheritance (spec 05 §8; issue 21 point 6). */
export interface EffectiveResellerSettings {
  resellerId: number;
  resellerName: string;
  /** Own, else the nearest ancestor's, else `en`. */
  language: string;
  /** Own, else the nearest ancestor's, else null (the installation's). */
  timeZone: string | null;
  /** Own, else the nearest ancestor's (a shared relay sends for several resellers' domains, spec 05 §2.1 step 6). */
  sender: { name: string | null; email: string } | null;
  smtp: SmtpServer | null;
  /** Own only: a seal or logo is never borrowed from an ancestor. */
  seal: Buffer | null;
  logo: Buffer | null;
}

interface Level {
  id: number;
  name: string;
  depth: number;
  language: string | null;
  time_zone: string | null;
  sender_name: string | null;
  sender_email: string | null;
  smtp_host: string | null;
  smtp_port: number | null;
  smtp_security: string | null;
  smtp_user: string | null;
  smtp_password: string | null;
}

/**
 * The settings a reseller works with (one home of the inheritance rule: documents, e-mail and the settings page
 * all ask here): each field from the reseller itself or the nearest ancestor that has it
 * (the reseller's path, read from itself up to the root). Null when the reseller does not exist.
 */
export async function effectiveResellerSettings(db: Db, resellerId: number): Promise<EffectiveResellerSettings | null> {
  const levels = await db<Level[]>`
    select a.id, a.name, array_position(r.path, a.id) as depth, s.language, s.time_zone, s.sender_name, s.sender_email,
           s.smtp_host, s.smtp_port, s.smtp_security, s.smtp_user, s.smtp_password
    from resellers r join resellers a on a.id = any(r.path) left join reseller_settings s on s.reseller_id = a.id
    where r.id = ${resellerId}
    order by depth desc`;
  const self = levels[0];
  if (!self || self.id !== resellerId) return null;
  const nearest = <K extends keyof Level>(key: K) => levels.find((l) => l[key] !== null);
  const [own] = await db<Array<{ seal: Buffer | null; logo: Buffer | null }>>`select seal, logo from reseller_settings where reseller_id = ${resellerId}`;
  const senderLevel = nearest('sender_email');
  const smtpLevel = nearest('smtp_host');
  return {
    resellerId,
    resellerName: self.name,
    language: nearest('language')?.language ?? 'en',
    timeZone: nearest('time_zone')?.time_zone ?? null,
    sender: senderLevel ? { name: senderLevel.sender_name, email: senderLevel.sender_email! } : null,
    smtp: smtpLevel
      ? {
          host: smtpLevel.smtp_host!,
          port: smtpLevel.smtp_port ?? 587,
          security: (smtpLevel.smtp_security ?? 'starttls') as SmtpServer['security'],
          user: smtpLevel.smtp_user,
          storedPassword: smtpLevel.smtp_password,
          resellerId: smtpLevel.id,
        }
      : null,
    seal: own?.seal ?? null,
    logo: own?.logo ?? null,
  };
}
