/**
 * The consolidated L2 book of a group of instruments (one asset across venues and markets): every
 * member's levels merged by exact price in the group's quote currency, sizes in base units, with the
 * size each member holds at every level (attribution). Pure, incremental: a member's delta touches only
 * the levels it changed; a member's snapshot (or resync, or a new price factor) replaces that member's
 * contribution; a member that leaves `live` is removed at once and comes back with its next snapshot.
 *
 * Units: prices = member price × the member's `priceFactor` (1 for USDT/USDC counted as USD, or a
 * configured / live conversion rate); sizes = the member's wire sizes in base units by its instrument
 * spec (linear contracts × contract size, inverse contracts × contract size / price).
 * Merged size at a price = the sum of the members' sizes there, added in member order (so a test that
 * sums the members in the same order gets the same double).
 */
import { parseDecimal } from '../../core/decimal.ts';
import type { InstrumentId, WireLevel } from '../../core/model.ts';
import type { BookSide } from '../../book/book-side.ts';
import { L2Book } from '../../book/l2-book.ts';

/** Converts a member's wire size at a price to base units (core/instrument.ts SizeUnits satisfies it). */
export interface BaseUnits {
  base(price: number, size: number): number;
  /**
   * Optional fast path, equal to `base`: base = size × linear when the conversion does not depend on
   * the price (spot, linear contracts), or base = (size × inverse) / price (inverse contracts).
   */
  readonly linear?: number;
  readonly inverse?: number;
}

/** One member of a consolidation group. */
export interface MemberInfo {
  readonly instrument: InstrumentId;
  readonly units: BaseUnits;
}

const BID = 0;
const ASK = 1;

/** The merged book of a group; see the module comment. */
export class ConsolidatedBook {
  /** Merged levels: group-quote prices, base sizes, best first (wire strings are empty). */
  readonly book = new L2Book();
  /** Price factor per member (member price × factor = group price). */
  readonly priceFactor: Float64Array;
  /** Whether a member's levels are in the book (its book is live and was loaded). */
  readonly included: boolean[];
  private readonly n: number;
  /**
   * Attribution per side: the size each member holds at a merged level, at `[slot × n + member]` where
   * `slot` is the level's pool slot in the merged book side (stable while the level exists). Kept beside
   * the merged levels instead of in a price-keyed map: one search of the merged side per changed level.
   */
  private attr: [Float64Array, Float64Array];
  /** Per member, per side: how many merged levels the member holds size at. */
  private readonly held: Int32Array;
  private readonly index = new Map<InstrumentId, number>();
  /** Scratch list of prices (clearMember). */
  private scratch: number[] = [];

  constructor(readonly members: readonly MemberInfo[]) {
    this.n = members.length;
    this.priceFactor = new Float64Array(this.n).fill(1);
    this.included = members.map(() => false);
    this.held = new Int32Array(this.n * 2);
    this.attr = [new Float64Array(64 * this.n), new Float64Array(64 * this.n)];
    members.forEach((m, i) => this.index.set(m.instrument, i));
  }

  /** The member number of an instrument, or -1. */
  memberOf(instrument: InstrumentId): number {
    return this.index.get(instrument) ?? -1;
  }

  /**
   * Replace member `m`'s contribution with its whole book (after a snapshot, a resync, a new price
   * factor) and include it.
   */
  loadMember(m: number, book: L2Book): void {
    this.clearMember(m);
    this.included[m] = true;
    this.loadSide(m, BID, book.bids);
    this.loadSide(m, ASK, book.asks);
  }

  /**
   * Apply a member's delta: the levels it changed, sizes read from the member's (already updated) book,
   * so a level its book truncated or removed leaves the merge too. Uses the book's parsed levels when
   * still available (L2Book.lastDeltaLevels), else parses the wire levels. A member that is not
   * included is ignored.
   */
  applyMemberDelta(m: number, book: L2Book, bids: readonly WireLevel[], asks: readonly WireLevel[]): void {
    if (!this.included[m]) return;
    const f = this.priceFactor[m]!;
    const units = this.members[m]!.units;
    const parsed = book.lastDeltaLevels();
    if (parsed) {
      // The delta's own new sizes: the book applied exactly these (a level it then truncated is caught
      // by the held-count check below), so no second search of the member book per level.
      const k = parsed.keys;
      const lin = units.linear;
      const inv = units.inverse;
      for (let i = 0; i < parsed.end; i += 2) {
        const p = k[i]!;
        const size = k[i + 1]!;
        const base = !(size > 0)
          ? 0
          : lin !== undefined
            ? size * lin
            : inv !== undefined
              ? p > 0
                ? (size * inv) / p
                : NaN
              : units.base(p, size);
        this.setLevel(m, i < parsed.bidEnd ? BID : ASK, p * f, base);
      }
    } else {
      for (const l of bids) this.memberLevel(m, BID, parseDecimal(l[0]), f, units, book.bids);
      for (const l of asks) this.memberLevel(m, ASK, parseDecimal(l[0]), f, units, book.asks);
    }
    // A book that truncates to its depth (Kraken, OKX 400) drops its worst levels without naming them.
    if (this.held[m * 2 + BID]! > book.bids.length || this.held[m * 2 + ASK]! > book.asks.length) {
      this.loadMember(m, book);
    }
  }

  /** Remove member `m`'s levels (it left `live`); it returns with the next loadMember. */
  removeMember(m: number): void {
    this.clearMember(m);
    this.included[m] = false;
  }

  /** Size member `m` holds at a group price on a side (0 when none). */
  memberSize(side: 'bid' | 'ask', price: number, m: number): number {
    const s = side === 'bid' ? BID : ASK;
    const slot = this.sideOf(s).find(price);
    return slot < 0 ? 0 : this.attr[s][slot * this.n + m]!;
  }

  /** Sizes per member at a group price on a side (a fresh array; zeros when the level is absent). */
  sizesAt(side: 'bid' | 'ask', price: number): number[] {
    const s = side === 'bid' ? BID : ASK;
    const slot = this.sideOf(s).find(price);
    if (slot < 0) return new Array<number>(this.n).fill(0);
    return Array.from(this.attr[s].subarray(slot * this.n, slot * this.n + this.n));
  }

  /** Member numbers with size at a group price on a side. */
  membersAt(side: 'bid' | 'ask', price: number): number[] {
    const s = side === 'bid' ? BID : ASK;
    const slot = this.sideOf(s).find(price);
    const out: number[] = [];
    if (slot >= 0) {
      const a = this.attr[s];
      for (let i = 0; i < this.n; i++) if (a[slot * this.n + i]! > 0) out.push(i);
    }
    return out;
  }

  /**
   * Where the per-member sizes of the `i`-th best merged level (0 = best) are: member `m`'s base size
   * there is `attribution(side)[row + m]`. Walking i = 0, 1, 2, … costs O(1) a step (the side's rank
   * cursor), unlike `sizesAt`, which searches by price. @returns the row offset, or -1 when there is no
   * such level
   */
  rowAt(side: 'bid' | 'ask', i: number): number {
    const slot = this.sideOf(side === 'bid' ? BID : ASK).slot(i);
    return slot < 0 ? -1 : slot * this.n;
  }

  /**
   * The attribution array of a side (see `rowAt`). Read it after the last change: it is replaced when
   * it grows.
   */
  attribution(side: 'bid' | 'ask'): Float64Array {
    return this.attr[side === 'bid' ? BID : ASK];
  }

  /** How many merged levels member `m` holds size at on a side (a walk for its levels can stop there). */
  heldCount(side: 'bid' | 'ask', m: number): number {
    return this.held[m * 2 + (side === 'bid' ? BID : ASK)]!;
  }

  private sideOf(side: number): BookSide {
    return side === BID ? this.book.bids : this.book.asks;
  }

  private loadSide(m: number, side: number, s: BookSide): void {
    const f = this.priceFactor[m]!;
    const units = this.members[m]!.units;
    for (let i = 0; i < s.length; i++) {
      const p = s.price(i);
      this.setLevel(m, side, p * f, units.base(p, s.size(i)));
    }
  }

  private memberLevel(
    m: number,
    side: number,
    price: number,
    f: number,
    units: BaseUnits,
    s: BookSide,
  ): void {
    const size = s.sizeAt(price);
    this.setLevel(m, side, price * f, size > 0 ? units.base(price, size) : 0);
  }

  /** Remove member m's size from every merged level (one walk of the merged sides). */
  private clearMember(m: number): void {
    const n = this.n;
    for (const side of [BID, ASK]) {
      if (this.held[m * 2 + side] === 0) continue;
      const bs = this.sideOf(side);
      const a = this.attr[side]!;
      const prices = this.scratch;
      prices.length = 0;
      for (let i = 0; i < bs.length; i++) if (a[bs.slot(i) * n + m]! > 0) prices.push(bs.price(i));
      for (const p of prices) this.setLevel(m, side, p, 0);
    }
  }

  /** Set member m's base size at a group price, and the merged level to the members' sum. */
  private setLevel(m: number, side: number, price: number, size: number): void {
    const n = this.n;
    const bs = side === BID ? this.book.bids : this.book.asks;
    const held = m * 2 + side;
    let slot = bs.find(price);
    if (slot < 0) {
      if (!(size > 0)) return;
      slot = bs.insertAtMiss(size);
      let a = this.attr[side]!;
      if ((slot + 1) * n > a.length) {
        const grown = new Float64Array(Math.max(a.length * 2, (slot + 1) * n));
        grown.set(a);
        this.attr[side] = a = grown;
      }
      const o = slot * n;
      // A loop, not fill(): fill is a runtime call that costs more than clearing a few members' sizes.
      for (let i = o; i < o + n; i++) a[i] = 0;
      a[o + m] = size;
      this.held[held]!++;
      return;
    }
    const a = this.attr[side]!;
    const o = slot * n;
    const old = a[o + m]!;
    if (old === size) return; // unchanged (also 0 → 0)
    if (!(size > 0)) {
      if (old === 0) return;
      a[o + m] = 0;
      this.held[held]!--;
    } else {
      if (old === 0) this.held[held]!++;
      a[o + m] = size;
    }
    let total = 0;
    for (let i = 0; i < n; i++) total += a[o + i]!;
    bs.setFoundSize(total > 0 ? total : 0);
  }
}
