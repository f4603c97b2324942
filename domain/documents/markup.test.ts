import { describe, expect, it } from 'vitest';
import { inert, parseDocumentMarkup } from './markup';
import { imageTypeOf, maxImageBytes } from './images';
import { defaultDocumentTemplates, documentKinds, documentLanguages, renderDocument, sampleDocumentData, validateDocumentTemplate } from './templates';

describe('document markup', () => {
  it('reads titles, headings, tables, rules, images, gaps and paragraphs', () => {
    const text = '[logo]\n# Act A1\nDate: today\n\n\n| # | Service | Amount |\n| 1 | Backup \\| 100 GB | 30.00 EUR |\n---\n## Total\n[seal]\n\n';
    expect(parseDocumentMarkup(text)).toEqual([
      { kind: 'image', image: 'logo' },
      { kind: 'title', text: 'Act A1' },
      { kind: 'text', text: 'Date: today' },
      { kind: 'gap' },
      { kind: 'table', rows: [['#', 'Service', 'Amount'], ['1', 'Backup | 100 GB', '30.00 EUR']] },
      { kind: 'rule' },
      { kind: 'heading', text: 'Total' },
      { kind: 'image', image: 'seal' },
    ]);
  });

  it('keeps a value inert: it cannot end a cell, start a block or add a line', () => {
    const name = inert('# Evil | Corp\n[seal]');
    expect(parseDocumentMarkup(`| ${name} | 1 |`)).toEqual([{ kind: 'table', rows: [['# Evil | Corp [seal]', '1']] }]);
    expect(parseDocumentMarkup(inert('# Title?'))).toEqual([{ kind: 'text', text: '# Title?' }]);
    expect(parseDocumentMarkup(inert('---'))).toEqual([{ kind: 'text', text: '---' }]);
  });
});

describe('document templates', () => {
  it('every default renders with sample data in every language', () => {
    for (const kind of documentKinds) for (const language of documentLanguages) expect(() => validateDocumentTemplate(defaultDocumentTemplates[kind][language], kind, language)).not.toThrow();
  });

  it('the Russian act prints Russian dates and money', () => {
    const blocks = renderDocument(defaultDocumentTemplates.act.ru, sampleDocumentData('act'), 'ru');
    expect(blocks).toContainEqual({ kind: 'text', text: 'Период: 1 ноября 2026 г. – 30 ноября 2026 г.' });
    expect(blocks).toContainEqual({ kind: 'heading', text: 'Итого: 30,00 EUR' });
    expect(blocks).toContainEqual({ kind: 'table', rows: [['№', 'Услуга', 'Количество', 'Сумма'], ['1', 'Backup 100 GB, 1 month', '1', '30,00 EUR']] });
  });

  it('refuses a template that does not compile', () => {
    expect(() => validateDocumentTemplate('{{#if x}}', 'act', 'en')).toThrow(expect.objectContaining({ code: 'template_syntax' }));
  });
});

describe('seal and logo images', () => {
  it('accepts PNG and JPEG by signature, refuses others and oversized ones', () => {
    expect(imageTypeOf(Uint8Array.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0]), 'seal')).toBe('image/png');
    expect(imageTypeOf(Uint8Array.from([0xff, 0xd8, 0xff, 0xe0]), 'seal')).toBe('image/jpeg');
    expect(() => imageTypeOf(new TextEncoder().encode('GIF89a'), 'logo')).toThrow(expect.objectContaining({ code: 'invalid_image' }));
    expect(() => imageTypeOf(new Uint8Array(maxImageBytes + 1), 'logo')).toThrow(expect.objectContaining({ code: 'image_too_large' }));
  });
});
