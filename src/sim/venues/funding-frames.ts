/**
 * Funding frames the simulator serves (no recording holds a funding stream): each venue's documented
 * wire shape, with values
 * - from a real recorded REST reference body where the venue's carries funding (Gate.io futures
 *   `GET /api/v4/futures/usdt/contracts`: `funding_rate`, `funding_rate_indicative`, `mark_price`,
 *   `index_price`, `funding_next_apply` per contract; {@link gateioFundingFromContracts}), else
 * - from the venue documentation's example frame ({@link DOC_EXAMPLES}): NOT the real values of the
 *   symbol served, only the documented shape and magnitudes. Tests say which one they check.
 * Times: the event time is the simulator's recorded clock (the last observed frame's local time), so a
 * served frame stands at the recorded moment; next funding times follow the venue's documented
 * schedule from there.
 */

/** Funding values of one instrument, decimal strings as the venue writes them. */
export interface SimFundingValues {
  rate: string;
  mark: string;
  index: string;
  /** The venue's forecast of the next rate, when its channel carries one. */
  predicted?: string;
  /** Next settlement, ms since epoch UTC, when the source tells it (else: the venue's schedule). */
  nextFundingTime?: number;
}

/**
 * The values of each venue documentation's example funding frame (labelled: documentation examples,
 * not market data): Binance Derivatives "Mark Price Stream" (USD-M example), OKX v5 "Funding rate
 * channel", Bybit v5 "Public > Ticker" (linear example), Hyperliquid "Subscriptions" (activeAssetCtx
 * perps context as the docs' types list it), Kraken Futures "Ticker" (subscription data example).
 */
export const DOC_EXAMPLES = {
  binance: { rate: '0.00038167', mark: '11794.15000000', index: '11784.62659091' },
  okx: { rate: '0.0001875391284828', mark: '', index: '', predicted: '' },
  bybit: { rate: '-0.000212', mark: '17217.33', index: '17227.36' },
  hyperliquid: { rate: '0.0000125', mark: '14.3161', index: '14.32' },
  krakenFutures: { rate: '0.000004234411', mark: '34843.5', index: '34803.45', predicted: '0.000004234411' },
} as const satisfies Record<string, SimFundingValues>;

/** The next settlement after `ms` on a schedule of every `hours` hours from 00:00 UTC. */
export function nextSettlement(ms: number, hours: number): number {
  const step = hours * 3_600_000;
  return (Math.floor(ms / step) + 1) * step;
}

/** Whether a recorded REST URL is Gate.io's futures contracts list (the reference body with funding). */
export function isGateioContractsUrl(url: string | undefined): boolean {
  return url !== undefined && /\/api\/v4\/futures\/usdt\/contracts(\?|$)/.test(url);
}

/**
 * The funding values per contract of a recorded Gate.io `GET /api/v4/futures/usdt/contracts` body
 * (APIv4 "Futures > List all futures contracts": `name`, `funding_rate`, `funding_rate_indicative`,
 * `mark_price`, `index_price`, `funding_next_apply` in s). Entries without a string `funding_rate` are
 * left out; a body that is not a JSON list gives an empty map.
 */
export function gateioFundingFromContracts(body: string): Map<string, SimFundingValues> {
  const out = new Map<string, SimFundingValues>();
  let list: unknown;
  try {
    list = JSON.parse(body);
  } catch {
    return out;
  }
  if (!Array.isArray(list)) return out;
  for (const c of list as Record<string, unknown>[]) {
    if (c === null || typeof c !== 'object') continue;
    if (typeof c.name !== 'string' || typeof c.funding_rate !== 'string') continue;
    const v: SimFundingValues = {
      rate: c.funding_rate,
      mark: typeof c.mark_price === 'string' ? c.mark_price : '',
      index: typeof c.index_price === 'string' ? c.index_price : '',
    };
    if (typeof c.funding_rate_indicative === 'string') v.predicted = c.funding_rate_indicative;
    if (typeof c.funding_next_apply === 'number') v.nextFundingTime = c.funding_next_apply * 1000;
    out.set(c.name, v);
  }
  return out;
}

/**
 * A Binance combined-stream `markPriceUpdate` frame (Derivatives "Mark Price Stream"); `P` (estimated
 * settle price) repeats the index, as the documented example's magnitude.
 */
export function binanceMarkPriceFrame(
  stream: string,
  symbol: string,
  v: SimFundingValues,
  nowMs: number,
): string {
  const data = {
    e: 'markPriceUpdate',
    E: Math.floor(nowMs),
    s: symbol,
    p: v.mark,
    i: v.index,
    P: v.index,
    r: v.rate,
    T: v.nextFundingTime ?? nextSettlement(nowMs, 8),
  };
  return JSON.stringify({ stream, data });
}

/**
 * A Gate.io `futures.tickers` update (Futures WebSocket v4 "Tickers API") for one contract: the funding
 * fields from `v`; `last` is the mark price (the reference body's `last_price` is not kept).
 */
export function gateioTickersFrame(contract: string, v: SimFundingValues, nowMs: number): string {
  const ms = Math.floor(nowMs);
  return JSON.stringify({
    time: Math.floor(ms / 1000),
    time_ms: ms,
    channel: 'futures.tickers',
    event: 'update',
    error: null,
    result: [
      {
        contract,
        last: v.mark,
        funding_rate: v.rate,
        funding_rate_indicative: v.predicted ?? v.rate,
        mark_price: v.mark,
        index_price: v.index,
      },
    ],
  });
}

/** An OKX v5 `funding-rate` push (Public Data "Funding rate channel"); 8 h interval from `nowMs`. */
export function okxFundingRateFrame(instId: string, v: SimFundingValues, nowMs: number): string {
  const at = v.nextFundingTime ?? nextSettlement(nowMs, 8);
  return JSON.stringify({
    arg: { channel: 'funding-rate', instId },
    data: [
      {
        instType: 'SWAP',
        instId,
        fundingRate: v.rate,
        nextFundingRate: v.predicted ?? '',
        fundingTime: String(at),
        nextFundingTime: String(at + 8 * 3_600_000),
        method: 'current_period',
        ts: String(Math.floor(nowMs)),
      },
    ],
  });
}

/** A Bybit v5 `tickers.{symbol}` snapshot (Public "Ticker", linear): the funding fields only. */
export function bybitTickerFrame(symbol: string, v: SimFundingValues, nowMs: number): string {
  return JSON.stringify({
    topic: `tickers.${symbol}`,
    type: 'snapshot',
    data: {
      symbol,
      markPrice: v.mark,
      indexPrice: v.index,
      nextFundingTime: String(v.nextFundingTime ?? nextSettlement(nowMs, 8)),
      fundingRate: v.rate,
    },
    cs: 0,
    ts: Math.floor(nowMs),
  });
}

/** A Hyperliquid `activeAssetCtx` message for a perp coin (Subscriptions, `PerpsAssetCtx`). */
export function hyperliquidAssetCtxFrame(coin: string, v: SimFundingValues): string {
  return JSON.stringify({
    channel: 'activeAssetCtx',
    data: { coin, ctx: { markPx: v.mark, funding: v.rate, oraclePx: v.index, openInterest: '0' } },
  });
}

/**
 * A Kraken Futures `ticker` message (Public feeds "Ticker"): numbers as JSON numbers, as the venue
 * writes them; hourly funding.
 */
export function krakenFuturesTickerFrame(productId: string, v: SimFundingValues, nowMs: number): string {
  const next = v.nextFundingTime ?? nextSettlement(nowMs, 1);
  return (
    `{"time":${Math.floor(nowMs)},"product_id":"${productId}","relative_funding_rate":${v.rate},` +
    `"relative_funding_rate_prediction":${v.predicted ?? v.rate},"next_funding_rate_time":${next},` +
    `"feed":"ticker","index":${v.index},"markPrice":${v.mark},"suspended":false,"tag":"perpetual"}`
  );
}
