import { inTransaction, type Db } from '../../../db/client';
import { AppError } from '../../../domain/errors';
import { logEvent, type EventEntry } from '../../event-log/event-log';

/** The registration fields of a key card (spec 04 §1.2 Customer); absent fields are left as they are, null clears. */
export interface KeyRegistrationChange {
  companyName?: string | null | undefined;
  contactName?: string | null | undefined;
  phone?: string | null | undefined;
  email?: string | null | undefined;
  distributorId?: number | null | undefined;
  managerId?: number | null | undefined;
  comment?: string | null | undefined;
  legalForm?: 'organization' | 'individual' | undefined;
}

/**
 * Edits a key's registration data (spec 04 §3.6 "view and edit registration data"): the fields given replace the
 * stored ones. The distributor must be a licensing partner and the manager a staff member (422
 * `invalid_reference`). The change is in the event log with what it was before.
 */
export async function editKeyRegistration(db: Db, input: { keyId: number; change: KeyRegistrationChange; actor: Pick<EventEntry, 'actorId' | 'actorKind'> }): Promise<void> {
  const change = Object.fromEntries(Object.entries(input.change).filter(([, v]) => v !== undefined));
  await inTransaction(db, async (tx) => {
    if (typeof change.distributorId === 'number') {
      const [partner] = await tx`select 1 from licensing_partners where id = ${change.distributorId}`;
      if (!partner) throw new AppError('invalid_reference', `partner ${change.distributorId} does not exist`);
    }
    if (typeof change.managerId === 'number') {
      const [manager] = await tx`select 1 from staff where id = ${change.managerId}`;
      if (!manager) throw new AppError('invalid_reference', `staff member ${change.managerId} does not exist`);
    }
    const [before] = await tx<Array<{ customer: Record<string, unknown> | null }>>`select customer from license_keys where id = ${input.keyId} for update`;
    await tx`update license_keys set customer = coalesce(customer, '{}'::jsonb) || ${JSON.stringify(change)}::jsonb, updated_at = now() where id = ${input.keyId}`;
    const was = Object.fromEntries(Object.keys(change).map((k) => [k, before?.customer?.[k] ?? null]));
    await logEvent(tx, { ...input.actor, viaApi: true, entityKind: 'license_key', entityId: input.keyId, action: 'registration_edited', changes: { from: was, to: change } });
  });
}
