/**
 * The one CSV cell every export writes (RFC 4180 quoting). A spreadsheet runs a cell that starts with = + - @
 * as a formula (and TAB or CR can hide such a start), so those cells are prefixed with an apostrophe, the
 * spreadsheet's own "this is text" mark; a cell that is a plain number ("-42", "+7", "-1.50") stays a number.
 */
export function csvCell(value: string): string {
  const safe = startsFormula(value) && !isPlainNumber(value) ? `'${value}` : value;
  return /[",\n\r]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}

const startsFormula = (value: string) => /^[=+\-@\t\r]/.test(value);
const isPlainNumber = (value: string) => /^[-+]?(\d+(\.\d+)?|\.\d+)$/.test(value);

/** A value of a CSV cell: empty when null. */
export type CsvCell = string | number | null | undefined;

/** A CSV document: a header line and one line per row, every cell through `csvCell`. */
export function csvDocument(header: readonly string[], rows: ReadonlyArray<readonly CsvCell[]>): string {
  const line = (cells: readonly CsvCell[]) => cells.map((c) => csvCell(c === null || c === undefined ? '' : String(c))).join(',');
  return [line(header), ...rows.map(line)].join('\r\n') + '\r\n';
}
