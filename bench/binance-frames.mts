/**
 * The Binance hftbacktest recordings the quick profiling benches share (quick.mts, kinds.mts,
 * big-frames.mts, depth-only.mts): a dataset key → its frames' raw JSON texts in recorded order, the
 * `<local_receive_ts_ns> ` prefix of each line removed. Data from $BENCH_DATA_DIR or ../shared/data.
 */
import { gunzipSync } from 'node:zlib';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/** Files of each dataset, under binance-hftbacktest/. */
export const BINANCE_FILES: Record<string, string[]> = {
  usdm: ['usdm/btcusdt_20240808.gz'],
  cm: ['cm/btcusd_perp_20240808.gz', 'cm/btcusd_perp_20240809.gz'],
  spot: ['spot/btcusdt_20240808.gz', 'spot/btcusdt_20240809.gz'],
};

/**
 * The frames of a dataset as raw JSON texts (of its first `fileCount` files only, when given).
 * @throws {Error} for an unknown key, or when a file cannot be read
 */
export function binanceFrameTexts(key: string, fileCount = Infinity): string[] {
  const files = BINANCE_FILES[key];
  if (!files) throw new Error(`unknown dataset ${key}: use ${Object.keys(BINANCE_FILES).join('|')}`);
  const dir = join(process.env.BENCH_DATA_DIR ?? '../shared/data', 'binance-hftbacktest');
  const texts: string[] = [];
  for (const f of files.slice(0, fileCount))
    for (const line of gunzipSync(readFileSync(join(dir, f)))
      .toString('utf8')
      .split('\n'))
      if (line.length > 0) texts.push(line.slice(line.indexOf(' ') + 1));
  return texts;
}
