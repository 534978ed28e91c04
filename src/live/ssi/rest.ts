/**
 * SSI FastConnect Data REST reference data: the securities list and daily/intraday OHLC, with SSI's
 * paging (pageIndex/pageSize) and its 30-day limit per OHLC request, behind the REST limiter shared with
 * the token requests (live/rest-limiter.ts, as every venue's REST calls).
 *
 * Follows: SSI FastConnect Data API Specs v2.2, 4.2 "Securities", 4.6 "Daily OHLC", 4.7 "Intraday
 * OHLC" (bodies parsed by feeds/ssi/reference.ts). Every request carries `Authorization: Bearer <token>`
 * (SsiAuth); a 401 gets a new token and one retry; a 429 pauses the limiter for `Retry-After` and is
 * retried (at most 5 times).
 */
import type { RestLimiter } from '../rest-limiter.ts';
import {
  dateWindows,
  parseSsiOhlc,
  parseSsiSecurities,
  ssiDate,
  ssiRows,
  type SsiOhlcBar,
} from '../../feeds/ssi/reference.ts';
import type { SsiInstrumentSpec } from '../../feeds/ssi/instruments.ts';
import type { SsiAuth } from './client.ts';

/** A REST request that failed (never carries the token). */
export class SsiRestError extends Error {
  override readonly name = 'SsiRestError';
  constructor(
    message: string,
    readonly status?: number,
  ) {
    super(message);
  }
}

/** The REST client (see module comment). */
export class SsiRest {
  /** Requests sent, 401s and 429s seen, pages read. */
  readonly stats = { requests: 0, unauthorized: 0, rateLimited: 0, pages: 0 };

  constructor(
    private readonly o: {
      readonly restUrl: string;
      readonly auth: SsiAuth;
      readonly limiter: RestLimiter;
      /** Rows per page (SSI: 10, 20, 50, 100, 500, 1000; default 1000). */
      readonly pageSize?: number;
    },
  ) {}

  /**
   * GET one page.
   * @throws {SsiRestError} on a failed request or a non-2xx answer after the retries
   */
  async get(path: string, query: Record<string, string>): Promise<string> {
    const url = `${this.o.restUrl.replace(/\/$/, '')}${path}?${new URLSearchParams(query).toString()}`;
    let authRetried = false;
    for (let attempt = 0; ; attempt++) {
      const token = await this.o.auth.get();
      await this.o.limiter.acquire(1);
      this.stats.requests++;
      let res: Response;
      try {
        res = await fetch(url, { headers: { authorization: `Bearer ${token}`, accept: 'application/json' } });
      } catch (e) {
        throw new SsiRestError(`GET ${path} failed: ${(e as Error).message}`);
      }
      this.o.limiter.report(res.status, res.headers.get('retry-after'));
      if (res.status === 429 && attempt < 5) {
        this.stats.rateLimited++;
        await res.body?.cancel();
        continue;
      }
      if (res.status === 401 && !authRetried) {
        this.stats.unauthorized++;
        authRetried = true;
        await res.body?.cancel();
        await this.o.auth.refresh();
        continue;
      }
      if (!res.ok) {
        await res.body?.cancel();
        throw new SsiRestError(`GET ${path} answered HTTP ${res.status}`, res.status);
      }
      return res.text();
    }
  }

  /** Every page of a listing: pageIndex 1.. until a short page or `totalRecord` rows (SSI allows 10 pages). */
  private async pages(path: string, query: Record<string, string>): Promise<string[]> {
    const size = this.o.pageSize ?? 1000;
    const out: string[] = [];
    let seen = 0;
    for (let page = 1; page <= 10; page++) {
      const body = await this.get(path, { ...query, pageIndex: String(page), pageSize: String(size) });
      this.stats.pages++;
      out.push(body);
      const { rows, total } = ssiRows(body);
      seen += rows.length;
      if (rows.length < size || (Number.isFinite(total) && seen >= total)) break;
    }
    return out;
  }

  /** The securities of a market (`HOSE`, `HNX`, `UPCOM`, `DER`; all when absent) as instrument specs. */
  async securities(market?: string, onSkip?: (reason: string) => void): Promise<SsiInstrumentSpec[]> {
    const bodies = await this.pages('/api/v2/Market/Securities', market ? { market } : {});
    return bodies.flatMap((b) => parseSsiSecurities(b, onSkip));
  }

  /**
   * Daily bars of `symbol` from `from` to `to` (`YYYY-MM-DD`, inclusive), oldest first: one request per
   * 30-day window, every page of each.
   */
  dailyOhlc(
    symbol: string,
    from: string,
    to: string,
    onSkip?: (reason: string) => void,
  ): Promise<SsiOhlcBar[]> {
    return this.ohlc('/api/v2/Market/DailyOhlc', symbol, from, to, {}, onSkip);
  }

  /** Intraday bars (`resolution` in minutes as SSI takes it, default 1), as {@link dailyOhlc}. */
  intradayOhlc(
    symbol: string,
    from: string,
    to: string,
    resolution = 1,
    onSkip?: (reason: string) => void,
  ): Promise<SsiOhlcBar[]> {
    return this.ohlc(
      '/api/v2/Market/IntradayOhlc',
      symbol,
      from,
      to,
      { resolution: String(resolution) },
      onSkip,
    );
  }

  private async ohlc(
    path: string,
    symbol: string,
    from: string,
    to: string,
    extra: Record<string, string>,
    onSkip?: (reason: string) => void,
  ): Promise<SsiOhlcBar[]> {
    const out: SsiOhlcBar[] = [];
    for (const w of dateWindows(from, to, 30)) {
      const q = { symbol, fromDate: ssiDate(w.from), toDate: ssiDate(w.to), ascending: 'true', ...extra };
      for (const body of await this.pages(path, q)) out.push(...parseSsiOhlc(body, onSkip));
    }
    return out;
  }
}
