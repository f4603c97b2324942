/**
 * Text that PostgreSQL can store as sent: no NUL character (`text` and `jsonb` refuse it) and no unpaired UTF-16
 * surrogate (it is not Unicode, has no UTF-8 form, and `jsonb` refuses its escape). Inputs are checked against
 * this where they arrive, so such text is a validation error and never reaches a query half-way through a write.
 */
const unpairedSurrogate = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

export const isStorableText = (value: string): boolean => !value.includes('\u0000') && !unpairedSurrogate.test(value);

export const storableTextMessage = 'must not contain NUL characters or unpaired surrogates';
