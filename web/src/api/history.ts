/**
 * REST client for the history and system endpoints of the History and System views (client-only shapes
 * kept apart from api/types.ts, which mirrors the server). Relative URLs like api/rest.ts; every call
 * throws {@link ApiError} on a non-2xx answer or a network failure.
 */
import { api } from './client.ts';
import { fetchAlerts } from './rest.ts';
import type { BookSnapshot, InstrumentsResponse, MetricsSample } from './types.ts';
import type { Alert } from './alerts.ts';
import type { Candle as ContractCandle, CandleIntervalName } from '../../../src/contract/index.ts';

/** Candle widths, ms by label (the contract's `interval` values). */
export const CANDLE_INTERVALS = {
  '1s': 1_000,
  '5s': 5_000,
  '1m': 60_000,
  '15m': 900_000,
  '1h': 3_600_000,
} as const satisfies Record<CandleIntervalName, number>;

/** A candle width label. */
export type CandleInterval = keyof typeof CANDLE_INTERVALS;

/** One OHLCV candle (open time `start`). */
export type Candle = ContractCandle;

/** `GET /api/v1/instruments` with its per-venue frame counters. */
export type InstrumentsWithFrames = InstrumentsResponse;

const opt = (signal?: AbortSignal) => (signal ? { signal } : {});

/** Candles of an instrument over `[from, to)`, oldest first (the first page). */
export async function fetchCandles(
  instrument: string,
  from: number,
  to: number,
  interval: CandleInterval,
  signal?: AbortSignal,
): Promise<Candle[]> {
  const page = await api.historyCandles(
    { query: { instrument, from: Math.floor(from), to: Math.ceil(to), interval } },
    opt(signal),
  );
  return page.items;
}

/** Stored metrics downsampled to `intervalMs` buckets, oldest first. */
export async function fetchMetricsDownsampled(
  instrument: string,
  from: number,
  to: number,
  intervalMs: number,
  signal?: AbortSignal,
): Promise<MetricsSample[]> {
  const page = await api.historyMetrics(
    {
      query: {
        instrument,
        from: Math.floor(from),
        to: Math.ceil(to),
        interval: String(Math.max(1, Math.round(intervalMs))),
      },
    },
    opt(signal),
  );
  return page.items;
}

/** The stored book snapshot at or before `at` (null when none). */
export async function fetchSnapshotAt(
  instrument: string,
  at: number,
  depth: number,
  signal?: AbortSignal,
): Promise<BookSnapshot | null> {
  const page = await api.historyOrderbook({ query: { instrument, at: Math.floor(at), depth } }, opt(signal));
  return page.items[0] ?? null;
}

/** Every stored alert of an instrument in `[from, to)`, newest first, at most `max`. */
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
    out.push(...page.items);
    cursor = page.nextCursor ?? undefined;
  } while (cursor && out.length < max);
  return out;
}

/** Instruments with health, drops and frames. */
export function fetchInstrumentsWithFrames(signal?: AbortSignal): Promise<InstrumentsWithFrames> {
  return api.instruments({ query: { limit: 10_000 } }, opt(signal));
}

/** The Prometheus text of `/metrics`. */
export function fetchPrometheusText(signal?: AbortSignal): Promise<string> {
  return api.prometheus({}, opt(signal));
}
