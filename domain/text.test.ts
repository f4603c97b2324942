import { describe, expect, it } from 'vitest';
import { isStorableText } from './text';

describe('text PostgreSQL can store as sent', () => {
  it.each(['', 'plain', 'Zoë 🚀 𝕳𝖊𝖑𝖑𝖔 中文 עברית \u202e\u200b', 'tab\tand\nline'])('accepts %j', (value) => {
    expect(isStorableText(value)).toBe(true);
  });

  it.each(['\u0000', 'before\u0000after', 'broken \ud800 pair', 'trailing \udc00', '\udc00\ud800'])('refuses NUL characters and unpaired surrogates: %j', (value) => {
    expect(isStorableText(value)).toBe(false);
  });
});
