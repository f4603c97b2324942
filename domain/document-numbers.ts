// Human-readable document numbers from masks (spec 02 §13.2): `SO%6` with sequence 2394 → `SO002394`.
//
// Mask syntax we accept:
// - exactly one `%N`: the sequence value zero-padded to N digits, 6 ≤ N ≤ 12. The numeric part is
//   mandatory because it is what makes numbers unique; a value longer than N digits is printed in
//   full (`%6` with 1234567 → `1234567`), never truncated.
// - an optional prefix and suffix of Latin letters, digits, `-` and `_`. We keep to ASCII because
//   numbers travel into file names, URLs and bank-transfer references. The suffix cannot start
//   with a digit (it would read as part of N).
// Other placeholders the manual mentions (dates and the like) are not supported yet.

import { AppError } from './errors';

export class DocumentMaskError extends AppError {
  constructor(message: string) {
    super('invalid_document_mask', message);
  }
}

export interface DocumentMask {
  prefix: string;
  digits: number;
  suffix: string;
}

export const MIN_SEQUENCE_DIGITS = 6;
export const MAX_SEQUENCE_DIGITS = 12;
const MAX_MASK_LENGTH = 64;
const AFFIX = /^[A-Za-z0-9_-]*$/;

export function parseDocumentMask(mask: string): DocumentMask {
  if (mask.length > MAX_MASK_LENGTH) {
    throw new DocumentMaskError(`Mask is longer than ${MAX_MASK_LENGTH} characters`);
  }
  const percents = mask.split('%').length - 1;
  if (percents !== 1) {
    throw new DocumentMaskError(`Mask must contain exactly one %N sequence placeholder, found ${percents}: "${mask}"`);
  }
  const match = /^(.*)%(\d*)(.*)$/.exec(mask);
  const [, prefix = '', digitsText = '', suffix = ''] = match ?? [];
  if (digitsText === '') {
    throw new DocumentMaskError(`"%" must be followed by the number of digits, e.g. %6: "${mask}"`);
  }
  const digits = Number(digitsText);
  if (digitsText.startsWith('0') || digits < MIN_SEQUENCE_DIGITS || digits > MAX_SEQUENCE_DIGITS) {
    throw new DocumentMaskError(
      `The number of digits must be between ${MIN_SEQUENCE_DIGITS} and ${MAX_SEQUENCE_DIGITS}, got %${digitsText}: "${mask}"`,
    );
  }
  if (!AFFIX.test(prefix) || !AFFIX.test(suffix)) {
    throw new DocumentMaskError(`Prefix and suffix may contain only Latin letters, digits, "-" and "_": "${mask}"`);
  }
  return { prefix, digits, suffix };
}

/** The document number for `sequenceValue` (a positive integer, as issued by a DB sequence). */
export function formatDocumentNumber(mask: string | DocumentMask, sequenceValue: number): string {
  const { prefix, digits, suffix } = typeof mask === 'string' ? parseDocumentMask(mask) : mask;
  if (!Number.isSafeInteger(sequenceValue) || sequenceValue < 1) {
    throw new DocumentMaskError(`Sequence value must be a positive integer, got ${sequenceValue}`);
  }
  return `${prefix}${String(sequenceValue).padStart(digits, '0')}${suffix}`;
}

/** Default masks per document kind (operators may change them in system settings). */
export const defaultDocumentMasks = {
  purchase_order: 'SO%6',
  renewal_order: 'RN%6',
  prolongation_order: 'PR%6',
  resource_change_order: 'CH%6',
  plan_switch_order: 'SW%6',
  payment: 'P%6',
  promised_payment: 'GP%6',
  act: 'A%6',
  /** The order invoice attached to the "Order created" e-mail (spec 01 §16.11). */
  invoice: 'INV%6',
} as const satisfies Record<string, string>;

export type DocumentKind = keyof typeof defaultDocumentMasks;

export const documentKinds = Object.keys(defaultDocumentMasks) as DocumentKind[];
