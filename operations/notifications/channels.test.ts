import { describe, expect, it } from 'vitest';
import { transportUrl } from './channels';

describe('SMTP transport settings', () => {
  it('adds the pool and the timeouts as URL options, keeps what the URL sets and its credentials', () => {
    const url = transportUrl('smtp://us%40er:p%3Ass@mail.example.com:2525?socketTimeout=30000&tls.rejectUnauthorized=false');
    const parsed = new URL(url);
    expect(parsed.username).toBe('us%40er');
    expect(parsed.password).toBe('p%3Ass');
    expect(parsed.host).toBe('mail.example.com:2525');
    expect(Object.fromEntries(parsed.searchParams)).toEqual({
      socketTimeout: '30000',
      'tls.rejectUnauthorized': 'false',
      pool: 'true',
      maxConnections: '10',
      maxMessages: '500',
      connectionTimeout: '5000',
      greetingTimeout: '5000',
    });
  });
});
