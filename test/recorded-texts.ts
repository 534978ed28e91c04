/**
 * Synchronous access to the raw frame texts of an hftbacktest recording (`<ts_ns> <json>` gzip lines),
 * for the fuzz tests that mutate real frames.
 */
import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';

/** Where the hftbacktest Binance recordings are, relative to the repository root. */
export const HFTBACKTEST_DATA = '../shared/data/binance-hftbacktest';

/**
 * The first `max` frame texts (timestamp stripped, REST snapshot line included) of a recording file.
 * @param file path under HFTBACKTEST_DATA, e.g. `usdm/btcusdt_20240808.gz`
 */
export function readFrameTexts(file: string, max: number): string[] {
  const out: string[] = [];
  const text = gunzipSync(readFileSync(`${HFTBACKTEST_DATA}/${file}`)).toString('utf8');
  let pos = 0;
  while (pos < text.length && out.length < max) {
    let nl = text.indexOf('\n', pos);
    if (nl < 0) nl = text.length;
    out.push(text.slice(text.indexOf(' ', pos) + 1, nl));
    pos = nl + 1;
  }
  return out;
}
