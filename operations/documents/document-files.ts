import { createHash } from 'node:crypto';
import type { Db, Sql } from '../../db/client';
import { todayIn } from '../../domain/dates';
import { inert } from '../../domain/documents/markup';
import { documentTitles, isDocumentLanguage, renderDocument, type DocumentData, type DocumentLanguage, type DocumentTemplateKind } from '../../domain/documents/templates';
import { renderPdf } from '../../infra/pdf';
import { effectiveResellerSettings } from '../resellers/effective-reseller-settings';
import { resolveDocumentTemplate } from './document-templates';
import { nextDocumentNumber } from './next-document-number';

/** A stored document: its PDF exactly as first rendered. */
export interface DocumentFile {
  kind: DocumentTemplateKind;
  subjectId: number;
  resellerId: number;
  number: string;
  fileName: string;
  sha256: string;
  pdf: Buffer;
}

interface Draft {
  resellerId: number;
  /** The document's own moment: its date and the PDF's creation date. */
  createdAt: Date;
  /** Taken only when the document is first rendered (an act already has its number). */
  number: (tx: Db) => Promise<string>;
  data: (number: string, date: string) => Omit<DocumentData, 'reseller'>;
}

/**
 * The stored PDF of an act or an order's invoice, rendering and storing it the first time it is asked for (a
 * download, or the e-mail it is attached to): rendered once, from the reseller's template of that moment, in its
 * language, with its seal; every later answer is the same bytes. Concurrent first asks wait on one lock, so one
 * file and one number are made. Null when the subject does not exist.
 */
async function storedDocument(sql: Sql, kind: DocumentTemplateKind, subjectId: number, draft: (db: Db) => Promise<Draft | null>): Promise<DocumentFile | null> {
  const existing = await readDocument(sql, kind, subjectId);
  if (existing) return existing;
  return sql.begin(async (tx) => {
    await tx`select pg_advisory_xact_lock(hashtext(${`document:${kind}`}), ${subjectId})`;
    const again = await readDocument(tx, kind, subjectId);
    if (again) return again;
    const d = await draft(tx);
    if (!d) return null;
    const settings = (await effectiveResellerSettings(tx, d.resellerId))!;
    const language: DocumentLanguage = isDocumentLanguage(settings.language) ? settings.language : 'en';
    const number = await d.number(tx);
    const date = todayIn(settings.timeZone ?? 'UTC', d.createdAt);
    const data: DocumentData = { reseller: { name: inert(settings.resellerName) }, ...d.data(number, date) };
    const template = await resolveDocumentTemplate(tx, d.resellerId, kind, language);
    const title = `${documentTitles[kind][language]} ${number}`;
    const pdf = await renderPdf({
      blocks: renderDocument(template.body, data, language),
      images: { seal: settings.seal, logo: settings.logo },
      title,
      author: settings.resellerName,
      createdAt: d.createdAt,
      language,
    });
    const file: DocumentFile = { kind, subjectId, resellerId: d.resellerId, number, fileName: `${kind}-${number}.pdf`, sha256: createHash('sha256').update(pdf).digest('hex'), pdf };
    await tx`insert into document_files (kind, subject_id, reseller_id, number, language, file_name, sha256, pdf)
             values (${kind}, ${subjectId}, ${d.resellerId}, ${number}, ${language}, ${file.fileName}, ${file.sha256}, ${pdf})`;
    return file;
  });
}

async function readDocument(db: Db, kind: DocumentTemplateKind, subjectId: number): Promise<DocumentFile | null> {
  const [row] = await db<Array<{ reseller_id: number; number: string; file_name: string; sha256: string; pdf: Buffer }>>`
    select reseller_id, number, file_name, sha256, pdf from document_files where kind = ${kind} and subject_id = ${subjectId}`;
  return row ? { kind, subjectId, resellerId: row.reseller_id, number: row.number, fileName: row.file_name, sha256: row.sha256, pdf: row.pdf } : null;
}

/** Spec 02 §7: the act's PDF, from the act and the charges billed in it; the period is that of those charges. */
export function actDocument(sql: Sql, actId: number): Promise<DocumentFile | null> {
  return storedDocument(sql, 'act', actId, async (tx) => {
    const [act] = await tx<Array<{ number: string; reseller_id: number; client_id: number; client_name: string; financial_day: string; amount: string; currency: string; created_at: string }>>`
      select a.number, a.reseller_id, a.client_id, c.name as client_name, a.financial_day::text, a.amount::text, a.currency, a.created_at
      from acts a join clients c on c.id = a.client_id where a.id = ${actId}`;
    if (!act) return null;
    const charges = await tx<Array<{ description: string; quantity: number | null; amount: string; period_from: string; period_to: string }>>`
      select description, quantity, amount::text, period_from::text, period_to::text from charges where act_id = ${actId} order by close_date, id`;
    return {
      resellerId: act.reseller_id,
      createdAt: new Date(act.created_at),
      number: async () => act.number,
      data: (number, date) => ({
        client: { id: act.client_id, name: inert(act.client_name) },
        document: {
          number,
          date,
          amount: Number(act.amount),
          currency: act.currency,
          lines: charges.map((c, i) => ({ n: i + 1, description: inert(c.description), quantity: c.quantity ?? 1, amount: Number(c.amount) })),
        },
        period: {
          start: charges.map((c) => c.period_from).sort()[0] ?? act.financial_day,
          end: charges.map((c) => c.period_to).sort().at(-1) ?? act.financial_day,
        },
      }),
    };
  });
}

/**
 * Spec 01 §16.11: the invoice of an order — what the order costs and the payment that settles it — numbered in the
 * client's reseller's invoice sequence when first rendered.
 */
export function invoiceDocument(sql: Sql, orderId: number): Promise<DocumentFile | null> {
  return storedDocument(sql, 'invoice', orderId, async (tx) => {
    const [order] = await tx<Array<{ number: string; type: string; client_id: number; client_name: string; reseller_id: number; amount: string; currency: string; created_at: Date; plan: string; subscription_name: string | null; payment_number: string | null; pay_by: string | null }>>`
      select o.number, o.type, o.client_id, c.name as client_name, c.reseller_id, o.amount::text, o.currency, o.created_at, p.name as plan, o.subscription_name,
             pay.number as payment_number, pay.pay_by::text
      from orders o join clients c on c.id = o.client_id join plans p on p.id = o.plan_id
        left join lateral (select number, pay_by from payments where order_id = o.id order by id limit 1) pay on true
      where o.id = ${orderId}`;
    if (!order) return null;
    const description = [order.plan, order.subscription_name].filter(Boolean).join(', ');
    return {
      resellerId: order.reseller_id,
      createdAt: new Date(order.created_at),
      number: (db) => nextDocumentNumber(db, 'invoice', order.reseller_id),
      data: (number, date) => ({
        client: { id: order.client_id, name: inert(order.client_name) },
        document: { number, date, amount: Number(order.amount), currency: order.currency, lines: [{ n: 1, description: inert(description), quantity: 1, amount: Number(order.amount) }] },
        order: { number: order.number, type: order.type },
        payment: order.payment_number ? { number: order.payment_number, payBy: order.pay_by } : null,
      }),
    };
  });
}
