import { describe, expect, it } from 'vitest';
import { csvCell } from './csv';

describe('csvCell', () => {
  it('prefixes every cell that starts with = + - @ TAB or CR with an apostrophe', () => {
    for (const formula of ['=1+1', '+1+2', '-1+1', `-2+3+cmd|' /C calc'!A0`, '@SUM(A1)', '-A1', '\t=1+1', '\r=1+1', '-', '+', '-15.00 EUR']) {
      expect(csvCell(formula).replace(/^"|"$/g, ''), JSON.stringify(formula)).toMatch(/^'/);
    }
  });

  it('leaves plain numbers, signed or not, and ordinary text as they are', () => {
    for (const plain of ['-42', '+7', '-1.50', '.5', '0', '1500', 'Acme Ltd', '2027-01-31', 'a=b']) expect(csvCell(plain)).toBe(plain);
  });

  it('quotes cells holding a quote, a comma or a line break (RFC 4180)', () => {
    expect(csvCell('say "hi"')).toBe('"say ""hi"""');
    expect(csvCell('a,b')).toBe('"a,b"');
    expect(csvCell('=1,2')).toBe(`"'=1,2"`);
    expect(csvCell('\r\n')).toBe(`"'\r\n"`);
  });
});
