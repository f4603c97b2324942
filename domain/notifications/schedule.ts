/**
 * Sending hours (spec 03 §5.1 queue_hour): a notification of a handler with a sending hour is held until
 * the next time the clock shows that hour in the platform's time zone. Inside that hour it goes at once;
 * after it, it waits for the same hour the next day.
 */

/** The wall-clock parts of an instant in a time zone. */
function zonedParts(instant: Date, timeZone: string) {
  const parts = new Intl.DateTimeFormat('en-US', {
    timeZone,
    hourCycle: 'h23',
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
  }).formatToParts(instant);
  const get = (type: string) => Number(parts.find((p) => p.type === type)!.value);
  return { year: get('year'), month: get('month'), day: get('day'), hour: get('hour'), minute: get('minute'), second: get('second') };
}

/** The time zone's offset from UTC at an instant, in milliseconds. */
function offsetAt(instant: Date, timeZone: string): number {
  const p = zonedParts(instant, timeZone);
  return Date.UTC(p.year, p.month - 1, p.day, p.hour, p.minute, p.second) - Math.floor(instant.getTime() / 1000) * 1000;
}

/** The instant when the wall clock in `timeZone` shows `hour`:00 on the given local day. */
function zonedInstant(year: number, month: number, day: number, hour: number, timeZone: string): Date {
  const guess = Date.UTC(year, month - 1, day, hour);
  let instant = guess - offsetAt(new Date(guess), timeZone);
  // Across a daylight-saving change the offset at the result may differ from the guess's: correct once.
  instant = guess - offsetAt(new Date(instant), timeZone);
  return new Date(instant);
}

export function holdUntil(now: Date, sendHour: number | null, timeZone: string): Date {
  if (sendHour === null) return now;
  if (!Number.isInteger(sendHour) || sendHour < 0 || sendHour > 23) throw new RangeError(`a sending hour is 0-23, got ${sendHour}`);
  const local = zonedParts(now, timeZone);
  if (local.hour === sendHour) return now;
  const today = zonedInstant(local.year, local.month, local.day, sendHour, timeZone);
  if (today.getTime() > now.getTime()) return today;
  const tomorrow = new Date(Date.UTC(local.year, local.month - 1, local.day + 1));
  return zonedInstant(tomorrow.getUTCFullYear(), tomorrow.getUTCMonth() + 1, tomorrow.getUTCDate(), sendHour, timeZone);
}
