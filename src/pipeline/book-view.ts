/**
 * The top-N view (bus topic `book`, type BookView) of a verified book, read now: consumers that want the latest
 * book at their own pace (the WebSocket hub on subscribe, the Redis cache once per tick) pull it with
 * this instead of listening to the engine's per-update `book` topic, so the engine builds no view per
 * update for them.
 */
import type { InstrumentBook } from '../book/instrument-book.ts';
import type { BookView } from './topics.ts';

/**
 * The best `depth` levels per side of `b` now, with its sequence, state and the times of its last
 * update (`localTs` = local receive time of the last applied update, `exchangeTs` = that minus the
 * measured exchange-to-local latency; ms since epoch UTC, NaN before any update). Prices quote currency,
 * sizes base units, best first.
 */
export function bookViewOf(b: InstrumentBook, depth: number): BookView {
  const h = b.health;
  const top = b.book.top(depth);
  return {
    instrument: b.instrument,
    exchangeTs: h.lastUpdateLocalTs - h.latencyMs,
    localTs: h.lastUpdateLocalTs,
    sequence: h.sequence,
    state: h.state,
    bids: top.bids,
    asks: top.asks,
  };
}
