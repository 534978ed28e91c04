/**
 * Shared helpers for the venues' reference data (`VenueAdapter.reference`, src/feeds/types.ts): reading
 * an instrument-list body into {@link InstrumentSpec}s the same way on every venue.
 *
 * How a venue implements its reference (feeds/<venue>/instruments.ts; okx, binance, kraken are models):
 * 1. `requests(restBase)`: the instrument-list GETs with their weights, built with {@link joinUrl};
 * 2. `matches(url)`: {@link pathMatcher} over those paths, so the live URL, a recorded one (cryptofeed
 *    `X.0`, any host) and the simulator's loopback URL all match;
 * 3. `parse(body, url, source, onSkip)`: {@link parseJsonBody}, the envelope checks (a venue error body
 *    throws MalformedFrameError), then {@link mapEntries} over the list, one entry → one spec by
 *    `makeSpec` (src/core/instrument.ts), reading fields with {@link text} / {@link decimalText} /
 *    {@link optText}; an entry whose fields are unusable is skipped and told to `onSkip` (never a crash,
 *    never a guessed spec), a body that is not the list at all throws.
 * Increments are stored as {@link trimZeros}ed decimal strings (`"0.01000000"` → `"0.01"`: the same
 * value, so the spec's precisions are the increments' real decimals).
 */
import { MalformedFrameError } from '../core/errors.ts';
import type { InstrumentSpec } from '../core/instrument.ts';

/**
 * JSON of a reference body.
 * @throws {MalformedFrameError} `malformed_json` when it is not JSON
 */
export function parseJsonBody(body: string, what: string): unknown {
  try {
    return JSON.parse(body) as unknown;
  } catch {
    throw new MalformedFrameError('malformed_json', `${what} body is not JSON`);
  }
}

/** @throws {MalformedFrameError} `invalid_field` when `v` is not a plain object */
export function asObject(v: unknown, what: string): Record<string, unknown> {
  if (v === null || typeof v !== 'object' || Array.isArray(v))
    throw new MalformedFrameError('invalid_field', `${what} must be an object`);
  return v as Record<string, unknown>;
}

/** @throws {MalformedFrameError} `invalid_field` when `v` is not an array */
export function asArray(v: unknown, what: string): unknown[] {
  if (!Array.isArray(v)) throw new MalformedFrameError('invalid_field', `${what} must be an array`);
  return v;
}

/**
 * A required non-empty string field.
 * @throws {MalformedFrameError} `invalid_field` when absent, empty or not a string
 */
export function text(o: Record<string, unknown>, key: string): string {
  const v = o[key];
  if (typeof v !== 'string' || v === '')
    throw new MalformedFrameError('invalid_field', `field ${key} must be a non-empty string`);
  return v;
}

/** An optional string field: its value when a non-empty string, else undefined. */
export function optText(o: Record<string, unknown>, key: string): string | undefined {
  const v = o[key];
  return typeof v === 'string' && v !== '' ? v : undefined;
}

/**
 * A finite number as a plain decimal string without exponent, exactly as JavaScript's shortest round-trip
 * representation (`1e-8` → `"0.00000001"`, `0.05` → `"0.05"`, `100` → `"100"`).
 */
export function numberToDecimal(n: number): string {
  const s = String(n);
  const m = /^(-?)(\d)(?:\.(\d+))?e([+-]\d+)$/.exec(s);
  if (!m) return s;
  const [, sign, lead, frac = '', expText] = m;
  const exp = Number(expText);
  const digits = lead! + frac;
  if (exp < 0) return `${sign}0.${'0'.repeat(-exp - 1)}${digits}`;
  const intLen = 1 + exp;
  return digits.length <= intLen
    ? `${sign}${digits}${'0'.repeat(intLen - digits.length)}`
    : `${sign}${digits.slice(0, intLen)}.${digits.slice(intLen)}`;
}

/** Trailing zeros of a decimal's fraction removed (`"0.01000000"` → `"0.01"`, `"1.000"` → `"1"`). */
export function trimZeros(s: string): string {
  if (!s.includes('.')) return s;
  const t = s.replace(/0+$/, '');
  return t.endsWith('.') ? t.slice(0, -1) : t;
}

/**
 * A decimal field sent as a string or (legacy APIs) a JSON number, as a trimmed decimal string.
 * @throws {MalformedFrameError} `invalid_field` when it is neither a decimal string nor a finite number
 */
export function decimalText(v: unknown, what: string): string {
  let s: string;
  if (typeof v === 'number' && Number.isFinite(v)) s = numberToDecimal(v);
  else if (typeof v === 'string' && /^\d+(\.\d+)?$/.test(v)) s = v;
  else throw new MalformedFrameError('invalid_field', `${what} must be a decimal, got ${JSON.stringify(v)}`);
  return trimZeros(s);
}

/** The increment of `decimals` decimals (`2` → `"0.01"`, `0` → `"1"`). @throws {RangeError} when negative */
export function stepOfDecimals(decimals: number): string {
  if (!Number.isInteger(decimals) || decimals < 0)
    throw new RangeError(`decimals must be >= 0, got ${decimals}`);
  return decimals === 0 ? '1' : `0.${'0'.repeat(decimals - 1)}1`;
}

/** `base` (scheme and host, optional trailing slash) joined with `path` (`/...`, query allowed). */
export function joinUrl(base: string, path: string): string {
  return `${base.replace(/\/+$/, '')}${path}`;
}

/**
 * A URL matcher on the request path (host and query ignored), so live, recorded and simulator URLs of the
 * same endpoint match: `pathMatcher('/api/v3/exchangeInfo')`.
 */
export function pathMatcher(...paths: string[]): (url: string) => boolean {
  const set = new Set(paths.map((p) => p.replace(/\/+$/, '')));
  return (url) => {
    let path: string;
    try {
      path = new URL(url, 'http://x').pathname;
    } catch {
      return false;
    }
    return set.has(path.replace(/\/+$/, ''));
  };
}

/**
 * Map list entries to specs: `fn` returns the entry's spec(s), or null for an entry that is not an
 * instrument to list (e.g. a Kraken dark-pool pair). An entry `fn` throws a MalformedFrameError or
 * RangeError for is skipped and told to `onSkip` with the reason; other errors propagate (bugs).
 */
export function mapEntries(
  list: readonly unknown[],
  fn: (entry: Record<string, unknown>) => InstrumentSpec | readonly InstrumentSpec[] | null,
  onSkip: ((reason: string) => void) | undefined,
): InstrumentSpec[] {
  const out: InstrumentSpec[] = [];
  for (const e of list) {
    try {
      const r = fn(asObject(e, 'instrument entry'));
      if (r === null) continue;
      if (Array.isArray(r)) out.push(...(r as readonly InstrumentSpec[]));
      else out.push(r as InstrumentSpec);
    } catch (err) {
      if (!(err instanceof MalformedFrameError) && !(err instanceof RangeError)) throw err;
      const name = e !== null && typeof e === 'object' ? JSON.stringify(e).slice(0, 80) : String(e);
      onSkip?.(`${err.message} (${name})`);
    }
  }
  return out;
}

/**
 * A positive finite number from a decimal string or number (contract sizes, multipliers).
 * @throws {MalformedFrameError} `invalid_field` otherwise
 */
export function positive(v: unknown, what: string): number {
  const n = typeof v === 'number' ? v : typeof v === 'string' && v !== '' ? Number(v) : NaN;
  if (!(n > 0) || !Number.isFinite(n))
    throw new MalformedFrameError(
      'invalid_field',
      `${what} must be a positive number, got ${JSON.stringify(v)}`,
    );
  return n;
}

/** ms since epoch of a time field sent as an integer or an integer string; null when absent, empty or 0. */
export function optEpochMs(v: unknown): number | null {
  const n = typeof v === 'number' ? v : typeof v === 'string' && /^\d+$/.test(v) ? Number(v) : NaN;
  return Number.isFinite(n) && n > 0 ? n : null;
}
