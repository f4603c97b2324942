import type { Db } from '../../../db/client';
import { newPartnerPublicId } from '../transfers/transfer-secrets';

export interface CreatePartnerInput {
  name: string;
  kind: 'distributor' | 'reseller' | 'direct';
}

/** §1.2 Partner: a distributor, reseller or the vendor itself (`direct`); its unguessable publicId is generated here. */
export async function createPartner(db: Db, input: CreatePartnerInput): Promise<Record<string, unknown>> {
  const [row] = await db<Array<Record<string, unknown>>>`
    insert into licensing_partners (public_id, name, kind) values (${newPartnerPublicId()}, ${input.name}, ${input.kind})
    returning id, public_id as "publicId", name, kind, created_at as "createdAt"`;
  return row!;
}
