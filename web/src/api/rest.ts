/**
 * REST client for `/api/v1` (relative URLs: the dashboard is served by the API process itself).
 * Every call throws {@link ApiError} on a non-2xx answer or a network failure.
 */
import type { BookResponse, InstrumentsResponse, MetricsSample } from './types.ts';

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

async function getJson<T>(url: string, signal?: AbortSignal): Promise<T> {
  let res: Response;
  try {
    res = await fetch(url, { headers: { accept: 'application/json' }, signal });
  } catch (e) {
    throw new ApiError(0, url, `network error: ${(e as Error).message}`);
  }
  if (!res.ok) throw new ApiError(res.status, url, `HTTP ${res.status} for ${url}`);
  return (await res.json()) as T;
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
