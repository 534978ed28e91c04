/**
 * Reader for Bybit's public history downloads of v5 order books (`<date>_<SYMBOL>_ob500.data`, from
 * Bybit's "Historical data" page): plain text (or gzip), one v5 WebSocket push a line, exactly as the
 * stream sends it: `{"topic":"orderbook.500.XRPUSDT","type":"snapshot"|"delta","ts":<ms>,"data":{"s",
 * "b","a","u","seq"},"cts":<ms>}`.
 *
 * There is no local receive time: each frame's `localTs` is its exchange `ts` (ms), so pacing and
 * latency figures are the venue's own clock (latency reads 0). The venue is Bybit's linear (USDT/USDC
 * perpetual) market, id `bybit`; each file is one stream (connection = the file's base name). Lines that
 * are not JSON objects with a numeric `ts` are counted as malformed and skipped.
 */
import type { RecordedFrame } from './types.ts';
import { FileLines } from './lines.ts';
import type { ReaderStats } from './stats.ts';

/** The venue id Bybit history downloads replay as. */
export const BYBIT_HISTORY_VENUE = 'bybit-linear';

/** True when a line looks like a Bybit v5 order-book push (`{"topic":"orderbook.N.SYMBOL",...,"ts":N}`). */
export function looksLikeBybitHistory(line: string): boolean {
  return /^\{"topic":"orderbook\.\d+\.[A-Z0-9]+","type":"(snapshot|delta)","ts":\d+/.test(line);
}

const TS = /"ts":(\d{10,16})[,}]/;

/**
 * Frames of one Bybit history file.
 * @param connection connection id stamped on every frame
 */
export async function* readBybitHistory(
  path: string,
  gzip: boolean,
  connection: string,
  stats: ReaderStats,
  onFile: (lines: FileLines) => void = () => {},
): AsyncGenerator<RecordedFrame> {
  const lines = new FileLines(path, gzip);
  onFile(lines);
  for await (const line of lines) {
    stats.lines++;
    if (line.length === 0) {
      stats.skipped++;
      continue;
    }
    const m = line.startsWith('{') ? TS.exec(line) : null;
    if (m === null) {
      stats.malformed++;
      continue;
    }
    stats.frames++;
    yield { localTs: Number(m[1]), kind: 'ws', connection, venue: BYBIT_HISTORY_VENUE, text: line };
  }
  if (lines.truncated) stats.truncatedFiles++;
}
