import { describe, expect, it } from 'vitest';
import { localPath } from './local-path';

describe('localPath: where the UI may send a browser back to', () => {
  it.each([
    ['/', '/'],
    ['/orders?f.status=completed&sort=id', '/orders?f.status=completed&sort=id'],
    ['/scenarios/order-12#step-3', '/scenarios/order-12#step-3'],
    ['/orders/../clients', '/clients'],
    ['/a b', '/a%20b'],
    ['/%09/evil.example', '/%09/evil.example'],
  ])('keeps a path of this site: %j → %j', (value, expected) => {
    expect(localPath(value)).toBe(expected);
  });

  it.each([
    '//evil.example',
    '/\t/evil.example',
    '/\n/evil.example',
    '/\r\nSet-Cookie: a=b',
    '/\u000b/evil.example',
    '/\\evil.example',
    '\\/evil.example',
    '/.//evil.example',
    '/./\\evil.example',
    '/%2e//evil.example',
    'https://evil.example/',
    'http:evil.example',
    'javascript:alert(1)',
    ' /evil.example',
    'evil.example',
    '',
    `/${'x'.repeat(2001)}`,
    '/ok\u0000',
  ])('refuses what leads off the site or cannot be a header: %j', (value) => {
    expect(localPath(value)).toBeNull();
  });

  it('refuses what is not a string', () => {
    expect(localPath(undefined)).toBeNull();
    expect(localPath(['/orders'])).toBeNull();
  });
});
