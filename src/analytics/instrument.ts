/**
 * Per-instrument stateful analytics, driven by the engine: cheap work on every book update (imbalance
 * velocity, an O(1) check of the sampling clocks) and throttled scans (walls, clusters, heatmap, depth
 * anomaly and liquidity samples). Trades feed the flow, candles and wall matching.
 *
 * Units come from the instrument's spec (core/instrument.ts): walls, clusters, heatmap and flow keep sizes
 * in base units (contracts converted at the level's or trade's price: Binance COIN-M BTCUSD_PERP 100 USD
 * a contract), so every notional (price × base size) is quote currency. Heatmap and cluster buckets not
 * set in the config are chosen at the first live book from the tick and the price
 * (`defaultBucketSize(tick, mid, bucketBps)`, default 2 bps), so low-priced pairs get buckets of a few
 * ticks rather than a fixed quote amount. Trades the venue marks as non-market (Trade.kind) are counted
 * and left out of the flow and the wall matching.
 */
import type { L2Book } from '../book/l2-book.ts';
import type { BookState, Coverage } from '../book/health.ts';
import type { Trade } from '../core/model.ts';
import { parseDecimal } from '../core/decimal.ts';
import { MalformedFrameError } from '../core/errors.ts';
import { defaultBucketSize, type InstrumentSpec } from '../core/instrument.ts';
import { toBaseOf, type ToBase } from './scan.ts';
import type { BookMetrics } from './types.ts';
import { ImbalanceVelocity } from './velocity.ts';
import { LiquidityMonitor, type LiquidityConfig, type LiquidityState } from './liquidity.ts';
import { WallTracker, type Wall, type WallConfig, type WallEvent, type WallZone } from './walls.ts';
import { ClusterTracker, type ClusterConfig, type LiquidityCluster } from './clusters.ts';
import { MarkerTracker, type AnalyticsMarker, type MarkerConfig } from './markers.ts';
import { Heatmap, type HeatmapConfig } from './heatmap.ts';
import {
  TradeFlow,
  defaultIndicatorConfig,
  type Candle,
  type CandleInterval,
  type FlowStats,
  type IndicatorConfig,
  type IndicatorValues,
} from './flow.ts';

/** Settings of one instrument's analytics (every field optional; defaults per module). */
export interface InstrumentAnalyticsConfig {
  /** Rolling window of the imbalance velocity, ms. Default 5,000. */
  velocityWindowMs?: number;
  /** Which imbalance the velocity follows. Default `imbalanceTopN` (top N). */
  velocityOf?: 'imbalanceL1' | 'imbalanceTopN' | 'imbalanceWeighted';
  /**
   * Band of the liquidity index / depth-anomaly depth, percent of mid. Default 0.1: depth-limited books
   * (Binance's 1000-level snapshot spans ~0.2-0.5 % of BTC's price) leave wider bands unknown (null).
   */
  liquidityBandPct?: 0.1 | 0.5 | 1 | 2;
  liquidity?: Partial<LiquidityConfig>;
  walls?: Partial<WallConfig>;
  clusters?: Partial<ClusterConfig>;
  /** Heatmap settings, or false to keep none. */
  heatmap?: Partial<HeatmapConfig> | false;
  /**
   * Target width of automatic heatmap and cluster buckets, bps of the price at the first live book
   * (used when `heatmap.bucketSize` / `clusters.bucketSize` are not set). Default 2.
   */
  bucketBps?: number;
  /** Closed candles kept per interval. Default 500. */
  candlesKept?: number;
  indicators?: Partial<IndicatorConfig>;
  /** Thresholds of the anomaly / shrinkage markers (markers.ts; default: the built-in alert rules'). */
  markers?: Partial<MarkerConfig>;
}

/** Events the analytics emit (consumed by alerts and outputs). */
export type AnalyticsEvent = WallEvent;

/** The richer per-instrument results, as plain data (for the API). */
export interface InstrumentAnalyticsView {
  instrument: string;
  /** Time (ms) and book state/sequence of the last update seen. */
  ts: number;
  state: BookState;
  sequence: number;
  imbalanceVelocity: number | null;
  liquidity: LiquidityState;
  walls: Wall[];
  wallDistribution: WallZone[];
  /** Current relative wall threshold (base size), null until the size distribution is warm. */
  wallThreshold: number | null;
  clusters: LiquidityCluster[];
  flow: FlowStats;
  /** Open + most recent closed candles per interval (at most `candleLimit` each). */
  candles: Record<CandleInterval, Candle[]>;
  indicators: Record<CandleInterval, IndicatorValues>;
  /** Trades dropped for malformed price/size. */
  droppedTrades: number;
}

const BAND_FIELDS = {
  0.1: ['bidNotional10bps', 'askNotional10bps'],
  0.5: ['bidNotional50bps', 'askNotional50bps'],
  1: ['bidNotional100bps', 'askNotional100bps'],
  2: ['bidNotional200bps', 'askNotional200bps'],
} as const;

/** All stateful analytics of one instrument. */
export class InstrumentAnalytics {
  private readonly velocity: ImbalanceVelocity;
  private readonly velocityOf: 'imbalanceL1' | 'imbalanceTopN' | 'imbalanceWeighted';
  private readonly band: readonly [keyof BookMetrics, keyof BookMetrics];
  readonly liquidity: LiquidityMonitor;
  readonly walls: WallTracker;
  readonly clusters: ClusterTracker;
  readonly heatmap: Heatmap | null;
  readonly flow: TradeFlow;
  /** S/R cluster and anomaly/shrinkage episode markers (markers.ts). */
  readonly markers: MarkerTracker;
  /** Receives each marker as it happens (the analytics stage publishes them on `analytics.marker`). */
  onMarker: (m: AnalyticsMarker) => void = () => {};
  private mid = NaN;
  private ts = NaN;
  private state: BookState = 'connecting';
  private sequence = NaN;
  private lastVelocity: number | null = null;
  private toBase: ToBase;
  private specTick: string;
  droppedTrades = 0;

  /**
   * @param instrument instrument id; @param cfg settings
   * @param emit receives analytics events (wall lifecycle)
   * @param spec the instrument's spec (sizes, tick); without one sizes count as base units and automatic
   *   buckets use no tick
   * @throws {RangeError} on a non-positive bucket size, bin or bucketBps
   */
  constructor(
    readonly instrument: string,
    cfg: InstrumentAnalyticsConfig = {},
    emit: (e: AnalyticsEvent) => void = () => {},
    spec?: InstrumentSpec,
  ) {
    const bps = cfg.bucketBps ?? 2;
    if (!(bps > 0)) throw new RangeError('analytics bucketBps must be > 0');
    this.toBase = toBaseOf(spec);
    this.specTick = spec?.tickSize ?? '';
    const auto = (mid: number): number => defaultBucketSize(this.specTick, mid, bps);
    this.velocity = new ImbalanceVelocity(cfg.velocityWindowMs ?? 5_000);
    this.velocityOf = cfg.velocityOf ?? 'imbalanceTopN';
    this.band = BAND_FIELDS[cfg.liquidityBandPct ?? 0.1];
    this.liquidity = new LiquidityMonitor(cfg.liquidity);
    this.walls = new WallTracker(instrument, cfg.walls ?? {}, emit);
    this.clusters = new ClusterTracker(cfg.clusters, auto);
    this.markers = new MarkerTracker(instrument, cfg.markers);
    this.heatmap = cfg.heatmap === false ? null : new Heatmap(cfg.heatmap ?? {}, auto);
    this.flow = new TradeFlow(cfg.candlesKept ?? 500, { ...defaultIndicatorConfig, ...cfg.indicators });
    this.setSpec(spec);
  }

  /**
   * Use `spec` from now on (the catalog learned the instrument after these analytics started): sizes of
   * later scans and trades convert by it, and automatic buckets not yet chosen use its tick.
   */
  setSpec(spec: InstrumentSpec | undefined): void {
    this.toBase = toBaseOf(spec);
    this.specTick = spec?.tickSize ?? '';
    this.walls.toBase = this.toBase;
    this.clusters.toBase = this.toBase;
    if (this.heatmap) this.heatmap.toBase = this.toBase;
  }

  /**
   * After a book change: fills `metrics.imbalanceVelocity` and runs whatever periodic work is due.
   * @param ts local time of the update (ms) — the analytics' clock, as for the metrics sampler
   */
  onBook(
    book: L2Book,
    coverage: Coverage,
    metrics: BookMetrics,
    ts: number,
    state: BookState,
    sequence: number,
  ): void {
    this.ts = ts;
    this.state = state;
    this.sequence = sequence;
    this.mid = metrics.mid ?? NaN;
    metrics.imbalanceVelocity = this.lastVelocity = this.velocity.update(ts, metrics[this.velocityOf]);
    const b = metrics[this.band[0]] as number | null;
    const a = metrics[this.band[1]] as number | null;
    if (this.liquidity.offer(ts, b === null || a === null ? null : a + b, state, sequence))
      this.sendMarkers(this.markers.onLiquidity(this.liquidity.latest, ts, state));
    if (state !== 'live') return;
    this.walls.maybeScan(book, coverage, ts, state, sequence);
    if (this.clusters.maybeScan(book, coverage, ts, state, sequence))
      this.sendMarkers(this.markers.onClusters(this.clusters.clusters(), ts, state));
    this.heatmap?.offer(book, coverage, ts, state);
  }

  /**
   * The book changed state. Leaving `live` forgets walls, clusters and velocity (what happens while the
   * book is not trusted is unknown, so no lifecycle events are inferred across it) and marks a heatmap gap.
   */
  onState(book: L2Book, coverage: Coverage, ts: number, state: BookState): void {
    this.state = state;
    if (state === 'live') return;
    this.velocity.reset();
    this.liquidity.resetChain();
    this.walls.reset();
    this.clusters.reset();
    this.sendMarkers(this.markers.onLeaveLive(ts, state));
    this.heatmap?.offer(book, coverage, ts, state);
  }

  private sendMarkers(ms: readonly AnalyticsMarker[]): void {
    for (const m of ms) this.onMarker(m);
  }

  /** A trade printed: flow, candles, and wall matching. Malformed price/size is counted, not thrown. */
  onTrade(t: Trade): void {
    let price: number;
    let size: number;
    try {
      price = parseDecimal(t.price);
      size = parseDecimal(t.size);
    } catch (e) {
      if (e instanceof MalformedFrameError) {
        this.droppedTrades++;
        return;
      }
      throw e;
    }
    const base = this.toBase(price, size);
    if (t.kind !== undefined) {
      this.flow.exclude(t.kind, base);
      return;
    }
    const ts = Number.isFinite(t.exchangeTs) ? t.exchangeTs : t.localTs;
    this.flow.add(ts, price, base, t.side, this.mid);
    this.walls.onTrade(price, base);
  }

  /**
   * Derived values for alert rules, by name: `depthZ`, `depthChange`, `liquidityRatio`, `shrinkage`,
   * `liquidityTrendPerMin`, `cvd`, `buyVolume`, `sellVolume`, `wallCount` (null when unknown).
   */
  values(): Record<string, number | null> {
    const L = this.liquidity.latest;
    const f = this.flow.stats;
    return {
      depthZ: L.depthZ,
      depthChange: L.depthChange,
      liquidityRatio: L.liquidityRatio,
      shrinkage: L.shrinkage,
      liquidityTrendPerMin: L.trendPerMin,
      cvd: f.cvd,
      buyVolume: f.buyVolume,
      sellVolume: f.sellVolume,
      wallCount: this.walls.count,
    };
  }

  /** Everything as plain data. @param candleLimit most candles returned per interval (default 100) */
  view(candleLimit = 100): InstrumentAnalyticsView {
    const candles = {} as Record<CandleInterval, Candle[]>;
    const indicators = {} as Record<CandleInterval, IndicatorValues>;
    for (const [k, s] of Object.entries(this.flow.series)) {
      const all = s.candles();
      candles[k as CandleInterval] = all.slice(Math.max(0, all.length - candleLimit));
      indicators[k as CandleInterval] = structuredClone(s.indicators);
    }
    return {
      instrument: this.instrument,
      ts: this.ts,
      state: this.state,
      sequence: this.sequence,
      imbalanceVelocity: this.lastVelocity,
      liquidity: { ...this.liquidity.latest },
      walls: this.walls.walls(this.ts),
      wallDistribution: this.walls.distribution(),
      wallThreshold: Number.isNaN(this.walls.relThreshold) ? null : this.walls.relThreshold,
      clusters: this.clusters.clusters(),
      flow: structuredClone(this.flow.stats),
      candles,
      indicators,
      droppedTrades: this.droppedTrades,
    };
  }
}
