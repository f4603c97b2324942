import type { Db } from '../../db/client';
import { rootResellerId } from '../../domain/resellers';
import { defaultDocumentMasks, formatDocumentNumber } from '../../domain/document-numbers';

/**
 * The next number of a document kind, formatted by its mask. The operator (the root reseller, and every caller
 * that names no reseller) draws from the kind's PostgreSQL sequence with the mask in settings; another reseller
 * numbers its documents in its own sequence (a counter row per reseller and kind, taken under the row's lock, so
 * the numbers are unique per reseller and follow each other) with its own mask, else the operator's, else the default.
 */
export async function nextDocumentNumber(db: Db, kind: keyof typeof defaultDocumentMasks, resellerId: number = rootResellerId): Promise<string> {
  if (resellerId === rootResellerId) {
    const [row] = await db<Array<{ value: string; mask: unknown }>>`
      select nextval(${`doc_seq_${kind}`}) as value,
             (select value from settings where key = ${`document_mask.${kind}`}) as mask`;
    return formatDocumentNumber(maskOf(row!.mask, kind), Number(row!.value));
  }
  const [row] = await db<Array<{ value: number; mask: unknown }>>`
    insert into document_counters (reseller_id, kind, last_value) values (${resellerId}, ${kind}, 1)
    on conflict (reseller_id, kind) do update set last_value = document_counters.last_value + 1
    returning last_value as value,
      coalesce((select document_masks -> ${kind} from reseller_settings where reseller_id = ${resellerId}),
               (select value from settings where key = ${`document_mask.${kind}`})) as mask`;
  return formatDocumentNumber(maskOf(row!.mask, kind), row!.value);
}

const maskOf = (mask: unknown, kind: keyof typeof defaultDocumentMasks) => (typeof mask === 'string' ? mask : defaultDocumentMasks[kind]);
