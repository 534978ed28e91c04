/**
 * The HTTP + WebSocket API server (fastify). `createApiServer(deps)` returns the instance, not yet
 * listening: the caller does `await app.listen({ port, host })` and `await app.close()` at shutdown
 * (which also stops the WebSocket hub and closes its clients).
 *
 * Routes (JSON; shapes in api/types.ts; NaN numbers are sent as null; errors are
 * `{statusCode, error, message}`: 400 for bad parameters naming the parameter, 404 for an unknown
 * instrument or route, 501 when the store has no candles, 503 when not ready):
 * - `GET /api/v1/instruments` → InstrumentsResponse `{instruments: InstrumentInfo[], dropped, frames}`.
 * - `GET /api/v1/books/:instrument?depth=N` (1-1000, default 20) → BookResponse.
 * - `GET /api/v1/metrics/:instrument` → the latest MetricsSample (404 also while none was computed yet).
 * - `GET /api/v1/history/metrics?instrument=&from=&to=&interval=&limit=` → MetricsSample[] (oldest first;
 *   with `interval` downsampled, see store/types.ts MetricsQuery).
 * - `GET /api/v1/history/trades?instrument=&from=&to=&limit=` → TradeRow[].
 * - `GET /api/v1/history/candles?instrument=&from=&to=&interval=1s|5s|1m|15m|1h&limit=` → Candle[].
 * - `GET /api/v1/history/orderbook?instrument=&from=&to=&depth=&limit=` → BookSnapshotRow[] (stored top-N
 *   snapshots of live books, levels as exact wire strings, oldest first; limit 1-10,000, default 100);
 *   with `at=` the latest snapshot at or before it (0 or 1 rows). 501 when the store keeps no snapshots.
 *   History: from/to are ms since epoch or ISO 8601, `to` defaults to now and `from` to one hour before
 *   `to`; from < to. History does not 404 on instruments the engine does not run now (stored data of
 *   earlier runs stays queryable): it answers an empty `rows`.
 * - `GET /api/v1/alerts?instrument=&severity=&rule=&from=&to=&limit=&cursor=` → AlertsResponse
 *   `{alerts, nextCursor}`, newest first (501 when the store keeps no alerts; 400 on a bad cursor).
 * - `GET /api/v1/alert-rules` → AlertRulesResponse: the effective rules (`deps.alertRules`).
 * - `GET /api/v1/analytics/:instrument?candles=N` → AnalyticsResponse (walls with lifecycle, clusters,
 *   flow/CVD/VWAP, latest candles with indicators) from the engine's in-memory analytics (404 for an
 *   unknown instrument, 501 when analytics are off).
 * - `GET /api/v1/history/heatmap?instrument=&from=&to=&bucket=&limit=` → HeatmapResponse: runs
 *   `{side, price, from, to, size}` from the store's closed runs (when it keeps them) merged with the
 *   in-memory heatmap's runs (retention 1 h by default, open runs included), so ranges before the
 *   in-memory retention or across a restart work; gaps and coverage from memory only. `bucket` must be a
 *   whole multiple of the bucket size (400 otherwise). 404 for an instrument the engine does not run that has
 *   no stored runs in the range. A store without heatmap runs: memory only, 501 when its heatmap is off.
 * - `GET /api/v1/news`, `/api/v1/news/sentiment`, `/api/v1/news/sources`: see api/news-routes.ts.
 * - `GET /healthz` (process alive), `GET /readyz` (store initialised; 503 otherwise).
 * - `GET /metrics`: Prometheus text (see api/prometheus.ts).
 * - `GET /docs`: OpenAPI UI; `GET /docs/json`: the OpenAPI document.
 * - `GET /ws`: WebSocket (see api/ws-hub.ts for the protocol).
 * - `/` and every other GET accepting HTML: the built dashboard from `staticDir` (SPA fallback to
 *   index.html), when given.
 */
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import Fastify, { type FastifyBaseLogger, type FastifyInstance, type FastifyReply } from 'fastify';
import fastifyStatic from '@fastify/static';
import fastifySwagger from '@fastify/swagger';
import fastifySwaggerUi from '@fastify/swagger-ui';
import fastifyWebsocket from '@fastify/websocket';
import type { z } from 'zod';
import type { Bus } from '../core/bus.ts';
import type { OutputTopics } from '../alerts/topics.ts';
import { splitInstrumentId } from '../core/model.ts';
import type { CandleInterval, HistoryStore } from '../store/types.ts';
import {
  alertsQuery,
  analyticsQuery,
  heatmapQuery,
  bookQuery,
  candlesQuery,
  historyMetricsQuery,
  historyOrderbookQuery,
  historyTradesQuery,
  instrumentPath,
  resolveRange,
  zodRouteSchema,
  zodValidatorCompiler,
} from './params.ts';
import { withLegacyMetricNames, type MetricsSample } from '../analytics/types.ts';
import { countAlerts, createMetricsRegistry } from './prometheus.ts';
import type { LatencyHistograms } from '../pipeline/latency.ts';
import type { AlertRule } from '../alerts/schema.ts';
import type { Severity } from '../alerts/types.ts';
import type {
  AlertRulesResponse,
  AlertsResponse,
  AnalyticsResponse,
  HeatmapResponse,
  ApiEngine,
  BookResponse,
  ErrorResponse,
  HistoryCandlesResponse,
  HistoryMetricsResponse,
  HistoryOrderbookResponse,
  HistoryTradesResponse,
  InstrumentInfo,
  InstrumentsResponse,
} from './types.ts';
import { WsHub, type WsOptions } from './ws-hub.ts';
import { mergeHeatmap } from './heatmap-history.ts';
import { registerNewsRoutes, type NewsApiDeps } from './news-routes.ts';
import { registerEventRoutes } from './events-routes.ts';

/** What the API server needs (the news routes' options: api/news-routes.ts). */
export interface ApiDeps extends Omit<NewsApiDeps, 'store'> {
  /** The running engine (a real Engine): books, latest metrics, drop counters. */
  engine: ApiEngine;
  /** The bus the engine publishes on (the WebSocket hub subscribes to metrics, book, trade, health). */
  bus: Bus<OutputTopics>;
  store: HistoryStore;
  /** Directory of the built dashboard (index.html + assets), served at `/`; skipped when absent. */
  staticDir?: string;
  /** A pino logger for fastify, or false/absent for none. */
  logger?: FastifyBaseLogger | false;
  info?: { version: string; startedAt: number };
  /** WebSocket limits and throttles. */
  ws?: WsOptions;
  /** Effective alert rules, answered by `GET /api/v1/alert-rules` (default: none). */
  alertRules?: readonly AlertRule[];
  /** Readiness probe; default: the store's `isReady` when it has one, else `store.counts()` succeeds. */
  ready?: () => boolean | Promise<boolean>;
  /** Latency histograms of the pipeline (pipeline/latency.ts), exposed in `/metrics`. */
  latency?: LatencyHistograms;
}

/** A 4xx/5xx answer with the API's error body. */
function fail(reply: FastifyReply, statusCode: number, message: string): FastifyReply {
  const error = {
    400: 'Bad Request',
    404: 'Not Found',
    429: 'Too Many Requests',
    501: 'Not Implemented',
    503: 'Service Unavailable',
  }[statusCode as 400];
  const body: ErrorResponse = { statusCode, error: error ?? 'Error', message };
  return reply.code(statusCode).send(body);
}

/** A sample with the deprecated metric names added for one release (analytics/types.ts LEGACY_METRIC_NAMES). */
function withLegacyNames(s: MetricsSample): MetricsSample {
  return { ...s, metrics: withLegacyMetricNames(s.metrics) };
}

function instrumentInfo(engine: ApiEngine, id: string): InstrumentInfo {
  const h = engine.books.get(id)!.health;
  const { venue, symbol } = splitInstrumentId(id);
  return {
    instrument: id,
    venue,
    symbol,
    state: h.state,
    reasonCode: h.reasonCode,
    reason: h.reason,
    since: h.since,
    counters: h.counters,
    lastResyncAt: h.lastResyncAt,
    sequence: h.sequence,
    latencyMs: h.latencyMs,
    coverage: h.coverage,
    lastUpdateLocalTs: h.lastUpdateLocalTs,
    spec: engine.spec?.(id) ?? null,
  };
}

/** Create the API server (routes registered, not listening). */
export function createApiServer(deps: ApiDeps): FastifyInstance {
  const { engine, bus, store } = deps;
  const info = deps.info ?? { version: '0.0.0', startedAt: Date.now() };
  const app: FastifyInstance = deps.logger
    ? Fastify({ loggerInstance: deps.logger, disableRequestLogging: true })
    : Fastify({ logger: false });
  app.setValidatorCompiler(zodValidatorCompiler);
  const hub = new WsHub(engine, bus, deps.ws);
  const registry = createMetricsRegistry({
    engine,
    hub,
    store,
    version: info.version,
    ...(deps.latency ? { latency: deps.latency } : {}),
  });
  const stopCountingAlerts = countAlerts(registry, bus);
  app.addHook('onClose', async () => {
    stopCountingAlerts();
    hub.close();
  });

  app.setErrorHandler((err: Error & { statusCode?: number; validation?: unknown }, req, reply) => {
    if (err.validation !== undefined || err.statusCode === 400) return fail(reply, 400, err.message);
    if (err instanceof RangeError) return fail(reply, 400, err.message);
    if (err.statusCode !== undefined && err.statusCode >= 400 && err.statusCode < 500)
      return fail(reply, err.statusCode, err.message);
    req.log.error({ err }, 'request failed');
    const body: ErrorResponse = { statusCode: 500, error: 'Internal Server Error', message: err.message };
    return reply.code(500).send(body);
  });

  void app.register(fastifySwagger, {
    openapi: {
      info: {
        title: 'depthwatch API',
        version: info.version,
        description:
          'Verified order books, metrics and history. WebSocket protocol at /ws: see api/ws-hub.ts.',
      },
    },
  });
  void app.register(fastifySwaggerUi, { routePrefix: '/docs' });
  void app.register(fastifyWebsocket, { options: { maxPayload: hub.maxPayloadBytes } });

  // Routes live in a plugin registered after swagger and websocket, so both see them.
  void app.register(async (api) => {
    const q = <T extends z.ZodType>(s: T) => zodRouteSchema(s);

    api.get(
      '/api/v1/instruments',
      { schema: { tags: ['live'], summary: 'Instruments with their book health, and drop counters' } },
      async () => {
        const ids = [...engine.books.keys()].sort();
        const body: InstrumentsResponse = {
          instruments: ids.map((id) => instrumentInfo(engine, id)),
          dropped: engine.dropped,
          frames: engine.frames,
        };
        return body;
      },
    );

    api.get<{ Params: { instrument: string }; Querystring: { depth: number } }>(
      '/api/v1/books/:instrument',
      {
        schema: {
          tags: ['live'],
          summary: 'Top N levels per side of a verified book',
          params: q(instrumentPath),
          querystring: q(bookQuery),
        },
      },
      async (req, reply) => {
        const b = engine.books.get(req.params.instrument);
        if (!b) return fail(reply, 404, `unknown instrument ${req.params.instrument}`);
        const h = b.health;
        const top = b.book.top(req.query.depth);
        const body: BookResponse = {
          instrument: b.instrument,
          state: h.state,
          sequence: h.sequence,
          exchangeTs: h.lastUpdateLocalTs - h.latencyMs,
          localTs: h.lastUpdateLocalTs,
          bids: top.bids,
          asks: top.asks,
        };
        return body;
      },
    );

    api.get<{ Params: { instrument: string } }>(
      '/api/v1/metrics/:instrument',
      { schema: { tags: ['live'], summary: 'Latest metrics sample', params: q(instrumentPath) } },
      async (req, reply) => {
        const id = req.params.instrument;
        if (!engine.books.has(id)) return fail(reply, 404, `unknown instrument ${id}`);
        const s = engine.latest.get(id);
        if (!s) return fail(reply, 404, `no metrics computed yet for ${id} (book not synced)`);
        return withLegacyNames(s);
      },
    );

    type RangeQ = { instrument: string; from?: number; to?: number; limit: number };
    api.get<{ Querystring: RangeQ & { interval?: number } }>(
      '/api/v1/history/metrics',
      {
        schema: {
          tags: ['history'],
          summary: 'Stored metric samples, raw or downsampled (prices last per bucket, imbalances averaged)',
          querystring: q(historyMetricsQuery),
        },
      },
      async (req, reply) => {
        const { instrument, limit, interval } = req.query;
        const r = resolveRange(req.query.from, req.query.to, Date.now());
        if (!r) return fail(reply, 400, 'from must be before to');
        const rows = await store.queryMetrics({ instrument, ...r, limit, ...(interval ? { interval } : {}) });
        const body: HistoryMetricsResponse = rows.map(withLegacyNames);
        return body;
      },
    );

    api.get<{ Querystring: RangeQ }>(
      '/api/v1/history/trades',
      { schema: { tags: ['history'], summary: 'Stored trades', querystring: q(historyTradesQuery) } },
      async (req, reply) => {
        const { instrument, limit } = req.query;
        const r = resolveRange(req.query.from, req.query.to, Date.now());
        if (!r) return fail(reply, 400, 'from must be before to');
        const rows = await store.queryTrades({ instrument, ...r, limit });
        const body: HistoryTradesResponse = rows;
        return body;
      },
    );

    api.get<{ Querystring: RangeQ & { depth?: number; at?: number } }>(
      '/api/v1/history/orderbook',
      {
        schema: {
          tags: ['history'],
          summary:
            'Stored top-N book snapshots (exact wire-string levels): a range, or the latest at or before `at`',
          querystring: q(historyOrderbookQuery),
        },
      },
      async (req, reply) => {
        if (!store.queryBookSnapshots) return fail(reply, 501, 'this history store keeps no book snapshots');
        const { instrument, limit, depth, at } = req.query;
        const opt = { ...(depth !== undefined ? { depth } : {}) };
        let rows: HistoryOrderbookResponse;
        if (at !== undefined) {
          rows = await store.queryBookSnapshots({ instrument, from: at, to: at, at, limit: 1, ...opt });
        } else {
          const r = resolveRange(req.query.from, req.query.to, Date.now());
          if (!r) return fail(reply, 400, 'from must be before to');
          rows = await store.queryBookSnapshots({ instrument, ...r, limit, ...opt });
        }
        return rows;
      },
    );

    api.get<{ Querystring: RangeQ & { interval: CandleInterval } }>(
      '/api/v1/history/candles',
      {
        schema: {
          tags: ['history'],
          summary: 'OHLCV candles from stored trades',
          querystring: q(candlesQuery),
        },
      },
      async (req, reply) => {
        if (!store.queryCandles) return fail(reply, 501, 'this history store does not compute candles');
        const { instrument, limit, interval } = req.query;
        const r = resolveRange(req.query.from, req.query.to, Date.now());
        if (!r) return fail(reply, 400, 'from must be before to');
        const rows = await store.queryCandles({ instrument, ...r, limit, interval });
        const body: HistoryCandlesResponse = rows;
        return body;
      },
    );

    type AlertsQ = {
      instrument?: string;
      severity?: Severity;
      rule?: string;
      from?: number;
      to?: number;
      limit: number;
      cursor?: string;
    };
    api.get<{ Querystring: AlertsQ }>(
      '/api/v1/alerts',
      {
        schema: {
          tags: ['alerts'],
          summary: 'Stored alerts, newest first, with cursor pagination',
          querystring: q(alertsQuery),
        },
      },
      async (req, reply) => {
        if (!store.queryAlerts) return fail(reply, 501, 'this history store keeps no alerts');
        const { from, to } = req.query;
        if (from !== undefined && to !== undefined && from >= to)
          return fail(reply, 400, 'from must be before to');
        const body: AlertsResponse = await store.queryAlerts(req.query);
        return body;
      },
    );

    api.get(
      '/api/v1/alert-rules',
      {
        schema: {
          tags: ['alerts'],
          summary: 'Effective alert rules (built-in + configured), with per-instrument overrides',
        },
      },
      async () => {
        const body: AlertRulesResponse = { rules: [...(deps.alertRules ?? [])] };
        return body;
      },
    );

    api.get<{ Params: { instrument: string }; Querystring: { candles: number } }>(
      '/api/v1/analytics/:instrument',
      {
        schema: {
          tags: ['live'],
          summary: 'Per-instrument analytics: walls, clusters, flow/CVD/VWAP, candles with indicators',
          params: q(instrumentPath),
          querystring: q(analyticsQuery),
        },
      },
      async (req, reply) => {
        const id = req.params.instrument;
        if (!engine.books.has(id)) return fail(reply, 404, `unknown instrument ${id}`);
        const a = engine.analytics?.(id);
        if (!a) return fail(reply, 501, 'analytics are disabled on this node');
        const body: AnalyticsResponse = a.view(req.query.candles);
        return body;
      },
    );

    api.get<{
      Querystring: { instrument: string; from?: number; to?: number; bucket?: number; limit: number };
    }>(
      '/api/v1/history/heatmap',
      {
        schema: {
          tags: ['history'],
          summary:
            'Order-book heatmap (resting size per price bucket over time): stored closed runs plus the in-memory heatmap',
          querystring: q(heatmapQuery),
        },
      },
      async (req, reply) => {
        const { instrument, bucket, limit } = req.query;
        const known = engine.books.has(instrument);
        const hm = known ? (engine.analytics?.(instrument)?.heatmap ?? null) : null;
        if (!store.queryHeatmapRuns) {
          if (!known) return fail(reply, 404, `unknown instrument ${instrument}`);
          if (!hm) return fail(reply, 501, `no heatmap is kept for ${instrument}`);
        }
        const r = resolveRange(req.query.from, req.query.to, Date.now());
        if (!r) return fail(reply, 400, 'from must be before to');
        const stored = store.queryHeatmapRuns
          ? await store.queryHeatmapRuns({ instrument, ...r, limit })
          : [];
        if (!known && stored.length === 0)
          return fail(
            reply,
            404,
            `unknown instrument ${instrument} (not run here, no stored heatmap runs in range)`,
          );
        const slice = mergeHeatmap({ memory: hm, stored, ...r, ...(bucket !== undefined ? { bucket } : {}) });
        const body: HeatmapResponse = { instrument, ...r, ...slice };
        return body;
      },
    );

    registerNewsRoutes(api, deps);
    registerEventRoutes(api, deps);

    api.get('/healthz', { schema: { tags: ['ops'], summary: 'Process alive' } }, async () => ({
      status: 'ok',
      version: info.version,
      startedAt: info.startedAt,
      uptimeS: Math.round((Date.now() - info.startedAt) / 1000),
    }));

    api.get(
      '/readyz',
      { schema: { tags: ['ops'], summary: 'History store initialised' } },
      async (_req, reply) => {
        let ready: boolean;
        try {
          if (deps.ready) ready = await deps.ready();
          else if (typeof (store as { isReady?: unknown }).isReady === 'boolean')
            ready = (store as unknown as { isReady: boolean }).isReady;
          else ready = (await store.counts()) !== undefined;
        } catch {
          ready = false;
        }
        if (!ready) return fail(reply, 503, 'history store not initialised');
        return { status: 'ready' };
      },
    );

    api.get(
      '/metrics',
      { schema: { tags: ['ops'], summary: 'Prometheus metrics', hide: true } },
      async (_r, reply) => {
        const text = await registry.metrics();
        return reply.type(registry.contentType).send(text);
      },
    );

    api.get(
      '/ws',
      {
        websocket: true,
        schema: {
          tags: ['live'],
          summary: 'WebSocket stream (subscribe to metrics, book, trades, health, alerts)',
        },
        preValidation: async (req, reply) => {
          if (!hub.admits(req.ip)) {
            hub.countRejected();
            return fail(reply, 429, 'too many WebSocket connections from this address');
          }
        },
      },
      (socket, req) => hub.add(socket, req.ip),
    );
  });

  const dir = deps.staticDir ? resolve(deps.staticDir) : null;
  const staticDir = dir && existsSync(resolve(dir, 'index.html')) ? dir : null;
  if (staticDir) {
    void app.register(fastifyStatic, { root: staticDir, prefix: '/', wildcard: true });
  }
  app.setNotFoundHandler((req, reply) => {
    const path = req.url.split('?')[0]!;
    const isApi = /^\/(api|ws|docs|metrics|healthz|readyz)(\/|$)/.test(path);
    if (staticDir && !isApi && req.method === 'GET' && (req.headers.accept ?? '').includes('text/html'))
      return reply.sendFile('index.html', staticDir);
    return fail(reply, 404, `no route ${req.method} ${path}`);
  });
  return app;
}
