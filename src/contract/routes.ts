/**
 * The route table of the HTTP API: every route the server registers, with its method, path, parameter
 * schemas, response schema, error statuses and documentation. The server registers its handlers from
 * this table (api/server.ts), the OpenAPI document is generated from it (openapi.ts), the client SDK's
 * methods are typed from it (client/), and the contract test checks real answers against it.
 *
 * `kind`: `json` (a JSON answer checked against `response`), `text` (Prometheus text), `ws` (the
 * WebSocket upgrade, protocol in ws.ts), `doc` (a generated document).
 */
import { z } from 'zod';
import {
  alertsQuery,
  analyticsQuery,
  eventsQuery,
  bookQuery,
  candlesQuery,
  groupPath,
  consolidatedQuery,
  consolidatedHeatmapQuery,
  heatmapQuery,
  historyMetricsQuery,
  historyOrderbookQuery,
  historyTradesQuery,
  instrumentPath,
  listQuery,
  newsQuery,
  sentimentQuery,
  watchlistQuery,
} from './params.ts';
import {
  AlertRulesResponse,
  AlertsResponse,
  AnalyticsView,
  BookSnapshot,
  ConsolidatedResponse,
  EventsResponse,
  ConsolidatedView,
  ConsolidatedHeatmapResponse,
  HealthzResponse,
  HeatmapResponse,
  HistoryCandlesResponse,
  HistoryMetricsResponse,
  HistoryOrderbookResponse,
  HistoryTradesResponse,
  InstrumentsResponse,
  MetricsSample,
  NewsResponse,
  NewsSentimentResponse,
  NewsSourcesResponse,
  ReadyzResponse,
  WatchlistResponse,
} from './schemas.ts';
import {
  BasisResponse,
  ForeignResponse,
  IndexView,
  IndicesResponse,
  MarketRow,
  MarketRowsResponse,
  marketIndexPath,
  marketSymbolPath,
} from './market.ts';
import {
  ReplayControlBody,
  ReplayCreateBody,
  ReplaySession,
  ReplaySessionsResponse,
  ReplayStepBody,
  replayPath,
  ReplayMarksResponse,
  RecordingFilesResponse,
} from './replay.ts';
import { WhoamiResponse, WsTokenResponse, securityErrors } from './auth.ts';
import { FundingResponse, fundingQuery } from './funding.ts';

/** HTTP methods used by the API. */
export type HttpMethod = 'GET' | 'POST' | 'PATCH' | 'DELETE';

/** One route. */
export interface RouteDef {
  method: HttpMethod;
  /** Fastify-style path (`:name` parameters). */
  path: string;
  kind: 'json' | 'text' | 'ws' | 'doc';
  summary: string;
  tags: readonly string[];
  params?: z.ZodObject;
  query?: z.ZodObject;
  body?: z.ZodType;
  /** Success status (default 200). */
  status?: number;
  /** The success body. */
  response: z.ZodType;
  /**
   * Error statuses of the route itself answered with an ErrorBody (400 on bad parameters is implied when
   * any); the security layer's statuses come on top: {@link routeErrors}.
   */
  errors: readonly number[];
}

/**
 * Every error status a route may answer: its own (`errors`, 400 when it takes parameters or a body) and
 * the security layer's (contract/auth.ts securityErrors: 401, 403, 413, 429, 503).
 */
export function routeErrors(r: RouteDef): number[] {
  const own = r.params || r.query || r.body ? [400, ...r.errors] : [...r.errors];
  return [...new Set([...own, ...securityErrors(r)])].sort((a, b) => a - b);
}

const any = z.unknown();

/** Every route of the API, by name (the SDK method names). */
export const routes = {
  instruments: {
    method: 'GET',
    path: '/api/v1/instruments',
    kind: 'json',
    summary: 'Instruments with their book health, and drop/frame counters',
    tags: ['live'],
    query: listQuery,
    response: InstrumentsResponse,
    errors: [400],
  },
  funding: {
    method: 'GET',
    path: '/api/v1/funding',
    kind: 'json',
    summary:
      'Latest funding rate, interval, next funding time, mark and index price per perpetual (as streamed)',
    tags: ['live'],
    query: fundingQuery,
    response: FundingResponse,
    errors: [400],
  },
  book: {
    method: 'GET',
    path: '/api/v1/books/:instrument',
    kind: 'json',
    summary: 'Top N levels per side of a verified book (numbers, and the exact wire decimals)',
    tags: ['live'],
    params: instrumentPath,
    query: bookQuery,
    response: BookSnapshot,
    errors: [400, 404],
  },
  metrics: {
    method: 'GET',
    path: '/api/v1/metrics/:instrument',
    kind: 'json',
    summary: 'Latest metrics sample (404 also while none was computed yet)',
    tags: ['live'],
    params: instrumentPath,
    response: MetricsSample,
    errors: [400, 404],
  },
  analytics: {
    method: 'GET',
    path: '/api/v1/analytics/:instrument',
    kind: 'json',
    summary: 'Per-instrument analytics: walls, clusters, flow/CVD/VWAP, candles with indicators',
    tags: ['live'],
    params: instrumentPath,
    query: analyticsQuery,
    response: AnalyticsView,
    errors: [400, 404, 501],
  },
  historyMetrics: {
    method: 'GET',
    path: '/api/v1/history/metrics',
    kind: 'json',
    summary: 'Stored metric samples, oldest first, raw or downsampled (`interval`)',
    tags: ['history'],
    query: historyMetricsQuery,
    response: HistoryMetricsResponse,
    errors: [400, 404],
  },
  historyTrades: {
    method: 'GET',
    path: '/api/v1/history/trades',
    kind: 'json',
    summary: 'Stored trades, oldest first',
    tags: ['history'],
    query: historyTradesQuery,
    response: HistoryTradesResponse,
    errors: [400, 404],
  },
  historyOrderbook: {
    method: 'GET',
    path: '/api/v1/history/orderbook',
    kind: 'json',
    summary: 'Stored top-N book snapshots, oldest first; with `at` the latest at or before it',
    tags: ['history'],
    query: historyOrderbookQuery,
    response: HistoryOrderbookResponse,
    errors: [400, 404, 501],
  },
  historyCandles: {
    method: 'GET',
    path: '/api/v1/history/candles',
    kind: 'json',
    summary: 'OHLCV candles from stored trades, oldest first',
    tags: ['history'],
    query: candlesQuery,
    response: HistoryCandlesResponse,
    errors: [400, 404, 501],
  },
  historyHeatmap: {
    method: 'GET',
    path: '/api/v1/history/heatmap',
    kind: 'json',
    summary: 'Order-book heatmap: stored closed runs merged with the in-memory heatmap',
    tags: ['history'],
    query: heatmapQuery,
    response: HeatmapResponse,
    errors: [400, 404, 501],
  },
  historyEvents: {
    method: 'GET',
    path: '/api/v1/history/events',
    kind: 'json',
    summary: 'Stored crossed-market and basis events of the consolidated groups, newest first',
    tags: ['history'],
    query: eventsQuery,
    response: EventsResponse,
    errors: [400, 501],
  },
  alerts: {
    method: 'GET',
    path: '/api/v1/alerts',
    kind: 'json',
    summary: 'Stored alerts, newest first',
    tags: ['alerts'],
    query: alertsQuery,
    response: AlertsResponse,
    errors: [400, 404, 501],
  },
  alertRules: {
    method: 'GET',
    path: '/api/v1/alert-rules',
    kind: 'json',
    summary: 'Effective alert rules (built-in + configured), with per-instrument overrides',
    tags: ['alerts'],
    response: AlertRulesResponse,
    errors: [],
  },
  marketSymbols: {
    method: 'GET',
    path: '/api/v1/market/symbols',
    kind: 'json',
    summary:
      'Vietnamese market (SSI): every symbol with quote, limits, phase, classified session volumes, foreign net',
    tags: ['market'],
    response: MarketRowsResponse,
    errors: [501],
  },
  marketSymbol: {
    method: 'GET',
    path: '/api/v1/market/symbols/:symbol',
    kind: 'json',
    summary: 'One SSI symbol (e.g. VCB): quote, limits, phase, session aggregate, foreign net',
    tags: ['market'],
    params: marketSymbolPath,
    response: MarketRow,
    errors: [404, 501],
  },
  marketForeign: {
    method: 'GET',
    path: '/api/v1/market/foreign',
    kind: 'json',
    summary: 'Foreign-investor flow: market total, per symbol, top net buyers and sellers (speed over 5 min)',
    tags: ['market'],
    response: ForeignResponse,
    errors: [501],
  },
  marketIndices: {
    method: 'GET',
    path: '/api/v1/market/indices',
    kind: 'json',
    summary: 'Indices (VNINDEX, VN30 …) with breadth (advances, declines, ceilings, floors, A/D ratio)',
    tags: ['market'],
    response: IndicesResponse,
    errors: [501],
  },
  marketIndex: {
    method: 'GET',
    path: '/api/v1/market/indices/:id',
    kind: 'json',
    summary: 'One index with breadth and its intraday series',
    tags: ['market'],
    params: marketIndexPath,
    response: IndexView,
    errors: [404, 501],
  },
  marketBasis: {
    method: 'GET',
    path: '/api/v1/market/basis',
    kind: 'json',
    summary: 'VN30F contracts against VN30: basis in points, % and annualized to expiry',
    tags: ['market'],
    response: BasisResponse,
    errors: [501],
  },
  news: {
    method: 'GET',
    path: '/api/v1/news',
    kind: 'json',
    summary: 'Stored news items, newest first, by asset/source/time',
    tags: ['news'],
    query: newsQuery,
    response: NewsResponse,
    errors: [400, 501],
  },
  newsSentiment: {
    method: 'GET',
    path: '/api/v1/news/sentiment',
    kind: 'json',
    summary: 'Rolling news sentiment (1 h / 24 h), volume and bursts per asset',
    tags: ['news'],
    query: sentimentQuery,
    response: NewsSentimentResponse,
    errors: [400, 501],
  },
  newsSources: {
    method: 'GET',
    path: '/api/v1/news/sources',
    kind: 'json',
    summary: 'Polled news sources with their state, last error and counters',
    tags: ['news'],
    response: NewsSourcesResponse,
    errors: [],
  },
  consolidatedList: {
    method: 'GET',
    path: '/api/v1/consolidated',
    kind: 'json',
    summary: 'Every consolidation group: merged book, BBO, metrics, routing, shares, basis, crossings',
    tags: ['consolidated'],
    query: listQuery,
    response: ConsolidatedResponse,
    errors: [400, 501],
  },
  consolidated: {
    method: 'GET',
    path: '/api/v1/consolidated/:group',
    kind: 'json',
    summary: 'One consolidation group (exact levels, or price buckets with `bucket`)',
    tags: ['consolidated'],
    params: groupPath,
    query: consolidatedQuery,
    response: ConsolidatedView,
    errors: [400, 404, 501],
  },
  consolidatedHeatmap: {
    method: 'GET',
    path: '/api/v1/consolidated/:group/heatmap',
    kind: 'json',
    summary: "A group's consolidated heatmap, summed and per member (venue-coloured)",
    tags: ['consolidated'],
    params: groupPath,
    query: consolidatedHeatmapQuery,
    response: ConsolidatedHeatmapResponse,
    errors: [400, 404, 501],
  },
  watchlist: {
    method: 'GET',
    path: '/api/v1/watchlist',
    kind: 'json',
    summary: 'Session rows of every instrument and group (open, last, change, volume...), with breadth',
    tags: ['consolidated'],
    query: watchlistQuery,
    response: WatchlistResponse,
    errors: [400, 501],
  },
  replayList: {
    method: 'GET',
    path: '/api/v1/replay',
    kind: 'json',
    summary: 'Replay sessions',
    tags: ['replay'],
    query: listQuery,
    response: ReplaySessionsResponse,
    errors: [400, 501],
  },
  replayCreate: {
    method: 'POST',
    path: '/api/v1/replay',
    kind: 'json',
    summary: 'Create a replay session from recordings in the recordings folder',
    tags: ['replay'],
    body: ReplayCreateBody,
    status: 201,
    response: ReplaySession,
    errors: [400, 404, 409, 501],
  },
  replayMarks: {
    method: 'GET',
    path: '/api/v1/replay/:id/marks',
    kind: 'json',
    summary: "Marks on a session's timeline: gaps, resyncs, alerts (recorded time)",
    tags: ['replay'],
    params: replayPath,
    query: listQuery,
    response: ReplayMarksResponse,
    errors: [400, 404, 501],
  },
  replayFiles: {
    method: 'GET',
    path: '/api/v1/recordings',
    kind: 'json',
    summary: 'Recording files a replay session can open (the recordings folder)',
    tags: ['replay'],
    query: listQuery,
    response: RecordingFilesResponse,
    errors: [400, 501],
  },
  replayGet: {
    method: 'GET',
    path: '/api/v1/replay/:id',
    kind: 'json',
    summary: 'One replay session',
    tags: ['replay'],
    params: replayPath,
    response: ReplaySession,
    errors: [400, 404, 501],
  },
  replayControl: {
    method: 'PATCH',
    path: '/api/v1/replay/:id',
    kind: 'json',
    summary: 'Steer a session: play/pause, speed, seek, loop',
    tags: ['replay'],
    params: replayPath,
    body: ReplayControlBody,
    response: ReplaySession,
    errors: [400, 404, 501],
  },
  replayStep: {
    method: 'POST',
    path: '/api/v1/replay/:id/step',
    kind: 'json',
    summary: 'Play N frames of a paused session',
    tags: ['replay'],
    params: replayPath,
    body: ReplayStepBody,
    response: ReplaySession,
    errors: [400, 404, 409, 501],
  },
  replayDelete: {
    method: 'DELETE',
    path: '/api/v1/replay/:id',
    kind: 'json',
    summary: 'Stop and remove a session',
    tags: ['replay'],
    params: replayPath,
    response: z.object({ id: z.string(), deleted: z.literal(true) }),
    errors: [400, 404, 501],
  },
  authWsToken: {
    method: 'POST',
    path: '/api/v1/auth/ws-token',
    kind: 'json',
    summary: 'A single-use, short-lived token for the WebSocket URL (`/ws?token=`), for the key used',
    tags: ['auth'],
    response: WsTokenResponse,
    errors: [],
  },
  authWhoami: {
    method: 'GET',
    path: '/api/v1/auth/whoami',
    kind: 'json',
    summary: 'Whether API keys are required, and which key this request used',
    tags: ['auth'],
    response: WhoamiResponse,
    errors: [],
  },
  healthz: {
    method: 'GET',
    path: '/healthz',
    kind: 'json',
    summary: 'Process alive',
    tags: ['ops'],
    response: HealthzResponse,
    errors: [],
  },
  readyz: {
    method: 'GET',
    path: '/readyz',
    kind: 'json',
    summary: 'History store initialised and a configured book live (503 otherwise, with the reason)',
    tags: ['ops'],
    response: ReadyzResponse,
    errors: [503],
  },
  prometheus: {
    method: 'GET',
    path: '/metrics',
    kind: 'text',
    summary: 'Prometheus metrics (text exposition format)',
    tags: ['ops'],
    response: z.string(),
    errors: [],
  },
  ws: {
    method: 'GET',
    path: '/ws',
    kind: 'ws',
    summary: 'WebSocket stream: protocol in /docs/asyncapi.json',
    tags: ['live'],
    response: any,
    errors: [429],
  },
  openapi: {
    method: 'GET',
    path: '/docs/openapi.json',
    kind: 'doc',
    summary: 'This OpenAPI 3.1 document',
    tags: ['docs'],
    response: z.looseObject({ openapi: z.string() }),
    errors: [],
  },
  asyncapi: {
    method: 'GET',
    path: '/docs/asyncapi.json',
    kind: 'doc',
    summary: 'The AsyncAPI 3.0 document of the WebSocket protocol',
    tags: ['docs'],
    response: z.looseObject({ asyncapi: z.string() }),
    errors: [],
  },
} as const satisfies Record<string, RouteDef>;

/** The table's type. */
export type Routes = typeof routes;
/** A route name (an SDK method). */
export type RouteName = keyof Routes;

/**
 * Paths the server serves besides the table: the OpenAPI UI and its assets (under `/docs`), the
 * dashboard's static files (any other GET) and CORS preflights (`OPTIONS *`, @fastify/cors). The
 * contract test allows exactly these.
 */
export const UNTABLED_PREFIXES = ['/docs', '/*', '*'] as const;

type Out<T> = T extends z.ZodType ? z.output<T> : never;
type In<T> = T extends z.ZodType ? z.input<T> : never;

/** What a route's caller passes: path params, query and body, as the schemas' inputs. */
export type RouteInput<K extends RouteName> = (Routes[K] extends { params: infer P } ? In<P> : unknown) &
  (Routes[K] extends { query: infer Q } ? { query?: In<Q> } : unknown) &
  (Routes[K] extends { body: infer B } ? { body?: In<B> } : unknown);

/** A route's success body, as parsed from JSON. */
export type RouteOutput<K extends RouteName> = Out<Routes[K]['response']>;

/** The server side: what a handler receives (parsed) and returns (before JSON). */
export type RouteRequest<K extends RouteName> = {
  params: Routes[K] extends { params: infer P } ? Out<P> : Record<string, never>;
  query: Routes[K] extends { query: infer Q } ? Out<Q> : Record<string, never>;
  body: Routes[K] extends { body: infer B } ? Out<B> : undefined;
};

/** Fill a route path with parameters: `/api/v1/books/:instrument` → `/api/v1/books/binance%3ABTCUSDT`. */
export function routeUrl(path: string, params: Record<string, unknown> = {}): string {
  return path.replace(/:([A-Za-z0-9_]+)/g, (_m, name: string) => {
    const v = params[name];
    if (v === undefined) throw new TypeError(`missing path parameter ${name}`);
    return encodeURIComponent(String(v));
  });
}
