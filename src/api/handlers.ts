/**
 * Handlers of the live, history, alert, consolidation and ops routes of the contract table
 * (src/contract/routes.ts). Each receives the parsed request and returns the response body; failures
 * throw {@link ApiError} (answered as `{statusCode, error, message}`). Unknown instruments are 404
 * everywhere: history routes answer 404 for an instrument this node neither runs nor has stored rows of
 * in the range (stored data of earlier runs stays queryable).
 */
import type { HistoryStore } from '../store/types.ts';
import { splitInstrumentId } from '../core/model.ts';
import { withLegacyMetricNames, type MetricsSample } from '../analytics/types.ts';
import { groupInstrumentId } from '../analytics/consolidated/stage.ts';
import type { AlertRule } from '../alerts/schema.ts';
import { ApiError, type JsonHandlers } from './contract-routes.ts';
import { resolveRange } from './params.ts';
import { mergeHeatmap } from './heatmap-history.ts';
import { offsetPage, timePage, timePageRequest } from './paging.ts';
import { candleOf, consolidatedOf, snapshotOf, tradeRowOf, watchlistOf } from './shapes.ts';
import type { ApiEngine } from './types.ts';
import { fundingEntryOf } from './shapes.ts';

/** What these handlers need. */
export interface CoreHandlerDeps {
  engine: ApiEngine;
  store: HistoryStore;
  info: { version: string; startedAt: number; timeBase?: 'exchange' | 'recorded' };
  alertRules?: readonly AlertRule[];
  /**
   * Readiness probe; default: the store's `isReady` when it has one, else `store.counts()` succeeds. A
   * string answer means not ready and says why (the 503's message).
   */
  ready?: () => boolean | string | Promise<boolean | string>;
  /**
   * Caps of one history page (api/security/policy.ts): at most `maxRows` rows (a larger `limit` gets
   * fewer, `nextCursor` continues) and `maxBytes` of JSON. Default: none.
   */
  historyCaps?: { maxRows: number; maxBytes: number };
  /**
   * The clock history ranges default to (ms since epoch UTC; default Date.now): a replay server passes
   * its replay clock, so `to` defaults to the recorded time being played.
   */
  now?: () => number;
}

/** A sample with the deprecated metric names added for one release (analytics/types.ts LEGACY_METRIC_NAMES). */
export function withLegacyNames(s: MetricsSample): MetricsSample {
  return { ...s, metrics: withLegacyMetricNames(s.metrics) };
}

type CoreRoutes = Exclude<
  keyof JsonHandlers,
  'news' | 'newsSentiment' | 'newsSources' | `replay${string}` | `market${string}` | `auth${string}`
>;

/** The handlers of every JSON route except news, replay and market (api/market-routes.ts). */
export function coreHandlers(deps: CoreHandlerDeps): Pick<JsonHandlers, CoreRoutes> {
  const { engine, store, info } = deps;
  const maxRows = deps.historyCaps?.maxRows ?? Infinity;
  const maxBytes = deps.historyCaps?.maxBytes ?? Infinity;
  /** The rows of one page: the asked `limit` under the row cap. */
  const rowsOf = (limit: number): number => Math.max(1, Math.min(limit, maxRows));
  const unknown = (id: string): ApiError => new ApiError(404, `unknown instrument ${id}`);
  const consolidation = (): NonNullable<ApiEngine['consolidation']> => {
    if (!engine.consolidation)
      throw new ApiError(501, 'consolidation is off on this node (no groups configured)');
    return engine.consolidation;
  };
  /** Whether this node runs the instrument (a book, or a consolidation group's sampled metrics). */
  const runs = (id: string): boolean => {
    if (engine.books.has(id)) return true;
    const groups = engine.consolidation?.groups;
    return !!groups && [...groups.keys()].some((g) => groupInstrumentId(g) === id);
  };
  const range = (from: number | undefined, to: number | undefined): { from: number; to: number } => {
    const t = deps.now?.();
    const r = resolveRange(from, to, t !== undefined && Number.isFinite(t) ? t : Date.now());
    if (!r) throw new ApiError(400, 'from must be before to');
    return r;
  };
  /** 404 for an empty first page of an instrument this node does not run. */
  const check404 = (id: string, items: readonly unknown[], cursor: string | undefined): void => {
    if (items.length === 0 && cursor === undefined && !runs(id))
      throw new ApiError(404, `unknown instrument ${id} (not run here, no stored rows in the range)`);
  };

  return {
    instruments: async ({ query }) => {
      const ids = [...engine.books.keys()].sort();
      const infos = ids.map((id) => {
        const h = engine.books.get(id)!.health;
        const { venue, symbol } = splitInstrumentId(id);
        const spec = engine.spec?.(id) ?? null;
        return {
          ...h,
          instrument: id,
          venue,
          symbol,
          // NaN precisions (unknown tick) are not JSON: null.
          spec: spec && {
            ...spec,
            pricePrecision: Number.isFinite(spec.pricePrecision) ? spec.pricePrecision : null,
            sizePrecision: Number.isFinite(spec.sizePrecision) ? spec.sizePrecision : null,
          },
        };
      });
      return {
        ...offsetPage(infos, query.limit, query.cursor),
        dropped: engine.dropped,
        frames: engine.frames,
      };
    },

    funding: async ({ query }) => {
      const all = engine.funding?.all() ?? [];
      const items = all
        .filter((f) => query.instrument === undefined || f.instrument === query.instrument)
        .filter((f) => query.venue === undefined || f.venue === query.venue)
        .map(fundingEntryOf);
      return offsetPage(items, query.limit, query.cursor);
    },

    book: async ({ params, query }) => {
      const b = engine.books.get(params.instrument);
      if (!b) throw unknown(params.instrument);
      const h = b.health;
      const top = b.book.top(query.depth);
      const text = b.book.topStrings(query.depth);
      return {
        instrument: b.instrument,
        state: h.state,
        sequence: h.sequence,
        exchangeTs: h.lastUpdateLocalTs - h.latencyMs,
        localTs: h.lastUpdateLocalTs,
        bids: top.bids,
        asks: top.asks,
        bidsText: text.bids,
        asksText: text.asks,
      };
    },

    metrics: async ({ params }) => {
      const id = params.instrument;
      if (!engine.books.has(id)) throw unknown(id);
      const s = engine.latest.get(id);
      if (!s) throw new ApiError(404, `no metrics computed yet for ${id} (book not synced)`);
      // The last sample with the book's state now: during a resync it is not `live` any more.
      return withLegacyNames({ ...s, state: engine.books.get(id)!.health.state });
    },

    analytics: async ({ params, query }) => {
      const id = params.instrument;
      if (!engine.books.has(id)) throw unknown(id);
      const a = engine.analytics?.(id);
      if (!a) throw new ApiError(501, 'analytics are disabled on this node');
      return a.view(query.candles) as never;
    },

    historyMetrics: async ({ query }) => {
      const { instrument, interval, cursor, order } = query;
      const limit = rowsOf(query.limit);
      const r = range(query.from, query.to);
      const req = timePageRequest(r.from, limit, cursor, { to: r.to, order });
      const rows = await store.queryMetrics({
        instrument,
        from: req.from,
        to: req.to,
        limit: req.fetch,
        order,
        ...(interval ? { interval } : {}),
      });
      const p = timePage(rows, (s) => s.localTs, limit, req, { maxBytes, map: withLegacyNames });
      check404(instrument, p.items, cursor);
      return p;
    },

    historyTrades: async ({ query }) => {
      const { instrument, cursor, order } = query;
      const limit = rowsOf(query.limit);
      const r = range(query.from, query.to);
      const req = timePageRequest(r.from, limit, cursor, { to: r.to, order });
      const rows = await store.queryTrades({
        instrument,
        from: req.from,
        to: req.to,
        limit: req.fetch,
        order,
      });
      const p = timePage(rows, (t) => t.localTs, limit, req, { maxBytes, map: tradeRowOf });
      check404(instrument, p.items, cursor);
      return p;
    },

    historyOrderbook: async ({ query }) => {
      if (!store.queryBookSnapshots) throw new ApiError(501, 'this history store keeps no book snapshots');
      const { instrument, depth, at, cursor } = query;
      const limit = rowsOf(query.limit);
      const opt = { ...(depth !== undefined ? { depth } : {}) };
      if (at !== undefined) {
        const rows = await store.queryBookSnapshots({ instrument, from: at, to: at, at, limit: 1, ...opt });
        check404(instrument, rows, undefined);
        return { items: rows.map(snapshotOf), nextCursor: null };
      }
      const r = range(query.from, query.to);
      const req = timePageRequest(r.from, limit, cursor, { to: r.to });
      const rows = await store.queryBookSnapshots({
        instrument,
        from: req.from,
        to: req.to,
        limit: req.fetch,
        ...opt,
      });
      const p = timePage(rows, (s) => s.localTs, limit, req, { maxBytes, map: snapshotOf });
      check404(instrument, p.items, cursor);
      return p;
    },

    historyCandles: async ({ query }) => {
      if (!store.queryCandles) throw new ApiError(501, 'this history store does not compute candles');
      const { instrument, interval, cursor } = query;
      const limit = rowsOf(query.limit);
      const r = range(query.from, query.to);
      const req = timePageRequest(r.from, limit, cursor, { to: r.to });
      const rows = await store.queryCandles({
        instrument,
        from: req.from,
        to: req.to,
        limit: req.fetch,
        interval,
      });
      const p = timePage(rows, (c) => c.ts, limit, req, { maxBytes, map: candleOf });
      check404(instrument, p.items, cursor);
      return p;
    },

    historyHeatmap: async ({ query }) => {
      const { instrument, bucket, limit } = query;
      const known = runs(instrument);
      // A consolidation group's summed heatmap answers as `consolidated:<group>`.
      const group = engine.books.has(instrument)
        ? undefined
        : [...(engine.consolidation?.groups.values() ?? [])].find(
            (g) => groupInstrumentId(g.opts.name) === instrument,
          );
      const hm = group
        ? (group.heatmap ?? null)
        : known
          ? (engine.analytics?.(instrument)?.heatmap ?? null)
          : null;
      if (!store.queryHeatmapRuns) {
        if (!known) throw unknown(instrument);
        if (!hm) throw new ApiError(501, `no heatmap is kept for ${instrument}`);
      }
      const r = range(query.from, query.to);
      const stored = store.queryHeatmapRuns ? await store.queryHeatmapRuns({ instrument, ...r, limit }) : [];
      if (!known && stored.length === 0)
        throw new ApiError(
          404,
          `unknown instrument ${instrument} (not run here, no stored heatmap runs in range)`,
        );
      const slice = mergeHeatmap({ memory: hm, stored, ...r, ...(bucket !== undefined ? { bucket } : {}) });
      const truncated = slice.runs.length > limit;
      return {
        instrument,
        ...r,
        ...slice,
        runs: truncated ? slice.runs.slice(0, limit) : slice.runs,
        truncated,
      };
    },

    alerts: async ({ query }) => {
      if (!store.queryAlerts) throw new ApiError(501, 'this history store keeps no alerts');
      const { from, to } = query;
      if (from !== undefined && to !== undefined && from >= to)
        throw new ApiError(400, 'from must be before to');
      const page = await store.queryAlerts(query);
      const id = query.instrument;
      if (id !== undefined && id.includes(':')) check404(id, page.alerts, query.cursor);
      return { items: page.alerts, nextCursor: page.nextCursor };
    },

    historyEvents: async ({ query }) => {
      if (!store.queryAnalyticsEvents)
        throw new ApiError(501, 'this history store keeps no analytics events');
      const { from, to } = query;
      if (from !== undefined && to !== undefined && from >= to)
        throw new ApiError(400, 'from must be before to');
      const page = await store.queryAnalyticsEvents(query);
      return {
        items: page.events.map((e) => ({ ...e, body: e.body as unknown as Record<string, unknown> })),
        nextCursor: page.nextCursor,
      };
    },

    alertRules: async () => ({ items: [...(deps.alertRules ?? [])], nextCursor: null }),

    consolidatedList: async ({ query }) => {
      const c = consolidation();
      const views = [...c.groups.keys()].sort().map((g) => consolidatedOf(c.groups.get(g)!.view()));
      return offsetPage(views, query.limit, query.cursor);
    },

    consolidated: async ({ params, query }) => {
      const g = consolidation().groups.get(params.group);
      if (!g) throw new ApiError(404, `unknown consolidation group ${params.group}`);
      return consolidatedOf(
        g.view({ depth: query.depth, ...(query.bucket !== undefined ? { bucket: query.bucket } : {}) }),
      );
    },

    consolidatedHeatmap: async ({ params, query }) => {
      const g = consolidation().groups.get(params.group);
      if (!g) throw new ApiError(404, `unknown consolidation group ${params.group}`);
      if (!g.heatmap) throw new ApiError(501, `group ${params.group} keeps no heatmap (heatmap: false)`);
      const r = range(query.from, query.to);
      const base = g.heatmap.settings.bucketSize;
      const factor = query.bucket === undefined ? 1 : query.bucket / base;
      if (!Number.isInteger(Math.round(factor * 1e9) / 1e9) || factor < 1)
        throw new ApiError(400, `bucket: must be a whole multiple of the group heatmap bucket ${base}`);
      const f = Math.round(factor);
      const sum = g.heatmap.query(r.from, r.to, f);
      let truncated = sum.runs.length > query.limit;
      const members = (g.memberHeatmaps ?? []).map((hm, m) => {
        const q = hm.query(r.from, r.to, f);
        if (q.runs.length > query.limit) truncated = true;
        return {
          instrument: g.opts.members[m]!.instrument,
          runs: q.runs.slice(0, query.limit),
          gaps: q.gaps,
        };
      });
      return {
        group: params.group,
        ...r,
        bucketSize: sum.bucketSize,
        binMs: sum.binMs,
        runs: sum.runs.slice(0, query.limit),
        gaps: sum.gaps,
        coverage: sum.coverage,
        members,
        truncated,
      };
    },

    watchlist: async ({ query }) => {
      const w = consolidation().watchlist();
      const p = offsetPage(w.rows, query.limit, query.cursor);
      return watchlistOf(w, p.items, p.nextCursor);
    },

    healthz: async () => ({
      status: 'ok' as const,
      version: info.version,
      startedAt: info.startedAt,
      uptimeS: Math.round((Date.now() - info.startedAt) / 1000),
      timeBase: info.timeBase ?? 'exchange',
    }),

    readyz: async () => {
      let ready: boolean | string;
      try {
        if (deps.ready) ready = await deps.ready();
        else if (typeof (store as { isReady?: unknown }).isReady === 'boolean')
          ready = (store as unknown as { isReady: boolean }).isReady;
        else ready = (await store.counts()) !== undefined;
      } catch {
        ready = false;
      }
      if (ready !== true) throw new ApiError(503, ready || 'history store not initialised');
      return { status: 'ready' as const };
    },
  };
}
