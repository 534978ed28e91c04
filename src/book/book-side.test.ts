import { describe, expect, it } from 'vitest';
import { mulberry32 as rng } from '../util/prng.ts';
import { BookSide } from './book-side.ts';

function levels(side: BookSide): [number, number, string, string][] {
  const out: [number, number, string, string][] = [];
  for (let i = 0; i < side.length; i++)
    out.push([side.price(i), side.size(i), side.priceString(i)!, side.sizeString(i)!]);
  return out;
}

function filled(kind: 'bid' | 'ask', prices: number[]): BookSide {
  const s = new BookSide(kind, 4);
  for (const p of prices) s.set(p, 1, String(p), '1');
  return s;
}

describe('BookSide', () => {
  it('keeps bids best (highest) first and asks best (lowest) first', () => {
    const bids = filled('bid', [100, 102, 101]);
    const asks = filled('ask', [105, 103, 104]);
    expect(levels(bids).map((l) => l[0])).toEqual([102, 101, 100]);
    expect(levels(asks).map((l) => l[0])).toEqual([103, 104, 105]);
  });

  it('inserts at the top, middle and bottom', () => {
    const s = filled('bid', [100, 102]);
    s.set(103, 3, '103', '3'); // new top
    s.set(101, 1.5, '101', '1.5'); // middle
    s.set(99, 9, '99', '9'); // bottom
    expect(levels(s)).toEqual([
      [103, 3, '103', '3'],
      [102, 1, '102', '1'],
      [101, 1.5, '101', '1.5'],
      [100, 1, '100', '1'],
      [99, 9, '99', '9'],
    ]);
  });

  it('updates sizes in place at the top, middle and bottom, keeping the new wire size', () => {
    const s = filled('ask', [1, 2, 3]);
    s.set(1, 5, '1', '5.0');
    s.set(2, 6, '2', '6');
    s.set(3, 7, '3', '7.00');
    expect(levels(s)).toEqual([
      [1, 5, '1', '5.0'],
      [2, 6, '2', '6'],
      [3, 7, '3', '7.00'],
    ]);
  });

  it('deletes at the top, middle and bottom; deleting an absent level is a no-op', () => {
    const s = filled('bid', [1, 2, 3, 4, 5]);
    s.set(5, 0, '5', '0'); // top
    s.set(3, 0, '3', '0'); // middle
    s.set(1, 0, '1', '0'); // bottom
    s.set(7, 0, '7', '0'); // absent
    expect(levels(s).map((l) => l[0])).toEqual([4, 2]);
    expect(s.length).toBe(2);
    // Freed slots are reused with the right strings.
    s.set(6, 2, '6.0', '2.0');
    s.set(0.5, 3, '0.50', '3');
    expect(levels(s)).toEqual([
      [6, 2, '6.0', '2.0'],
      [4, 1, '4', '1'],
      [2, 1, '2', '1'],
      [0.5, 3, '0.50', '3'],
    ]);
  });

  it('reads NaN and undefined past the end', () => {
    const s = filled('ask', [10]);
    expect(s.price(1)).toBeNaN();
    expect(s.size(1)).toBeNaN();
    expect(s.priceString(1)).toBeUndefined();
    expect(s.sizeString(-1)).toBeUndefined();
    expect(new BookSide('bid').worstPrice()).toBeNaN();
  });

  it('answers sizeAt for present and absent prices', () => {
    const s = filled('bid', [10, 20]);
    expect(s.sizeAt(10)).toBe(1);
    expect(s.sizeAt(15)).toBe(0);
  });

  it('truncates to the best n levels and reports the worst price', () => {
    const bids = filled('bid', [1, 2, 3, 4, 5]);
    bids.truncate(3);
    expect(levels(bids).map((l) => l[0])).toEqual([5, 4, 3]);
    expect(bids.worstPrice()).toBe(3);
    bids.truncate(10);
    expect(bids.length).toBe(3);
    const asks = filled('ask', [1, 2, 3, 4, 5]);
    asks.truncate(2);
    expect(levels(asks).map((l) => l[0])).toEqual([1, 2]);
    expect(asks.worstPrice()).toBe(2);
    const deep = new BookSide('bid');
    for (let i = 1; i <= 1000; i++) deep.set(i, 1, String(i), '1');
    deep.truncate(300); // across several chunks
    expect(deep.length).toBe(300);
    expect(deep.worstPrice()).toBe(701);
    expect(deep.price(299)).toBe(701);
    deep.truncate(-1);
    expect(deep.length).toBe(0);
    expect(deep.price(0)).toBeNaN();
    // Slots freed by truncation are reused.
    asks.set(1.5, 4, '1.5', '4');
    expect(levels(asks)).toEqual([
      [1, 1, '1', '1'],
      [1.5, 4, '1.5', '4'],
      [2, 1, '2', '1'],
    ]);
  });

  it('sums size and notional up to a limit price on each side', () => {
    const bids = new BookSide('bid');
    bids.set(100, 1, '100', '1');
    bids.set(99, 2, '99', '2');
    bids.set(98, 3, '98', '3');
    const acc = { size: 0, notional: 0 };
    bids.sumTo(99, acc);
    expect(acc).toEqual({ size: 3, notional: 100 + 198 });
    const asks = new BookSide('ask');
    asks.set(101, 1, '101', '1');
    asks.set(102, 2, '102', '2');
    asks.set(103, 3, '103', '3');
    asks.sumTo(102.5, acc);
    expect(acc).toEqual({ size: 3, notional: 101 + 204 });
    asks.sumTo(100, acc);
    expect(acc).toEqual({ size: 0, notional: 0 });
  });

  it('grows past its initial capacity and clears', () => {
    const s = new BookSide('ask', 16);
    for (let i = 0; i < 1000; i++) s.set(1000 - i, i + 1, String(1000 - i), String(i + 1));
    expect(s.length).toBe(1000);
    expect(s.price(0)).toBe(1);
    expect(s.size(0)).toBe(1000);
    expect(s.sizeString(999)).toBe('1');
    s.clear();
    expect(s.length).toBe(0);
    s.set(5, 1, '5', '1');
    expect(levels(s)).toEqual([[5, 1, '5', '1']]);
  });

  it('matches a naive Map-based side over 100,000 random operations (seeded)', () => {
    for (const kind of ['bid', 'ask'] as const) {
      const r = rng(kind === 'bid' ? 7 : 11);
      const side = new BookSide(kind, 16);
      const ref = new Map<number, [number, string, string]>();
      for (let op = 0; op < 100_000; op++) {
        // Prices cluster near a wandering top, with occasional far levels; 1/3 of operations delete.
        const tick = Math.floor(r() < 0.9 ? r() * 60 : r() * 3000);
        const price = (10000 + tick) / 10;
        const pt = price.toFixed(2);
        const x = r();
        const size = x < 0.33 ? 0 : Math.floor(x * 1000) / 100;
        const st = size.toFixed(3);
        side.set(price, size, pt, st);
        if (size === 0) ref.delete(price);
        else ref.set(price, [size, pt, st]);
        if (op % 997 === 0 || op === 99_999) {
          const want = [...ref.entries()]
            .sort((a, b) => (kind === 'bid' ? b[0] - a[0] : a[0] - b[0]))
            .map(([p, [s, a, b]]) => [p, s, a, b]);
          expect(levels(side)).toEqual(want);
        }
        if (op % 10_007 === 0) {
          const n = Math.floor(r() * ref.size);
          side.truncate(n);
          const keep = [...ref.keys()].sort((a, b) => (kind === 'bid' ? b - a : a - b)).slice(0, n);
          for (const k of [...ref.keys()]) if (!keep.includes(k)) ref.delete(k);
        }
      }
      expect(side.length).toBe(ref.size);
    }
  });
});

describe('BookSide.sumTo with cached chunk sums', () => {
  /** Level-by-level reference over the side's own levels. */
  function naive(side: BookSide, limit: number): { size: number; notional: number } {
    let size = 0;
    let notional = 0;
    for (let i = 0; i < side.length; i++) {
      const p = side.price(i);
      if (side.sign * p < side.sign * limit) break;
      size += side.size(i);
      notional += side.size(i) * p;
    }
    return { size, notional };
  }

  it('equals a level-by-level sum exactly on integer books, across changes that invalidate the cache', () => {
    const r = rng(5);
    for (const kind of ['bid', 'ask'] as const) {
      const side = new BookSide(kind);
      for (let i = 0; i < 3000; i++) {
        const p = 1000 + Math.floor(r() * 2000);
        const s = 1 + Math.floor(r() * 50);
        side.set(p, s, String(p), String(s));
      }
      for (let round = 0; round < 200; round++) {
        const limit = 1000 + r() * 2000;
        const got = { size: 0, notional: 0 };
        side.sumTo(limit, got);
        expect(got).toEqual(naive(side, limit));
        const p = 1000 + Math.floor(r() * 2000);
        side.set(p, round % 3 === 0 ? 0 : 1 + (round % 40), String(p), '1');
        if (round % 50 === 49) side.truncate(side.length - 100);
      }
    }
  });

  it('stays within 1e-12 relative of a level-by-level sum on decimal books', () => {
    const r = rng(6);
    const side = new BookSide('ask');
    for (let i = 0; i < 5000; i++) {
      const p = Number((60000 + r() * 600).toFixed(1));
      const s = Number((r() * 3).toFixed(3));
      side.set(p, s, String(p), String(s));
    }
    for (let round = 0; round < 50; round++) {
      const limit = 60000 + r() * 600;
      const got = { size: 0, notional: 0 };
      side.sumTo(limit, got);
      const want = naive(side, limit);
      expect(Math.abs(got.size - want.size)).toBeLessThanOrEqual(1e-12 * want.size + 1e-300);
      expect(Math.abs(got.notional - want.notional)).toBeLessThanOrEqual(1e-12 * want.notional + 1e-300);
    }
  });
});

describe('BookSide.find / setFoundSize / slot / forEachTo', () => {
  it('finds a level with its stable slot, updates and removes it in place, and matches a naive side (seeded)', () => {
    for (const kind of ['bid', 'ask'] as const) {
      const r = rng(kind === 'bid' ? 3 : 5);
      const side = new BookSide(kind);
      const ref = new Map<number, number>();
      const slotOf = new Map<number, number>();
      for (let op = 0; op < 50_000; op++) {
        const price = 1000 + Math.floor(r() * 400) / 4;
        const size = r() < 0.3 ? 0 : Math.floor(r() * 100) / 10 + 0.1;
        const slot = side.find(price);
        expect(slot >= 0).toBe(ref.has(price));
        if (slot >= 0) {
          expect(slot).toBe(slotOf.get(price));
          side.setFoundSize(size);
        } else {
          const s = side.set(price, size, String(price), String(size));
          expect(s >= 0).toBe(size > 0);
          if (s >= 0) slotOf.set(price, s);
        }
        if (size === 0) {
          ref.delete(price);
          slotOf.delete(price);
        } else ref.set(price, size);
      }
      const sorted = [...ref.entries()].sort((a, b) => (kind === 'bid' ? b[0] - a[0] : a[0] - b[0]));
      expect(levels(side).map(([p, s]) => [p, s])).toEqual(sorted);
      sorted.forEach(([p], i) => expect(side.slot(i)).toBe(slotOf.get(p)));
      expect(side.slot(sorted.length)).toBe(-1);
      // forEachTo visits exactly the levels at least as good as the limit, best first, with their ranks
      const limit = 1050;
      const visited: [number, number, number][] = [];
      side.forEachTo(limit, (p, s, i) => visited.push([p, s, i]));
      const want = sorted
        .filter(([p]) => (kind === 'bid' ? p >= limit : p <= limit))
        .map(([p, s], i) => [p, s, i]);
      expect(visited).toEqual(want);
    }
  });

  it('refuses setFoundSize after the side changed shape since find', () => {
    const side = filled('bid', [1, 2, 3]);
    expect(side.find(2)).toBeGreaterThanOrEqual(0);
    side.set(2.5, 1, '2.5', '1');
    expect(() => side.setFoundSize(4)).toThrow(/without a found level/);
    expect(side.find(9)).toBe(-1);
    expect(() => side.setFoundSize(4)).toThrow(/without a found level/);
  });

  it('setMany gives exactly the side that set per level gives (merged runs, splits, emptied chunks)', () => {
    const r = rng(21);
    for (const kind of ['bid', 'ask'] as const) {
      const merged = new BookSide(kind);
      const single = new BookSide(kind);
      for (let round = 0; round < 400; round++) {
        // A run of distinct prices in ascending or descending order (sometimes shuffled: not a run),
        // sizes 0 (delete, often of an absent level) or new, over a price range that sometimes holds
        // thousands of levels (chunk splits) and sometimes wipes a whole range (chunks emptied).
        const count = Math.floor(r() * (r() < 0.2 ? 700 : 60));
        const base = 1000 + Math.floor(r() * 4000);
        const wide = r() < 0.5 ? 1 : 7;
        const set = new Set<number>();
        for (let j = 0; j < count; j++) set.add(base + Math.floor(r() * count * wide));
        let prices = [...set].sort((a, b) => a - b);
        if (r() < 0.5) prices.reverse();
        if (r() < 0.1) prices = prices.sort(() => r() - 0.5);
        const wipe = r() < 0.15;
        const pairs = new Float64Array(prices.length * 2 + 2);
        const lv: [string, string][] = [];
        prices.forEach((p, j) => {
          const size = wipe || r() < 0.3 ? 0 : Math.floor(r() * 100) / 10;
          pairs[2 + 2 * j] = p / 10;
          pairs[3 + 2 * j] = size;
          lv.push([String(p / 10), String(size) + (r() < 0.5 ? '0' : '')]);
        });
        const change = merged.setMany(pairs, 2, 2 + prices.length * 2, lv);
        const before = single.length;
        lv.forEach(([ps, ss], j) => single.set(pairs[2 + 2 * j]!, pairs[3 + 2 * j]!, ps, ss));
        expect(change).toBe(single.length - before);
        expect(merged.length).toBe(single.length);
        if (round % 10 === 0 || round === 399) expect(levels(merged)).toEqual(levels(single));
        const out1 = { size: 0, notional: 0 };
        const out2 = { size: 0, notional: 0 };
        merged.sumTo(base / 10 + 1, out1);
        single.sumTo(base / 10 + 1, out2);
        // Both against a level-by-level sum (this caught `set` keeping a split chunk's cached sums).
        const lim = base / 10 + 1;
        const truth = levels(single)
          .filter(([p]) => (kind === 'bid' ? p >= lim : p <= lim))
          .reduce((acc, [, q]) => acc + q, 0);
        expect([round, out1.size]).toEqual([round, expect.closeTo(truth, 6)]);
        expect([round, out2.size]).toEqual([round, expect.closeTo(truth, 6)]);
        expect(merged.sizeAt(base / 10)).toBe(single.sizeAt(base / 10));
      }
      expect(merged.length).toBeGreaterThan(0);
    }
  });

  it('finds every level in sorted runs across many chunks (the consolidated book pattern) through splits, merges, emptied chunks and truncation (seeded)', () => {
    // find tries the previous level's chunk first (a hint) and insertAtMiss reuses the missed search's
    // position: both must stay right whatever changed the chunks in between.
    const r = rng(29);
    for (const kind of ['bid', 'ask'] as const) {
      const side = new BookSide(kind);
      const ref = new Map<number, number>();
      for (let round = 0; round < 600; round++) {
        const count = 1 + Math.floor(r() * (r() < 0.2 ? 400 : 40));
        const base = 2000 + Math.floor(r() * 3000);
        const step = 1 + Math.floor(r() * 4);
        const prices: number[] = [];
        for (let j = 0; j < count; j++) prices.push((base + j * step) / 4);
        if (r() < 0.5) prices.reverse();
        const wipe = r() < 0.1;
        if (r() < 0.25) {
          // A whole run through setMany (chunk rewrites, several chunks out of one).
          const pairs = new Float64Array(prices.length * 2);
          const lv: [string, string][] = [];
          prices.forEach((p, j) => {
            const size = wipe || r() < 0.3 ? 0 : 1 + Math.floor(r() * 50);
            pairs[2 * j] = p;
            pairs[2 * j + 1] = size;
            lv.push([String(p), String(size)]);
            if (size === 0) ref.delete(p);
            else ref.set(p, size);
          });
          side.setMany(pairs, 0, pairs.length, lv);
        } else
          for (const p of prices) {
            const size = wipe || r() < 0.35 ? 0 : 1 + Math.floor(r() * 50);
            const slot = side.find(p);
            expect([round, p, slot >= 0]).toEqual([round, p, ref.has(p)]);
            if (slot >= 0) side.setFoundSize(size);
            else if (size > 0) side.insertAtMiss(size);
            if (size === 0) ref.delete(p);
            else ref.set(p, size);
          }
        if (round % 97 === 96) {
          const n = Math.floor(r() * ref.size);
          side.truncate(n);
          const keep = new Set([...ref.keys()].sort((a, b) => (kind === 'bid' ? b - a : a - b)).slice(0, n));
          for (const k of [...ref.keys()]) if (!keep.has(k)) ref.delete(k);
        }
        expect(side.length).toBe(ref.size);
        if (round % 50 === 0 || round === 599) {
          const want = [...ref.entries()].sort((a, b) => (kind === 'bid' ? b[0] - a[0] : a[0] - b[0]));
          expect(levels(side).map(([p, q]) => [p, q])).toEqual(want);
          for (const [p, q] of want) expect(side.sizeAt(p)).toBe(q);
        }
      }
      expect(ref.size).toBeGreaterThan(500); // many chunks were in play
    }
  });
});
