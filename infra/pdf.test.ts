import { describe, expect, it } from 'vitest';
import { pdfText } from '../test/support/pdf-text';
import { defaultDocumentTemplates, renderDocument, sampleDocumentData } from '../domain/documents/templates';
import { checkImage, renderPdf } from './pdf';

const png1x1 = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==', 'base64');

describe('renderPdf', () => {
  const input = {
    blocks: renderDocument(defaultDocumentTemplates.act.ru, sampleDocumentData('act'), 'ru'),
    images: { seal: png1x1 },
    title: 'Акт A000001',
    author: 'Sample Reseller',
    createdAt: new Date('2026-12-01T03:04:05Z'),
    language: 'ru',
  };

  it('renders Cyrillic text a reader can extract, with the seal', async () => {
    const pdf = await renderPdf(input);
    expect(pdf.subarray(0, 5).toString()).toBe('%PDF-');
    const text = await pdfText(pdf);
    expect(text).toContain('Акт № A000001');
    expect(text).toContain('Итого: 30,00 EUR');
    expect(pdf.includes(Buffer.from('/Subtype /Image'))).toBe(true);
  });

  it('writes the same bytes for the same document (dates and file ID come from the document, not the clock)', async () => {
    const first = await renderPdf(input);
    await new Promise((r) => setTimeout(r, 5));
    expect((await renderPdf(input)).equals(first)).toBe(true);
    expect((await renderPdf({ ...input, createdAt: new Date('2026-12-02T00:00:00Z') })).equals(first)).toBe(false);
  });

  it('opens PNGs, refuses a broken one', () => {
    expect(checkImage(png1x1)).toBe(true);
    expect(checkImage(Buffer.concat([png1x1.subarray(0, 20), Buffer.alloc(30)]))).toBe(false);
  });
});
