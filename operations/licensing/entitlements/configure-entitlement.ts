import { inTransaction, type Db } from '../../../db/client';
import { refuse } from '../../../domain/errors';
import { configurationRefusal, type FeatureValue } from '../../../domain/licensing/panel';
import { logEvent, type EventEntry } from '../../event-log/event-log';
import { notFound, refuseBusyOrEnded } from '../refusals';

/**
 * License configuration (spec 04 §4.2): the license's feature values, within what its product's master license
 * allows (domain/licensing/panel.ts `configurationRefusal`, 422 `CONFIGURATION_OUT_OF_LIMITS`). The configuration
 * replaces the previous one and is signed over the master license's features in every document issued after it.
 * Choice: a configuration that changes the price goes through billing's change of plan; this one does not price.
 */
export async function configureEntitlement(db: Db, input: { entitlementId: number; features: Record<string, FeatureValue>; actor: Pick<EventEntry, 'actorId' | 'actorKind'> }): Promise<Record<string, FeatureValue>> {
  return inTransaction(db, async (tx) => {
    const [row] = await tx<Array<{ status: string; configuration: Record<string, FeatureValue>; master_license: { features?: Record<string, unknown> } }>>`
      select e.status, e.configuration, p.master_license from entitlements e join licensing_products p on p.id = e.product_id
      where e.id = ${input.entitlementId} for update of e`;
    if (!row) throw notFound('entitlement', input.entitlementId);
    refuseBusyOrEnded(row.status);
    const refusal = configurationRefusal(row.master_license.features ?? {}, input.features);
    if (refusal) throw refuse(refusal);
    await tx`update entitlements set configuration = ${JSON.stringify(input.features)}::jsonb, updated_at = now() where id = ${input.entitlementId}`;
    await logEvent(tx, { ...input.actor, viaApi: true, entityKind: 'entitlement', entityId: input.entitlementId, action: 'configured', changes: { from: row.configuration, to: input.features } });
    return input.features;
  });
}
