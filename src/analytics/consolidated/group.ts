/**
 * One consolidation group: the merged book of its members (book.ts), its state, the members' tops in
 * group units, crossed markets (arbitrage.ts), routing estimates (routing.ts), basis of the derivative
 * members against the spot ones, consolidated trade flow and heatmap, and the view published to clients.
 * Pure; driven by the consolidation stage (stage.ts) with the members' verified books.
 *
 * State: `live` when every member is live, `partial` when some are (their levels only; the others are
 * listed in `excluded`), `down` when none is.
 */
import { parseDecimal } from '../../core/decimal.ts';
import type { InstrumentSpec } from '../../core/instrument.ts';
import type { Funding, Trade, WireLevel } from '../../core/model.ts';
import { annualizedFundingRate, fundingRateNumber } from '../../pipeline/funding-board.ts';
import type { BookState } from '../../book/health.ts';
import type { InstrumentBook } from '../../book/instrument-book.ts';
import { computeBookMetrics, type BookMetricsConfig, defaultBookMetricsConfig } from '../book-metrics.ts';
import { computeBasis } from '../cross.ts';
import { TradeFlow, type FlowStats } from '../flow.ts';
import { Heatmap, type HeatmapConfig } from '../heatmap.ts';
import { bucketOf } from '../scan.ts';
import type { BookMetrics } from '../types.ts';
import { CrossedMarketDetector, NO_CROSSINGS, type CrossedMarket, type MemberTop } from './arbitrage.ts';
import { ConsolidatedBook, type BaseUnits } from './book.ts';
import { depthShares, routeMarketOrder, type RoutingEstimate } from './routing.ts';

/** A member as the group needs it. */
export interface GroupMember {
  instrument: string;
  spec: InstrumentSpec;
  units: BaseUnits;
  /** Member price × priceFactor = group price (USDT → USD 1 by default). */
  priceFactor: number;
  /** Taker fee rate (0.0004 = 4 bps). */
  takerFee: number;
}

/** Settings of a group. */
export interface GroupOptions {
  name: string;
  /** The group's quote currency (e.g. `USD`). */
  quote: string;
  members: GroupMember[];
  /** Levels per side in the published view (default 20). */
  viewDepth?: number;
  metrics?: BookMetricsConfig;
  /** Order size (base units) of the routing estimate in the view (default 1). */
  routeQuantity?: number;
  /** Band (percent of mid) of the depth shares (default 1). */
  sharePct?: number;
  /** A crossing counts from this net edge, bps (default 0). */
  minEdgeBps?: number;
  /**
   * Which members are checked for crossed markets (default `same`): `same` pairs only members of the
   * same market kind (spot with spot, perpetuals with perpetuals, dated futures of the same expiry);
   * `any` pairs every two members (spot against perpetual too, which is basis more than arbitrage).
   */
  crossKinds?: 'same' | 'any';
  /** Consolidated heatmap settings, or false for none (default: 1 s bins, bucket 10 quote units). */
  heatmap?: Partial<HeatmapConfig> | false;
  /**
   * Also keep one heatmap per member, in group units, from the merged book's attribution (default true;
   * needs `heatmap`): the venue-coloured consolidated heatmap. Costs one walk of the merged levels near
   * mid per member per time bin.
   */
  memberHeatmaps?: boolean;
}

/** How the view's levels are cut: exact prices (default) or price buckets. */
export interface ViewOptions {
  /** Levels (or buckets) per side (default GroupOptions.viewDepth, 20). */
  depth?: number;
  /**
   * Bucket width, group quote: levels are summed per bucket, per member too. Bids fall in
   * `[k × bucket, (k + 1) × bucket)` labelled by the lower bound, asks in `((k − 1) × bucket, k × bucket]`
   * labelled by the upper bound, so no bucket price is better than the levels in it.
   */
  bucket?: number;
}

/** One member in the view. */
export interface MemberView {
  instrument: string;
  state: BookState;
  included: boolean;
  kind: InstrumentSpec['kind'];
  priceFactor: number;
  /** Group-quote best prices and base sizes of the member (null when empty/not live). */
  bestBid: number | null;
  bestAsk: number | null;
}

/** Basis of a derivative member against the group's spot reference. */
export interface GroupBasis {
  instrument: string;
  /** Mid of the member and of the spot reference, group quote. */
  mid: number;
  spotMid: number;
  bps: number;
  /** Simple annualized basis for dated futures (null for perpetuals). */
  annualized: number | null;
  /**
   * The member's latest funding as its venue streams it (pipeline/funding-board.ts), null when none
   * came: rate per funding interval (fraction, 0.0001 = 1 bp), the interval (hours, null when unknown),
   * the rate annualized without compounding (fraction per year, null without an interval) and the next
   * funding time (ms since epoch UTC, null when unknown).
   */
  fundingRate: number | null;
  fundingIntervalHours: number | null;
  fundingAnnualized: number | null;
  nextFundingTime: number | null;
}

/**
 * Price divergence among the live members of one market kind (spot, perpetual, or futures of one
 * expiry; see GroupOptions.crossKinds): how far apart the same asset trades across venues.
 */
export interface GroupDivergence {
  /** The members' kind: `spot`, `perpetual`, `future:<expiry ms>`. */
  kind: string;
  /** (highest mid − lowest mid) / median mid × 1e4, group quote. */
  bps: number;
  /** Members with the highest and the lowest mid. */
  high: string;
  low: string;
  /** Mid per member taking part, group quote. */
  mids: Record<string, number>;
}

/** What clients get for a group (bus topic `consolidated`, API, `replay --json`). */
export interface ConsolidatedView {
  group: string;
  quote: string;
  state: 'live' | 'partial' | 'down';
  /** Members not in the book now (not live), with their states. */
  excluded: { instrument: string; state: BookState }[];
  members: MemberView[];
  bestBid: number | null;
  bestAsk: number | null;
  /** Members quoting the best bid / ask. */
  bestBidMembers: string[];
  bestAskMembers: string[];
  /** `[price, size, sizePerMember]` best first: group-quote prices, base sizes, member order. */
  bids: [number, number, number[]][];
  asks: [number, number, number[]][];
  metrics: BookMetrics;
  /** Each member's share of the depth within ±sharePct % of mid (base units). */
  shares: { instrument: string; share: number; base: number }[];
  route: { buy: RoutingEstimate; sell: RoutingEstimate } | null;
  basis: GroupBasis[];
  /** Divergence per market kind with at least two live members. */
  divergence: GroupDivergence[];
  crossed: CrossedMarket[];
  flow: FlowStats;
  /** Local time of the last member update, ms since epoch UTC. */
  ts: number;
}

/** A consolidation group; see the module comment. */
export class ConsolidationGroup {
  readonly book: ConsolidatedBook;
  readonly crossed: CrossedMarketDetector;
  readonly flow = new TradeFlow(200);
  readonly heatmap: Heatmap | null;
  /** Per member (member order), its share of the merged book as a heatmap (null when off). */
  readonly memberHeatmaps: Heatmap[] | null;
  private readonly states: BookState[];
  private readonly tops: MemberTop[];
  private readonly byInstrument = new Map<string, number>();
  private readonly books: (InstrumentBook | null)[];
  /** Latest funding per member (perpetuals whose venue streams it). */
  private readonly funding: (Funding | undefined)[];
  ts = NaN;
  /**
   * The stage's bookkeeping (ConsolidationStage), kept here so a member update reads no map: the sampling
   * interval (ms / sampleIntervalMs, floored) of the group's last update, NaN while no sample is pending,
   * and when its view was last published (local ms since epoch UTC).
   */
  sampleSlot = NaN;
  lastPublished = -Infinity;

  constructor(readonly opts: GroupOptions) {
    const ms = opts.members;
    this.book = new ConsolidatedBook(ms.map((m) => ({ instrument: m.instrument, units: m.units })));
    ms.forEach((m, i) => {
      this.book.priceFactor[i] = m.priceFactor;
      this.byInstrument.set(m.instrument, i);
    });
    this.crossed = new CrossedMarketDetector(
      opts.name,
      ms.map((m) => m.instrument),
      ms.map((m) => m.takerFee),
      opts.minEdgeBps ?? 0,
      opts.crossKinds === 'any' ? [] : ms.map((m) => crossClass(m.spec)),
    );
    this.states = ms.map(() => 'connecting');
    this.tops = ms.map(() => ({ bid: NaN, bidSize: NaN, ask: NaN, askSize: NaN }));
    this.books = ms.map(() => null);
    this.funding = ms.map(() => undefined);
    const hmCfg = opts.heatmap === false ? null : { bucketSize: 10, binMs: 1000, ...opts.heatmap };
    this.heatmap = hmCfg ? new Heatmap(hmCfg) : null;
    this.memberHeatmaps = hmCfg && opts.memberHeatmaps !== false ? ms.map(() => new Heatmap(hmCfg)) : null;
  }

  /** The member number of an instrument, or -1. */
  memberOf(instrument: string): number {
    return this.byInstrument.get(instrument) ?? -1;
  }

  /**
   * A member's book changed. `delta`: the wire levels of an applied delta, or null for a snapshot (the
   * member's contribution is reloaded).
   * @returns crossed-market events this update produced
   */
  onMemberBook(
    m: number,
    b: InstrumentBook,
    delta: { bids: readonly WireLevel[]; asks: readonly WireLevel[] } | null,
    ts: number,
  ): readonly CrossedMarket[] {
    this.books[m] = b;
    this.states[m] = b.health.state;
    this.ts = ts;
    if (b.health.state !== 'live') return this.leave(m, ts);
    if (delta === null || !this.book.included[m]) this.book.loadMember(m, b.book);
    else this.book.applyMemberDelta(m, b.book, delta.bids, delta.asks);
    this.updateTop(m, b);
    if (this.heatmap?.opensBin(ts)) {
      this.heatmap.offer(this.book.book, NO_COVERAGE, ts, 'live');
      this.offerMemberHeatmaps(ts);
    }
    return this.crossed.update(this.tops, m, ts);
  }

  /** A member changed state: leaving `live` removes its levels at once (they return with its next snapshot). */
  onMemberState(m: number, b: InstrumentBook, ts: number): readonly CrossedMarket[] {
    this.books[m] = b;
    this.states[m] = b.health.state;
    this.ts = ts;
    if (b.health.state === 'live') {
      if (!this.book.included[m]) {
        this.book.loadMember(m, b.book);
        this.updateTop(m, b);
        return this.crossed.update(this.tops, m, ts);
      }
      return NO_CROSSINGS;
    }
    return this.leave(m, ts);
  }

  /** A member's latest funding (the engine's FundingBoard passes each new one on); shown with its basis. */
  onMemberFunding(m: number, f: Funding): void {
    this.funding[m] = f;
  }

  /** A member's trade, added to the consolidated flow in group units. */
  onMemberTrade(m: number, t: Trade, mid: number): void {
    let price: number;
    let size: number;
    try {
      price = parseDecimal(t.price);
      size = parseDecimal(t.size);
    } catch {
      return; // counted by the member's own analytics
    }
    // Prints the venue marks as not market trades (liquidations, insurance fund, ADL) stay out of the flow.
    if (t.kind !== undefined) return;
    const member = this.opts.members[m]!;
    const gp = price * member.priceFactor;
    const ts = Number.isNaN(t.exchangeTs) ? t.localTs : t.exchangeTs;
    this.flow.add(ts, gp, member.units.base(price, size), t.side, mid);
  }

  /**
   * Record a time bin in every member's heatmap: the member's base size at each merged level within
   * the heatmap's range of the merged mid (a member not in the book records a gap with its state).
   */
  private offerMemberHeatmaps(ts: number): void {
    const hms = this.memberHeatmaps;
    if (!hms) return;
    const cb = this.book;
    const bids = cb.book.bids;
    const asks = cb.book.asks;
    const mid = bids.length > 0 && asks.length > 0 ? (bids.price(0) + asks.price(0)) / 2 : NaN;
    const n = hms.length;
    // One walk of the merged levels near mid per side, summed per member and price bucket as it goes
    // (levels come in price order, so a bucket's levels are contiguous), then each member's heatmap
    // reads its own (price, size) list: one entry per bucket, at the bucket's first level's price.
    const range = hms[0]!.settings.rangePct / 100;
    const bucketSize = hms[0]!.settings.bucketSize;
    const split = (side: 'bid' | 'ask'): number[][] => {
      const per: number[][] = hms.map(() => []);
      if (!(mid > 0)) return per;
      const attr = cb.attribution(side);
      const lastBucket = new Float64Array(n).fill(NaN);
      (side === 'bid' ? bids : asks).forEachTo(
        side === 'bid' ? mid * (1 - range) : mid * (1 + range),
        (p, _size, _rank, slot) => {
          const row = slot * n;
          const b = bucketSize > 0 ? bucketOf(p, bucketSize) : p;
          for (let m = 0; m < n; m++) {
            const v = attr[row + m]!;
            if (!(v > 0)) continue;
            const l = per[m]!;
            if (lastBucket[m] === b) l[l.length - 1]! += v;
            else {
              lastBucket[m] = b;
              l.push(p, v);
            }
          }
        },
      );
      return per;
    };
    const perBid = split('bid');
    const perAsk = split('ask');
    hms.forEach((hm, m) => {
      const state: BookState = cb.included[m] ? 'live' : this.states[m]!;
      hm.offerLevels(ts, state, mid, (side, add) => {
        const l = side === 'bid' ? perBid[m]! : perAsk[m]!;
        for (let i = 0; i < l.length; i += 2) add(l[i]!, l[i + 1]!);
      });
    });
  }

  /** Group state from the members' states. */
  get state(): 'live' | 'partial' | 'down' {
    const live = this.states.filter((s) => s === 'live').length;
    return live === this.states.length ? 'live' : live > 0 ? 'partial' : 'down';
  }

  /** The view now (computes the metrics, routing and shares on demand). */
  view(vo: ViewOptions = {}): ConsolidatedView {
    const o = this.opts;
    const cb = this.book;
    const depth = vo.depth ?? o.viewDepth ?? 20;
    const bids = vo.bucket ? this.bucketed('bid', vo.bucket, depth) : this.levels('bid', depth);
    const asks = vo.bucket ? this.bucketed('ask', vo.bucket, depth) : this.levels('ask', depth);
    const bestBid = cb.book.bids.length > 0 ? cb.book.bids.price(0) : undefined;
    const bestAsk = cb.book.asks.length > 0 ? cb.book.asks.price(0) : undefined;
    const metrics = this.metrics();
    const names = o.members.map((m) => m.instrument);
    const mid = metrics.mid;
    const q = o.routeQuantity ?? 1;
    const fees = o.members.map((m) => m.takerFee);
    return {
      group: o.name,
      quote: o.quote,
      state: this.state,
      excluded: o.members
        .map((m, i) => ({ instrument: m.instrument, state: this.states[i]! }))
        .filter((_, i) => !cb.included[i]),
      members: o.members.map((m, i) => ({
        instrument: m.instrument,
        state: this.states[i]!,
        included: cb.included[i]!,
        kind: m.spec.kind,
        priceFactor: cb.priceFactor[i]!,
        bestBid: finiteOrNull(this.tops[i]!.bid),
        bestAsk: finiteOrNull(this.tops[i]!.ask),
      })),
      // From the exact levels (the view's may be buckets).
      bestBid: bestBid ?? null,
      bestAsk: bestAsk ?? null,
      bestBidMembers: bestBid !== undefined ? cb.membersAt('bid', bestBid).map((i) => names[i]!) : [],
      bestAskMembers: bestAsk !== undefined ? cb.membersAt('ask', bestAsk).map((i) => names[i]!) : [],
      bids,
      asks,
      metrics,
      shares:
        mid === null
          ? []
          : depthShares(cb, mid, o.sharePct ?? 1).map((s) => ({
              instrument: names[s.member]!,
              share: s.share,
              base: s.base,
            })),
      route:
        bids.length > 0 && asks.length > 0
          ? { buy: routeMarketOrder(cb, 'buy', q, fees), sell: routeMarketOrder(cb, 'sell', q, fees) }
          : null,
      basis: this.basis(),
      divergence: this.divergence(),
      crossed: this.crossed.current(),
      flow: { ...this.flow.stats, bySource: { ...this.flow.stats.bySource } },
      ts: this.ts,
    };
  }

  /** The best `depth` merged levels of a side as `[price, size, sizePerMember]`. */
  private levels(side: 'bid' | 'ask', depth: number): [number, number, number[]][] {
    const cb = this.book;
    const s = side === 'bid' ? cb.book.bids : cb.book.asks;
    const out: [number, number, number[]][] = [];
    const attr = cb.attribution(side);
    const n = cb.members.length;
    for (let i = 0; i < Math.min(depth, s.length); i++) {
      const row = cb.rowAt(side, i);
      out.push([s.price(i), s.size(i), Array.from(attr.subarray(row, row + n))]);
    }
    return out;
  }

  /** The best `depth` price buckets of a side (see ViewOptions.bucket), sums per member too. */
  private bucketed(side: 'bid' | 'ask', bucket: number, depth: number): [number, number, number[]][] {
    const cb = this.book;
    const s = side === 'bid' ? cb.book.bids : cb.book.asks;
    const attr = cb.attribution(side);
    const n = cb.members.length;
    const out: [number, number, number[]][] = [];
    let cur: [number, number, number[]] | null = null;
    for (let i = 0; i < s.length; i++) {
      const p = s.price(i);
      // the 1e-9 keeps a price on a boundary in its own bucket despite binary rounding (as scan.ts bucketOf)
      const label =
        side === 'bid' ? Math.floor(p / bucket + 1e-9) * bucket : Math.ceil(p / bucket - 1e-9) * bucket;
      if (!cur || cur[0] !== label) {
        if (out.length === depth) break;
        cur = [label, 0, new Array<number>(n).fill(0)];
        out.push(cur);
      }
      cur[1] += s.size(i);
      const row = cb.rowAt(side, i);
      for (let m = 0; m < n; m++) cur[2][m]! += attr[row + m]!;
    }
    return out;
  }

  /** The full metric set on the merged book now (group quote, base units), as on any instrument's book. */
  metrics(): BookMetrics {
    return computeBookMetrics(this.book.book, this.coverage(), this.opts.metrics ?? defaultBookMetricsConfig);
  }

  /**
   * Basis of each live derivative member against the spot reference: the mean mid of the live spot
   * members (group quote). Empty when the group has no live spot member.
   */
  basis(): GroupBasis[] {
    const ms = this.opts.members;
    const spotMids = ms
      .map((m, i) => (m.spec.kind === 'spot' && this.states[i] === 'live' ? midOf(this.tops[i]!) : NaN))
      .filter((x) => x > 0);
    if (spotMids.length === 0) return [];
    const spotMid = spotMids.reduce((a, b) => a + b, 0) / spotMids.length;
    const out: GroupBasis[] = [];
    ms.forEach((m, i) => {
      if (m.spec.kind === 'spot' || this.states[i] !== 'live') return;
      const mid = midOf(this.tops[i]!);
      const b = computeBasis(mid, spotMid, m.spec.kind === 'future' ? m.spec.expiry : null, this.ts);
      if (!b) return;
      const f = this.funding[i];
      const rate = f ? fundingRateNumber(f) : NaN;
      const annual = f ? annualizedFundingRate(f) : NaN;
      out.push({
        instrument: m.instrument,
        mid,
        spotMid,
        bps: b.bps,
        annualized: b.annualized,
        fundingRate: Number.isFinite(rate) ? rate : null,
        fundingIntervalHours: f && f.intervalHours > 0 ? f.intervalHours : null,
        fundingAnnualized: Number.isFinite(annual) ? annual : null,
        nextFundingTime: f && Number.isFinite(f.nextFundingTime) ? f.nextFundingTime : null,
      });
    });
    return out;
  }

  /**
   * Divergence of the live members' mids within each market kind that has at least two of them (group
   * quote); see {@link GroupDivergence}.
   */
  divergence(): GroupDivergence[] {
    const byKind = new Map<string, { id: string; mid: number }[]>();
    this.opts.members.forEach((m, i) => {
      if (this.states[i] !== 'live') return;
      const mid = midOf(this.tops[i]!);
      if (!(mid > 0)) return;
      const k = crossClass(m.spec);
      const list = byKind.get(k) ?? [];
      list.push({ id: m.instrument, mid });
      byKind.set(k, list);
    });
    const out: GroupDivergence[] = [];
    for (const [kind, list] of byKind) {
      if (list.length < 2) continue;
      const sorted = [...list].sort((a, b) => a.mid - b.mid);
      const n = sorted.length;
      const median = n % 2 ? sorted[(n - 1) / 2]!.mid : (sorted[n / 2 - 1]!.mid + sorted[n / 2]!.mid) / 2;
      out.push({
        kind,
        bps: ((sorted[n - 1]!.mid - sorted[0]!.mid) / median) * 1e4,
        high: sorted[n - 1]!.id,
        low: sorted[0]!.id,
        mids: Object.fromEntries(list.map((x) => [x.id, x.mid])),
      });
    }
    return out;
  }

  /** The merged book is known over the intersection of the included members' coverages. */
  private coverage(): { bidFloor: number; askCeiling: number } {
    let bidFloor = NaN;
    let askCeiling = NaN;
    this.books.forEach((b, i) => {
      if (!b || !this.book.included[i]) return;
      const f = this.book.priceFactor[i]!;
      const c = b.health.coverage;
      if (!Number.isNaN(c.bidFloor))
        bidFloor = Number.isNaN(bidFloor) ? c.bidFloor * f : Math.max(bidFloor, c.bidFloor * f);
      if (!Number.isNaN(c.askCeiling))
        askCeiling = Number.isNaN(askCeiling) ? c.askCeiling * f : Math.min(askCeiling, c.askCeiling * f);
    });
    return { bidFloor, askCeiling };
  }

  private leave(m: number, ts: number): readonly CrossedMarket[] {
    if (this.book.included[m]) this.book.removeMember(m);
    this.tops[m] = { bid: NaN, bidSize: NaN, ask: NaN, askSize: NaN };
    return this.crossed.update(this.tops, m, ts);
  }

  private updateTop(m: number, b: InstrumentBook): void {
    const f = this.book.priceFactor[m]!;
    const units = this.opts.members[m]!.units;
    const t = this.tops[m]!;
    const bids = b.book.bids;
    const asks = b.book.asks;
    t.bid = bids.length > 0 ? bids.price(0) * f : NaN;
    t.bidSize = bids.length > 0 ? units.base(bids.price(0), bids.size(0)) : NaN;
    t.ask = asks.length > 0 ? asks.price(0) * f : NaN;
    t.askSize = asks.length > 0 ? units.base(asks.price(0), asks.size(0)) : NaN;
  }
}

const NO_COVERAGE = { bidFloor: NaN, askCeiling: NaN };

/** Members of the same class are compared for crossed markets (see GroupOptions.crossKinds). */
function crossClass(spec: InstrumentSpec): string {
  if (spec.kind === 'future') return `future:${spec.expiry ?? ''}`;
  if (spec.kind === 'option') return `option:${spec.id}`;
  return spec.kind;
}

function midOf(t: MemberTop): number {
  return (t.bid + t.ask) / 2;
}

function finiteOrNull(x: number): number | null {
  return Number.isFinite(x) ? x : null;
}
