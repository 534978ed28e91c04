/**
 * REST calls of the live views, over the SDK client (web/src/api/client.ts). Every call throws
 * {@link ApiError} on a non-2xx answer or a network failure.
 */
import { api, ApiError } from './client.ts';
import type {
  BookResponse,
  HeatmapResponse,
  InstrumentsResponse,
  MetricsSample,
  TradeUpdate,
} from './types.ts';
import type { AlertsPage, Severity } from './alerts.ts';

export { ApiError };

/** Instruments with their book health, plus frames dropped per venue and reason. */
export function fetchInstruments(signal?: AbortSignal): Promise<InstrumentsResponse> {
  return api.instruments({ query: { limit: 10_000 } }, signal ? { signal } : {});
}

/** Current book of an instrument, `depth` levels per side, best first. */
export function fetchBook(instrument: string, depth: number, signal?: AbortSignal): Promise<BookResponse> {
  return api.book({ instrument, query: { depth } }, signal ? { signal } : {});
}

/** Latest metrics sample of an instrument. */
export function fetchMetrics(instrument: string, signal?: AbortSignal): Promise<MetricsSample> {
  return api.metrics({ instrument }, signal ? { signal } : {});
}

/**
 * Stored metric samples of an instrument, oldest first (the first page of the range).
 * @param from inclusive start, ms since epoch UTC
 * @param to exclusive end, ms since epoch UTC
 */
export async function fetchMetricsHistory(
  instrument: string,
  from: number,
  to: number,
  signal?: AbortSignal,
): Promise<MetricsSample[]> {
  const page = await api.historyMetrics(
    { query: { instrument, from: Math.floor(from), to: Math.ceil(to) } },
    signal ? { signal } : {},
  );
  return page.items;
}

/**
 * Order-book heatmap of an instrument over `[from, to)`: runs of resting size per price bucket, gaps and
 * coverage. Throws {@link ApiError} with status 501 when the instrument keeps no heatmap, 400 when
 * `bucket` is not a whole multiple of the server's bucket.
 * @param from inclusive start, ms since epoch UTC
 * @param to exclusive end, ms since epoch UTC; omitted = the server's now (read it from the answer's `to`)
 * @param bucket price bucket width, quote; omitted = the server's configured bucket
 */
export function fetchHeatmap(
  instrument: string,
  from: number,
  to?: number,
  bucket?: number,
  signal?: AbortSignal,
): Promise<HeatmapResponse> {
  return api.historyHeatmap(
    {
      query: {
        instrument,
        from: Math.floor(from),
        ...(to !== undefined ? { to: Math.ceil(to) } : {}),
        ...(bucket !== undefined ? { bucket } : {}),
      },
    },
    signal ? { signal } : {},
  );
}

/** A stored trade (`GET /api/v1/history/trades`). */
export type TradeRow = TradeUpdate;

/**
 * One page of stored trades of an instrument, oldest first: at most `limit` rows (the server may send
 * fewer: its row and byte caps, README "Security"); pass `nextCursor` back as `cursor` for the next page
 * (null on the last).
 * @param from inclusive start, ms since epoch UTC
 * @param to exclusive end, ms since epoch UTC
 */
export async function fetchTradesHistory(
  instrument: string,
  from: number,
  to: number,
  limit: number,
  signal?: AbortSignal,
  cursor?: string,
): Promise<{ items: TradeRow[]; nextCursor: string | null }> {
  return api.historyTrades(
    {
      query: {
        instrument,
        from: Math.floor(from),
        to: Math.ceil(to),
        limit,
        ...(cursor !== undefined ? { cursor } : {}),
      },
    },
    signal ? { signal } : {},
  );
}

/** Filters of {@link fetchAlerts}; every one optional. */
export interface AlertsFilter {
  /** Instrument id or pair/group name; omitted = all. */
  instrument?: string;
  /** Exact severity; omitted = all. */
  severity?: Severity;
  /** Rule id. */
  rule?: string;
  /** Page size, 1-1000 (server default 100). */
  limit?: number;
  /** `nextCursor` of the previous page. */
  cursor?: string;
  /** Inclusive start, ms since epoch UTC. */
  from?: number;
  /** Exclusive end, ms since epoch UTC. */
  to?: number;
}

/**
 * One page of stored alerts, newest first. Throws {@link ApiError} with status 501 when the store keeps
 * no alerts, 400 for a bad cursor or filter.
 */
export function fetchAlerts(f: AlertsFilter, signal?: AbortSignal): Promise<AlertsPage> {
  const query = {
    ...f,
    ...(f.from !== undefined ? { from: Math.floor(f.from) } : {}),
    ...(f.to !== undefined ? { to: Math.ceil(f.to) } : {}),
  };
  return api.alerts({ query }, signal ? { signal } : {});
}
