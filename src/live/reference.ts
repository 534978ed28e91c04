/**
 * Reference data at start (live mode): each venue's instrument list (`VenueAdapter.reference`,
 * feeds/<venue>/instruments.ts) fetched from its REST endpoint under the venue's weight limiter
 * (rest-limiter.ts) with retries on the one back-off (util/backoff.ts), parsed into an InstrumentCatalog
 * (`source: 'reference'`).
 *
 * One log line per venue: `reference <venue>: loaded N instruments` (info), or, when the venue has no
 * reference, a request failed every attempt or a body did not parse, `reference <venue>: ... using the
 * documented fallback` (warn). Fallback (core/instrument.ts `fallbackSpec`): instruments the catalog lacks
 * get assets guessed from the symbol, the venue's documented contract rule where it has one (Binance
 * COIN-M: BTC 100 USD, other coins 10 USD inverse contracts; USD-M linear, sizes in base units) and
 * spot-like sizes otherwise, tick and lot unknown (so buckets fall back to round numbers near the target).
 * A venue whose requests partly failed keeps the specs it got (`partial`) and falls back for the rest.
 * Retried: network errors, timeouts, HTTP 429/418/5xx; not retried: other 4xx and bodies that do not
 * parse (another attempt would get the same answer).
 */
import { MalformedFrameError } from '../core/errors.ts';
import { InstrumentCatalog, type InstrumentSpec } from '../core/instrument.ts';
import type { VenueId } from '../core/model.ts';
import type { RestRequest, VenueAdapter } from '../feeds/types.ts';
import { retry } from '../util/backoff.ts';
import type { ConnectorLogger, FrameRecorder } from './connector.ts';
import { RestLimiter } from './rest-limiter.ts';

/** Outcome of one venue's load. */
export interface VenueReferenceResult {
  venue: VenueId;
  /** `loaded` every request; `partial` some; `fallback` none (or the venue lists no reference). */
  status: 'loaded' | 'partial' | 'fallback';
  /** Specs added to the catalog. */
  specs: number;
  /** Entries the venue's parser left out (unusable fields). */
  skipped: number;
  /** Requests made (attempts included) and failed for good. */
  attempts: number;
  failed: number;
  /** Why it fell back (or went partial); absent when loaded. */
  error?: string;
  /** Wall time of the load, ms. */
  ms: number;
}

/** Options of {@link loadVenueReferences}. */
export interface ReferenceLoadOptions {
  /** Venues to load (each once). */
  adapters: readonly VenueAdapter[];
  /** Catalog to fill (default: a new one). */
  catalog?: InstrumentCatalog;
  /** REST base per venue (the simulator's in tests; config `venues.<id>.rest`), else the production URL. */
  restUrl?: (venue: VenueId) => string | undefined;
  /** The venue's REST limiter, shared with its connector (default: one per venue from its budget). */
  limiter?: (venue: VenueId) => RestLimiter | undefined;
  /** Records each reference body (kind `rest`), so a recording replays with the same specs. */
  recorder?: (venue: VenueId) => FrameRecorder | undefined;
  logger?: ConnectorLogger;
  /** Attempts per request (default 4), back-off between them (default 500 ms doubling to 8 s, full jitter). */
  attempts?: number;
  backoffBaseMs?: number;
  backoffMaxMs?: number;
  /** Abort one GET after this long, ms (default 10 000). */
  timeoutMs?: number;
  /**
   * Give up a venue's load after this long in all, ms (default 30 000), so an unreachable venue delays
   * the start by at most this much before it falls back.
   */
  budgetMs?: number;
  /** Uniform [0,1) source for the jitter (default Math.random). */
  random?: () => number;
}

/** An HTTP answer worth retrying (or not). */
class HttpStatusError extends Error {
  constructor(
    readonly status: number,
    url: string,
  ) {
    super(`HTTP ${status} from ${url}`);
  }
  get retryable(): boolean {
    return this.status === 429 || this.status === 418 || this.status >= 500;
  }
}

/** Default budget for venues without a documented per-minute weight (one call per request). */
const DEFAULT_WEIGHT_PER_MINUTE = 600;

/**
 * Load the reference data of every venue (concurrently) into the catalog; never throws for a venue's
 * failure (it falls back, logged).
 * @returns the catalog and one result per venue, in the adapters' order
 */
export async function loadVenueReferences(
  opts: ReferenceLoadOptions,
): Promise<{ catalog: InstrumentCatalog; results: VenueReferenceResult[] }> {
  const catalog = opts.catalog ?? new InstrumentCatalog();
  const seen = new Set<VenueId>();
  const adapters = opts.adapters.filter((a) => !seen.has(a.id) && seen.add(a.id));
  const results = await Promise.all(adapters.map((a) => loadOne(a, catalog, opts)));
  return { catalog, results };
}

async function loadOne(
  a: VenueAdapter,
  catalog: InstrumentCatalog,
  opts: ReferenceLoadOptions,
): Promise<VenueReferenceResult> {
  const t0 = performance.now();
  const log = opts.logger;
  const result: VenueReferenceResult = {
    venue: a.id,
    status: 'fallback',
    specs: 0,
    skipped: 0,
    attempts: 0,
    failed: 0,
    ms: 0,
  };
  const ref = a.reference;
  const base = opts.restUrl?.(a.id) ?? a.rest?.url ?? ref?.restUrl;
  if (!ref || base === undefined) {
    result.error = 'the venue adapter lists no reference endpoint';
    log?.warn({ venue: a.id }, `reference ${a.id}: ${result.error}; using the documented fallback`);
    return result;
  }
  const limiter =
    opts.limiter?.(a.id) ??
    new RestLimiter({ weightPerMinute: a.rest?.weightPerMinute ?? DEFAULT_WEIGHT_PER_MINUTE });
  const specs: InstrumentSpec[] = [];
  const errors: string[] = [];
  const requests = ref.requests(base);
  const budget = AbortSignal.timeout(opts.budgetMs ?? 30_000);
  for (const req of requests) {
    try {
      if (budget.aborted) throw new Error(`load budget of ${opts.budgetMs ?? 30_000} ms spent`);
      const body = await fetchBody(req, limiter, opts, result, a.id, budget);
      specs.push(...ref.parse(body, req.url, 'reference', () => void result.skipped++));
    } catch (e) {
      result.failed++;
      errors.push(e instanceof Error ? e.message : String(e));
    }
  }
  catalog.add(specs);
  result.specs = specs.length;
  result.ms = Math.round(performance.now() - t0);
  result.status = result.failed === 0 ? 'loaded' : result.failed < requests.length ? 'partial' : 'fallback';
  if (errors.length > 0) result.error = errors.join('; ');
  const fields = { venue: a.id, specs: result.specs, skipped: result.skipped, ms: result.ms };
  if (result.status === 'loaded')
    log?.info(fields, `reference ${a.id}: loaded ${result.specs} instruments (${requests.length} requests)`);
  else
    log?.warn(
      { ...fields, error: result.error },
      result.status === 'partial'
        ? `reference ${a.id}: loaded ${result.specs} instruments, ${result.failed} of ${requests.length} requests failed (${result.error}); the rest use the documented fallback`
        : `reference ${a.id}: unavailable (${result.error}); using the documented fallback`,
    );
  return result;
}

/** GET one reference request under the limiter, retried with back-off. @returns the body */
async function fetchBody(
  req: RestRequest,
  limiter: RestLimiter,
  opts: ReferenceLoadOptions,
  result: VenueReferenceResult,
  venue: VenueId,
  budget: AbortSignal,
): Promise<string> {
  const timeoutMs = opts.timeoutMs ?? 10_000;
  return retry(
    async (signal) => {
      result.attempts++;
      await limiter.acquire(req.weight);
      const res = await fetch(req.url, { signal: AbortSignal.any([signal, AbortSignal.timeout(timeoutMs)]) });
      limiter.report(res.status, res.headers.get('retry-after'));
      const body = await res.text();
      if (!res.ok) throw new HttpStatusError(res.status, req.url);
      opts.recorder?.(venue)?.write({ localTs: Date.now(), kind: 'rest', venue, url: req.url, text: body });
      return body;
    },
    {
      attempts: opts.attempts ?? 4,
      baseMs: opts.backoffBaseMs ?? 500,
      maxMs: opts.backoffMaxMs ?? 8_000,
      ...(opts.random ? { random: opts.random } : {}),
      signal: budget,
      retryIf: (e) => !(e instanceof MalformedFrameError) && (!(e instanceof HttpStatusError) || e.retryable),
    },
  );
}
