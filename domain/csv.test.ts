import { describe, expect, it } from 'vitest';
import { toCsv } from './csv';

describe('CSV exports', () => {
  it('quotes what needs quoting and defuses formulas', () => {
    expect(toCsv(['a', 'b'], [['x,y', 'say "hi"'], [-5, '=SUM(A1)'], [null, 'ok']])).toBe('a,b\r\n"x,y","say ""hi"""\r\n-5,\'=SUM(A1)\r\n,ok\r\n');
  });
});
