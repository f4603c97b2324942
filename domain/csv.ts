// CSV for report exports (RFC 4180: comma-separated, CRLF lines, a field quoted when it holds a comma, quote or
// line break). A text cell starting with = + - @ is prefixed with ' so that a spreadsheet never runs it as a
// formula (CSV injection); numbers are written as they are.

export type CsvCell = string | number | null | undefined;

function cell(value: CsvCell): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'number') return String(value);
  const safe = /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}

export function toCsv(header: readonly string[], rows: ReadonlyArray<readonly CsvCell[]>): string {
  return [header, ...rows].map((r) => r.map(cell).join(',')).join('\r\n') + '\r\n';
}
