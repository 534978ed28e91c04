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
  /** Per side: group price → size per member. */
  private readonly attr: [Map<number, Float64Array>, Map<number, Float64Array>] = [new Map(), new Map()];
  /** Per member, per side: group price → the member's base size there (what it contributes). */
  private readonly contrib: [Map<number, number>, Map<number, number>][];
  private readonly index = new Map<InstrumentId, number>();

  constructor(readonly members: readonly MemberInfo[]) {
    this.n = members.length;
    this.priceFactor = new Float64Array(this.n).fill(1);
    this.included = members.map(() => false);
    this.contrib = members.map(() => [new Map(), new Map()]);
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
      const k = parsed.keys;
      for (let i = 0; i < parsed.bidEnd; i += 2) this.memberLevel(m, BID, k[i]!, f, units, book.bids);
      for (let i = parsed.bidEnd; i < parsed.end; i += 2)
        this.memberLevel(m, ASK, k[i]!, f, units, book.asks);
    } else {
      for (const l of bids) this.memberLevel(m, BID, parseDecimal(l[0]), f, units, book.bids);
      for (const l of asks) this.memberLevel(m, ASK, parseDecimal(l[0]), f, units, book.asks);
    }
    // A book that truncates to its depth (Kraken, OKX 400) drops its worst levels without naming them.
    if (this.contrib[m]![BID].size > book.bids.length || this.contrib[m]![ASK].size > book.asks.length) {
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
    return this.attr[side === 'bid' ? BID : ASK].get(price)?.[m] ?? 0;
  }

  /** Sizes per member at a group price on a side (a fresh array; zeros when the level is absent). */
  sizesAt(side: 'bid' | 'ask', price: number): number[] {
    const a = this.attr[side === 'bid' ? BID : ASK].get(price);
    return a ? Array.from(a) : new Array<number>(this.n).fill(0);
  }

  /** Member numbers with size at a group price on a side. */
  membersAt(side: 'bid' | 'ask', price: number): number[] {
    const a = this.attr[side === 'bid' ? BID : ASK].get(price);
    const out: number[] = [];
    if (a) for (let i = 0; i < this.n; i++) if (a[i]! > 0) out.push(i);
    return out;
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

  private clearMember(m: number): void {
    for (const side of [BID, ASK]) {
      const c = this.contrib[m]![side]!;
      for (const price of [...c.keys()]) this.setLevel(m, side, price, 0);
    }
  }

  /** Set member m's base size at a group price, and the merged level to the members' sum. */
  private setLevel(m: number, side: number, price: number, size: number): void {
    const attr = this.attr[side]!;
    const contrib = this.contrib[m]![side]!;
    let a = attr.get(price);
    if (!(size > 0)) {
      if (!a || a[m] === 0) return;
      a[m] = 0;
      contrib.delete(price);
    } else {
      if (!a) attr.set(price, (a = new Float64Array(this.n)));
      a[m] = size;
      contrib.set(price, size);
    }
    let total = 0;
    for (let i = 0; i < this.n; i++) total += a[i]!;
    const bookSide = side === BID ? this.book.bids : this.book.asks;
    if (total > 0) bookSide.set(price, total, '', '');
    else {
      attr.delete(price);
      bookSide.set(price, 0, '', '');
    }
  }
}
