/**
 * The one parser of user-given times (CLI `--from/--to`, API `from`/`to`/`at`, config): integer or
 * decimal ms since epoch UTC (`1723075200000`), or an ISO 8601 date or date-time. A date-time without a
 * zone is read as **UTC** (never the machine's local zone, so the same text means the same instant on
 * every machine, from the CLI and the API alike); a date alone is midnight UTC.
 */

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
