import { oneRow, type Db } from '../../db/client';

export interface ProductInput {
  name: string;
  description?: string | undefined;
}

/** Creates a product (active). Returns its id. */
export async function createProduct(db: Db, p: ProductInput): Promise<number> {
  const row = await oneRow(db<Array<{ id: number }>>`insert into products (name, description) values (${p.name}, ${p.description ?? null}) returning id`);
  return row.id;
}
