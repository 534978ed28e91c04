/**
 * Trade flow: aggressor side classification, buy/sell volume, cumulative volume delta (CVD), VWAP,
 * counts, and OHLCV candles at several intervals with EMA, RSI, MACD and Bollinger bands from the
 * `trading-signals` library (updated on each candle close).
 */
import { BollingerBands, EMA, MACD, RSI } from 'trading-signals';
import type { AggressorSide, NonMarketTradeKind } from '../core/model.ts';

/** How the aggressor side was obtained. */
export type AggressorSource = 'venue' | 'quote' | 'tick' | 'none';

/**
 * Classify the aggressor of a trade: the venue's flag when it gives one; else the quote rule (above mid
 * = buy, below = sell, Lee-Ready); at mid (or without a quote) the tick rule (up-tick = buy, down-tick =
 * sell, zero tick = the last non-zero tick's direction).
 * @param venueSide the venue flag; @param price trade price; @param mid book mid at the trade (NaN unknown)
 * @param lastDirection +1/-1 of the last non-zero tick, 0 unknown; @param lastPrice previous trade price (NaN none)
 */
export function classifyAggressor(
  venueSide: AggressorSide,
  price: number,
  mid: number,
  lastPrice: number,
  lastDirection: number,
): { side: AggressorSide; source: AggressorSource } {
  if (venueSide !== 'unknown') return { side: venueSide, source: 'venue' };
  if (!Number.isNaN(mid) && price !== mid) return { side: price > mid ? 'buy' : 'sell', source: 'quote' };
  if (!Number.isNaN(lastPrice)) {
    const d = price > lastPrice ? 1 : price < lastPrice ? -1 : lastDirection;
    if (d !== 0) return { side: d > 0 ? 'buy' : 'sell', source: 'tick' };
  }
  return { side: 'unknown', source: 'none' };
}

/**
 * Cumulative trade-flow statistics since start (sizes base units, converted from contracts by the
 * instrument's spec; notional quote). Prints the venue marks as not market trades (Trade.kind: insurance
 * fund, ADL) are left out of every figure but `excluded`.
 */
export interface FlowStats {
  buyVolume: number;
  sellVolume: number;
  /** Volume whose aggressor could not be told. */
  unknownVolume: number;
  /** buyVolume - sellVolume. */
  cvd: number;
  /** Σ price × size / Σ size over all trades, quote; null before the first trade. */
  vwap: number | null;
  notional: number;
  buyCount: number;
  sellCount: number;
  unknownCount: number;
  /** How many sides came from each source. */
  bySource: Record<AggressorSource, number>;
  /** Last trade price and time (ms). */
  lastPrice: number | null;
  lastTs: number | null;
  /** Non-market prints left out of the flow: count and base volume, and counts by kind. */
  excluded: { count: number; volume: number; byKind: Partial<Record<NonMarketTradeKind, number>> };
}

/** Candle intervals, ms by label. */
export const CANDLE_INTERVALS = {
  '1s': 1_000,
  '5s': 5_000,
  '1m': 60_000,
  '15m': 900_000,
  '1h': 3_600_000,
} as const;
export type CandleInterval = keyof typeof CANDLE_INTERVALS;

/** One OHLCV candle (prices quote, volumes base), open time `start` (ms). */
export interface Candle {
  start: number;
  open: number;
  high: number;
  low: number;
  close: number;
  volume: number;
  buyVolume: number;
  sellVolume: number;
  trades: number;
}

/** Indicator values after the last closed candle (null until each has enough candles). */
export interface IndicatorValues {
  ema: number | null;
  rsi: number | null;
  macd: { macd: number; signal: number; histogram: number } | null;
  bollinger: { lower: number; middle: number; upper: number } | null;
}

/** Indicator periods. */
export interface IndicatorConfig {
  emaPeriod: number;
  rsiPeriod: number;
  macdShort: number;
  macdLong: number;
  macdSignal: number;
  bollingerPeriod: number;
  bollingerDeviation: number;
}

/** Classic defaults: EMA 20, RSI 14, MACD 12/26/9, Bollinger 20 × 2σ. */
export const defaultIndicatorConfig: IndicatorConfig = {
  emaPeriod: 20,
  rsiPeriod: 14,
  macdShort: 12,
  macdLong: 26,
  macdSignal: 9,
  bollingerPeriod: 20,
  bollingerDeviation: 2,
};

/** Candle series of one interval with its indicators (fed on close prices of closed candles). */
export class CandleSeries {
  private readonly closed: Candle[] = [];
  current: Candle | null = null;
  private readonly ema: EMA;
  private readonly rsi: RSI;
  private readonly macd: MACD;
  private readonly bb: BollingerBands;
  /** Indicators after the last closed candle. */
  readonly indicators: IndicatorValues = { ema: null, rsi: null, macd: null, bollinger: null };
  /** Trades older than the current candle (late prints), counted into the current candle. */
  lateTrades = 0;

  constructor(
    readonly intervalMs: number,
    private readonly keep: number,
    ic: IndicatorConfig,
  ) {
    this.ema = new EMA(ic.emaPeriod);
    this.rsi = new RSI(ic.rsiPeriod);
    this.macd = new MACD(new EMA(ic.macdShort), new EMA(ic.macdLong), new EMA(ic.macdSignal));
    this.bb = new BollingerBands(ic.bollingerPeriod, ic.bollingerDeviation);
  }

  /** Add a trade (time ms, price quote, size base, aggressor). */
  add(ts: number, price: number, size: number, side: AggressorSide): void {
    const start = Math.floor(ts / this.intervalMs) * this.intervalMs;
    let c = this.current;
    if (c && start > c.start) {
      this.close(c);
      c = null;
    } else if (c && start < c.start) this.lateTrades++;
    if (!c) {
      c = {
        start,
        open: price,
        high: price,
        low: price,
        close: price,
        volume: 0,
        buyVolume: 0,
        sellVolume: 0,
        trades: 0,
      };
      this.current = c;
    }
    if (price > c.high) c.high = price;
    if (price < c.low) c.low = price;
    c.close = price;
    c.volume += size;
    if (side === 'buy') c.buyVolume += size;
    else if (side === 'sell') c.sellVolume += size;
    c.trades++;
  }

  private close(c: Candle): void {
    this.closed.push(c);
    if (this.closed.length > this.keep) this.closed.splice(0, this.closed.length - this.keep);
    const p = c.close;
    const I = this.indicators;
    I.ema = this.ema.add(p);
    I.rsi = this.rsi.add(p);
    const m = this.macd.add(p);
    I.macd = m ? { macd: m.macd, signal: m.signal, histogram: m.histogram } : null;
    const b = this.bb.add(p);
    I.bollinger = b ? { lower: b.lower, middle: b.middle, upper: b.upper } : null;
  }

  /** The last `n` closed candles, oldest first (fewer while fewer have closed). */
  recentClosed(n: number): Candle[] {
    return n > 0 ? this.closed.slice(Math.max(0, this.closed.length - n)) : [];
  }

  /** Closed candles (oldest first, at most `keep`) followed by the open one if any. */
  candles(): Candle[] {
    return this.current ? [...this.closed, { ...this.current }] : [...this.closed];
  }
}

/** Trade flow of one instrument. */
export class TradeFlow {
  readonly stats: FlowStats = {
    buyVolume: 0,
    sellVolume: 0,
    unknownVolume: 0,
    cvd: 0,
    vwap: null,
    notional: 0,
    buyCount: 0,
    sellCount: 0,
    unknownCount: 0,
    bySource: { venue: 0, quote: 0, tick: 0, none: 0 },
    lastPrice: null,
    lastTs: null,
    excluded: { count: 0, volume: 0, byKind: {} },
  };
  readonly series: Record<CandleInterval, CandleSeries>;
  private volume = 0;
  private lastPrice = NaN;
  private lastDirection = 0;

  /**
   * @param keep closed candles kept per interval (default 500)
   * @param ic indicator periods
   */
  constructor(keep = 500, ic: IndicatorConfig = defaultIndicatorConfig) {
    const s = {} as Record<CandleInterval, CandleSeries>;
    for (const [k, ms] of Object.entries(CANDLE_INTERVALS))
      s[k as CandleInterval] = new CandleSeries(ms, keep, ic);
    this.series = s;
  }

  /** Count a non-market print (Trade.kind) left out of the flow. @param size base units */
  exclude(kind: NonMarketTradeKind, size: number): void {
    const x = this.stats.excluded;
    x.count++;
    x.volume += size;
    x.byKind[kind] = (x.byKind[kind] ?? 0) + 1;
  }

  /**
   * Add one trade. @param ts trade time ms (exchange time, or local when the venue gives none)
   * @param price quote; @param size base; @param venueSide venue flag; @param mid book mid (NaN unknown)
   * @returns the aggressor side used
   */
  add(ts: number, price: number, size: number, venueSide: AggressorSide, mid: number): AggressorSide {
    const { side, source } = classifyAggressor(venueSide, price, mid, this.lastPrice, this.lastDirection);
    if (!Number.isNaN(this.lastPrice) && price !== this.lastPrice)
      this.lastDirection = price > this.lastPrice ? 1 : -1;
    this.lastPrice = price;
    const st = this.stats;
    st.bySource[source]++;
    if (side === 'buy') {
      st.buyVolume += size;
      st.buyCount++;
    } else if (side === 'sell') {
      st.sellVolume += size;
      st.sellCount++;
    } else {
      st.unknownVolume += size;
      st.unknownCount++;
    }
    st.cvd = st.buyVolume - st.sellVolume;
    st.notional += price * size;
    this.volume += size;
    st.vwap = this.volume > 0 ? st.notional / this.volume : null;
    st.lastPrice = price;
    st.lastTs = ts;
    for (const k in this.series) this.series[k as CandleInterval].add(ts, price, size, side);
    return side;
  }
}
