/**
 * Time, in one place: the parser of user-given times (CLI `--from/--to`, API `from`/`to`/`at`, config),
 * and time-zone arithmetic with the platform's IANA database (Intl, no dependency) for venues whose
 * times are local wall-clock times (LOBSTER: New York; SSI: Ho Chi Minh City), daylight saving included.
 *
 * User-given times: integer or decimal ms since epoch UTC (`1723075200000`), or an ISO 8601 date or
 * date-time. A date-time without a zone is read as **UTC** (never the machine's local zone, so the same
 * text means the same instant on every machine, from the CLI and the API alike); a date alone is
 * midnight UTC.
 */
const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
    formatters.set(timeZone, f);
  }
  return f;
}

/**
 * Offset of `timeZone` from UTC at the instant `utcMs`, in ms (local = UTC + offset; New York in summer
 * -14,400,000). Whole seconds (every IANA offset since 1972 is).
 * @throws {RangeError} for an unknown time zone
 */
export function timeZoneOffsetMs(utcMs: number, timeZone: string): number {
  const parts = formatter(timeZone).formatToParts(new Date(Math.floor(utcMs / 1000) * 1000));
  const get = (t: Intl.DateTimeFormatPartTypes): number => Number(parts.find((p) => p.type === t)!.value);
  const local = Date.UTC(
    get('year'),
    get('month') - 1,
    get('day'),
    get('hour'),
    get('minute'),
    get('second'),
  );
  return local - Math.floor(utcMs / 1000) * 1000;
}

const DAY_MS = 86_400_000;

/**
 * The UTC instant of a local wall-clock time: `date` (`YYYY-MM-DD`) plus `msOfDay` ms after local
 * midnight, in `timeZone` (e.g. `America/New_York`). The offset is the one in force at that local time
 * (EST -5 h in winter, EDT -4 h in summer). A local time the DST fall-back repeats gives the earlier
 * instant; one inside the hour a spring-forward skips is read with the offset in force before it.
 * @returns ms since epoch UTC (a fractional `msOfDay` is kept)
 * @throws {RangeError} for a malformed date or an unknown time zone
 */
export function zonedTimeToUtcMs(date: string, msOfDay: number, timeZone: string): number {
  return zonedDay(date, timeZone)(msOfDay);
}

/**
 * A converter for many times of one local date (as zonedTimeToUtcMs): when no offset change is near
 * that date it is one subtraction per call, otherwise each call resolves the offset.
 * @throws {RangeError} for a malformed date or an unknown time zone
 */
export function zonedDay(date: string, timeZone: string): (msOfDay: number) => number {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(date);
  const midnight = m ? Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])) : NaN;
  if (!m || Number.isNaN(midnight) || new Date(midnight).toISOString().slice(0, 10) !== date)
    throw new RangeError(`date must be a valid YYYY-MM-DD, got "${date}"`);
  const before = timeZoneOffsetMs(midnight - DAY_MS, timeZone);
  const after = timeZoneOffsetMs(midnight + 2 * DAY_MS, timeZone);
  if (before === after) return (ms) => midnight + ms - before;
  return (ms) => {
    const wall = midnight + ms;
    const a = wall - before;
    const b = wall - after;
    const aValid = timeZoneOffsetMs(a, timeZone) === before;
    const bValid = timeZoneOffsetMs(b, timeZone) === after;
    if (aValid && bValid) return Math.min(a, b);
    if (aValid) return a;
    if (bValid) return b;
    return a; // skipped by a spring-forward: the offset in force before the change
  };
}

const MS = /^-?\d+(\.\d+)?$/;
const ISO = /^(\d{4}-\d{2}-\d{2})(?:[T ](\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?))?\s*(Z|z|[+-]\d{2}:?\d{2})?$/;

/**
 * Parse a time given by a user.
 * @returns ms since epoch UTC, or NaN when the text is neither ms nor an ISO 8601 date(-time)
 */
export function parseUtcTime(text: string): number {
  const s = text.trim();
  if (s === '') return NaN;
  if (MS.test(s)) return Number(s);
  const m = ISO.exec(s);
  if (!m) return NaN;
  const zone =
    m[3] === undefined
      ? 'Z'
      : m[3] === 'z'
        ? 'Z'
        : m[3].length === 5
          ? `${m[3].slice(0, 3)}:${m[3].slice(3)}`
          : m[3];
  return Date.parse(`${m[1]}T${m[2] ?? '00:00'}${m[2] && m[2].length === 5 ? ':00' : ''}${zone}`);
}

/**
 * An exchange time further than this from its receive time (ms, either sign) means the two clocks are not
 * both live: recorded data replayed now (the simulator, demo). Such a gap is reported as "not
 * applicable", never as latency (pipeline/latency.ts, the dashboard's System view).
 */
export const RECORDED_CLOCK_LIMIT_MS = 60_000;
