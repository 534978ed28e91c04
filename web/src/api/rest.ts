/**
 * REST client for `/api/v1` (relative URLs: the dashboard is served by the API process itself).
 * Every call throws {@link ApiError} on a non-2xx answer or a network failure.
 */
import type {
  BookResponse,
  HeatmapResponse,
  InstrumentsResponse,
  MetricsSample,
  TradeSide,
} from './types.ts';
import type { AlertsPage, Severity } from './alerts.ts';

/** A failed API call: HTTP status (0 for a network error) and the URL. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly url: string,
    message: string,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

/**
 * GET a relative URL with an `accept` header. @throws {ApiError} on a non-2xx answer or a network failure
 */
export async function request(url: string, accept: string, signal?: AbortSignal): Promise<Response> {
  let res: Response;
  try {
    res = await fetch(url, { headers: { accept }, signal });
  } catch (e) {
    throw new ApiError(0, url, `network error: ${(e as Error).message}`);
  }
  if (!res.ok) throw new ApiError(res.status, url, `HTTP ${res.status} for ${url}`);
  return res;
}

/** GET a relative URL as JSON. @throws {ApiError} on a non-2xx answer or a network failure */
export async function getJson<T>(url: string, signal?: AbortSignal): Promise<T> {
  return (await (await request(url, 'application/json', signal)).json()) as T;
}

/** Instruments with their book health, plus frames dropped per venue and reason. */
export function fetchInstruments(signal?: AbortSignal): Promise<InstrumentsResponse> {
  return getJson('api/v1/instruments', signal);
}

/** Current book of an instrument, `depth` levels per side, best first. */
export function fetchBook(instrument: string, depth: number, signal?: AbortSignal): Promise<BookResponse> {
  return getJson(`api/v1/books/${encodeURIComponent(instrument)}?depth=${depth}`, signal);
}

/** Latest metrics sample of an instrument. */
export function fetchMetrics(instrument: string, signal?: AbortSignal): Promise<MetricsSample> {
  return getJson(`api/v1/metrics/${encodeURIComponent(instrument)}`, signal);
}

/**
 * Stored metric samples of an instrument, oldest first.
 * @param from inclusive start, ms since epoch UTC
 * @param to exclusive end, ms since epoch UTC
 */
export function fetchMetricsHistory(
  instrument: string,
  from: number,
  to: number,
  signal?: AbortSignal,
): Promise<MetricsSample[]> {
  const q = new URLSearchParams({ instrument, from: String(Math.floor(from)), to: String(Math.ceil(to)) });
  return getJson(`api/v1/history/metrics?${q.toString()}`, signal);
}

/**
 * Order-book heatmap of an instrument over `[from, to)`: runs of resting size per price bucket, gaps and
 * coverage (see api/types.ts HeatmapResponse). Throws {@link ApiError} with status 501 when the
 * instrument keeps no heatmap, 400 when `bucket` is not a whole multiple of the server's bucket.
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
  const q = new URLSearchParams({ instrument, from: String(Math.floor(from)) });
  if (to !== undefined) q.set('to', String(Math.ceil(to)));
  if (bucket !== undefined) q.set('bucket', String(bucket));
  return getJson(`api/v1/history/heatmap?${q.toString()}`, signal);
}

/** A stored trade (`GET /api/v1/history/trades`): price quote, size base, times ms since epoch UTC. */
export interface TradeRow {
  instrument: string;
  exchangeTs: number | null;
  localTs: number;
  id: string;
  price: number;
  size: number;
  side: TradeSide;
}

/**
 * Stored trades of an instrument, oldest first (at most `limit`, the oldest of the range).
 * @param from inclusive start, ms since epoch UTC
 * @param to exclusive end, ms since epoch UTC
 */
export function fetchTradesHistory(
  instrument: string,
  from: number,
  to: number,
  limit: number,
  signal?: AbortSignal,
): Promise<TradeRow[]> {
  const q = new URLSearchParams({
    instrument,
    from: String(Math.floor(from)),
    to: String(Math.ceil(to)),
    limit: String(limit),
  });
  return getJson(`api/v1/history/trades?${q.toString()}`, signal);
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
  const q = new URLSearchParams();
  if (f.instrument) q.set('instrument', f.instrument);
  if (f.severity) q.set('severity', f.severity);
  if (f.rule) q.set('rule', f.rule);
  if (f.limit !== undefined) q.set('limit', String(f.limit));
  if (f.cursor) q.set('cursor', f.cursor);
  if (f.from !== undefined) q.set('from', String(Math.floor(f.from)));
  if (f.to !== undefined) q.set('to', String(Math.ceil(f.to)));
  const qs = q.toString();
  return getJson(`api/v1/alerts${qs ? `?${qs}` : ''}`, signal);
}
