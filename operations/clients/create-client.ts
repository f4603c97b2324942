import { oneRow, type Sql } from '../../db/client';
import { AppError } from '../../domain/errors';
import { logEvent } from '../event-log/event-log';
import { addContact, type ContactInput } from './add-contact';
import { clientTypeForNewClient } from '../client-types/client-type-for-new-client';

export interface ClientInput {
  name: string;
  /** The key of a client type the reseller sees (spec 02 §10); none: the reseller's default type. */
  clientType?: string | undefined;
  serviceRuleId: number;
  managerId?: number | undefined;
  currency: string;
  language: 'en' | 'ru';
  creditThresholdOverride?: number | undefined;
  subscriptionCreditLimitOverride?: number | undefined;
  contacts: ContactInput[];
}

/**
 * Creates a client of an existing service rule with its contacts, in one transaction, as a client of the creating
 * staff member's reseller (spec 05 §1.1 rule 4). Returns its id.
 */
export async function createClient(sql: Sql, { contacts, ...client }: ClientInput, { by, resellerId }: { by: number; resellerId: number }): Promise<number> {
  return sql.begin(async (tx) => {
    const [rule] = await tx`select id from service_rules where id = ${client.serviceRuleId}`;
    if (!rule) throw new AppError('invalid_reference', `service rule ${client.serviceRuleId} does not exist`);
    const clientTypeId = await clientTypeForNewClient(tx, resellerId, client.clientType);
    const row = await oneRow(tx<Array<{ id: number }>>`
      insert into clients (reseller_id, name, client_type_id, service_rule_id, manager_id, currency, language,
                           credit_threshold_override, subscription_credit_limit_override)
      values (${resellerId}, ${client.name}, ${clientTypeId}, ${client.serviceRuleId}, ${client.managerId ?? null},
              ${client.currency}, ${client.language}, ${client.creditThresholdOverride ?? null},
              ${client.subscriptionCreditLimitOverride ?? null})
      returning id`);
    for (const contact of contacts) await addContact(tx, row.id, contact);
    await logEvent(tx, { actorId: by, viaApi: true, entityKind: 'client', entityId: row.id, action: 'created' });
    return row.id;
  });
}
