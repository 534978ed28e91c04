/**
 * Per-instrument live feeds shared by the trader's desk panels: several panels on one instrument (a
 * ladder, a depth chart, a trades tape) share one feed, acquired and released by reference count.
 *
 * A feed holds: the book (`GET /api/v1/books/:id?depth=N` polled every `bookPollMs`, so every level
 * shown comes from one answer at one sequence), a deeper book polled less often (depth chart), the
 * trades tape (WebSocket `trades`, newest first) and
 * the instrument's analytics (`GET /api/v1/analytics/:id` every `analyticsPollMs`: walls, S/R clusters,
 * liquidity, flow, candles with indicators). Values are shallow refs replaced per update.
 */
import { shallowRef, type ShallowRef } from 'vue';
import { api } from '../api/client.ts';
import type { DepthwatchSocket } from '../api/ws.ts';
import type { BookSnapshot, TradeUpdate } from '../api/types.ts';
import type { AnalyticsView } from '../../../src/contract/index.ts';

export type { AnalyticsView } from '../../../src/contract/index.ts';

/** One instrument's live data. */
export interface InstrumentFeed {
  readonly instrument: string;
  /** Latest polled book (one sequence), best first per side; null until the first answer. */
  book: ShallowRef<BookSnapshot | null>;
  /** Recent trades, newest first (at most `maxTrades`). */
  trades: ShallowRef<TradeUpdate[]>;
  /**
   * A deeper book (`deepDepth` levels per side, polled every `deepPollMs`), for the depth chart: the
   * walls and S/R clusters the analytics find lie beyond the ladder's levels. Null until the first answer.
   */
  deep: ShallowRef<BookSnapshot | null>;
  /** Latest analytics; null until the first answer or when analytics are off (501). */
  analytics: ShallowRef<AnalyticsView | null>;
  /** Last error of the book poll (null when the last poll worked). */
  error: ShallowRef<string | null>;
}

/** Timings and caps of the feeds. */
export interface FeedOptions {
  /** Book poll period, ms (default 250, the `book` channel's conflation). */
  bookPollMs?: number;
  /** Levels per side fetched (default 200). */
  depth?: number;
  /** Deep book levels per side (default 1,000, the API's maximum) and poll period, ms (default 2,000). */
  deepDepth?: number;
  deepPollMs?: number;
  /** Analytics poll period, ms (default 2,000). */
  analyticsPollMs?: number;
  /** Trades kept (default 300). */
  maxTrades?: number;
}

/** Acquire/release registry of feeds. */
export interface FeedRegistry {
  /** The feed of `instrument`, started on first use; call the returned `release` when done. */
  acquire(instrument: string): { feed: InstrumentFeed; release: () => void };
  /** Stop every feed. */
  dispose(): void;
}

interface Entry {
  feed: InstrumentFeed;
  refs: number;
  stop: () => void;
}

/** Create the registry on a socket. */
export function createFeeds(socket: DepthwatchSocket, opts: FeedOptions = {}): FeedRegistry {
  const bookPollMs = opts.bookPollMs ?? 250;
  const depth = opts.depth ?? 200;
  const analyticsPollMs = opts.analyticsPollMs ?? 2000;
  const deepDepth = opts.deepDepth ?? 1000;
  const deepPollMs = opts.deepPollMs ?? 2000;
  const maxTrades = opts.maxTrades ?? 300;
  const entries = new Map<string, Entry>();

  function start(instrument: string): Entry {
    const feed: InstrumentFeed = {
      instrument,
      book: shallowRef(null),
      trades: shallowRef([]),
      deep: shallowRef(null),
      analytics: shallowRef(null),
      error: shallowRef(null),
    };
    const ac = new AbortController();
    const timers = new Set<ReturnType<typeof setTimeout>>();
    const later = (fn: () => void, ms: number) => {
      if (ac.signal.aborted) return;
      const t = setTimeout(() => {
        timers.delete(t);
        fn();
      }, ms);
      timers.add(t);
    };

    async function pollBook(): Promise<void> {
      try {
        const b = await api.book({ instrument, query: { depth } }, { signal: ac.signal });
        feed.book.value = b;
        feed.error.value = null;
      } catch (e) {
        if (!ac.signal.aborted) feed.error.value = (e as Error).message;
      } finally {
        later(() => void pollBook(), bookPollMs);
      }
    }
    async function pollDeep(): Promise<void> {
      try {
        feed.deep.value = await api.book({ instrument, query: { depth: deepDepth } }, { signal: ac.signal });
      } catch {
        // The next poll retries; the depth chart keeps the last deep book.
      } finally {
        later(() => void pollDeep(), deepPollMs);
      }
    }
    let analyticsOff = false;
    async function pollAnalytics(): Promise<void> {
      try {
        feed.analytics.value = await api.analytics(
          { instrument, query: { candles: 120 } },
          { signal: ac.signal },
        );
      } catch (e) {
        // 501: analytics disabled on this node: stop asking.
        if ((e as { status?: number }).status === 501) analyticsOff = true;
      } finally {
        if (!analyticsOff) later(() => void pollAnalytics(), analyticsPollMs);
      }
    }
    let pending: TradeUpdate[] = [];
    let flush: ReturnType<typeof setTimeout> | null = null;
    const offTrades = socket.subscribe('trades', instrument, (t) => {
      pending.push(t);
      flush ??= setTimeout(() => {
        flush = null;
        const fresh = pending.reverse();
        pending = [];
        feed.trades.value = fresh.concat(feed.trades.value).slice(0, maxTrades);
      }, 100);
    });
    void pollBook();
    void pollDeep();
    void pollAnalytics();
    return {
      feed,
      refs: 0,
      stop: () => {
        ac.abort();
        for (const t of timers) clearTimeout(t);
        if (flush) clearTimeout(flush);
        offTrades();
      },
    };
  }

  return {
    acquire(instrument) {
      let e = entries.get(instrument);
      if (!e) {
        e = start(instrument);
        entries.set(instrument, e);
      }
      e.refs++;
      const entry = e;
      let released = false;
      return {
        feed: entry.feed,
        release: () => {
          if (released) return;
          released = true;
          entry.refs--;
          if (entry.refs <= 0) {
            entry.stop();
            entries.delete(instrument);
          }
        },
      };
    },
    dispose() {
      for (const e of entries.values()) e.stop();
      entries.clear();
    },
  };
}
