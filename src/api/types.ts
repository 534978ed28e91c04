/**
 * What the API server reads from the running pipeline ({@link ApiEngine}), and the API's JSON shapes
 * under their server-side names: the shapes themselves are defined once in the contract
 * (src/contract), re-exported here as TypeScript types. JSON on the wire: every NaN/±Infinity number
 * is sent as `null`; times are ms since epoch UTC.
 */
import type { z } from 'zod';
import type { MetricsSample } from '../analytics/types.ts';
import type { DropCounters, Engine } from '../pipeline/engine.ts';
import type { FundingBoard } from '../pipeline/funding-board.ts';
import type { InstrumentBook } from '../book/instrument-book.ts';
import type { AnalyticsStage } from '../analytics/stage.ts';
import type { InstrumentAnalytics, InstrumentAnalyticsView } from '../analytics/instrument.ts';
import type { InstrumentCatalog, InstrumentSpec } from '../core/instrument.ts';
import type { ConsolidationStage } from '../analytics/consolidated/stage.ts';
import type * as C from '../contract/index.ts';
import type { AlertRule } from '../alerts/schema.ts';

/** What the API reads from the pipeline (see {@link engineView}). Read-only use. */
export interface ApiEngine {
  /** Verified books by instrument id. */
  readonly books: ReadonlyMap<string, InstrumentBook>;
  /** Dropped frames by venue then reason. */
  readonly dropped: DropCounters;
  /** Frames handled by venue. */
  readonly frames: Readonly<Record<string, number>>;
  /** Latest metrics per instrument (empty when metrics are not computed here). */
  readonly latest: ReadonlyMap<string, MetricsSample>;
  /** An instrument's stateful analytics, undefined when analytics are off. */
  analytics?(instrument: string): InstrumentAnalytics | undefined;
  /** An instrument's spec (loaded reference data, or the documented fallback); absent: not known here. */
  spec?(instrument: string): InstrumentSpec;
  /** The consolidation stage (groups and watchlist), absent when consolidation is off. */
  readonly consolidation?: Pick<ConsolidationStage, 'groups' | 'watchlist'>;
  /** Latest funding per perpetual (the engine's FundingBoard); absent: none kept here (empty answers). */
  readonly funding?: Pick<FundingBoard, 'all' | 'latest'>;
}

/**
 * The API's read view of an engine, its analytics stage (null: books only) and consolidation.
 * @param instruments the specs to show per instrument (the pipeline's catalog); none: no `spec` shown
 */
export function engineView(
  engine: Pick<Engine, 'books' | 'dropped' | 'frames'> & Partial<Pick<Engine, 'funding'>>,
  analytics: Pick<AnalyticsStage, 'latest' | 'analytics'> | null,
  consolidation: Pick<ConsolidationStage, 'groups' | 'watchlist'> | null = null,
  instruments?: Pick<InstrumentCatalog, 'get'>,
): ApiEngine {
  return {
    books: engine.books,
    dropped: engine.dropped,
    frames: engine.frames,
    latest: analytics?.latest ?? new Map(),
    ...(analytics ? { analytics: (id: string) => analytics.analytics(id) } : {}),
    ...(instruments ? { spec: (id: string) => instruments.get(id) } : {}),
    ...(consolidation ? { consolidation } : {}),
    ...(engine.funding ? { funding: engine.funding } : {}),
  };
}

/** `GET /api/v1/instruments` entry. */
export type InstrumentInfo = C.InstrumentInfo;
/** `GET /api/v1/instruments`. */
export type InstrumentsResponse = C.InstrumentsResponse;
/** `GET /api/v1/funding`. */
export type FundingResponse = C.FundingResponse;
/** `GET /api/v1/books/:instrument`. */
export type BookResponse = C.BookSnapshot;
/** `GET /api/v1/metrics/:instrument`. */
export type LatestMetricsResponse = C.MetricsSample;
/** `GET /api/v1/history/metrics`. */
export type HistoryMetricsResponse = z.infer<typeof C.HistoryMetricsResponse>;
/** `GET /api/v1/history/trades`. */
export type HistoryTradesResponse = z.infer<typeof C.HistoryTradesResponse>;
/** `GET /api/v1/history/orderbook`. */
export type HistoryOrderbookResponse = z.infer<typeof C.HistoryOrderbookResponse>;
/** `GET /api/v1/history/candles`. */
export type HistoryCandlesResponse = z.infer<typeof C.HistoryCandlesResponse>;
/** `GET /api/v1/alerts`. */
export type AlertsResponse = z.infer<typeof C.AlertsResponse>;
/** `GET /api/v1/alert-rules` (contract: C.AlertRulesResponse; rules with their full server-side type). */
export type AlertRulesResponse = C.Page<AlertRule>;
/** `GET /api/v1/analytics/:instrument` (contract: C.AnalyticsView; the full server-side type). */
export type AnalyticsResponse = InstrumentAnalyticsView;
/** `GET /api/v1/history/heatmap`. */
export type HeatmapResponse = C.HeatmapResponse;
/** Error body of every 4xx/5xx answer. */
export type ErrorResponse = C.ErrorBody;
/** WebSocket channels. */
export type WsChannel = C.WsChannel;
/** Client → server messages on `/ws`. */
export type WsClientMessage = C.WsClientMessage;
/** Server → client data messages on `/ws`. */
export type WsDataMessage = C.WsData;
/** Server → client control messages on `/ws`. */
export type WsControlMessage = C.WsControlMessage;
/** Everything the server sends on `/ws`. */
export type WsServerMessage = C.WsServerMessage;
