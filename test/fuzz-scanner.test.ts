/**
 * The Binance frame scanner (BinanceParser's fast path, which reads depthUpdate, trade and bookTicker
 * frames without JSON.parse) must be invisible: on real frames from all three recordings and on 60,000 seeded
 * mutations of them, `parse()` returns exactly what the JSON.parse path returns (same events, same field
 * order), or throws the same typed error.
 */
import { describe, expect, it } from 'vitest';
import { mulberry32 as rng } from '../src/util/prng.ts';
import { readFrameTexts as readFrames } from './recorded-texts.ts';
import { BinanceParser } from '../src/feeds/binance/parser.ts';
import { scanTrade } from '../src/feeds/binance/scanner.ts';
import { L2Book } from '../src/book/l2-book.ts';
import { levelScratch } from '../src/book/level-scratch.ts';
import type { BookDelta } from '../src/core/model.ts';
import { BASE_PIECES, mutator, outcome } from './scanner-fuzz.ts';
import type { VenueId } from '../src/core/model.ts';

/** The reference: the parser's own JSON.parse path (the one every frame the scanner declines takes). */
function slowPath(p: BinanceParser, text: string): unknown {
  return p.parseJson(text, 7);
}

const mutate = mutator([
  ...BASE_PIECES,
  '"pu":1,',
  '"x":1,',
  '"ps":"A",',
  '"U":',
  '"X":"ADL",',
  '"M":',
  '"m":',
  '"T":',
  '"t":',
]);

describe('BinanceParser frame scanner (depthUpdate, trade, bookTicker)', () => {
  const sets: [string, VenueId][] = [
    ['usdm/btcusdt_20240808.gz', 'binance-usdm'],
    ['cm/btcusd_perp_20240808.gz', 'binance-coinm'],
    ['spot/btcusdt_20240808.gz', 'binance'],
  ];

  it('returns exactly what the JSON.parse path returns on real frames and 60,000 mutations', () => {
    const r = rng(3);
    let compared = 0;
    let mutatedAccepted = 0;
    const diffs: string[] = [];
    for (const [file, venue] of sets) {
      const p = new BinanceParser(venue);
      const frames = readFrames(file, 6000).filter(
        (f, i) => f.includes('depthUpdate') || i % 8 === 0 || (f.includes('@trade') && i % 4 === 1),
      );
      expect(frames.length).toBeGreaterThan(200);
      for (let i = 0; i < frames.length; i++) {
        const texts = [frames[i]!];
        for (let k = 0; k < 20; k++) texts.push(mutate(frames[i]!, r));
        for (const t of texts) {
          // Only frames that can reach the scanner are compared (the rest never leave the JSON.parse path).
          if (!t.startsWith('{"stream":"')) continue;
          const fast = outcome(() => p.parse(t, 7));
          const slow = outcome(() => slowPath(p, t));
          if (t !== frames[i]) compared++;
          if (t !== frames[i] && 'ok' in (fast as object)) mutatedAccepted++;
          if (JSON.stringify(fast) !== JSON.stringify(slow)) diffs.push(t.slice(0, 300));
        }
      }
    }
    expect(diffs.slice(0, 3)).toEqual([]);
    expect(compared).toBeGreaterThan(60_000);
    expect(mutatedAccepted).toBeGreaterThan(1000);
  });

  it('reads every recorded trade frame with the trade scanner, as the JSON.parse path reads it', () => {
    // scanTrade is the fast path for Binance's own key orders (futures and spot): if a recording's trades
    // fell through to the generic scanFlat or to JSON.parse, this fails (the test above would not).
    for (const [file, venue] of sets) {
      const p = new BinanceParser(venue);
      const trades = readFrames(file, 6000).filter((f) => f.includes('@trade'));
      expect(trades.length).toBeGreaterThan(100);
      for (const t of trades) {
        const start = t.indexOf(',"data":{') + ',"data":{'.length;
        const fast = scanTrade(t, start, venue + ':', 7);
        expect(fast).not.toBeNull();
        expect(JSON.stringify([fast])).toBe(JSON.stringify(slowPath(p, t)));
      }
    }
  });

  it('applies a scanned delta (levels parsed while scanning) exactly as the JSON.parse path delta', () => {
    // The scanner parses prices and sizes into the shared level scratch as it reads them, and
    // L2Book.applyDelta then skips its own validation for those very level arrays: on real and mutated
    // depth frames, a book fed by the scanner must match one fed by the JSON.parse path, level for level
    // (the parsed numbers of every delta, the thrown errors, the final books).
    const r = rng(5);
    let applied = 0;
    let rejected = 0;
    let tagged = 0;
    const diffs: string[] = [];
    const apply = (b: L2Book, d: BookDelta): unknown => {
      try {
        b.applyDelta(d.bids, d.asks);
        const l = b.lastDeltaLevels();
        return l === null ? null : Array.from(l.keys.subarray(0, l.end)).concat(l.bidEnd);
      } catch (e) {
        return { err: (e as Error).constructor.name, msg: (e as Error).message };
      }
    };
    for (const [file, venue] of sets) {
      const p = new BinanceParser(venue);
      const fastBook = new L2Book();
      const slowBook = new L2Book();
      const frames = readFrames(file, 3000).filter((f) => f.includes('depthUpdate'));
      for (const frame of frames) {
        const texts = [frame, mutate(frame, r), mutate(frame, r), mutate(frame, r)];
        for (const t of texts) {
          let fast: readonly unknown[];
          let slow: readonly unknown[];
          try {
            fast = p.parse(t, 7);
            slow = slowPath(p, t) as readonly unknown[];
          } catch {
            continue; // not a delta: compared by the test above
          }
          const f = fast[0] as BookDelta | undefined;
          const s = slow[0] as BookDelta | undefined;
          if (f?.type !== 'book_delta' || s?.type !== 'book_delta') continue;
          if (levelScratch.bids === f.bids && levelScratch.asks === f.asks) tagged++;
          const a = JSON.stringify(apply(fastBook, f));
          const b = JSON.stringify(apply(slowBook, s));
          if (a.startsWith('{"err"')) rejected++;
          else applied++;
          if (a !== b) diffs.push(`${t.slice(0, 200)}: ${a.slice(0, 100)} vs ${b.slice(0, 100)}`);
        }
      }
      const n = Math.max(
        fastBook.bids.length,
        fastBook.asks.length,
        slowBook.bids.length,
        slowBook.asks.length,
      );
      expect(fastBook.topStrings(n)).toEqual(slowBook.topStrings(n));
      expect(fastBook.top(n)).toEqual(slowBook.top(n));
    }
    expect(diffs.slice(0, 3)).toEqual([]);
    expect(applied).toBeGreaterThan(4000);
    expect(tagged).toBeGreaterThan(3000); // the scanner's parsed levels were used, not re-validated
    expect(rejected).toBeGreaterThan(50);
  });
});
