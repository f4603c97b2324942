// Document templates (issue 21 point 6; spec 02 §7.3, spec 01 §16.11, spec 05 §3.6): the act and the order
// invoice, one Handlebars source per kind and language, rendered as plain text with the notification templates'
// helpers (`{{money amount currency}}`, `{{date value 'long'}}`, ...) into the layout lines of markup.ts. These are
// the factory defaults; a reseller's modified copy is stored per reseller and found by
// operations/documents/document-templates.ts. Pure.

import { AppError } from '../errors';
import { renderPlainText } from '../notifications/templates';
import { parseDocumentMarkup, type Block } from './markup';

export const documentKinds = ['act', 'invoice'] as const;
export type DocumentTemplateKind = (typeof documentKinds)[number];
export const documentLanguages = ['en', 'ru'] as const;
export type DocumentLanguage = (typeof documentLanguages)[number];
export const maxTemplateLength = 64 * 1024;

export const isDocumentLanguage = (value: unknown): value is DocumentLanguage => (documentLanguages as readonly unknown[]).includes(value);

/** One line of a document: a charge of an act, an order line of an invoice. Text fields are inert (markup.ts). */
export interface DocumentLine {
  n: number;
  description: string;
  quantity: number | null;
  amount: number;
}

/** What every template may print. Amounts are integer minor units; dates `YYYY-MM-DD`. */
export interface DocumentData {
  reseller: { name: string };
  client: { id: number; name: string };
  document: { number: string; date: string; amount: number; currency: string; lines: DocumentLine[] };
  /** Acts: the financial period. */
  period?: { start: string; end: string };
  /** Invoices: the order and its payment. */
  order?: { number: string; type: string };
  payment?: { number: string; payBy: string | null } | null;
}

const actEn = `[logo]
# Act {{document.number}}
Date: {{date document.date 'long'}}
Seller: {{reseller.name}}
Client: {{client.name}} (account {{client.id}})
Period: {{date period.start 'long'}} – {{date period.end 'long'}}

| # | Service | Quantity | Amount |
{{#each document.lines}}
| {{n}} | {{description}} | {{quantity}} | {{money amount ../document.currency}} |
{{/each}}

## Total: {{money document.amount document.currency}}
The services above were rendered in full during the period; the client has no claims as to their scope, quality or timing.

Seller: {{reseller.name}}
[seal]
`;

const actRu = `[logo]
# Акт № {{document.number}}
Дата: {{date document.date 'long'}}
Исполнитель: {{reseller.name}}
Заказчик: {{client.name}} (лицевой счёт {{client.id}})
Период: {{date period.start 'long'}} – {{date period.end 'long'}}

| № | Услуга | Количество | Сумма |
{{#each document.lines}}
| {{n}} | {{description}} | {{quantity}} | {{money amount ../document.currency}} |
{{/each}}

## Итого: {{money document.amount document.currency}}
Перечисленные услуги оказаны в полном объёме за период; заказчик претензий по объёму, качеству и срокам оказания услуг не имеет.

Исполнитель: {{reseller.name}}
[seal]
`;

const invoiceEn = `[logo]
# Invoice {{document.number}}
Date: {{date document.date 'long'}}
Seller: {{reseller.name}}
Client: {{client.name}} (account {{client.id}})
Order: {{order.number}}
{{#if payment}}Payment: {{payment.number}}{{#if payment.payBy}}, due {{date payment.payBy 'long'}}{{/if}}
{{/if}}

| # | Item | Quantity | Amount |
{{#each document.lines}}
| {{n}} | {{description}} | {{quantity}} | {{money amount ../document.currency}} |
{{/each}}

## Total due: {{money document.amount document.currency}}
[seal]
`;

const invoiceRu = `[logo]
# Счёт № {{document.number}}
Дата: {{date document.date 'long'}}
Поставщик: {{reseller.name}}
Покупатель: {{client.name}} (лицевой счёт {{client.id}})
Заказ: {{order.number}}
{{#if payment}}Платёж: {{payment.number}}{{#if payment.payBy}}, оплатить до {{date payment.payBy 'long'}}{{/if}}
{{/if}}

| № | Наименование | Количество | Сумма |
{{#each document.lines}}
| {{n}} | {{description}} | {{quantity}} | {{money amount ../document.currency}} |
{{/each}}

## Итого к оплате: {{money document.amount document.currency}}
[seal]
`;

export const defaultDocumentTemplates: Record<DocumentTemplateKind, Record<DocumentLanguage, string>> = {
  act: { en: actEn, ru: actRu },
  invoice: { en: invoiceEn, ru: invoiceRu },
};

/** The title of a document in a language, for its file name and the PDF's metadata. */
export const documentTitles: Record<DocumentTemplateKind, Record<DocumentLanguage, string>> = {
  act: { en: 'Act', ru: 'Акт' },
  invoice: { en: 'Invoice', ru: 'Счёт' },
};

/** A template's text rendered with the document's data, as layout blocks. */
export function renderDocument(source: string, data: DocumentData, language: DocumentLanguage): Block[] {
  return parseDocumentMarkup(renderPlainText(source, data as unknown as Record<string, unknown>, language, `${language} document template`));
}

/** Refuses a template that does not compile or render with sample data; answers it as it is. */
export function validateDocumentTemplate(source: string, kind: DocumentTemplateKind, language: DocumentLanguage): string {
  if (source.length > maxTemplateLength) throw new AppError('validation_failed', `A template is at most ${maxTemplateLength} characters`);
  renderDocument(source, sampleDocumentData(kind), language);
  return source;
}

export function sampleDocumentData(kind: DocumentTemplateKind): DocumentData {
  const lines = [{ n: 1, description: 'Backup 100 GB, 1 month', quantity: 1, amount: 3000 }];
  return {
    reseller: { name: 'Sample Reseller' },
    client: { id: 1, name: 'Sample Client' },
    document: { number: kind === 'act' ? 'A000001' : 'INV000001', date: '2026-12-01', amount: 3000, currency: 'EUR', lines },
    ...(kind === 'act' ? { period: { start: '2026-11-01', end: '2026-11-30' } } : { order: { number: 'SO000001', type: 'purchase' }, payment: { number: 'P000001', payBy: '2026-12-08' } }),
  };
}
