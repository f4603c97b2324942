import type { Db } from '../../db/client';
import { defaultDocumentMasks, formatDocumentNumber } from '../../domain/document-numbers';

/** The next number of a document kind: its own sequence, formatted by the mask in settings (or the default). */
export async function nextDocumentNumber(db: Db, kind: keyof typeof defaultDocumentMasks): Promise<string> {
  const [row] = await db<Array<{ value: string; mask: unknown }>>`
    select nextval(${`doc_seq_${kind}`}) as value,
           (select value from settings where key = ${`document_mask.${kind}`}) as mask`;
  const mask = typeof row!.mask === 'string' ? row!.mask : defaultDocumentMasks[kind];
  return formatDocumentNumber(mask, Number(row!.value));
}
