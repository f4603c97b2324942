import { describe, expect, it } from 'vitest';
import { bodyLimitFor, DEFAULT_BODY_LIMIT, jsonDepthExceeds, TEMPLATE_BODY_LIMIT, UNAUTHENTICATED_BODY_LIMIT } from './body-limits';

const bytes = (text: string) => Buffer.from(text, 'utf8');

describe('jsonDepthExceeds', () => {
  it('counts nested objects and arrays', () => {
    expect(jsonDepthExceeds(bytes('{"a":[{"b":1}]}'), 3)).toBe(false);
    expect(jsonDepthExceeds(bytes('{"a":[{"b":[1]}]}'), 3)).toBe(true);
    expect(jsonDepthExceeds(bytes(`${'['.repeat(65)}${']'.repeat(65)}`), 64)).toBe(true);
    expect(jsonDepthExceeds(bytes(`${'['.repeat(64)}${']'.repeat(64)}`), 64)).toBe(false);
  });

  it('skips brackets inside strings, escaped quotes included, and in multi-byte text', () => {
    expect(jsonDepthExceeds(bytes(JSON.stringify({ note: '[[[[{{{{', quote: 'say \\"[[[["', word: 'жж[[[' })), 1)).toBe(false);
    expect(jsonDepthExceeds(bytes('["\\\\", [[1]]]'), 2)).toBe(true);
  });
});

describe('bodyLimitFor', () => {
  it('gives anyone-may-call routes less, notification templates more, and the rest the default', () => {
    expect(bodyLimitFor('/login')).toBe(UNAUTHENTICATED_BODY_LIMIT);
    expect(bodyLimitFor('/licensing/v1/activations')).toBe(UNAUTHENTICATED_BODY_LIMIT);
    expect(bodyLimitFor('/api/v1/notification-templates/3')).toBe(TEMPLATE_BODY_LIMIT);
    expect(bodyLimitFor('/notification-templates/3')).toBe(TEMPLATE_BODY_LIMIT);
    expect(bodyLimitFor('/api/v1/notification-templates-x')).toBe(DEFAULT_BODY_LIMIT);
    expect(bodyLimitFor('/api/v1/orders')).toBe(DEFAULT_BODY_LIMIT);
  });
});
