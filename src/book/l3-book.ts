/**
 * Order-by-order (L3) book: resting orders by id, aggregated to L2 levels exactly, for books rebuilt
 * from order-level data (LOBSTER message files; src/recording/lobster.ts). Pure data structure, no I/O.
 *
 * Units: prices are integer ticks (`price × 10^priceDecimals` of the quote currency; LOBSTER: USD ×
 * 10,000, priceDecimals 4), sizes integer units (shares). Both are kept as exact integers (checked
 * safe integers) and presented as decimal strings only at the L2 edge (`drain`, `top`), so nothing is
 * rounded anywhere.
 *
 * What the book knows (its **coverage**), per side — bids shown, asks mirror it:
 * - The book is exact for bid prices >= `bidFloor` and holds nothing below it (no order, no level): a
 *   price outside coverage is unknown, not empty. `-Infinity` = the whole side is known; `+Infinity` =
 *   nothing is known (before `seed`).
 * - `seed`/`adopt` take a venue top-N image (an orderbook row): its levels outside coverage become known
 *   with their whole size as **anonymous volume** (resting orders whose ids we never saw: they were
 *   placed before the data starts, or while their price was outside coverage); the floor moves down to
 *   the image's N-th level, or to `-Infinity` when the image lists fewer than N levels (the side has no
 *   more). Known orders at adopted prices are forgotten: events for them may have been missed while the
 *   price was outside coverage, so the image's size is the truth and later events for those ids reduce
 *   the anonymous volume instead.
 * - With `windowDepth` N (the venue reports events only inside its top-N window, as LOBSTER level-N
 *   files do: "the type of event causing an update of the limit order book in the requested price
 *   range"): `shrink()` after each event raises the floor to the N-th best level whenever the side holds
 *   N or more, and drops the levels below it, because events at those prices are no longer reported.
 *
 * Events (L3Event): `add` (new limit order), `cancel` (partial cancellation: `size` removed), `delete`
 * (full deletion: `size` is the remaining size), `execute` (execution of a visible resting order:
 * reduces it, and is a trade), `execute_hidden` and `cross` (trades only: the visible book does not
 * change), `status` (trading status: `trading`, `halted`, `quoting`). An event for an order the book
 * does not know, at a covered price, reduces that level's anonymous volume; outside coverage it is
 * counted (`outsideCoverage`) and ignored. Inconsistencies never throw: they are counted in
 * `counters.anomalies` by kind and applied as far as they make sense (clamped at zero).
 */
import type { WireLevel } from '../core/model.ts';

/** Book side of an order. */
export type L3Side = 'bid' | 'ask';

/** Trading status carried by `status` events (LOBSTER type 7: price -1 halted, 0 quoting, 1 trading). */
export type TradingStatus = 'trading' | 'halted' | 'quoting';

/** One order-level event; prices in integer ticks, sizes in integer units (see the module doc). */
export type L3Event =
  | { kind: 'add' | 'cancel' | 'delete' | 'execute'; id: number; side: L3Side; price: number; size: number }
  | { kind: 'execute_hidden'; side: L3Side; price: number; size: number }
  | { kind: 'cross'; price: number; size: number }
  | { kind: 'status'; status: TradingStatus };

/** A trade made by an event: price in ticks, size in units; `restingSide` null when unknown (crosses). */
export interface L3Trade {
  price: number;
  size: number;
  restingSide: L3Side | null;
}

/** Kinds of inconsistent events (counted, never thrown). */
export type L3Anomaly =
  /** `add` with an id already resting. */
  | 'duplicate_id'
  /** An event for a known order whose price or side differs from the order's (the order's own is used). */
  | 'order_mismatch'
  /** A reduction larger than the known order (clamped to the order). */
  | 'oversize'
  /** `delete` of a known order with a size other than its remaining size. */
  | 'delete_size'
  /** A reduction of an unknown order larger than the level's anonymous volume (clamped to it). */
  | 'unexplained_size'
  /** A size or price that is not a positive safe integer. */
  | 'invalid';

/** Counters of an L3 book. */
export interface L3Counters {
  /** Events applied, by kind. */
  events: Record<L3Event['kind'], number>;
  /** Reductions of orders the book did not know, taken from a covered level's anonymous volume. */
  anonymous: number;
  /** Events at prices outside coverage, ignored (expected right after the window moves). */
  outsideCoverage: number;
  /** Known orders forgotten because their price was re-adopted from a venue image or left coverage. */
  forgotten: number;
  /** Levels adopted from venue images (seed included). */
  adoptedLevels: number;
  anomalies: Record<L3Anomaly, number>;
}

interface Order {
  side: L3Side;
  price: number;
  size: number;
}

interface Level {
  /** Volume of resting orders whose ids are unknown. */
  anon: number;
  /** Sum of the known orders' sizes at this price. */
  known: number;
  /** Ids of the known orders at this price. */
  ids: Set<number>;
}

class Side {
  readonly levels = new Map<number, Level>();
  /** What the L2 projection last reported per price (absent = no level). */
  readonly emitted = new Map<number, number>();
  readonly dirty = new Set<number>();
  /** Coverage bound in ticks: bids known at price >= bound, asks at price <= bound. */
  bound: number;

  constructor(readonly name: L3Side) {
    this.bound = name === 'bid' ? Infinity : -Infinity;
  }

  covers(price: number): boolean {
    return this.name === 'bid' ? price >= this.bound : price <= this.bound;
  }

  /** True when `a` is a better price than `b` on this side. */
  better(a: number, b: number): boolean {
    return this.name === 'bid' ? a > b : a < b;
  }

  /** Prices of the levels, best first. */
  sorted(): number[] {
    const keys = [...this.levels.keys()];
    return this.name === 'bid' ? keys.sort((a, b) => b - a) : keys.sort((a, b) => a - b);
  }
}

/** Options of an L3Book. */
export interface L3BookOptions {
  /** Decimal places of one price tick (LOBSTER: 4, prices are USD × 10,000). */
  priceDecimals: number;
  /** Depth of the venue's reporting window (LOBSTER level-N files: N); unset = every event is reported. */
  windowDepth?: number;
}

const EVENT_KINDS: readonly L3Event['kind'][] = [
  'add',
  'cancel',
  'delete',
  'execute',
  'execute_hidden',
  'cross',
  'status',
];
const ANOMALIES: readonly L3Anomaly[] = [
  'duplicate_id',
  'order_mismatch',
  'oversize',
  'delete_size',
  'unexplained_size',
  'invalid',
];

/** Fresh zeroed L3 counters. */
export function newL3Counters(): L3Counters {
  return {
    events: Object.fromEntries(EVENT_KINDS.map((k) => [k, 0])) as L3Counters['events'],
    anonymous: 0,
    outsideCoverage: 0,
    forgotten: 0,
    adoptedLevels: 0,
    anomalies: Object.fromEntries(ANOMALIES.map((k) => [k, 0])) as L3Counters['anomalies'],
  };
}

/** An order-by-order book aggregated to exact L2 levels (see the module doc). */
export class L3Book {
  private readonly orders = new Map<number, Order>();
  private readonly bids = new Side('bid');
  private readonly asks = new Side('ask');
  /** Trading status from the last `status` event (initially `trading`). */
  status: TradingStatus = 'trading';
  readonly counters: L3Counters = newL3Counters();

  /** @throws {RangeError} when priceDecimals is not an integer in [0, 15] or windowDepth is not positive */
  constructor(readonly opts: L3BookOptions) {
    if (!Number.isInteger(opts.priceDecimals) || opts.priceDecimals < 0 || opts.priceDecimals > 15)
      throw new RangeError(`priceDecimals must be an integer in [0, 15], got ${opts.priceDecimals}`);
    if (opts.windowDepth !== undefined && !(Number.isInteger(opts.windowDepth) && opts.windowDepth > 0))
      throw new RangeError(`windowDepth must be a positive integer, got ${opts.windowDepth}`);
  }

  /** Resting orders the book knows by id. */
  get orderCount(): number {
    return this.orders.size;
  }

  /**
   * Coverage bounds in ticks: bids are known at prices >= `bidFloor`, asks at prices <= `askCeiling`
   * (±Infinity: see the module doc).
   */
  get coverage(): { bidFloor: number; askCeiling: number } {
    return { bidFloor: this.bids.bound, askCeiling: this.asks.bound };
  }

  /**
   * Start from a venue top-N image (e.g. LOBSTER orderbook row 1): forget everything, adopt the image
   * (module doc) and mark it as already reported (the caller publishes it as a snapshot; the next
   * `drain` reports only later changes).
   * @param bids, asks levels best first, [price ticks, size] with positive safe integers
   * @param depth N, the image's depth (a side listing fewer levels has no more)
   */
  seed(
    bids: readonly (readonly [number, number])[],
    asks: readonly (readonly [number, number])[],
    depth: number,
  ): void {
    this.orders.clear();
    for (const s of [this.bids, this.asks]) {
      s.levels.clear();
      s.emitted.clear();
      s.dirty.clear();
      s.bound = s.name === 'bid' ? Infinity : -Infinity;
    }
    this.adopt('bid', bids, depth);
    this.adopt('ask', asks, depth);
    for (const s of [this.bids, this.asks]) {
      for (const [p, l] of s.levels) s.emitted.set(p, l.anon + l.known);
      s.dirty.clear();
    }
  }

  /**
   * Learn one side from a venue top-N image (module doc): levels outside coverage become known as
   * anonymous volume, levels we held between the image's N-th price and the old bound that the image
   * does not list are removed, and the bound moves out to the image's N-th price (or the whole side
   * when it lists fewer than `depth` levels). Levels inside coverage are left as they are (the caller
   * compares them with the image first). No-op when the image reveals nothing beyond coverage.
   */
  adopt(side: L3Side, levels: readonly (readonly [number, number])[], depth: number): void {
    const s = side === 'bid' ? this.bids : this.asks;
    const newBound = levels.length >= depth ? levels[depth - 1]![0] : side === 'bid' ? -Infinity : Infinity;
    if (!s.better(s.bound, newBound)) return; // nothing beyond coverage
    const listed = new Set<number>();
    for (const [price, size] of levels) {
      if (s.covers(price)) continue;
      listed.add(price);
      this.forgetLevel(s, price);
      if (size > 0) {
        s.levels.set(price, { anon: size, known: 0, ids: new Set() });
        this.counters.adoptedLevels++;
      }
      s.dirty.add(price);
    }
    // Levels held outside the old bound cannot exist (only covered levels are held), so every price
    // between the new and the old bound that the image does not list is empty: nothing to remove.
    s.bound = newBound;
  }

  /**
   * Apply one event.
   * @returns the trade it makes (executions, hidden executions, crosses), else null
   */
  apply(e: L3Event): L3Trade | null {
    this.counters.events[e.kind]++;
    switch (e.kind) {
      case 'status':
        this.status = e.status;
        return null;
      case 'cross':
        if (!validSize(e.size) || !validPrice(e.price)) return this.invalid();
        return { price: e.price, size: e.size, restingSide: null };
      case 'execute_hidden':
        if (!validSize(e.size) || !validPrice(e.price)) return this.invalid();
        return { price: e.price, size: e.size, restingSide: e.side };
      case 'add':
        if (!validSize(e.size) || !validPrice(e.price)) return this.invalid();
        this.add(e.id, e.side, e.price, e.size);
        return null;
      default: {
        if (!validSize(e.size) || !validPrice(e.price)) return this.invalid();
        this.reduce(e.id, e.side, e.price, e.size, e.kind === 'delete');
        return e.kind === 'execute' ? { price: e.price, size: e.size, restingSide: e.side } : null;
      }
    }
  }

  /**
   * With `windowDepth` N: raise each side's bound to its N-th best level when it holds N or more, and
   * drop (forget) the levels below it. No-op without `windowDepth`.
   */
  shrink(): void {
    const n = this.opts.windowDepth;
    if (n === undefined) return;
    for (const s of [this.bids, this.asks]) {
      if (s.levels.size < n) continue;
      const prices = s.sorted();
      s.bound = prices[n - 1]!;
      for (let i = n; i < prices.length; i++) {
        this.forgetLevel(s, prices[i]!);
        s.dirty.add(prices[i]!);
      }
    }
  }

  /**
   * The L2 changes since the last drain (or seed): absolute new sizes per price, "0" deleting, prices
   * as decimal strings of the quote currency (ticks / 10^priceDecimals, exact), sizes as integer
   * strings. Only covered levels are ever reported; a level that leaves coverage is reported deleted.
   */
  drain(): { bids: WireLevel[]; asks: WireLevel[] } {
    return { bids: this.drainSide(this.bids), asks: this.drainSide(this.asks) };
  }

  /** Best `n` covered levels per side, [price ticks, size], best first. */
  top(n: number): { bids: [number, number][]; asks: [number, number][] } {
    const take = (s: Side): [number, number][] =>
      s
        .sorted()
        .slice(0, n)
        .map((p) => {
          const l = s.levels.get(p)!;
          return [p, l.anon + l.known];
        });
    return { bids: take(this.bids), asks: take(this.asks) };
  }

  /** Size resting at a price (0 when no level; also 0 outside coverage, where it is unknown). */
  sizeAt(side: L3Side, price: number): number {
    const l = (side === 'bid' ? this.bids : this.asks).levels.get(price);
    return l ? l.anon + l.known : 0;
  }

  /** A tick price as an exact decimal string of the quote currency (5853300, 4 decimals → "585.33"). */
  formatPrice(ticks: number): string {
    return formatTicks(ticks, this.opts.priceDecimals);
  }

  private invalid(): null {
    this.counters.anomalies.invalid++;
    return null;
  }

  private add(id: number, side: L3Side, price: number, size: number): void {
    const s = side === 'bid' ? this.bids : this.asks;
    if (!s.covers(price)) {
      this.counters.outsideCoverage++;
      return;
    }
    if (this.orders.has(id)) {
      this.counters.anomalies.duplicate_id++;
      return;
    }
    this.orders.set(id, { side, price, size });
    let l = s.levels.get(price);
    if (!l) s.levels.set(price, (l = { anon: 0, known: 0, ids: new Set() }));
    l.known += size;
    l.ids.add(id);
    s.dirty.add(price);
  }

  private reduce(id: number, side: L3Side, price: number, size: number, full: boolean): void {
    const c = this.counters;
    const o = this.orders.get(id);
    if (o) {
      if (o.price !== price || o.side !== side) c.anomalies.order_mismatch++;
      const s = o.side === 'bid' ? this.bids : this.asks;
      const l = s.levels.get(o.price)!;
      let take = size;
      if (full && size !== o.size) c.anomalies.delete_size++;
      if (full) take = o.size;
      else if (size > o.size) {
        c.anomalies.oversize++;
        take = o.size;
      }
      o.size -= take;
      l.known -= take;
      if (o.size === 0) {
        this.orders.delete(id);
        l.ids.delete(id);
      }
      if (l.anon + l.known === 0) s.levels.delete(o.price);
      s.dirty.add(o.price);
      return;
    }
    const s = side === 'bid' ? this.bids : this.asks;
    if (!s.covers(price)) {
      c.outsideCoverage++;
      return;
    }
    const l = s.levels.get(price);
    const have = l?.anon ?? 0;
    if (size > have) c.anomalies.unexplained_size++;
    else c.anonymous++;
    if (l) {
      l.anon -= Math.min(size, have);
      if (l.anon + l.known === 0) s.levels.delete(price);
      s.dirty.add(price);
    }
  }

  /** Remove a level and forget its known orders. */
  private forgetLevel(s: Side, price: number): void {
    const l = s.levels.get(price);
    if (!l) return;
    for (const id of l.ids) this.orders.delete(id);
    this.counters.forgotten += l.ids.size;
    s.levels.delete(price);
  }

  private drainSide(s: Side): WireLevel[] {
    const out: WireLevel[] = [];
    if (s.dirty.size === 0) return out;
    const prices = [...s.dirty].sort((a, b) => (s.name === 'bid' ? b - a : a - b));
    for (const p of prices) {
      const l = s.levels.get(p);
      const now = l && s.covers(p) ? l.anon + l.known : 0;
      const before = s.emitted.get(p) ?? 0;
      if (now === before) continue;
      if (now === 0) s.emitted.delete(p);
      else s.emitted.set(p, now);
      out.push([this.formatPrice(p), String(now)]);
    }
    s.dirty.clear();
    return out;
  }
}

function validSize(n: number): boolean {
  return Number.isSafeInteger(n) && n > 0;
}

function validPrice(n: number): boolean {
  return Number.isSafeInteger(n) && n > 0;
}

/**
 * An integer number of ticks as an exact decimal string with `decimals` places, trailing zeros dropped
 * (5853300, 4 → "585.33"; 5850000, 4 → "585"; 7, 4 → "0.0007"). Negative values keep their sign.
 * @throws {RangeError} when `ticks` is not a safe integer
 */
export function formatTicks(ticks: number, decimals: number): string {
  if (!Number.isSafeInteger(ticks)) throw new RangeError(`not a safe integer tick count: ${ticks}`);
  const neg = ticks < 0;
  let s = String(neg ? -ticks : ticks);
  if (decimals > 0) {
    s = s.padStart(decimals + 1, '0');
    const int = s.slice(0, s.length - decimals);
    const frac = s.slice(s.length - decimals).replace(/0+$/, '');
    s = frac ? `${int}.${frac}` : int;
  }
  return neg ? `-${s}` : s;
}
