// depthwatch in the shared book-bench harness (see /work/shared/bench/README.md, "Adding an implementation").
//
// The book is fed the way a depthwatch user gets it: every frame goes through the Binance feed parser
// (src/feeds/binance/parser.ts: envelope, field checks, normalized events), the REST snapshot through
// parseBinanceSnapshot, and both into an InstrumentBook (src/book/instrument-book.ts): the venue's sync
// rule on every diff, exact-decimal validation of every level before any change, crossed-book check,
// and the bookTicker oracle on every bookTicker frame. Reads go through the L2Book's sides.
// With `metrics: true` (adapter depthwatch-metrics) computeBookMetrics (src/analytics/book-metrics.ts)
// also runs after every applied diff, as the engine does.
import { BinanceParser } from '../src/feeds/binance/parser.ts';
import { parseBinanceSnapshot } from '../src/feeds/binance/snapshot.ts';
import { binanceFuturesRule, binanceSpotRule } from '../src/book/sync-rule.ts';
import { InstrumentBook } from '../src/book/instrument-book.ts';
import { computeBookMetrics, defaultBookMetricsConfig } from '../src/analytics/book-metrics.ts';

const VENUES = { usdm: 'binance-usdm', cm: 'binance-coinm', spot: 'binance' };

/** One Binance instrument's verified depthwatch book behind the harness's adapter contract. */
export class DepthwatchBook {
  /** @param market harness market; @param metrics compute the book metrics after every applied diff */
  constructor(market, metrics) {
    this.venue = VENUES[market.key] ?? 'binance';
    this.instrument = `${this.venue}:${market.symbol}`;
    this.parser = new BinanceParser(this.venue);
    this.ib = new InstrumentBook(this.instrument, {
      rule: market.rule === 'spot' ? binanceSpotRule : binanceFuturesRule,
      snapshotSource: 'rest',
      coverage: 'snapshot',
    });
    this.metrics = metrics;
    this.sink = null;
  }

  /** Raw frame → normalized event (snapshot body, depth delta, trade or bbo). */
  parse(text) {
    if (text.charCodeAt(2) === 108 /* {"l */ && text.startsWith('{"lastUpdateId"'))
      return parseBinanceSnapshot(text, this.instrument, 0, 1000);
    const events = this.parser.parse(text, 0);
    const e = events[0];
    // The venue's own BBO checks the book (counted; a mismatch would resync it).
    if (e !== undefined && e.type === 'bbo') this.ib.onBbo(e);
    return e;
  }

  reset(snapshot) {
    const r = this.ib.onSnapshot(snapshot);
    if (r !== 'snapshot') throw new Error(`depthwatch: snapshot outcome ${r}`);
  }

  applyDiff(delta) {
    const r = this.ib.onDelta(delta);
    if (r === 'applied') {
      if (this.metrics)
        this.sink = computeBookMetrics(this.ib.book, this.ib.health.coverage, defaultBookMetricsConfig);
      return true;
    }
    if (r === 'stale') return false;
    throw new Error(`depthwatch: delta ${delta.sequence} outcome ${r} (${this.ib.health.reason})`);
  }

  best(out) {
    const b = this.ib.book;
    out[0] = b.bids.price(0);
    out[1] = b.bids.size(0);
    out[2] = b.asks.price(0);
    out[3] = b.asks.size(0);
  }

  top(n, out) {
    const b = this.ib.book;
    for (let i = 0; i < n; i++) {
      out[2 * i] = b.bids.price(i);
      out[2 * i + 1] = b.bids.size(i);
      out[2 * n + 2 * i] = b.asks.price(i);
      out[2 * n + 2 * i + 1] = b.asks.size(i);
    }
  }
}
