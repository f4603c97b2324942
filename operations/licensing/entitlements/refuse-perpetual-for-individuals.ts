import type { Db } from '../../../db/client';
import { AppError } from '../../../domain/errors';
import { legalFormOf, perpetualOrderRefusal, type ClientType, type TermType } from '../../../domain/licensing/commercial';

/**
 * Refuses to give a perpetual product to a key whose customer is not an organisation (spec 04 §5.2, §8 #36):
 * 422 `PERPETUAL_REQUIRES_ORGANIZATION`. The legal form comes from the key card's registration data, else from
 * the key's billing client (see `legalFormOf`). Term products pass. Unknown key or product: no refusal here (the
 * caller answers its own 404 / 422 for those).
 */
export async function refusePerpetualForIndividuals(db: Db, input: { keyId: number; productId: number }): Promise<void> {
  const [row] = await db<Array<{ term_type: TermType; customer: unknown; client_type: ClientType | null }>>`
    select p.term_type, k.customer, t.key as client_type
    from license_keys k join licensing_products p on p.id = ${input.productId} left join clients c on c.id = k.client_id
    left join client_types t on t.id = c.client_type_id
    where k.id = ${input.keyId}`;
  if (!row) return;
  const refusal = perpetualOrderRefusal({ termType: row.term_type, legalForm: legalFormOf({ customer: row.customer, clientType: row.client_type }) });
  if (refusal) throw new AppError(refusal.code, refusal.message);
}
