/**
 * Consolidated-view helpers, pure: venue colours, the per-member stacked cumulative depth of a
 * consolidated book, and the venue-coloured heat columns (the size per price bucket and the member
 * holding most of it) drawn by components/ConsolidatedPanel.vue.
 * Levels are the contract's `[price, size, sizePerMember]` (group quote, base units, member order).
 */
import type { ConsolidatedView } from '../../../src/contract/index.ts';

export type { ConsolidatedView } from '../../../src/contract/index.ts';

/** Venue colours by member index (distinct from the bid green / ask red of the single-venue charts). */
export const VENUE_COLORS = [
  '#f0b90b',
  '#58a6ff',
  '#bc8cff',
  '#ff9bce',
  '#39d0d8',
  '#f0883e',
  '#a5d6ff',
  '#7ee787',
] as const;

/** Colour of member `i`. */
export function venueColor(i: number): string {
  return VENUE_COLORS[i % VENUE_COLORS.length]!;
}

/** A consolidated level. */
export type CLevel = ConsolidatedView['bids'][number];

/**
 * Cumulative size per member from the best price outwards, for the levels within `limit` of the best
 * (bids: price ≥ limit; asks: price ≤ limit): one `[price, cumulative]` series per member.
 */
export function stackedDepth(
  levels: readonly CLevel[],
  members: number,
  side: 'bid' | 'ask',
  limit: number,
): Array<Array<[number, number]>> {
  const out: Array<Array<[number, number]>> = Array.from({ length: members }, () => []);
  const cum = new Array<number>(members).fill(0);
  for (const [price, , per] of levels) {
    if (side === 'bid' ? price < limit : price > limit) break;
    for (let m = 0; m < members; m++) {
      cum[m]! += per[m] ?? 0;
      out[m]!.push([price, cum[m]!]);
    }
  }
  return out;
}

/** One heat column: size and dominant member per bucket index (`Math.floor(price / bucket)`). */
export interface HeatColumn {
  ts: number;
  cells: Map<number, { size: number; member: number }>;
}

/** The heat column of a view: both sides' levels summed per bucket, with the member holding most. */
export function heatColumn(v: ConsolidatedView, bucket: number, ts: number): HeatColumn {
  const acc = new Map<number, number[]>();
  for (const side of [v.bids, v.asks])
    for (const [price, , per] of side) {
      const k = Math.floor(price / bucket);
      const a = acc.get(k) ?? new Array<number>(per.length).fill(0);
      per.forEach((s, i) => (a[i] = (a[i] ?? 0) + s));
      acc.set(k, a);
    }
  const cells = new Map<number, { size: number; member: number }>();
  for (const [k, a] of acc) {
    let size = 0;
    let member = 0;
    for (let i = 0; i < a.length; i++) {
      size += a[i]!;
      if (a[i]! > a[member]!) member = i;
    }
    if (size > 0) cells.set(k, { size, member });
  }
  return { ts, cells };
}
