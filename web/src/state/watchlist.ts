/**
 * The watchlist (`GET /api/v1/watchlist` once, then the WebSocket `watchlist` channel, conflated to one
 * message a second by the server): rows, breadth, and a short `last` series per row for the sparklines
 * (kept in the browser from the updates: at most `sparkPoints` points per row).
 */
import { shallowRef, type ShallowRef } from 'vue';
import { api } from '../api/client.ts';
import type { DepthwatchSocket } from '../api/ws.ts';
import type { WatchlistResponse } from '../../../src/contract/index.ts';

/** The watchlist as the panel reads it. */
export interface WatchlistState {
  data: ShallowRef<WatchlistResponse | null>;
  /** Recent `last` values per row id, oldest first. */
  spark: ShallowRef<Record<string, number[]>>;
  error: ShallowRef<string | null>;
  dispose(): void;
}

/** Subscribe to the watchlist. */
export function createWatchlist(socket: DepthwatchSocket, sparkPoints = 120): WatchlistState {
  const data = shallowRef<WatchlistResponse | null>(null);
  const spark = shallowRef<Record<string, number[]>>({});
  const error = shallowRef<string | null>(null);
  function apply(w: WatchlistResponse): void {
    data.value = w;
    const next: Record<string, number[]> = { ...spark.value };
    for (const r of w.items) {
      if (r.last === null) continue;
      const s = next[r.id] ?? [];
      next[r.id] = s.length >= sparkPoints ? s.slice(1).concat([r.last]) : s.concat([r.last]);
    }
    spark.value = next;
  }
  const ac = new AbortController();
  void api
    .watchlist({ query: {} }, { signal: ac.signal })
    .then((w) => {
      if (!data.value) apply(w);
    })
    .catch((e: Error) => {
      if (!ac.signal.aborted) error.value = e.message;
    });
  const off = socket.subscribe('watchlist', '*', (w) => {
    error.value = null;
    apply(w);
  });
  return {
    data,
    spark,
    error,
    dispose() {
      ac.abort();
      off();
    },
  };
}
