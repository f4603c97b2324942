import type { Db } from '../../db/client';
import { visibleClientTypes } from '../../db/client-types';
import { typeForKey } from '../../domain/client-types';
import { AppError } from '../../domain/errors';

/**
 * The client type a new client of `resellerId` gets (spec 02 §10): the type its key names in the reseller's view
 * (domain/client-types.ts typeForKey), or the reseller's default when no key is given. A key the reseller does not
 * see (unknown, or another reseller's) is `invalid_reference`. The type's row is held until the transaction ends,
 * so a concurrent deletion sees the new client. Must run in a transaction. Returns the type's id.
 */
export async function clientTypeForNewClient(tx: Db, resellerId: number, key: string | undefined): Promise<number> {
  const { path, types } = await visibleClientTypes(tx, resellerId);
  const type = key === undefined ? types.find((t) => t.isDefault) : typeForKey(path, types, key);
  if (!type) throw new AppError('invalid_reference', key === undefined ? 'no client type exists here' : `client type ${key} does not exist`);
  const [held] = await tx`select id from client_types where id = ${type.id} for key share`;
  if (!held) throw new AppError('invalid_reference', `client type ${key ?? type.key} does not exist`);
  return type.id;
}
