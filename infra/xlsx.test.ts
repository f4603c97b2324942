import ExcelJS from 'exceljs';
import { describe, expect, it } from 'vitest';
import { xlsxDocument } from './xlsx';

describe('Excel exports', () => {
  it('write the header and rows of a report, numbers as numbers and formula-looking text as text', async () => {
    const bytes = await xlsxDocument('closed-reseller-charges', ['ID', 'Name', 'Amount'], [[1, '=HYPERLINK("x")', '5.00'], [2, null, 7]]);
    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.load(bytes.buffer as ArrayBuffer);
    const sheet = workbook.getWorksheet('closed-reseller-charges')!;
    expect(sheet.getRow(1).values).toEqual([undefined, 'ID', 'Name', 'Amount']);
    expect(sheet.getCell('B2').value).toBe('=HYPERLINK("x")');
    expect(sheet.getCell('B2').type).toBe(ExcelJS.ValueType.String);
    expect(sheet.getCell('C3').value).toBe(7);
    expect(sheet.getCell('B3').value).toBeNull();
  });

  it('are the same bytes for the same report', async () => {
    const one = await xlsxDocument('r', ['a'], [['x']]);
    const two = await xlsxDocument('r', ['a'], [['x']]);
    expect(Buffer.from(one).equals(Buffer.from(two))).toBe(true);
  });
});
