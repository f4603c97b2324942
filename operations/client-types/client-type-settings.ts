import type { Db } from '../../db/client';
import type { ClientTypeView } from '../../db/client-types';
import { AppError } from '../../domain/errors';

/** What a reseller sets for itself on a client type it sees (spec 05 §3.5 rule 2), on its own or delegated types alike. */
export interface ClientTypeOwnSettings {
  /** An invoice method (bank_transfer or cash), or null for none. */
  defaultPaymentMethod?: 'bank_transfer' | 'cash' | null | undefined;
  /** true makes the type the reseller's default for new clients; false is refused on the default (make another default instead). */
  isDefault?: boolean | undefined;
}

/** Writes the reseller's own settings of `type` (one of the types it sees). Must run in a transaction. */
export async function saveClientTypeSettings(tx: Db, resellerId: number, type: ClientTypeView, s: ClientTypeOwnSettings): Promise<void> {
  if (s.defaultPaymentMethod !== undefined) {
    await tx`
      insert into client_type_settings (reseller_id, client_type_id, default_payment_method) values (${resellerId}, ${type.id}, ${s.defaultPaymentMethod})
      on conflict (reseller_id, client_type_id) do update set default_payment_method = excluded.default_payment_method`;
  }
  if (s.isDefault === false && type.isDefault) {
    throw new AppError('default_cannot_be_unset', 'a reseller always has one default client type: make another type the default instead (spec 02 §10)');
  }
  if (s.isDefault === true && !type.isDefault) {
    await tx`update client_type_settings set is_default = false where reseller_id = ${resellerId} and is_default`;
    await tx`
      insert into client_type_settings (reseller_id, client_type_id, is_default) values (${resellerId}, ${type.id}, true)
      on conflict (reseller_id, client_type_id) do update set is_default = true`;
  }
}
