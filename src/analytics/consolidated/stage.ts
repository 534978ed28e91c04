/**
 * Consolidation as a pipeline stage: keeps every configured group's merged book in step with its
 * members' verified books (incrementally, on each member update), tracks crossed markets, the
 * consolidated flow and the watchlist, and publishes on the bus:
 * - `arbitrage`: every crossed-market event (open, new maximum edge, close), as it happens;
 * - `consolidated`: each group's view (book with per-member sizes, BBO with its members, metrics,
 *   routing estimate, depth shares, basis, open crossings, flow), at most every `publishIntervalMs` of
 *   input time per group, and at flush;
 * - `watchlist`: every instrument's and group's session row plus breadth, at most every
 *   `publishIntervalMs`, and at flush;
 * - once per group per sampling interval (`sampleIntervalMs` of input time, default 1 s; the group's
 *   state after the last member update of the interval, emitted when an update opens the next interval
 *   or at flush): `metrics.sample` as instrument `consolidated:<group>` (the full metric set on the merged
 *   book; state `live`, `resyncing` while partial, `connecting` while down), `consolidated.basis` for
 *   each live derivative member against the group's spot reference, and the same basis on `cross`
 *   (kind `basis`, pair name `<group> <member>`) so the built-in basis alert watches groups too, and
 *   each market kind's price divergence on `cross` (kind `divergence`, name `<group> <kind>`) for the
 *   built-in venue_divergence alert.
 * Times are the updates' local times, so replay at any speed publishes the same views as live.
 *
 * Quote conversion (member price → group quote): 1 when the member's quote is the group's; USD-like
 * quotes (USD, USDT, USDC, BUSD, FDUSD, TUSD, DAI) count 1:1 as USD by default; otherwise a configured
 * `rates[quote]` (1 unit of the member's quote = rate group units), or a live conversion book
 * `conversions[quote]` (an instrument whose mid is the rate, e.g. `kraken:EUR/USD`), applied to the
 * member's whole contribution when it moves by more than 1 bp. A member with no way to convert is left
 * out (listed as excluded) and said so once in `unconverted`.
 */
import type { Bus } from '../../core/bus.ts';
import { baseSize, fallbackSpec, USD_LIKE, type InstrumentSpec } from '../../core/instrument.ts';
import { parseDecimal } from '../../core/decimal.ts';
import type { Funding, InstrumentId, Trade } from '../../core/model.ts';
import type { BookState } from '../../book/health.ts';
import type { InstrumentBook } from '../../book/instrument-book.ts';
import type { BookUpdate, PipelineStage } from '../../pipeline/engine.ts';
import type { CrossUpdate } from '../stage.ts';
import type { MetricsSample } from '../types.ts';
import { breadthOf, SessionStats, type Breadth, type SessionClock, type WatchRow } from '../watchlist.ts';
import type { CrossedMarket } from './arbitrage.ts';
import type { BaseUnits } from './book.ts';
import {
  ConsolidationGroup,
  type ConsolidatedView,
  type GroupBasis,
  type GroupMember,
  type GroupOptions,
} from './group.ts';

/** The watchlist as published. */
export interface WatchlistView {
  rows: WatchRow[];
  /** Breadth over every instrument row, and per named list. */
  breadth: Breadth;
  lists: Record<string, Breadth>;
  ts: number;
}

/** Topics the consolidation stage publishes. */
export interface ConsolidationTopics {
  consolidated: ConsolidatedView;
  arbitrage: CrossedMarket;
  watchlist: WatchlistView;
  /**
   * One sample of each group's metrics per sampling interval, as instrument `consolidated:<group>`
   * (stored in the metrics history like any instrument's).
   */
  'metrics.sample': MetricsSample;
  /** Each live derivative member's basis against the group's spot reference, once per sampling interval. */
  'consolidated.basis': ConsolidatedBasis;
  /** The same basis as a pair basis (`<group> <member>`), for the alert engine's basis rule. */
  cross: CrossUpdate;
}

/** A group member's basis at a sampling instant (bus topic `consolidated.basis`). */
export interface ConsolidatedBasis extends GroupBasis {
  group: string;
  /** The group's spot members (the live ones make the reference mid). */
  spot: string[];
  /** Local time of the group's last update in the interval, ms since epoch UTC. */
  ts: number;
}

/** The instrument id under which a group's metrics are sampled and stored. */
export function groupInstrumentId(group: string): string {
  return `consolidated:${group}`;
}

/** One group as configured. */
export interface ConsolidationGroupConfig {
  name: string;
  members: InstrumentId[];
  /** Group quote currency (default: the first member's quote, USD-like ones as `USD`). */
  quote?: string;
  /** 1 unit of a member quote = rate group units, e.g. `{ EUR: 1.08 }`. */
  rates?: Record<string, number>;
  /** Live conversion books: member quote → instrument whose mid is the rate, e.g. `{ EUR: 'kraken:EUR/USD' }`. */
  conversions?: Record<string, InstrumentId>;
  /** Taker fee rate by instrument id or venue id (0.0004 = 4 bps; default 0). */
  fees?: Record<string, number>;
  routeQuantity?: number;
  sharePct?: number;
  minEdgeBps?: number;
  /** Crossed markets between members of the same kind only (default) or any two (see GroupOptions). */
  crossKinds?: 'same' | 'any';
  viewDepth?: number;
  /** Consolidated heatmap settings, or false for none (default: 1 s bins, buckets of 10 quote units). */
  heatmap?: GroupOptions['heatmap'];
  /** Keep one heatmap per member too (the venue-coloured heatmap; default true). */
  memberHeatmaps?: boolean;
}

/** Options of the consolidation stage. */
export interface ConsolidationOptions {
  bus: Bus<ConsolidationTopics>;
  groups: readonly ConsolidationGroupConfig[];
  /** Instrument reference data (default: the documented fallback of core/instrument.ts). */
  spec?: (instrument: InstrumentId) => InstrumentSpec;
  /** Publish views at most this often per group (ms of input time; default 250). */
  publishIntervalMs?: number;
  /** Sample each group's metrics into `metrics.sample` this often (ms of input time; default 1000; 0 = never). */
  sampleIntervalMs?: number;
  /** Watchlist sessions and named lists (default: sessions at 00:00 UTC, no lists). */
  watchlist?: { clock?: SessionClock; lists?: Record<string, InstrumentId[]> } | false;
}

/** Size conversion of a spec (base units of wire sizes). */
function unitsOf(spec: InstrumentSpec): BaseUnits {
  const base = (price: number, size: number): number => baseSize(spec, price, size);
  // The same arithmetic as baseSize, as factors (ConsolidatedBook's per-level fast path).
  if (spec.sizeUnit === 'base') return { base, linear: 1 };
  if (spec.margin === 'inverse') return { base, inverse: spec.contractSize };
  return { base, linear: spec.contractSize };
}

interface Membership {
  group: ConsolidationGroup;
  m: number;
}

/** See the module comment. */
export class ConsolidationStage implements PipelineStage {
  readonly groups = new Map<string, ConsolidationGroup>();
  /** Members left out because their quote cannot be converted, with the reason. */
  readonly unconverted: { group: string; instrument: string; reason: string }[] = [];
  private readonly memberships = new Map<InstrumentId, Membership[]>();
  /** Live conversion instrument → the (group, member, quote) it converts. */
  private readonly converters = new Map<InstrumentId, Membership[]>();
  private readonly books = new Map<InstrumentId, InstrumentBook>();
  private readonly sessions = new Map<string, SessionStats>();
  private readonly spec: (id: InstrumentId) => InstrumentSpec;
  private readonly interval: number;
  private lastWatchlist = -Infinity;
  private readonly sampleMs: number;
  private clock = NaN;

  /** @throws {RangeError} for a group without members or an instrument in one group twice */
  constructor(private readonly opts: ConsolidationOptions) {
    this.spec = opts.spec ?? fallbackSpec;
    this.interval = opts.publishIntervalMs ?? 250;
    this.sampleMs = opts.sampleIntervalMs ?? 1000;
    for (const g of opts.groups) this.addGroup(g);
  }

  private addGroup(g: ConsolidationGroupConfig): void {
    if (g.members.length === 0) throw new RangeError(`consolidation group ${g.name} has no members`);
    if (new Set(g.members).size !== g.members.length)
      throw new RangeError(`consolidation group ${g.name} lists a member twice`);
    const specs = g.members.map((id) => this.spec(id));
    const usd = (q: string): string => (USD_LIKE.has(q) ? 'USD' : q);
    const quote = g.quote ?? usd(specs[0]!.quote);
    const members: GroupMember[] = [];
    const live: { m: number; via: InstrumentId }[] = [];
    specs.forEach((spec, i) => {
      const id = g.members[i]!;
      let factor = NaN;
      const q = spec.quote;
      if (q === quote || (USD_LIKE.has(q) && usd(quote) === 'USD')) factor = 1;
      else if (g.rates?.[q] !== undefined) factor = g.rates[q]!;
      else if (g.conversions?.[q] !== undefined) live.push({ m: members.length, via: g.conversions[q]! });
      else {
        this.unconverted.push({
          group: g.name,
          instrument: id,
          reason: `no rate or conversion book for ${q} → ${quote}`,
        });
        return;
      }
      const venue = id.slice(0, id.indexOf(':'));
      members.push({
        instrument: id,
        spec,
        units: unitsOf(spec),
        priceFactor: Number.isNaN(factor) ? 1 : factor,
        takerFee: g.fees?.[id] ?? g.fees?.[venue] ?? 0,
      });
    });
    const group = new ConsolidationGroup({
      name: g.name,
      quote,
      members,
      ...(g.routeQuantity !== undefined ? { routeQuantity: g.routeQuantity } : {}),
      ...(g.sharePct !== undefined ? { sharePct: g.sharePct } : {}),
      ...(g.minEdgeBps !== undefined ? { minEdgeBps: g.minEdgeBps } : {}),
      ...(g.crossKinds !== undefined ? { crossKinds: g.crossKinds } : {}),
      ...(g.viewDepth !== undefined ? { viewDepth: g.viewDepth } : {}),
      ...(g.heatmap !== undefined ? { heatmap: g.heatmap } : {}),
      ...(g.memberHeatmaps !== undefined ? { memberHeatmaps: g.memberHeatmaps } : {}),
    });
    this.groups.set(g.name, group);
    members.forEach((mm, m) => {
      const list = this.memberships.get(mm.instrument) ?? [];
      list.push({ group, m });
      this.memberships.set(mm.instrument, list);
    });
    for (const { m, via } of live) {
      // Until the conversion book is live the member stays out (factor unknown).
      group.book.priceFactor[m] = NaN;
      const list = this.converters.get(via) ?? [];
      list.push({ group, m });
      this.converters.set(via, list);
    }
  }

  onBook(b: InstrumentBook, _exchangeTs: number, localTs: number, update: BookUpdate): void {
    this.books.set(b.instrument, b);
    this.clock = localTs;
    const conv = this.converters.get(b.instrument);
    if (conv) this.onConversion(b, conv, localTs);
    const ms = this.memberships.get(b.instrument);
    if (ms) {
      const e = update.event;
      const delta = update.outcome === 'applied' && e.type === 'book_delta' ? e : null;
      for (const { group, m } of ms) {
        if (Number.isNaN(group.book.priceFactor[m]!)) continue;
        this.sampleBefore(group, localTs);
        this.publishCrossed(group.onMemberBook(m, b, delta, localTs));
        this.maybePublish(group, localTs);
      }
    }
    this.maybePublishWatchlist(localTs);
  }

  onState(b: InstrumentBook, _previous: BookState, localTs: number): void {
    this.books.set(b.instrument, b);
    this.clock = localTs;
    for (const { group, m } of this.memberships.get(b.instrument) ?? []) {
      if (Number.isNaN(group.book.priceFactor[m]!)) continue;
      this.sampleBefore(group, localTs);
      this.publishCrossed(group.onMemberState(m, b, localTs));
      this.maybePublish(group, localTs);
    }
  }

  /** A member's funding became its latest (engine FundingBoard): kept for the member's basis. */
  onFunding(f: Funding): void {
    for (const { group, m } of this.memberships.get(f.instrument) ?? []) group.onMemberFunding(m, f);
  }

  onTrade(t: Trade): void {
    const ts = t.localTs;
    this.clock = ts;
    let price: number;
    let size: number;
    try {
      price = parseDecimal(t.price);
      size = parseDecimal(t.size);
    } catch {
      return;
    }
    const market = t.kind === undefined;
    const spec = this.spec(t.instrument);
    if (this.opts.watchlist !== false && market)
      this.session(t.instrument, 'instrument').onTrade(price, baseSize(spec, price, size), ts);
    for (const { group, m } of this.memberships.get(t.instrument) ?? []) {
      const f = group.book.priceFactor[m]!;
      if (Number.isNaN(f)) continue;
      const b = this.books.get(t.instrument);
      const mid =
        b && b.book.bids.length > 0 && b.book.asks.length > 0
          ? (b.book.bids.price(0) + b.book.asks.price(0)) / 2
          : NaN;
      group.onMemberTrade(m, t, mid * f);
      if (this.opts.watchlist !== false && market)
        this.session(group.opts.name, 'group').onTrade(price * f, baseSize(spec, price, size), ts);
    }
  }

  /** Publish every group's view and the watchlist now (end of replay, shutdown). */
  flush(): void {
    for (const g of this.groups.values()) {
      this.opts.bus.publish('consolidated', g.view());
      g.lastPublished = this.clock;
    }
    for (const g of this.groups.values())
      if (!Number.isNaN(g.sampleSlot)) {
        this.emitSample(g);
        g.sampleSlot = NaN;
      }
    if (this.opts.watchlist !== false) this.opts.bus.publish('watchlist', this.watchlist());
  }

  /** The watchlist now: a row per instrument seen and per group, with breadth. */
  watchlist(): WatchlistView {
    const rows: WatchRow[] = [];
    for (const [id, b] of this.books) {
      const s = this.session(id, 'instrument');
      const top = topOf(b);
      s.onBook(top.mid, top.spreadBps, top.imbalance, b.health.state, this.clock);
      rows.push(s.snapshot());
    }
    for (const g of this.groups.values()) {
      const s = this.session(g.opts.name, 'group');
      const v = g.book.book;
      const bid = v.bids.length > 0 ? v.bids.price(0) : NaN;
      const ask = v.asks.length > 0 ? v.asks.price(0) : NaN;
      const mid = bid > 0 && ask > 0 ? (bid + ask) / 2 : null;
      const imb = imbalanceOf(v.bids, v.asks, 10);
      s.onBook(mid, mid === null ? null : ((ask - bid) / mid) * 1e4, imb, g.state, this.clock);
      rows.push(s.snapshot());
    }
    const instrumentRows = rows.filter((r) => r.kind === 'instrument');
    const lists: Record<string, Breadth> = {};
    const named = this.opts.watchlist ? (this.opts.watchlist.lists ?? {}) : {};
    for (const [name, ids] of Object.entries(named))
      lists[name] = breadthOf(rows.filter((r) => ids.includes(r.id)));
    return { rows, breadth: breadthOf(instrumentRows), lists, ts: this.clock };
  }

  private session(id: string, kind: 'instrument' | 'group'): SessionStats {
    let s = this.sessions.get(id);
    if (!s) {
      const clock = this.opts.watchlist ? this.opts.watchlist.clock : undefined;
      this.sessions.set(id, (s = new SessionStats(id, kind, clock ?? {})));
    }
    return s;
  }

  private onConversion(b: InstrumentBook, members: Membership[], ts: number): void {
    const t = topOf(b);
    const rate = b.health.state === 'live' ? t.mid : null;
    for (const { group, m } of members) {
      const old = group.book.priceFactor[m]!;
      if (rate === null) {
        if (!Number.isNaN(old)) {
          group.book.priceFactor[m] = NaN;
          if (group.book.included[m]) group.book.removeMember(m);
        }
        continue;
      }
      if (!Number.isNaN(old) && Math.abs(rate / old - 1) < 1e-4) continue;
      group.book.priceFactor[m] = rate;
      const mb = this.books.get(group.opts.members[m]!.instrument);
      if (!mb) continue;
      this.sampleBefore(group, ts);
      this.publishCrossed(group.onMemberBook(m, mb, null, ts));
    }
  }

  /**
   * Before a group update at `ts`: when `ts` opens a new sampling interval, emit the group's sample of
   * the interval that ends (its state after its last update there). Costs a map read per update.
   */
  private sampleBefore(g: ConsolidationGroup, ts: number): void {
    if (!(this.sampleMs > 0)) return;
    const slot = Math.floor(ts / this.sampleMs);
    const prev = g.sampleSlot;
    if (!Number.isNaN(prev) && prev !== slot) this.emitSample(g);
    g.sampleSlot = slot;
  }

  /** Publish the group's metrics sample and basis now (at the time of its last update). */
  private emitSample(g: ConsolidationGroup): void {
    const ts = g.ts;
    if (!Number.isFinite(ts)) return;
    const bus = this.opts.bus;
    const name = g.opts.name;
    if (bus.hasSubscribers?.('metrics.sample') ?? true) {
      const st = g.state;
      bus.publish('metrics.sample', {
        instrument: groupInstrumentId(name),
        exchangeTs: NaN,
        localTs: ts,
        state: st === 'live' ? 'live' : st === 'partial' ? 'resyncing' : 'connecting',
        sequence: NaN,
        metrics: g.metrics(),
      });
    }
    const wantBasis = bus.hasSubscribers?.('consolidated.basis') ?? true;
    const wantCross = bus.hasSubscribers?.('cross') ?? true;
    if (wantCross)
      // Same-kind price divergence as a group divergence (`<group> <kind>`): the built-in
      // venue_divergence alert watches groups too.
      for (const d of g.divergence())
        bus.publish('cross', {
          kind: 'divergence',
          result: { name: `${name} ${d.kind}`, bps: d.bps, high: d.high, low: d.low, mids: d.mids, ts },
        });
    if (!wantBasis && !wantCross) return;
    const basis = g.basis();
    if (basis.length === 0) return;
    const spot = g.opts.members.filter((m) => m.spec.kind === 'spot').map((m) => m.instrument);
    for (const b of basis) {
      if (wantBasis) bus.publish('consolidated.basis', { ...b, group: name, spot, ts });
      if (wantCross)
        bus.publish('cross', {
          kind: 'basis',
          result: {
            name: `${name} ${b.instrument}`,
            future: b.instrument,
            spot: spot.join(','),
            futureMid: b.mid,
            spotMid: b.spotMid,
            absolute: b.mid - b.spotMid,
            bps: b.bps,
            annualized: b.annualized,
            ts,
          },
        });
    }
  }

  private publishCrossed(events: readonly CrossedMarket[]): void {
    for (const e of events) this.opts.bus.publish('arbitrage', e);
  }

  private maybePublish(g: ConsolidationGroup, ts: number): void {
    if (ts - g.lastPublished < this.interval) return;
    g.lastPublished = ts;
    if (this.opts.bus.hasSubscribers?.('consolidated') ?? true)
      this.opts.bus.publish('consolidated', g.view());
  }

  private maybePublishWatchlist(ts: number): void {
    if (this.opts.watchlist === false || ts - this.lastWatchlist < this.interval) return;
    this.lastWatchlist = ts;
    if (this.opts.bus.hasSubscribers?.('watchlist') ?? true)
      this.opts.bus.publish('watchlist', this.watchlist());
  }
}

/** Mid, spread (bps) and top-10 imbalance of a book (nulls when a side is empty). */
function topOf(b: InstrumentBook): {
  mid: number | null;
  spreadBps: number | null;
  imbalance: number | null;
} {
  const bids = b.book.bids;
  const asks = b.book.asks;
  if (bids.length === 0 || asks.length === 0) return { mid: null, spreadBps: null, imbalance: null };
  const bid = bids.price(0);
  const ask = asks.price(0);
  const mid = (bid + ask) / 2;
  return { mid, spreadBps: ((ask - bid) / mid) * 1e4, imbalance: imbalanceOf(bids, asks, 10) };
}

function imbalanceOf(
  bids: InstrumentBook['book']['bids'],
  asks: InstrumentBook['book']['asks'],
  n: number,
): number | null {
  let b = 0;
  let a = 0;
  for (let i = 0; i < Math.min(n, bids.length); i++) b += bids.size(i);
  for (let i = 0; i < Math.min(n, asks.length); i++) a += asks.size(i);
  return b + a > 0 ? (b - a) / (b + a) : null;
}
