/**
 * Reader for hftbacktest's Binance collector files (nkaz001/hftbacktest `collector`): gzip text, one frame
 * per line, `<local receive time, ns since epoch> <raw JSON exactly as received>`.
 *
 * - Frames are Binance combined-stream envelopes `{"stream":"btcusdt@depth@100ms","data":{...}}` → kind `ws`.
 * - The REST depth snapshot the collector fetched after subscribing is a line whose JSON starts
 *   `{"lastUpdateId"` → kind `rest` (no URL: the instrument is the single symbol of the file's ws frames).
 * - A connection is split into one file per UTC day (`btcusdt_20240808.gz`, `btcusdt_20240809.gz`): the
 *   files of one connection, passed together, are read in name (= date) order as one stream with one
 *   connection id (the file name without the `_YYYYMMDD.gz` suffix).
 * - Malformed lines (no separator, non-numeric timestamp, empty frame) are counted and skipped.
 */
import type { RecordedFrame } from './types.ts';
import { FileLines } from './lines.ts';
import { baseName, type ReaderStats } from './stats.ts';

/** The connection id of an hftbacktest file: its base name without the date suffix and extension. */
export function hftbacktestConnection(path: string): string {
  return baseName(path)
    .replace(/\.gz$/, '')
    .replace(/_\d{8}$/, '');
}

/** True when a line looks like an hftbacktest line (`<digits> <json>`). */
export function looksLikeHftbacktest(line: string): boolean {
  return /^\d{13,20} [[{]/.test(line);
}

/**
 * Convert a nanosecond timestamp string to ms since epoch (fractional), exactly up to float precision
 * (a plain `Number()` of 19 digits would lose the sub-µs part).
 * @returns NaN when the text is not all digits
 */
export function nsToMs(ns: string): number {
  if (!/^\d+$/.test(ns)) return NaN;
  if (ns.length <= 6) return Number(ns) / 1e6;
  return Number(ns.slice(0, -6)) + Number(ns.slice(-6)) / 1e6;
}

/**
 * Guess the venue of hftbacktest frames from their content: Hyperliquid frames are `{"channel":"l2Book"|
 * "trades",...}` (hftbacktest's Hyperliquid collector); for Binance, a diff with `pu` is futures, and a
 * futures diff with `ps` (pair) is COIN-M; a diff without `pu` is spot. Falls back to path hints
 * (`/spot/`, `/usdm/`, `/cm/`, `hyperliquid`...).
 * @param lines the first lines of the file
 * @returns the venue id, or undefined when neither content nor path tells
 */
export function guessHftbacktestVenue(path: string, lines: readonly string[]): string | undefined {
  for (const line of lines) {
    if (/^\d+ \{"channel":"(l2Book|trades)"/.test(line)) return 'hyperliquid';
    if (!line.includes('"depthUpdate"')) continue;
    if (!line.includes('"pu":')) return 'binance';
    return line.includes('"ps":') ? 'binance-coinm' : 'binance-usdm';
  }
  const p = path.toLowerCase();
  if (p.includes('hyperliquid')) return 'hyperliquid';
  if (/(^|\/)(spot)(\/|_)/.test(p)) return 'binance';
  if (/(^|\/)(usdm|um|futures|fapi)(\/|_)/.test(p)) return 'binance-usdm';
  if (/(^|\/)(cm|coinm|delivery|dapi)(\/|_)/.test(p)) return 'binance-coinm';
  return undefined;
}

/**
 * Frames of one hftbacktest connection (its day files, read in the order given).
 * @param files the connection's files, already sorted (oldest first)
 * @param connection connection id stamped on every frame
 * @param venue venue id stamped on every frame, when known
 * @param stats counters updated while reading
 * @param onFile called with each file's line source as it is opened (for bytes-read progress)
 */
export async function* readHftbacktest(
  files: readonly string[],
  connection: string,
  venue: string | undefined,
  stats: ReaderStats,
  onFile: (lines: FileLines) => void = () => {},
): AsyncGenerator<RecordedFrame> {
  for (const path of files) {
    const lines = new FileLines(path, true);
    onFile(lines);
    for await (const line of lines) {
      stats.lines++;
      if (line.length === 0) {
        stats.skipped++;
        continue;
      }
      const sp = line.indexOf(' ');
      const localTs = sp > 0 ? nsToMs(line.slice(0, sp)) : NaN;
      const text = sp > 0 ? line.slice(sp + 1) : '';
      if (!Number.isFinite(localTs) || text.length === 0) {
        stats.malformed++;
        continue;
      }
      const kind = text.startsWith('{"lastUpdateId"') ? 'rest' : 'ws';
      const f: RecordedFrame = { localTs, kind, connection, text };
      if (venue !== undefined) f.venue = venue;
      stats.frames++;
      yield f;
    }
    if (lines.truncated) stats.truncatedFiles++;
  }
}
