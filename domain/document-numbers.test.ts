import { describe, expect, it } from 'vitest';
import { AppError } from './errors';
import { defaultDocumentMasks, DocumentMaskError, documentKinds, formatDocumentNumber, parseDocumentMask } from './document-numbers';

describe('parseDocumentMask (spec 02 §13.2)', () => {
  it('splits a mask into prefix, digit count and suffix', () => {
    expect(parseDocumentMask('SO%6')).toEqual({ prefix: 'SO', digits: 6, suffix: '' });
    expect(parseDocumentMask('INV-%8_2024')).toEqual({ prefix: 'INV-', digits: 8, suffix: '_2024' });
    expect(parseDocumentMask('%12')).toEqual({ prefix: '', digits: 12, suffix: '' });
    expect(parseDocumentMask('A1%6-x')).toEqual({ prefix: 'A1', digits: 6, suffix: '-x' });
  });

  it('requires exactly one %N placeholder (the numeric part guarantees uniqueness)', () => {
    expect(() => parseDocumentMask('SO')).toThrow(/exactly one %N/);
    expect(() => parseDocumentMask('SO%6%6')).toThrow(/exactly one %N/);
    expect(() => parseDocumentMask('SO%')).toThrow(/number of digits/);
    expect(() => parseDocumentMask('SO%X')).toThrow(/number of digits/);
  });

  it('requires N between 6 and 12, written without leading zeros', () => {
    expect(() => parseDocumentMask('SO%5')).toThrow(/between 6 and 12/);
    expect(() => parseDocumentMask('SO%13')).toThrow(/between 6 and 12/);
    expect(() => parseDocumentMask('SO%06')).toThrow(/between 6 and 12/);
    // A suffix starting with a digit reads as part of N.
    expect(() => parseDocumentMask('SO%61')).toThrow(/between 6 and 12/);
  });

  it('allows only Latin letters, digits, "-" and "_" around the placeholder', () => {
    for (const bad of ['S O%6', 'SO/%6', 'SO%6.pdf', 'ЗК%6', 'SO%6#']) {
      expect(() => parseDocumentMask(bad), bad).toThrow(/only Latin letters/);
    }
    expect(() => parseDocumentMask(`${'A'.repeat(70)}%6`)).toThrow(/longer than/);
  });

  it('throws a typed DocumentMaskError (a AppError) with a readable message', () => {
    try {
      parseDocumentMask('SO%3');
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(DocumentMaskError);
      expect(error).toBeInstanceOf(AppError);
      expect((error as DocumentMaskError).code).toBe('invalid_document_mask');
      expect((error as Error).message).toContain('"SO%3"');
    }
  });
});

describe('formatDocumentNumber', () => {
  it('zero-pads the sequence value to N digits: SO%6 with 2394 → SO002394', () => {
    expect(formatDocumentNumber('SO%6', 2394)).toBe('SO002394');
    expect(formatDocumentNumber('RN%6', 2767)).toBe('RN002767');
    expect(formatDocumentNumber('INV-%8_EU', 42)).toBe('INV-00000042_EU');
  });

  it('prints all digits when the value is longer than N (%6 with 1234567 → 1234567)', () => {
    expect(formatDocumentNumber('SO%6', 1234567)).toBe('SO1234567');
    expect(formatDocumentNumber('SO%6', 999999)).toBe('SO999999');
  });

  it('accepts an already parsed mask', () => {
    expect(formatDocumentNumber(parseDocumentMask('P%7'), 5)).toBe('P0000005');
  });

  it('rejects invalid masks and non-positive or fractional sequence values', () => {
    expect(() => formatDocumentNumber('SO%2', 1)).toThrow(DocumentMaskError);
    expect(() => formatDocumentNumber('SO%6', 0)).toThrow(DocumentMaskError);
    expect(() => formatDocumentNumber('SO%6', 1.5)).toThrow(DocumentMaskError);
  });
});

describe('defaultDocumentMasks', () => {
  it('has a valid default mask for every document kind', () => {
    expect(documentKinds).toEqual([
      'purchase_order',
      'renewal_order',
      'prolongation_order',
      'resource_change_order',
      'plan_switch_order',
      'payment',
      'promised_payment',
      'act',
      'invoice',
    ]);
    for (const kind of documentKinds) {
      expect(() => parseDocumentMask(defaultDocumentMasks[kind]), kind).not.toThrow();
    }
  });

  it('gives the manual\'s examples: purchase SO002394, payment P000001, promised payment GP000001', () => {
    expect(formatDocumentNumber(defaultDocumentMasks.purchase_order, 2394)).toBe('SO002394');
    expect(formatDocumentNumber(defaultDocumentMasks.payment, 1)).toBe('P000001');
    expect(formatDocumentNumber(defaultDocumentMasks.promised_payment, 1)).toBe('GP000001');
  });
});
