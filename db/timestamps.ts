/**
 * One format for every point in time the platform hands out: ISO 8601 in UTC with `Z`
 * (`2027-01-06T05:24:07.436Z`), in API answers, CSV exports and pages alike.
 *
 * Why here: drizzle turns off the driver's parsing of `timestamptz` for the whole connection (it reads the
 * text itself), so every raw query answered PostgreSQL's text form (`2027-01-06 05:24:07.436+00`) while the
 * routes that mapped their rows answered ISO 8601. Parsing the column type once, on the connection, covers
 * every query, present and future. The fraction keeps PostgreSQL's precision (up to microseconds), so a value
 * read and written back still names the same instant.
 */

/** The `timestamptz` type's OID: the key of its parser on the `postgres` connection. */
export const TIMESTAMPTZ_OID = 1184;

const textForm = /^(\d{4,})-(\d\d)-(\d\d) (\d\d):(\d\d):(\d\d)(\.\d+)?([+-])(\d\d)(?::?(\d\d))?(?::?(\d\d))?$/;

/** PostgreSQL's text form of a `timestamptz` as ISO 8601 in UTC with `Z`; `infinity` and BC dates as they came. */
export function isoTimestamp(text: string): string {
  const m = textForm.exec(text);
  if (!m) return text;
  const [, year, month, day, hour, minute, second, fraction = '', sign, oh, om = '0', os = '0'] = m;
  const offsetSeconds = (sign === '-' ? -1 : 1) * (Number(oh) * 3600 + Number(om) * 60 + Number(os));
  if (offsetSeconds === 0) return `${year}-${month}-${day}T${hour}:${minute}:${second}${fraction}Z`;
  // The session's time zone is not UTC: move the wall-clock time by its offset (whole seconds; the fraction stays).
  const local = Date.UTC(Number(year), Number(month) - 1, Number(day), Number(hour), Number(minute), Number(second));
  const utc = new Date(local - offsetSeconds * 1000).toISOString().slice(0, 19);
  return `${utc}${fraction}Z`;
}
