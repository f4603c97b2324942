import ExcelJS from 'exceljs';
import type { CsvCell } from './csv';

/**
 * A one-sheet Excel workbook of a report (spec 05 §9.2: reports go to the requester as Excel), the same header and
 * rows the CSV export writes. ExcelJS (MIT, maintained, pure JavaScript) writes the OOXML: a zip of XML parts is not
 * something to hand-roll. Numbers stay numbers; every text cell is written as a string value, so a spreadsheet never
 * reads one as a formula (Excel evaluates only cells stored as formulas).
 */
export async function xlsxDocument(sheetName: string, header: readonly string[], rows: ReadonlyArray<readonly CsvCell[]>): Promise<Uint8Array> {
  const workbook = new ExcelJS.Workbook();
  // Fixed dates: the same report reads the same way whenever it is exported.
  workbook.created = new Date(0);
  workbook.modified = new Date(0);
  const sheet = workbook.addWorksheet(sheetName.slice(0, 31));
  sheet.addRow([...header]).font = { bold: true };
  for (const row of rows) sheet.addRow(row.map((c) => (c === null || c === undefined ? null : c)));
  sheet.views = [{ state: 'frozen', ySplit: 1 }];
  return new Uint8Array(await workbook.xlsx.writeBuffer());
}
