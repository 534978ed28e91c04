/**
 * Reader for cryptofeed's raw data files (bmoscon/cryptofeed `raw_data_collection` / sample_data): plain
 * text, one event a line, receive time in float seconds since epoch:
 * ```
 * <ws-url> <-> <ts>               connection opened                (skipped; starts a new connection id)
 * <ws-url> <- <ts>: <json>        frame we sent (subscription)      (skipped: not a received frame)
 * <ts>: <raw frame>               frame received on that connection → kind `ws`
 * <http-url> -> <ts>: <body>      REST response                     → kind `rest`, `url` = <http-url>
 * configuration: <json>           feed configuration (metadata)     (skipped)
 * ```
 * File names: `<FEED>.ws.<N>.0` is one WebSocket connection, `<FEED>.http.<N>.0` its REST snapshots,
 * `<FEED>.0` instrument metadata. The venue comes from `<FEED>` (see cryptofeedVenue). The reader is
 * venue-agnostic: it does not look inside frames.
 *
 * The older single-file layout (`<FEED>-<hash>.0`) starts with the `configuration:` line and holds every
 * connection of the capture in one file, in the same line forms; its venue is named by the URLs inside
 * (cryptofeedVenueFromLines), else by the name's `<FEED>`. A received line names no connection: it
 * belongs to the connection opened last (the captures at hand hold one WebSocket connection each).
 */
import type { RecordedFrame } from './types.ts';
import { FileLines } from './lines.ts';
import { baseName, type ReaderStats } from './stats.ts';

/** cryptofeed feed ids (file name prefixes) → depthwatch venue ids. */
export const CRYPTOFEED_VENUES: Readonly<Record<string, string>> = {
  BINANCE: 'binance',
  BINANCE_US: 'binance-us',
  BINANCE_FUTURES: 'binance-usdm',
  BINANCE_DELIVERY: 'binance-coinm',
  OKX: 'okx',
  OKEX: 'okx',
  KRAKEN: 'kraken',
  COINBASE: 'coinbase',
  BYBIT: 'bybit-linear',
};

/** Parts of a cryptofeed file name: `<FEED>.ws.<N>.0`, `<FEED>.http.<N>.0` or `<FEED>.0`. */
export interface CryptofeedName {
  feed: string;
  /** `ws`, `http`, or `meta` for `<FEED>.0`. */
  kind: 'ws' | 'http' | 'meta';
  /** Connection number N (NaN for metadata files). */
  n: number;
}

/**
 * WebSocket and REST hosts → depthwatch venue ids, for captures whose name does not tell the venue (the
 * older single-file layout, `<VENUE>-<hash>.0`, or a renamed file). Matched on the host name.
 */
export const VENUE_HOSTS: ReadonlyArray<readonly [RegExp, string]> = [
  [/(^|\.)binance\.us$/, 'binance-us'],
  [/^(fstream|fapi)\.binance\.com$/, 'binance-usdm'],
  [/^(dstream|dapi)\.binance\.com$/, 'binance-coinm'],
  [/(^|\.)binance\.com$/, 'binance'],
  [/^futures\.kraken\.com$/, 'kraken-futures'],
  [/(^|\.)kraken\.com$/, 'kraken'],
  [/(^|\.)(okx|okex)\.com$/, 'okx'],
  [/(^|\.)coinbase\.com$/, 'coinbase'],
  [/(^|\.)bybit\.com$/, 'bybit-linear'],
  [/(^|\.)bitfinex\.com$/, 'bitfinex'],
  [/(^|\.)bitstamp\.net$/, 'bitstamp'],
  [/(^|\.)gemini\.com$/, 'gemini'],
  [/(^|\.)bitmex\.com$/, 'bitmex'],
  [/(^|\.)deribit\.com$/, 'deribit'],
  [/(^|\.)bitget\.com$/, 'bitget'],
  [/^api-futures\.kucoin\.com$/, 'kucoin-futures'],
  [/(^|\.)kucoin\.com$/, 'kucoin'],
  [/^fx-(ws|api)[.-]/, 'gateio-futures'],
  [/(^|\.)(gateio\.ws|gate\.io)$/, 'gateio'],
  [/(^|\.)hyperliquid\.xyz$/, 'hyperliquid'],
];

/** The venue a WebSocket or REST URL belongs to (see VENUE_HOSTS), or undefined. */
export function venueOfUrl(url: string): string | undefined {
  let host: string;
  try {
    host = new URL(url).hostname;
  } catch {
    return undefined;
  }
  for (const [re, venue] of VENUE_HOSTS) if (re.test(host)) return venue;
  return undefined;
}

/**
 * The venue named by the URLs in a cryptofeed capture's first lines (`<url> <-> ts`, `<url> <- ts:`,
 * `<url> -> ts:` lines): the venue of the first URL that names one, or undefined.
 */
export function cryptofeedVenueFromLines(lines: readonly string[]): string | undefined {
  for (const line of lines) {
    const m = /^([a-z]+:\/\/\S+) (<->|<-|->) /.exec(line);
    if (!m) continue;
    const v = venueOfUrl(m[1]!);
    if (v !== undefined) return v;
  }
  return undefined;
}

/** The feed id of an older single-file capture name (`KRAKEN-4b7396.0` → `KRAKEN`), or null. */
export function parseSingleFileName(path: string): string | null {
  return /^([A-Z][A-Z0-9_]*)-[0-9a-f]+\.\d+$/.exec(baseName(path))?.[1] ?? null;
}

/** Parse a cryptofeed file name; null when the name does not follow the convention. */
export function parseCryptofeedName(path: string): CryptofeedName | null {
  const b = baseName(path);
  let m = /^([A-Z][A-Z0-9_]*)\.(ws|http)\.(\d+)\.\d+$/.exec(b);
  if (m) return { feed: m[1]!, kind: m[2] as 'ws' | 'http', n: Number(m[3]) };
  m = /^([A-Z][A-Z0-9_]*)\.\d+$/.exec(b);
  if (m) return { feed: m[1]!, kind: 'meta', n: NaN };
  return null;
}

/**
 * The depthwatch venue of a cryptofeed feed id: the known ones from CRYPTOFEED_VENUES, otherwise the
 * feed id lower-cased with `_` → `-` (`KRAKEN_FUTURES` → `kraken-futures`), so new venues need no change here.
 */
export function cryptofeedVenue(feed: string): string {
  return CRYPTOFEED_VENUES[feed] ?? feed.toLowerCase().replace(/_/g, '-');
}

const TS = /^\d+(\.\d+)?$/;

/**
 * Seconds (decimal text, e.g. `1626992741.081672`) → ms since epoch, rounded once (the decimal point is
 * moved in the text, so `…741.081672` gives exactly the double nearest `…741081.672`).
 */
export function secondsTextToMs(ts: string): number {
  const dot = ts.indexOf('.');
  if (dot === -1) return Number(ts) * 1000;
  const frac = ts.slice(dot + 1).padEnd(3, '0');
  return Number(`${ts.slice(0, dot)}${frac.slice(0, 3)}.${frac.slice(3) || '0'}`);
}

/** True when a line looks like a cryptofeed raw line (any of the five shapes). */
export function looksLikeCryptofeed(line: string): boolean {
  return (
    /^\d+(\.\d+)?: /.test(line) ||
    /^\S+ (<->|<-|->) \d+(\.\d+)?(:|$)/.test(line) ||
    line.startsWith('configuration: ')
  );
}

/**
 * Frames of one cryptofeed raw file.
 * @param path the file (plain text or gzip)
 * @param gzip whether the file is gzip-compressed
 * @param connection base connection id (the file name without its trailing `.0`); the k-th reconnect
 *   within the file (k ≥ 2) gets `#k` appended, so a parser never spans two connections
 * @param venue venue id stamped on every frame, when known
 */
export async function* readCryptofeed(
  path: string,
  gzip: boolean,
  connection: string,
  venue: string | undefined,
  stats: ReaderStats,
  onFile: (lines: FileLines) => void = () => {},
): AsyncGenerator<RecordedFrame> {
  const lines = new FileLines(path, gzip);
  onFile(lines);
  let opens = 0;
  let conn = connection;
  for await (const line of lines) {
    stats.lines++;
    if (line.length === 0 || line.startsWith('configuration: ')) {
      stats.skipped++;
      continue;
    }
    const c0 = line.charCodeAt(0);
    if (c0 >= 48 && c0 <= 57) {
      // <ts>: <raw frame>
      const i = line.indexOf(': ');
      const ts = i > 0 ? line.slice(0, i) : '';
      if (!TS.test(ts) || line.length === i + 2) {
        stats.malformed++;
        continue;
      }
      const f: RecordedFrame = {
        localTs: secondsTextToMs(ts),
        kind: 'ws',
        connection: conn,
        text: line.slice(i + 2),
      };
      if (venue !== undefined) f.venue = venue;
      stats.frames++;
      yield f;
      continue;
    }
    // <url> <op> <ts>[: <payload>]
    const s1 = line.indexOf(' ');
    const s2 = s1 > 0 ? line.indexOf(' ', s1 + 1) : -1;
    if (s2 < 0) {
      stats.malformed++;
      continue;
    }
    const url = line.slice(0, s1);
    const op = line.slice(s1 + 1, s2);
    const rest = line.slice(s2 + 1);
    if (op === '<->') {
      if (!TS.test(rest)) {
        stats.malformed++;
        continue;
      }
      opens++;
      conn = opens <= 1 ? connection : `${connection}#${opens}`;
      stats.skipped++;
      continue;
    }
    const i = rest.indexOf(': ');
    const ts = i > 0 ? rest.slice(0, i) : '';
    if ((op !== '<-' && op !== '->') || !TS.test(ts)) {
      stats.malformed++;
      continue;
    }
    if (op === '<-') {
      stats.skipped++;
      continue;
    }
    const f: RecordedFrame = {
      localTs: secondsTextToMs(ts),
      kind: 'rest',
      connection: conn,
      url,
      text: rest.slice(i + 2),
    };
    if (venue !== undefined) f.venue = venue;
    stats.frames++;
    yield f;
  }
  if (lines.truncated) stats.truncatedFiles++;
}
