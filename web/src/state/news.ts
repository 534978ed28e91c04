/**
 * News state of the dashboard: stored items loaded over REST (`/api/v1/news`, newest first, again after
 * every WebSocket (re)connect) and kept live by the WebSocket `news` channel (`*`), the panel's asset and source filters, the sentiment of the
 * filtered asset (`/api/v1/news/sentiment`: gauge and series, refreshed every 30 s and soon after new items)
 * and the polled sources' health (`/api/v1/news/sources`, every 10 s). Components only render it.
 */
import { computed, ref, shallowRef, watch, type ComputedRef, type Ref, type ShallowRef } from 'vue';
import { ApiError } from '../api/rest.ts';
import type { DepthwatchSocket } from '../api/ws.ts';
import {
  fetchNews,
  fetchNewsSentiment,
  fetchNewsSources,
  isNewsItem,
  type AssetSentiment,
  type NewsItem,
  type NewsSourceStatus,
} from '../api/news.ts';

/** Loading state of the panel. */
export type NewsStatus = 'loading' | 'ready' | 'unavailable' | 'error';

/** Most items held (older ones dropped). */
const MAX_ITEMS = 500;

/** What the news panel, gauge, series and chart markers render, plus the filters. */
export interface NewsState {
  /** Every held item, newest first. */
  items: ShallowRef<NewsItem[]>;
  /** Asset filter (`''` = all). */
  asset: Ref<string>;
  /** Source filter (`''` = all). */
  source: Ref<string>;
  /** Items passing the filters, newest first. */
  visible: ComputedRef<NewsItem[]>;
  /** Assets of the held items with their item counts, most first. */
  assets: ComputedRef<{ code: string; count: number }[]>;
  /** Source ids of the held items. */
  sourceIds: ComputedRef<string[]>;
  /** Polled sources (empty when the node does not poll). */
  sources: Ref<NewsSourceStatus[]>;
  /** Sentiment of the filtered asset (`*` when none), with its 24 h series. */
  sentiment: ShallowRef<AssetSentiment | null>;
  status: Ref<NewsStatus>;
  message: Ref<string | null>;
  /** Items received over the WebSocket since load. */
  liveCount: Ref<number>;
  /** Item to show opened (e.g. after a click on a chart marker). */
  openedId: Ref<string | null>;
  /** Set the asset filter (`''` = all). */
  setAsset(code: string): void;
  /** Set the source filter (`''` = all). */
  setSource(id: string): void;
  /** Items about `asset` (all with null) published in `[from, to]`, oldest first (chart markers). */
  markersFor(asset: string | null, from: number, to: number): NewsItem[];
  dispose(): void;
}

/** Create the news state on a socket; loads at once. */
export function createNews(socket: DepthwatchSocket): NewsState {
  const items = shallowRef<NewsItem[]>([]);
  const asset = ref('');
  const source = ref('');
  const sources = ref<NewsSourceStatus[]>([]);
  const sentiment = shallowRef<AssetSentiment | null>(null);
  const status = ref<NewsStatus>('loading');
  const message = ref<string | null>(null);
  const liveCount = ref(0);
  const openedId = ref<string | null>(null);
  let disposed = false;

  const visible = computed(() =>
    items.value.filter(
      (i) => (!asset.value || i.assets.includes(asset.value)) && (!source.value || i.source === source.value),
    ),
  );
  const assets = computed(() => {
    const n = new Map<string, number>();
    for (const i of items.value) for (const a of i.assets) n.set(a, (n.get(a) ?? 0) + 1);
    return [...n.entries()]
      .sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))
      .map(([code, count]) => ({ code, count }));
  });
  const sourceIds = computed(() => [...new Set(items.value.map((i) => i.source))].sort());

  function add(fresh: NewsItem[]): void {
    const known = new Set(items.value.map((i) => i.id));
    const add = fresh.filter((i) => !known.has(i.id));
    if (add.length === 0) return;
    items.value = add
      .concat(items.value)
      .sort((a, b) => b.publishedAt - a.publishedAt || (a.id < b.id ? 1 : -1))
      .slice(0, MAX_ITEMS);
  }

  async function load(): Promise<void> {
    try {
      const page = await fetchNews({ limit: 300 });
      add(page.items);
      status.value = 'ready';
      message.value = null;
    } catch (e) {
      status.value = e instanceof ApiError && e.status === 501 ? 'unavailable' : 'error';
      message.value =
        e instanceof ApiError && e.status === 501 ? 'This server keeps no news' : (e as Error).message;
    }
  }

  let sentimentTimer: ReturnType<typeof setTimeout> | null = null;
  let sentimentAbort: AbortController | null = null;
  async function loadSentiment(): Promise<void> {
    sentimentAbort?.abort();
    const ac = new AbortController();
    sentimentAbort = ac;
    try {
      const r = await fetchNewsSentiment(asset.value || '*', ac.signal);
      if (!ac.signal.aborted) sentiment.value = r.assets[0] ?? null;
    } catch {
      // Kept as it was; the next refresh retries.
    }
  }
  function scheduleSentiment(ms: number): void {
    if (disposed) return;
    if (sentimentTimer) clearTimeout(sentimentTimer);
    sentimentTimer = setTimeout(() => {
      sentimentTimer = null;
      void loadSentiment().finally(() => scheduleSentiment(30_000));
    }, ms);
  }

  let sourcesTimer: ReturnType<typeof setTimeout> | null = null;
  async function pollSources(): Promise<void> {
    try {
      sources.value = (await fetchNewsSources()).items;
    } catch {
      // An older server without news sources: the table stays empty.
    } finally {
      if (!disposed) sourcesTimer = setTimeout(() => void pollSources(), 10_000);
    }
  }

  const off = socket.subscribe('news', '*', (n) => {
    if (!isNewsItem(n)) return;
    liveCount.value++;
    add([n]);
    if (!asset.value || n.assets.includes(asset.value)) scheduleSentiment(1_000);
  });
  // (Re)load over REST once the socket (re)connects: items published while it was down, or before its
  // subscription took effect, are fetched; both paths may deliver an item, it is kept once (by id).
  let opens = -1;
  const offStatus = socket.onStatus((s) => {
    if (s.status === 'connected' && s.opens !== opens) {
      opens = s.opens;
      void load();
    }
  });
  if (socket.status.status !== 'connected') void load();
  void pollSources();
  scheduleSentiment(0);
  watch(asset, () => scheduleSentiment(0));

  return {
    items,
    asset,
    source,
    visible,
    assets,
    sourceIds,
    sources,
    sentiment,
    status,
    message,
    liveCount,
    openedId,
    setAsset(code) {
      asset.value = code;
    },
    setSource(id) {
      source.value = id;
    },
    markersFor(a, from, to) {
      return items.value
        .filter((i) => i.publishedAt >= from && i.publishedAt <= to && (a === null || i.assets.includes(a)))
        .sort((x, y) => x.publishedAt - y.publishedAt);
    },
    dispose() {
      disposed = true;
      off();
      offStatus();
      sentimentAbort?.abort();
      if (sentimentTimer) clearTimeout(sentimentTimer);
      if (sourcesTimer) clearTimeout(sourcesTimer);
    },
  };
}
