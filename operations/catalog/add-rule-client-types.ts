import { inTransaction, type Db } from '../../db/client';
import { AppError } from '../../domain/errors';
import { provisioningRuleKind } from '../propagation/kinds';
import { findEffective, lockKind } from '../propagation/propagation';
import { refuseUnknownClientTypes } from './create-provisioning-rule';

/**
 * Sets the client types `resellerId` adds to a provisioning rule delegated to it (spec 05 §3.4 rule 4: the one
 * change a delegated rule allows below): keys of types the reseller sees, replacing its earlier additions (an empty
 * list removes them). The rule itself stays the upstream's; the reseller and its descendants see its types plus the
 * additions on their path (queries/propagated.ts). On its own rule a reseller edits the rule instead
 * (`rule_not_delegated`). Returns the rule's id.
 */
export async function addRuleClientTypes(db: Db, resellerId: number, id: number, keys: readonly string[]): Promise<number> {
  return inTransaction(db, async (tx) => {
    await lockKind(tx, 'provisioning_rules');
    const rule = await findEffective(tx, provisioningRuleKind, resellerId, id);
    if (rule.originResellerId === resellerId) throw new AppError('rule_not_delegated', 'the rule is this reseller’s own: edit its client types with the rule');
    await refuseUnknownClientTypes(tx, resellerId, keys);
    const unique = [...new Set(keys)];
    if (unique.length === 0) await tx`delete from provisioning_rule_client_types where reseller_id = ${resellerId} and rule_id = ${rule.key}`;
    else {
      await tx`
        insert into provisioning_rule_client_types (reseller_id, rule_id, client_types) values (${resellerId}, ${rule.key}, ${unique}::text[])
        on conflict (reseller_id, rule_id) do update set client_types = excluded.client_types`;
    }
    return rule.key;
  });
}
