import type { Db } from '../../db/client';
import { AppError } from '../../domain/errors';
import { isSealed, SecretBoxError, type SecretBox } from '../../infra/secret-box';

// A reseller's SMTP password at rest (spec 02 §13.6, 05 §8): sealed with the secrets box (SECRETS_ENCRYPTION_KEY,
// infra/config.ts `secretsKeyOf`) before it is written, opened only to hand to the mail transport, never answered.

/** The stored form of a password the reseller typed; without the key nothing is stored (409, as for the other secrets). */
export function sealSmtpPassword(box: SecretBox | undefined, password: string): string {
  if (!box) throw new AppError('SECRETS_KEY_NOT_CONFIGURED', 'the installation has no SECRETS_ENCRYPTION_KEY, so an SMTP password cannot be stored');
  return box.seal(password);
}

export class SmtpPasswordLocked extends Error {
  override readonly name = 'SmtpPasswordLocked';
}

/**
 * The password to log in with. A value stored before passwords were sealed is still plain until the API's start
 * seals it (`sealPlainSmtpPasswords`), and is used as it is. Throws `SmtpPasswordLocked` when the value is sealed
 * and this process has no key, or another one: no attempt could succeed, so the caller gives up at once.
 */
export function openSmtpPassword(box: SecretBox | undefined, stored: string | null): string | null {
  if (stored === null || !isSealed(stored)) return stored;
  if (!box) throw new SmtpPasswordLocked("the reseller's SMTP password is sealed and this process has no SECRETS_ENCRYPTION_KEY");
  try {
    return box.open(stored);
  } catch (err) {
    if (err instanceof SecretBoxError) throw new SmtpPasswordLocked(`the reseller's SMTP password does not open: ${err.message}`);
    throw err;
  }
}

/**
 * Seals the SMTP passwords stored in plain (before migration to sealed values; the key is configuration, so SQL
 * alone cannot do it): run by the API at start, like the signing keys'. Idempotent; a value changed meanwhile is
 * left for the next start. Returns how many it sealed.
 */
export async function sealPlainSmtpPasswords(db: Db, box: SecretBox): Promise<number> {
  const plain = await db<Array<{ reseller_id: number; smtp_password: string }>>`
    select reseller_id, smtp_password from reseller_settings where smtp_password is not null and smtp_password not like 'v1.%'`;
  for (const row of plain) {
    await db`update reseller_settings set smtp_password = ${box.seal(row.smtp_password)} where reseller_id = ${row.reseller_id} and smtp_password = ${row.smtp_password}`;
  }
  return plain.length;
}
