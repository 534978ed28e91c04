/**
 * Large resting orders ("walls"): detection, distribution by zone and side, and lifecycle events matched
 * against the trade stream.
 *
 * HEURISTIC: an L2 feed shows aggregated size per price, not orders. "Pulled" (cancelled) versus
 * "consumed" (traded) is inferred from the trades printed at or through the wall's price while it
 * shrank; a "move" is a wall vanishing while a similar one appears nearby on the same side. Every event
 * is labelled `heuristic: true` with a confidence in [0, 1].
 */
import type { L2Book } from '../book/l2-book.ts';
import type { BookState, Coverage } from '../book/health.ts';
import type { Side } from '../core/model.ts';
import { forEachLevelNear, identityBase, type ToBase } from './scan.ts';

/** Wall detection and lifecycle settings (per instrument). */
export interface WallConfig {
  /** Scan at most once per this many ms of update time (0 = on every update). Default 250. */
  scanIntervalMs: number;
  /** Only levels within this percent of mid are considered. Default 2. */
  rangePct: number;
  /** Absolute threshold in base size: a level at least this big is a wall. Optional. */
  minSize?: number | undefined;
  /** Absolute threshold in quote notional. Optional. */
  minNotional?: number | undefined;
  /**
   * Relative threshold: a level at least `relMultiple` × the `relQuantile` quantile of the rolling level
   * size distribution is a wall (relMultiple 0 disables). Defaults 3 × the 0.95 quantile.
   */
  relMultiple: number;
  relQuantile: number;
  /** Level sizes kept for the rolling distribution. Default 2,048. */
  distributionSize: number;
  /** Sizes needed in the distribution before the relative threshold applies. Default 50. */
  distributionMin: number;
  /** A size change of at least this fraction of the last reported size is a `resized` event. Default 0.25. */
  resizeFraction: number;
  /** A vanished wall and a new one within this percent of price, same side, may be a `moved`. Default 0.2. */
  moveMaxPct: number;
  /** ... when their sizes differ by at most this fraction. Default 0.3. */
  moveSizeTolerance: number;
  /** Traded size at/through the price of at least this fraction of the decline → `consumed`. Default 0.5. */
  consumedFraction: number;
  /**
   * Hysteresis: a tracked wall stays a wall while its level keeps at least this fraction of the entry
   * threshold (so a drifting relative threshold does not fake `pulled` events). Default 0.7.
   */
  exitFraction: number;
}

/** Defaults (see WallConfig). */
export const defaultWallConfig: WallConfig = {
  scanIntervalMs: 250,
  rangePct: 2,
  relMultiple: 3,
  relQuantile: 0.95,
  distributionSize: 2048,
  distributionMin: 50,
  resizeFraction: 0.25,
  moveMaxPct: 0.2,
  moveSizeTolerance: 0.3,
  consumedFraction: 0.5,
  exitFraction: 0.7,
};

/** Lifecycle event kinds. */
export type WallEventKind = 'appeared' | 'resized' | 'moved' | 'pulled' | 'consumed';

/** One wall lifecycle event (heuristic). Prices quote, sizes base, times ms since epoch UTC. */
export interface WallEvent {
  type: 'wall';
  kind: WallEventKind;
  instrument: string;
  side: Side;
  /** Wall price (for `moved`: the new price; for `pulled`/`consumed`: where it was). */
  price: number;
  /** Size now (0 after `pulled`/`consumed` when the level is gone, the remainder otherwise). */
  size: number;
  /** Previous price (`moved`) and previous size (`resized`, `moved`, `pulled`, `consumed`). */
  prevPrice: number | null;
  prevSize: number | null;
  /** Quote notional of the wall when last seen at full size (prevSize or size × price). */
  notional: number;
  /** Size traded at or through the wall's price since it was last seen (base). */
  tradedSize: number;
  /** Age of the wall at the event, ms (0 for `appeared`). */
  ageMs: number;
  /** Local time of the book update the scan ran on, ms. */
  ts: number;
  /** Book state and sequence the scan ran on. */
  state: BookState;
  sequence: number;
  /** Always true: inferred from L2 data and trades, not observed orders. */
  heuristic: true;
  /** Confidence of the classification, [0, 1]. */
  confidence: number;
}

/** A wall currently in the book. */
export interface Wall {
  side: Side;
  price: number;
  size: number;
  /** price × size, quote. */
  notional: number;
  /** Distance from mid, percent. */
  distancePct: number;
  /** First seen (carried over a `moved`), ms. */
  firstSeen: number;
  ageMs: number;
}

/** Wall counts and totals per side in one distance zone. */
export interface WallZone {
  /** Zone bounds, percent from mid: [fromPct, toPct). */
  fromPct: number;
  toPct: number;
  bid: { count: number; size: number; notional: number };
  ask: { count: number; size: number; notional: number };
}

/** Zone bounds (percent from mid) of the wall distribution. */
export const WALL_ZONES = [0, 0.1, 0.5, 1, 2] as const;

interface Track {
  side: Side;
  price: number;
  size: number;
  /** Size at the last `appeared`/`resized`/`moved` event. */
  reportedSize: number;
  firstSeen: number;
  lastSeen: number;
  /** Size traded at/through the price since last seen. */
  traded: number;
  seen: boolean;
}

/** Detects walls and their lifecycle for one instrument. */
export class WallTracker {
  private readonly cfg: WallConfig;
  private readonly tracks = new Map<string, Track>();
  private readonly dist: Float64Array;
  private distLen = 0;
  private distHead = 0;
  private readonly sortBuf: Float64Array;
  private lastScan = -Infinity;
  private scans = 0;
  private mid = NaN;
  /** Current relative threshold (base size), NaN until the distribution is warm. */
  relThreshold = NaN;
  /**
   * Wire size → base units at a price (scan.ts `toBaseOf(spec)`): contract books (Binance COIN-M 100 USD
   * contracts) are scanned in base units, so sizes, thresholds and `notional` = price × size are right.
   */
  toBase: ToBase = identityBase;

  /**
   * @param instrument instrument id stamped on events
   * @param emit receives every lifecycle event
   */
  constructor(
    readonly instrument: string,
    cfg: Partial<WallConfig>,
    private readonly emit: (e: WallEvent) => void,
  ) {
    this.cfg = { ...defaultWallConfig, ...cfg };
    this.dist = new Float64Array(this.cfg.distributionSize);
    this.sortBuf = new Float64Array(this.cfg.distributionSize);
  }

  /**
   * A trade printed: size traded at or through each tracked wall's price is added to it (a bid wall
   * is hit by prints at or below its price, an ask wall by prints at or above).
   * @param price quote; @param size base units (already converted by the caller)
   */
  onTrade(price: number, size: number): void {
    for (const t of this.tracks.values()) {
      if (t.side === 'bid' ? price <= t.price : price >= t.price) t.traded += size;
    }
  }

  /** Scan the book when the scan interval has elapsed (or `force`). @returns true when it scanned. */
  maybeScan(
    book: L2Book,
    coverage: Coverage,
    ts: number,
    state: BookState,
    sequence: number,
    force = false,
  ): boolean {
    if (!force && ts - this.lastScan < this.cfg.scanIntervalMs) return false;
    this.lastScan = ts;
    this.scan(book, coverage, ts, state, sequence);
    return true;
  }

  private isWall(price: number, size: number): boolean {
    const c = this.cfg;
    if (c.minSize !== undefined && size >= c.minSize) return true;
    if (c.minNotional !== undefined && price * size >= c.minNotional) return true;
    return c.relMultiple > 0 && !Number.isNaN(this.relThreshold) && size >= this.relThreshold;
  }

  /** A tracked wall seen again at `size`: `resized` when it changed by at least resizeFraction. */
  private keep(
    t: Track,
    size: number,
    base: { instrument: string; ts: number; state: BookState; sequence: number; heuristic: true },
  ): void {
    t.seen = true;
    t.lastSeen = base.ts;
    t.size = size;
    if (Math.abs(size - t.reportedSize) >= this.cfg.resizeFraction * t.reportedSize) {
      this.emit({
        ...base,
        type: 'wall',
        kind: 'resized',
        side: t.side,
        price: t.price,
        size,
        prevPrice: null,
        prevSize: t.reportedSize,
        notional: size * t.price,
        tradedSize: t.traded,
        ageMs: base.ts - t.firstSeen,
        confidence: 1,
      });
      t.reportedSize = size;
    }
    t.traded = 0;
  }

  /** Smallest size that makes a level at `price` a wall now (Infinity when no threshold applies). */
  private entryThreshold(price: number): number {
    const c = this.cfg;
    let t = Infinity;
    if (c.minSize !== undefined) t = Math.min(t, c.minSize);
    if (c.minNotional !== undefined) t = Math.min(t, c.minNotional / price);
    if (c.relMultiple > 0 && !Number.isNaN(this.relThreshold)) t = Math.min(t, this.relThreshold);
    return t;
  }

  private pushSize(size: number): void {
    this.dist[this.distHead] = size;
    this.distHead = (this.distHead + 1) % this.dist.length;
    if (this.distLen < this.dist.length) this.distLen++;
  }

  private scan(book: L2Book, coverage: Coverage, ts: number, state: BookState, sequence: number): void {
    if (book.bids.length === 0 || book.asks.length === 0) return;
    const mid = (book.bids.price(0) + book.asks.price(0)) / 2;
    this.mid = mid;
    const c = this.cfg;
    const found: { side: Side; price: number; size: number }[] = [];
    let visited = 0;
    const toBase = this.toBase;
    const visit = (side: Side) => (price: number, wire: number) => {
      const size = toBase(price, wire);
      visited++;
      // sample the distribution: every level of the first 16, then every 4th
      if (visited <= 16 || visited % 4 === 0) this.pushSize(size);
      if (this.isWall(price, size)) found.push({ side, price, size });
    };
    forEachLevelNear(book.bids, mid, c.rangePct, coverage.bidFloor, visit('bid'));
    forEachLevelNear(book.asks, mid, c.rangePct, coverage.askCeiling, visit('ask'));
    // the quantile moves slowly: recompute it every 8th scan (a sort of at most distributionSize values)
    if (this.distLen >= c.distributionMin && (Number.isNaN(this.relThreshold) || this.scans % 8 === 0)) {
      const a = this.sortBuf.subarray(0, this.distLen);
      a.set(this.dist.subarray(0, this.distLen));
      a.sort();
      this.relThreshold =
        c.relMultiple * a[Math.min(this.distLen - 1, Math.floor(c.relQuantile * this.distLen))]!;
    }
    this.scans++;
    const base = { instrument: this.instrument, ts, state, sequence, heuristic: true as const };
    for (const t of this.tracks.values()) t.seen = false;
    const fresh: { side: Side; price: number; size: number }[] = [];
    for (const f of found) {
      const t = this.tracks.get(key(f.side, f.price));
      if (!t) {
        fresh.push(f);
        continue;
      }
      this.keep(t, f.size, base);
    }
    const gone: Track[] = [];
    for (const [k, t] of this.tracks) {
      if (t.seen) continue;
      const sideBook = t.side === 'bid' ? book.bids : book.asks;
      const now = this.toBase(t.price, sideBook.sizeAt(t.price));
      if (now > 0 && now >= c.exitFraction * this.entryThreshold(t.price)) {
        // still big enough to stay a wall (hysteresis): only a resize can be reported
        this.keep(t, now, base);
        continue;
      }
      this.tracks.delete(k);
      const edge = t.side === 'bid' ? coverage.bidFloor : coverage.askCeiling;
      const outOfView =
        Math.abs(t.price - mid) / mid > c.rangePct / 100 ||
        (!Number.isNaN(edge) && (t.side === 'bid' ? t.price < edge : t.price > edge));
      if (outOfView) continue; // drifted out of the scanned range: no claim about its fate
      gone.push({ ...t, size: this.toBase(t.price, sideBook.sizeAt(t.price)) });
    }
    for (const f of fresh) {
      // a vanished, untraded wall of similar size nearby on the same side: a move
      let best: Track | null = null;
      for (const g of gone) {
        if (g.side !== f.side) continue;
        if (Math.abs(g.price - f.price) / g.price > c.moveMaxPct / 100) continue;
        if (Math.abs(f.size - g.reportedSize) > c.moveSizeTolerance * g.reportedSize) continue;
        if (g.traded >= c.consumedFraction * (g.reportedSize - g.size)) continue;
        if (!best || Math.abs(g.price - f.price) < Math.abs(best.price - f.price)) best = g;
      }
      const track: Track = {
        side: f.side,
        price: f.price,
        size: f.size,
        reportedSize: f.size,
        firstSeen: best ? best.firstSeen : ts,
        lastSeen: ts,
        traded: 0,
        seen: true,
      };
      this.tracks.set(key(f.side, f.price), track);
      if (best) {
        gone.splice(gone.indexOf(best), 1);
        const sizeDiff = Math.abs(f.size - best.reportedSize) / best.reportedSize;
        this.emit({
          ...base,
          type: 'wall',
          kind: 'moved',
          side: f.side,
          price: f.price,
          size: f.size,
          prevPrice: best.price,
          prevSize: best.reportedSize,
          notional: f.size * f.price,
          tradedSize: best.traded,
          ageMs: ts - best.firstSeen,
          confidence: round3(0.5 * (1 - sizeDiff / c.moveSizeTolerance) + 0.4),
        });
      } else {
        this.emit({
          ...base,
          type: 'wall',
          kind: 'appeared',
          side: f.side,
          price: f.price,
          size: f.size,
          prevPrice: null,
          prevSize: null,
          notional: f.size * f.price,
          tradedSize: 0,
          ageMs: 0,
          confidence: 1,
        });
      }
    }
    const bestBid = book.bids.price(0);
    const bestAsk = book.asks.price(0);
    for (const g of gone) {
      const decline = Math.max(g.reportedSize - g.size, 1e-12);
      const tradedShare = Math.min(1, g.traded / decline);
      // price now beyond the wall: it was traded through
      const through = g.side === 'bid' ? bestBid < g.price : bestAsk > g.price;
      const consumed = tradedShare >= c.consumedFraction || (through && g.traded > 0);
      let confidence: number;
      if (consumed) confidence = through ? Math.max(tradedShare, 0.6) : tradedShare;
      else confidence = through ? 0.3 : 1 - tradedShare;
      this.emit({
        ...base,
        type: 'wall',
        kind: consumed ? 'consumed' : 'pulled',
        side: g.side,
        price: g.price,
        size: g.size,
        prevPrice: null,
        prevSize: g.reportedSize,
        notional: g.reportedSize * g.price,
        tradedSize: g.traded,
        ageMs: ts - g.firstSeen,
        confidence: round3(confidence),
      });
    }
  }

  /** Number of walls currently tracked. */
  get count(): number {
    return this.tracks.size;
  }

  /** Walls currently tracked, best price first per side (bids then asks). */
  walls(now: number): Wall[] {
    const out: Wall[] = [];
    for (const t of this.tracks.values()) {
      out.push({
        side: t.side,
        price: t.price,
        size: t.size,
        notional: t.price * t.size,
        distancePct: Number.isNaN(this.mid) ? NaN : (Math.abs(t.price - this.mid) / this.mid) * 100,
        firstSeen: t.firstSeen,
        ageMs: now - t.firstSeen,
      });
    }
    return out.sort((a, b) =>
      a.side === b.side
        ? a.side === 'bid'
          ? b.price - a.price
          : a.price - b.price
        : a.side === 'bid'
          ? -1
          : 1,
    );
  }

  /** Distribution of the current walls by distance zone (WALL_ZONES) and side. */
  distribution(): WallZone[] {
    const zones: WallZone[] = [];
    for (let z = 0; z + 1 < WALL_ZONES.length; z++) {
      zones.push({
        fromPct: WALL_ZONES[z]!,
        toPct: WALL_ZONES[z + 1]!,
        bid: { count: 0, size: 0, notional: 0 },
        ask: { count: 0, size: 0, notional: 0 },
      });
    }
    for (const w of this.walls(0)) {
      const z =
        zones.find((q) => w.distancePct >= q.fromPct && w.distancePct < q.toPct) ?? zones[zones.length - 1]!;
      const s = z[w.side];
      s.count++;
      s.size += w.size;
      s.notional += w.notional;
    }
    return zones;
  }

  /** Forget every wall (book resynced: what happened meanwhile is unknown, so no events). */
  reset(): void {
    this.tracks.clear();
  }
}

function key(side: Side, price: number): string {
  return side === 'bid' ? `b${price}` : `a${price}`;
}

function round3(x: number): number {
  return Math.round(Math.min(1, Math.max(0, x)) * 1000) / 1000;
}
