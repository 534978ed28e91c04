/**
 * REST client for the history and system endpoints of the History and System views (client-only shapes
 * kept apart from api/types.ts, which mirrors the server). Relative URLs like api/rest.ts; every call
 * throws {@link ApiError} on a non-2xx answer or a network failure.
 */
import { fetchAlerts, getJson, request } from './rest.ts';
import type { BookSnapshot, InstrumentsResponse, MetricsSample } from './types.ts';
import type { Alert } from './alerts.ts';

/** Candle widths of `GET /api/v1/history/candles`, ms by name. */
export const CANDLE_INTERVALS = {
  '1s': 1_000,
  '5s': 5_000,
  '1m': 60_000,
  '15m': 900_000,
  '1h': 3_600_000,
} as const;

/** A candle width name. */
export type CandleInterval = keyof typeof CANDLE_INTERVALS;

/** One OHLCV candle from stored trades: prices quote currency, volumes base units, `ts` bucket start ms UTC. */
export interface Candle {
  ts: number;
  open: number;
  high: number;
  low: number;
  close: number;
  volume: number;
  buyVolume: number;
  sellVolume: number;
  trades: number;
}

/** `GET /api/v1/instruments` with the per-venue frame counter the server also sends. */
export interface InstrumentsWithFrames extends InstrumentsResponse {
  /** Frames handled, by venue (absent on older servers). */
  frames?: Record<string, number>;
}

function rangeQuery(instrument: string, from: number, to: number): URLSearchParams {
  return new URLSearchParams({ instrument, from: String(Math.floor(from)), to: String(Math.ceil(to)) });
}

/**
 * OHLCV candles of an instrument over `[from, to)` (ms since epoch UTC), oldest first. Throws
 * {@link ApiError} 501 when the store computes no candles.
 */
export function fetchCandles(
  instrument: string,
  from: number,
  to: number,
  interval: CandleInterval,
  signal?: AbortSignal,
): Promise<Candle[]> {
  const q = rangeQuery(instrument, from, to);
  q.set('interval', interval);
  return getJson(`api/v1/history/candles?${q.toString()}`, signal);
}

/**
 * Stored metric samples over `[from, to)` downsampled server-side to one per `intervalMs` bucket
 * (prices = the bucket's last, imbalances = its average; `localTs` = bucket start), oldest first.
 */
export function fetchMetricsDownsampled(
  instrument: string,
  from: number,
  to: number,
  intervalMs: number,
  signal?: AbortSignal,
): Promise<MetricsSample[]> {
  const q = rangeQuery(instrument, from, to);
  q.set('interval', String(Math.max(1, Math.round(intervalMs))));
  return getJson(`api/v1/history/metrics?${q.toString()}`, signal);
}

/**
 * The latest stored book snapshot at or before `at` (ms since epoch UTC), `depth` levels per side, or
 * null when none was stored by then. Throws {@link ApiError} 501 when the store keeps no snapshots.
 */
export async function fetchSnapshotAt(
  instrument: string,
  at: number,
  depth: number,
  signal?: AbortSignal,
): Promise<BookSnapshot | null> {
  const q = new URLSearchParams({ instrument, at: String(Math.floor(at)), depth: String(depth) });
  const rows = await getJson<BookSnapshot[]>(`api/v1/history/orderbook?${q.toString()}`, signal);
  return rows[0] ?? null;
}

/**
 * Stored alerts of an instrument over `[from, to)`, newest first, following cursors up to `max` alerts
 * (pages of at most 1,000). Throws {@link ApiError} 501 when the store keeps no alerts.
 */
export async function fetchAlertsInRange(
  instrument: string,
  from: number,
  to: number,
  max: number,
  signal?: AbortSignal,
): Promise<Alert[]> {
  const out: Alert[] = [];
  let cursor: string | undefined;
  do {
    const page = await fetchAlerts(
      { instrument, from, to, limit: Math.min(1000, max - out.length), ...(cursor ? { cursor } : {}) },
      signal,
    );
    out.push(...page.alerts);
    cursor = page.nextCursor ?? undefined;
  } while (cursor && out.length < max);
  return out;
}

/** `GET /api/v1/instruments` including the per-venue `frames` counter. */
export function fetchInstrumentsWithFrames(signal?: AbortSignal): Promise<InstrumentsWithFrames> {
  return getJson('api/v1/instruments', signal);
}

/** The Prometheus text exposition of `GET /metrics` (parse with lib/system.ts parsePrometheus). */
export async function fetchPrometheusText(signal?: AbortSignal): Promise<string> {
  return (await request('metrics', 'text/plain', signal)).text();
}
