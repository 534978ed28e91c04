/**
 * Dashboard state: instruments and their health (REST poll + `health` channel), the selected instrument's
 * live metrics, book, imbalance series and trades (WebSocket), favorites and preferences (localStorage).
 * Components only render what this module holds.
 */
import { computed, ref, shallowRef, watch, type Ref, type ShallowRef } from 'vue';
import { fetchBook, fetchInstruments, fetchMetrics, fetchMetricsHistory } from '../api/rest.ts';
import { clockNow, replayEpoch } from './replay.ts';
import type { DepthwatchSocket, SocketInfo } from '../api/ws.ts';
import type { BookHealth, BookState, InstrumentInfo, MetricsSample, TradeUpdate } from '../api/types.ts';
import { isNumber, isString, isStringArray, loadPref, savePref } from '../lib/storage.ts';
import { mergeBook, type BookView } from '../lib/book.ts';

export type { BookView } from '../lib/book.ts';

/** One point of the imbalance series: time (ms since epoch) and imbalances on the −100..+100 scale. */
export interface ImbalancePoint {
  t: number;
  l1: number | null;
  top10: number | null;
}

/** Sums for the header's feed-health summary. */
export interface FeedSummary {
  total: number;
  live: number;
  byState: Partial<Record<BookState, number>>;
  gaps: number;
  resyncs: number;
  /** Dropped frames: per instrument plus dropped before reaching a book (per venue). */
  dropped: number;
  checksumFailures: number;
}

/** Timings, ms. */
export interface DashboardOptions {
  instrumentsPollMs?: number;
  deepBookPollMs?: number;
  /** Levels per side fetched over REST for the depth chart beyond the live top of book. */
  deepBookDepth?: number;
  /** Server-side conflation for metrics and book channels. */
  throttleMs?: number;
  maxTrades?: number;
}

/** Everything the dashboard renders, plus its actions. */
export interface Dashboard {
  ws: Ref<SocketInfo>;
  instruments: Ref<InstrumentInfo[]>;
  droppedByVenue: Ref<Record<string, Record<string, number>>>;
  apiError: Ref<string | null>;
  selected: Ref<string | null>;
  selectedInfo: Readonly<Ref<InstrumentInfo | null>>;
  favorites: Ref<string[]>;
  sample: ShallowRef<MetricsSample | null>;
  book: Readonly<Ref<BookView | null>>;
  imbalance: ShallowRef<ImbalancePoint[]>;
  trades: ShallowRef<TradeUpdate[]>;
  /** Local receive time (ms since epoch) of the last message for the selected instrument. */
  lastMessageAt: Ref<number | null>;
  windowMinutes: Ref<number>;
  summary: Readonly<Ref<FeedSummary>>;
  toggleFavorite(instrument: string): void;
  select(instrument: string): void;
  /** Stop polling and unsubscribe. */
  dispose(): void;
}

const WINDOW_CHOICES = [1, 5, 15];

function toPoint(s: MetricsSample): ImbalancePoint {
  const m = s.metrics;
  return {
    t: s.localTs,
    l1: typeof m.imbalanceL1 === 'number' ? m.imbalanceL1 * 100 : null,
    top10: typeof m.imbalanceTopN === 'number' ? m.imbalanceTopN * 100 : null,
  };
}

/** Create the dashboard state on a socket; starts polling at once. */
export function createDashboard(socket: DepthwatchSocket, opts: DashboardOptions = {}): Dashboard {
  const pollMs = opts.instrumentsPollMs ?? 2000;
  const deepPollMs = opts.deepBookPollMs ?? 1000;
  const deepDepth = opts.deepBookDepth ?? 100;
  const throttleMs = opts.throttleMs ?? 250;
  const maxTrades = opts.maxTrades ?? 50;

  const ws = ref<SocketInfo>(socket.status);
  const offStatus = socket.onStatus((s) => (ws.value = s));
  const instruments = ref<InstrumentInfo[]>([]);
  const droppedByVenue = ref<Record<string, Record<string, number>>>({});
  const apiError = ref<string | null>(null);
  const selected = ref<string | null>(loadPref('selected', null, isString));
  const favorites = ref<string[]>(loadPref('favorites', [], isStringArray));
  const windowMinutes = ref<number>(
    loadPref('windowMinutes', 5, (v): v is number => isNumber(v) && WINDOW_CHOICES.includes(v)),
  );
  const sample = shallowRef<MetricsSample | null>(null);
  const liveTop = shallowRef<BookView | null>(null);
  const deepBook = shallowRef<BookView | null>(null);
  const imbalance = shallowRef<ImbalancePoint[]>([]);
  const trades = shallowRef<TradeUpdate[]>([]);
  const lastMessageAt = ref<number | null>(null);

  const selectedInfo = computed(() => instruments.value.find((i) => i.instrument === selected.value) ?? null);
  const book = computed(() => mergeBook(liveTop.value, deepBook.value));
  const summary = computed<FeedSummary>(() => {
    const s: FeedSummary = {
      total: 0,
      live: 0,
      byState: {},
      gaps: 0,
      resyncs: 0,
      dropped: 0,
      checksumFailures: 0,
    };
    for (const i of instruments.value) {
      s.total++;
      if (i.state === 'live') s.live++;
      s.byState[i.state] = (s.byState[i.state] ?? 0) + 1;
      s.gaps += i.counters.gaps ?? 0;
      s.resyncs += i.counters.resyncs ?? 0;
      s.dropped += i.counters.dropped ?? 0;
      s.checksumFailures += i.counters.checksumFailures ?? 0;
    }
    for (const codes of Object.values(droppedByVenue.value))
      for (const n of Object.values(codes)) s.dropped += n;
    return s;
  });

  watch(favorites, (f) => savePref('favorites', f), { deep: true });
  watch(windowMinutes, (w) => {
    savePref('windowMinutes', w);
    trimSeries();
  });

  // --- instruments (REST poll) and health (WS, all instruments) ---
  let disposed = false;
  let pollTimer: ReturnType<typeof setTimeout> | null = null;
  async function pollInstruments(): Promise<void> {
    try {
      const r = await fetchInstruments();
      instruments.value = r.items;
      droppedByVenue.value = r.dropped ?? {};
      apiError.value = null;
      const ids = r.items.map((i) => i.instrument);
      if (!selected.value || !ids.includes(selected.value)) {
        const pick =
          favorites.value.find((f) => ids.includes(f)) ??
          r.items.find((i) => i.state === 'live')?.instrument ??
          ids[0];
        if (pick) selected.value = pick;
      }
    } catch (e) {
      apiError.value = (e as Error).message;
    } finally {
      if (!disposed) pollTimer = setTimeout(() => void pollInstruments(), pollMs);
    }
  }
  void pollInstruments();

  const offHealth = socket.subscribe('health', '*', (h: BookHealth) => {
    const list = instruments.value;
    const idx = list.findIndex((i) => i.instrument === h.instrument);
    if (idx < 0) return;
    const prev = list[idx]!;
    const next: InstrumentInfo = {
      ...prev,
      state: h.state,
      reason: h.reason,
      since: h.since,
      counters: h.counters ?? prev.counters,
      lastResyncAt: h.lastResyncAt,
      sequence: h.sequence,
      latencyMs: h.latencyMs,
      coverage: h.coverage ?? prev.coverage,
    };
    instruments.value = list.map((x, j) => (j === idx ? next : x));
  });

  // --- the selected instrument's live streams ---
  let offSelected: Array<() => void> = [];
  let abort: AbortController | null = null;
  let deepTimer: ReturnType<typeof setTimeout> | null = null;
  let pendingTrades: TradeUpdate[] = [];
  let tradeFlush: ReturnType<typeof setTimeout> | null = null;

  function trimSeries(): void {
    const pts = imbalance.value;
    const last = pts[pts.length - 1];
    if (!last) return;
    const cutoff = last.t - windowMinutes.value * 60_000;
    let i = 0;
    while (i < pts.length && pts[i]!.t < cutoff) i++;
    if (i > 0) imbalance.value = pts.slice(i);
  }

  function pushSample(s: MetricsSample): void {
    sample.value = s;
    lastMessageAt.value = Date.now();
    const pts = imbalance.value;
    const last = pts[pts.length - 1];
    if (last && s.localTs < last.t) return; // out of order (history overlap): keep the series monotonic
    const next = pts.concat([toPoint(s)]);
    const cutoff = s.localTs - windowMinutes.value * 60_000;
    let i = 0;
    while (i < next.length && next[i]!.t < cutoff) i++;
    imbalance.value = i > 0 ? next.slice(i) : next;
  }

  function flushTrades(): void {
    tradeFlush = null;
    if (pendingTrades.length === 0) return;
    const fresh = pendingTrades.reverse();
    pendingTrades = [];
    trades.value = fresh.concat(trades.value).slice(0, maxTrades);
  }

  async function pollDeep(instrument: string, signal: AbortSignal): Promise<void> {
    try {
      const b = await fetchBook(instrument, deepDepth, signal);
      if (signal.aborted) return;
      deepBook.value = { state: b.state, sequence: b.sequence, bids: b.bids, asks: b.asks };
    } catch {
      // The live top of book still draws; the next poll retries.
    } finally {
      if (!signal.aborted) deepTimer = setTimeout(() => void pollDeep(instrument, signal), deepPollMs);
    }
  }

  function stopSelected(): void {
    for (const off of offSelected) off();
    offSelected = [];
    abort?.abort();
    abort = null;
    if (deepTimer) clearTimeout(deepTimer);
    deepTimer = null;
    if (tradeFlush) clearTimeout(tradeFlush);
    tradeFlush = null;
    pendingTrades = [];
  }

  function startSelected(instrument: string): void {
    stopSelected();
    sample.value = null;
    liveTop.value = null;
    deepBook.value = null;
    imbalance.value = [];
    trades.value = [];
    lastMessageAt.value = null;
    const ac = new AbortController();
    abort = ac;
    offSelected = [
      socket.subscribe('metrics', instrument, (s) => pushSample(s), throttleMs),
      socket.subscribe(
        'book',
        instrument,
        (b) => {
          liveTop.value = { state: b.state, sequence: b.sequence, bids: b.bids, asks: b.asks };
          lastMessageAt.value = Date.now();
        },
        throttleMs,
      ),
      socket.subscribe('trades', instrument, (t) => {
        pendingTrades.push(t);
        tradeFlush ??= setTimeout(flushTrades, 250);
      }),
    ];
    void pollDeep(instrument, ac.signal);
    void (async () => {
      try {
        const latest = await fetchMetrics(instrument, ac.signal);
        if (!ac.signal.aborted && !sample.value) sample.value = latest;
      } catch {
        // No metrics yet (book still syncing): the stream fills in.
      }
      try {
        const to = clockNow();
        const hist = await fetchMetricsHistory(instrument, to - windowMinutes.value * 60_000, to, ac.signal);
        if (ac.signal.aborted || !Array.isArray(hist) || hist.length === 0) return;
        const firstLive = imbalance.value[0]?.t ?? Infinity;
        const older = hist.filter((s) => s.localTs < firstLive).map(toPoint);
        imbalance.value = older.concat(imbalance.value);
        trimSeries();
      } catch {
        // No history store: the series starts now.
      }
    })();
  }

  // The replay clock jumped (seek, loop): restart the selected instrument's series on the new time.
  watch(replayEpoch, () => {
    if (selected.value) startSelected(selected.value);
  });
  watch(
    selected,
    (inst) => {
      if (inst) {
        savePref('selected', inst);
        startSelected(inst);
      } else stopSelected();
    },
    { immediate: true },
  );

  return {
    ws,
    instruments,
    droppedByVenue,
    apiError,
    selected,
    selectedInfo,
    favorites,
    sample,
    book,
    imbalance,
    trades,
    lastMessageAt,
    windowMinutes,
    summary,
    toggleFavorite(instrument: string) {
      const f = favorites.value;
      favorites.value = f.includes(instrument) ? f.filter((x) => x !== instrument) : f.concat([instrument]);
    },
    select(instrument: string) {
      selected.value = instrument;
    },
    dispose() {
      disposed = true;
      if (pollTimer) clearTimeout(pollTimer);
      stopSelected();
      offHealth();
      offStatus();
    },
  };
}

/** Imbalance window choices, minutes. */
export const IMBALANCE_WINDOWS: readonly number[] = WINDOW_CHOICES;
