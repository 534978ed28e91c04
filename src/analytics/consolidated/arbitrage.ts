/**
 * Crossed markets across the members of a group: member A's best bid above member B's best ask, net of
 * both venues' taker fees, is money on the table (buy on B, sell on A). Each crossing is an event with
 * its size (base units both tops can take), edge in bps and duration: `open` when it starts, `update`
 * when its edge reaches a new maximum, `close` when it ends (or a member leaves `live`). Pure.
 *
 * Edge: (bidA × (1 − feeA) − askB × (1 + feeB)) / (askB × (1 + feeB)) × 1e4 bps, prices in the group's
 * quote currency.
 *
 * Only comparable members are paired (`classes`): by default a group compares spot with spot,
 * perpetuals with perpetuals and dated futures of the same expiry; a perpetual's bid above a spot ask is
 * basis (reported as such by the group), not a riskless crossing.
 */

/** Top of one member's book in group units. */
export interface MemberTop {
  /** Group-quote prices and base sizes; NaN when the side is empty or the member is not live. */
  bid: number;
  bidSize: number;
  ask: number;
  askSize: number;
}

/** A crossed market between two members. */
export interface CrossedMarket {
  /** Stable id: `<group>:<sellOn>><buyOn>:<startTs>`. */
  id: string;
  group: string;
  /** Sell on this member (its bid is the high one), buy on that member (its ask is the low one). */
  sellOn: string;
  buyOn: string;
  bid: number;
  ask: number;
  /** Base units both tops can take. */
  size: number;
  /** Current and largest edge net of fees, bps. */
  edgeBps: number;
  maxEdgeBps: number;
  /** Local ms since epoch UTC of the start (and of the end once closed). */
  startTs: number;
  endTs: number | null;
  /** endTs − startTs once closed; so far while open. */
  durationMs: number;
  status: 'open' | 'update' | 'close';
}

/** Tracks crossings between every ordered pair of members. */
export class CrossedMarketDetector {
  /** Open crossings by pair `a × n + b` (an array slot: no map or string per pair per update). */
  private readonly open: (CrossedMarket | undefined)[];

  /**
   * @param members member instrument ids; @param takerFee fee rate per member (0.0004 = 4 bps)
   * @param minEdgeBps a crossing counts from this net edge (default 0: any positive edge)
   * @param classes a comparability class per member (e.g. `spot`, `perpetual`, `future:<expiry>`); only
   *   members of the same class are paired. Default: every member in one class.
   */
  constructor(
    readonly group: string,
    readonly members: readonly string[],
    private readonly takerFee: readonly number[],
    private readonly minEdgeBps = 0,
    private readonly classes: readonly string[] = [],
  ) {
    this.open = new Array<CrossedMarket | undefined>(members.length * members.length).fill(undefined);
  }

  /** Crossings open now. */
  current(): CrossedMarket[] {
    return this.open.filter((e): e is CrossedMarket => e !== undefined);
  }

  /**
   * Re-evaluate after member `changed` moved (or every member with `changed` = -1).
   * @returns the events this update produced (open, update on a new max edge, close); the shared empty
   *   array `NO_CROSSINGS` when there are none (most updates: nothing is allocated)
   */
  update(tops: readonly MemberTop[], changed: number, ts: number): readonly CrossedMarket[] {
    let out: CrossedMarket[] | null = null;
    const n = this.members.length;
    for (let a = 0; a < n; a++)
      for (let b = 0; b < n; b++) {
        if (a === b || (changed >= 0 && a !== changed && b !== changed)) continue;
        if (this.classes[a] !== this.classes[b]) continue;
        const key = a * n + b;
        const ta = tops[a]!;
        const tb = tops[b]!;
        const netBid = ta.bid * (1 - (this.takerFee[a] ?? 0));
        const netAsk = tb.ask * (1 + (this.takerFee[b] ?? 0));
        const edge = netBid > 0 && netAsk > 0 ? ((netBid - netAsk) / netAsk) * 1e4 : NaN;
        const crossed = edge > this.minEdgeBps;
        const prev = this.open[key];
        if (crossed && !prev) {
          const e: CrossedMarket = {
            id: `${this.group}:${this.members[a]}>${this.members[b]}:${ts}`,
            group: this.group,
            sellOn: this.members[a]!,
            buyOn: this.members[b]!,
            bid: ta.bid,
            ask: tb.ask,
            size: Math.min(ta.bidSize, tb.askSize),
            edgeBps: edge,
            maxEdgeBps: edge,
            startTs: ts,
            endTs: null,
            durationMs: 0,
            status: 'open',
          };
          this.open[key] = e;
          (out ??= []).push({ ...e });
        } else if (crossed && prev) {
          prev.bid = ta.bid;
          prev.ask = tb.ask;
          prev.size = Math.min(ta.bidSize, tb.askSize);
          prev.edgeBps = edge;
          prev.durationMs = ts - prev.startTs;
          if (edge > prev.maxEdgeBps) {
            prev.maxEdgeBps = edge;
            (out ??= []).push({ ...prev, status: 'update' });
          }
        } else if (!crossed && prev) {
          this.open[key] = undefined;
          (out ??= []).push({ ...prev, status: 'close', endTs: ts, durationMs: ts - prev.startTs });
        }
      }
    return out ?? NO_CROSSINGS;
  }
}

/** What `update` returns when nothing opened, grew or closed (frozen: never mutate it). */
export const NO_CROSSINGS: readonly CrossedMarket[] = Object.freeze([]);
