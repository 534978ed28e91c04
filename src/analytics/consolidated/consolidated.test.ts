import { describe, expect, it } from 'vitest';
import { InstrumentBook } from '../../book/instrument-book.ts';
import { unsequencedRule } from '../../book/sync-rule.ts';
import type { BookDelta, BookSnapshot, WireLevel } from '../../core/model.ts';
import { fallbackSpec, makeSpec } from '../../core/instrument.ts';
import { InProcessBus } from '../../bus/in-process.ts';
import { mulberry32 } from '../../util/prng.ts';
import type { BookUpdate } from '../../pipeline/engine.ts';
import { ConsolidationStage, type ConsolidationGroupConfig, type ConsolidationTopics } from './stage.ts';
import { routeMarketOrder } from './routing.ts';
import { CrossedMarketDetector } from './arbitrage.ts';
import type { ConsolidationGroup } from './group.ts';

const SYNC = { rule: unsequencedRule, snapshotSource: 'stream' as const, coverage: 'snapshot' as const };
let seq = 0;
const snap = (instrument: string, bids: WireLevel[], asks: WireLevel[], ts = 0): BookSnapshot => ({
  type: 'book_snapshot',
  instrument,
  exchangeTs: ts,
  localTs: ts,
  sequence: ++seq,
  bids,
  asks,
  depthLimit: 0,
});
const delta = (instrument: string, bids: WireLevel[], asks: WireLevel[], ts = 0): BookDelta => ({
  type: 'book_delta',
  instrument,
  exchangeTs: ts,
  localTs: ts,
  firstSequence: ++seq,
  sequence: seq,
  prevSequence: NaN,
  bids,
  asks,
});

/** A tiny pipeline: member books + the consolidation stage, driven like the Engine drives stages. */
function harness(
  members: string[],
  extra: Partial<ConstructorParameters<typeof ConsolidationStage>[0]> = {},
  group: Partial<ConsolidationGroupConfig> = {},
) {
  const bus = new InProcessBus<ConsolidationTopics>();
  const stage = new ConsolidationStage({
    bus,
    groups: [{ name: 'G', members, ...group }],
    publishIntervalMs: 0,
    ...extra,
  });
  const books = new Map(members.map((id) => [id, new InstrumentBook(id, SYNC)]));
  const feed = (e: BookSnapshot | BookDelta): void => {
    const b = books.get(e.instrument)!;
    const before = b.state;
    const r = e.type === 'book_snapshot' ? b.onSnapshot(e) : b.onDelta(e);
    if (b.state !== before) stage.onState(b, before, e.localTs);
    if (r === 'applied' || r === 'snapshot') {
      const update: BookUpdate = { event: e, outcome: r === 'applied' ? 'applied' : 'snapshot' };
      stage.onBook(b, e.exchangeTs, e.localTs, update);
    }
  };
  return { bus, stage, books, feed, group: stage.groups.get('G') as ConsolidationGroup };
}

/** Merge the members' books independently: price → sum in member order of base sizes. */
function reference(
  h: ReturnType<typeof harness>,
  members: string[],
  side: 'bids' | 'asks',
): Map<number, number> {
  const out = new Map<number, number>();
  const per = members.map((id) => {
    const b = h.books.get(id)!;
    const m = new Map<number, number>();
    if (b.state !== 'live') return m;
    const s = b.book[side];
    for (let i = 0; i < s.length; i++) m.set(s.price(i), s.size(i));
    return m;
  });
  const prices = new Set(per.flatMap((m) => [...m.keys()]));
  for (const p of prices) {
    let t = 0;
    for (const m of per) t += m.get(p) ?? 0;
    out.set(p, t);
  }
  return out;
}

function merged(h: ReturnType<typeof harness>, side: 'bids' | 'asks'): Map<number, number> {
  const s = h.group.book.book[side];
  const out = new Map<number, number>();
  for (let i = 0; i < s.length; i++) out.set(s.price(i), s.size(i));
  return out;
}

describe('consolidated book (property tests, seeded)', () => {
  it('merged size at every price equals the sum of the live members sizes, over 3,000 random updates', () => {
    const members = ['a:X-USD', 'b:X-USD', 'c:X-USD'];
    const h = harness(members);
    const rng = mulberry32(42);
    const lvl = (p: number, s: number): WireLevel => [(p / 10).toFixed(1), s === 0 ? '0' : s.toFixed(3)];
    for (const id of members) {
      const bids = Array.from({ length: 20 }, (_, i) => lvl(1000 - i, 1 + rng() * 5));
      const asks = Array.from({ length: 20 }, (_, i) => lvl(1001 + i, 1 + rng() * 5));
      h.feed(snap(id, bids, asks));
    }
    for (let k = 0; k < 3000; k++) {
      const id = members[Math.floor(rng() * 3)]!;
      const bids: WireLevel[] = [];
      const asks: WireLevel[] = [];
      for (let j = 0; j < 1 + Math.floor(rng() * 4); j++) {
        const bid = rng() < 0.5;
        const p = bid ? 990 - Math.floor(rng() * 15) + 10 : 1001 + Math.floor(rng() * 25);
        (bid ? bids : asks).push(lvl(Math.min(p, bid ? 1000 : p), rng() < 0.25 ? 0 : rng() * 5));
      }
      h.feed(delta(id, bids, asks, k));
      if (k % 97 === 0) {
        expect(merged(h, 'bids')).toEqual(reference(h, members, 'bids'));
        expect(merged(h, 'asks')).toEqual(reference(h, members, 'asks'));
      }
    }
    expect(merged(h, 'bids')).toEqual(reference(h, members, 'bids'));
    expect(merged(h, 'asks')).toEqual(reference(h, members, 'asks'));
    for (const [p, size] of merged(h, 'bids')) {
      const per = h.group.book.sizesAt('bid', p);
      expect(per.reduce((x, y) => x + y, 0)).toBe(size);
    }
  });

  it('a member leaving live removes its levels at once; its next snapshot brings them back', () => {
    const members = ['a:X-USD', 'b:X-USD'];
    const h = harness(members);
    h.feed(snap('a:X-USD', [['100', '1']], [['101', '1']]));
    h.feed(
      snap(
        'b:X-USD',
        [
          ['100', '2'],
          ['99', '3'],
        ],
        [['102', '1']],
      ),
    );
    expect(merged(h, 'bids')).toEqual(
      new Map([
        [100, 3],
        [99, 3],
      ]),
    );
    expect(h.group.state).toBe('live');
    const b = h.books.get('b:X-USD')!;
    b.startResync('gap', 'test gap', 10);
    h.stage.onState(b, 'live', 10);
    expect(merged(h, 'bids')).toEqual(new Map([[100, 1]]));
    expect(h.group.state).toBe('partial');
    expect(h.group.view().excluded).toEqual([{ instrument: 'b:X-USD', state: 'resyncing' }]);
    h.feed(snap('b:X-USD', [['100', '4']], [['101', '2']], 20));
    expect(merged(h, 'bids')).toEqual(new Map([[100, 5]]));
    expect(merged(h, 'asks')).toEqual(new Map([[101, 3]]));
    const v = h.group.view();
    expect(v.state).toBe('live');
    expect(v.bestAskMembers).toEqual(['a:X-USD', 'b:X-USD']);
    expect(v.bids[0]).toEqual([100, 5, [1, 4]]);
  });

  it('converts inverse contracts to base at the level price (COIN-M: 100 USD a contract)', () => {
    const h = harness(['binance:BTCUSDT', 'binance-coinm:BTCUSD_PERP']);
    h.feed(snap('binance:BTCUSDT', [['62500.0', '0.1']], [['62600.0', '0.2']]));
    h.feed(snap('binance-coinm:BTCUSD_PERP', [['62500.0', '250']], [['62510.0', '10']]));
    // 250 contracts × 100 USD / 62,500 = 0.4 BTC, + 0.1 BTC spot.
    expect(h.group.book.book.bids.size(0)).toBeCloseTo(0.5, 12);
    expect(h.group.book.sizesAt('bid', 62500)[1]).toBeCloseTo(0.4, 12);
    expect(h.group.book.book.asks.price(0)).toBe(62510);
    expect(h.group.view().quote).toBe('USD');
  });
});

describe('routing estimate (hand-computed)', () => {
  it('routes across members by effective price, fees included, and compares with the best single venue', () => {
    const h = harness(['a:X-USD', 'b:X-USD']);
    h.feed(
      snap(
        'a:X-USD',
        [['99', '1']],
        [
          ['100', '1'],
          ['102', '5'],
        ],
      ),
    );
    h.feed(
      snap(
        'b:X-USD',
        [['99', '1']],
        [
          ['101', '1'],
          ['103', '5'],
        ],
      ),
    );
    // No fees: buy 3 takes 100 ×1 (a), 101 ×1 (b), 102 ×1 (a) = 303.
    const r = routeMarketOrder(h.group.book, 'buy', 3, [0, 0]);
    expect(r.routed.cost).toBe(303);
    expect(r.routed.perMember).toEqual([2, 1]);
    // Best single: a alone = 100 + 2 × 102 = 304; b alone = 101 + 2 × 103 = 307.
    expect(r.bestSingle?.member).toBe(0);
    expect(r.bestSingle?.fill.cost).toBe(304);
    expect(r.savingBps).toBeCloseTo((1 / 304) * 1e4, 9);
    // With a 2 % fee on a, b's 101 (no fee) beats a's 100 × 1.02 = 102; a's 102 × 1.02 = 104.04 loses to b's 103.
    const f = routeMarketOrder(h.group.book, 'buy', 3, [0.02, 0]);
    expect(f.routed.perMember).toEqual([1, 2]);
    expect(f.routed.cost).toBeCloseTo(101 + 102 + 103, 9);
  });
});

describe('crossed markets', () => {
  it('opens when one bid beats another ask net of fees, tracks the max edge and closes with its duration', () => {
    const d = new CrossedMarketDetector('G', ['a', 'b'], [0.001, 0.001]);
    const top = (bid: number, ask: number) => ({ bid, bidSize: 1, ask, askSize: 2 });
    expect(d.update([top(100, 101), top(100.5, 101.5)], -1, 0)).toEqual([]);
    // a bids 102.5, b asks 101.5: net 102.3975 vs 101.6015 → edge ≈ 78.3 bps.
    const open = d.update([top(102.5, 103), top(100.5, 101.5)], 0, 1000);
    expect(open).toHaveLength(1);
    expect(open[0]).toMatchObject({ status: 'open', sellOn: 'a', buyOn: 'b', size: 1 });
    expect(open[0]!.edgeBps).toBeCloseTo(((102.5 * 0.999 - 101.5 * 1.001) / (101.5 * 1.001)) * 1e4, 9);
    const close = d.update([top(100, 101), top(100.5, 101.5)], 0, 4000);
    expect(close[0]).toMatchObject({ status: 'close', startTs: 1000, endTs: 4000, durationMs: 3000 });
  });

  it('a 10 bps fee each hides a 15 bps crossing', () => {
    const d = new CrossedMarketDetector('G', ['a', 'b'], [0.001, 0.001]);
    expect(
      d.update(
        [
          { bid: 100.15, bidSize: 1, ask: 101, askSize: 1 },
          { bid: 99, bidSize: 1, ask: 100, askSize: 1 },
        ],
        -1,
        0,
      ),
    ).toEqual([]);
  });
});

describe('crossed markets between market kinds', () => {
  const perp = makeSpec({ ...fallbackSpec('binance-usdm:BTCUSDT'), kind: 'perpetual', source: 'reference' });
  const spec = (id: string) => (id === 'binance-usdm:BTCUSDT' ? perp : fallbackSpec(id));
  const members = ['binance:BTCUSDT', 'binance-usdm:BTCUSDT', 'okx:BTC-USDT'];
  const run = (crossKinds?: 'same' | 'any') => {
    const h = harness(members, { spec }, crossKinds ? { crossKinds } : {});
    h.feed(snap('binance:BTCUSDT', [['60000', '1']], [['60010', '1']]));
    // The perpetual trades 30 above spot: its bid over the spot ask is basis, not a riskless crossing.
    h.feed(snap('binance-usdm:BTCUSDT', [['60030', '1']], [['60031', '1']]));
    // OKX spot bids over Binance spot's ask: a crossing of two spot books.
    h.feed(snap('okx:BTC-USDT', [['60012', '1']], [['60020', '1']]));
    return h.group.view().crossed.map((c) => `${c.sellOn}>${c.buyOn}`);
  };

  it('pairs only members of the same kind by default (spot with spot)', () => {
    expect(run()).toEqual(['okx:BTC-USDT>binance:BTCUSDT']);
  });

  it('pairs every two members with crossKinds any (spot against perpetual too)', () => {
    expect(run('any').sort()).toEqual(
      [
        'binance-usdm:BTCUSDT>binance:BTCUSDT',
        'binance-usdm:BTCUSDT>okx:BTC-USDT',
        'okx:BTC-USDT>binance:BTCUSDT',
      ].sort(),
    );
  });
});

describe('price divergence within a market kind', () => {
  it('reports (high - low) / median mid per kind with two or more live members, and publishes it on cross', () => {
    const perp = makeSpec({
      ...fallbackSpec('binance-usdm:BTCUSDT'),
      kind: 'perpetual',
      source: 'reference',
    });
    const spec = (id: string) => (id === 'binance-usdm:BTCUSDT' ? perp : fallbackSpec(id));
    const h = harness(['binance:BTCUSDT', 'okx:BTC-USDT', 'coinbase:BTC-USD', 'binance-usdm:BTCUSDT'], {
      spec,
    });
    const cross: unknown[] = [];
    h.bus.subscribe('cross', (c) => cross.push(c));
    h.feed(snap('binance:BTCUSDT', [['60000', '1']], [['60002', '1']], 1000)); // mid 60001
    h.feed(snap('okx:BTC-USDT', [['60010', '1']], [['60012', '1']], 1000)); // mid 60011
    h.feed(snap('coinbase:BTC-USD', [['59994', '1']], [['59996', '1']], 1000)); // mid 59995
    h.feed(snap('binance-usdm:BTCUSDT', [['60100', '1']], [['60102', '1']], 1000)); // alone in its kind
    const d = h.group.view().divergence;
    expect(d).toHaveLength(1);
    expect(d[0]).toMatchObject({ kind: 'spot', high: 'okx:BTC-USDT', low: 'coinbase:BTC-USD' });
    expect(d[0]!.bps).toBeCloseTo(((60011 - 59995) / 60001) * 1e4, 9);
    // The next sampling interval emits the group's sample: the divergence goes out on `cross` too.
    h.feed(delta('binance:BTCUSDT', [['60000', '2']], [], 2500));
    expect(cross).toContainEqual({
      kind: 'divergence',
      result: expect.objectContaining({ name: 'G spot', high: 'okx:BTC-USDT', low: 'coinbase:BTC-USD' }),
    });
  });
});

describe('quote conversion', () => {
  it('counts USDT as USD, applies a configured rate, and leaves out a member it cannot convert', () => {
    const eur = makeSpec({ ...fallbackSpec('kraken:XBT/EUR'), quote: 'EUR', source: 'reference' });
    const members = ['binance:BTCUSDT', 'kraken:XBT/EUR', 'x:BTC/JPY'];
    const h = harness(
      members,
      { spec: (id) => (id === 'kraken:XBT/EUR' ? eur : fallbackSpec(id)) },
      { rates: { EUR: 1.1 } },
    );
    expect(h.stage.unconverted).toEqual([
      { group: 'G', instrument: 'x:BTC/JPY', reason: 'no rate or conversion book for JPY → USD' },
    ]);
    h.feed(snap('binance:BTCUSDT', [['60000', '1']], [['60010', '1']]));
    h.feed(snap('kraken:XBT/EUR', [['54600', '2']], [['54700', '1']]));
    // 54,600 EUR × 1.1 = 60,060 USD: the best bid of the group is Kraken's, converted.
    const v = h.group.view();
    expect(v.quote).toBe('USD');
    expect(v.bestBid).toBeCloseTo(60_060, 6);
    expect(v.bestBidMembers).toEqual(['kraken:XBT/EUR']);
    // It crosses Binance's ask: an arbitrage event was opened.
    expect(v.crossed.map((c) => [c.sellOn, c.buyOn])).toEqual([['kraken:XBT/EUR', 'binance:BTCUSDT']]);
  });
});

describe('bucketed view and member heatmaps', () => {
  it('buckets sum the merged levels and each member sizes; bids labelled by the lower bound, asks by the upper', () => {
    const members = ['a:X-USD', 'b:X-USD', 'c:X-USD'];
    const h = harness(members);
    const rng = mulberry32(7);
    const lvl = (p: number, s: number): WireLevel => [(p / 10).toFixed(1), s.toFixed(3)];
    for (const id of members) {
      const bids = Array.from({ length: 30 }, (_, i) => lvl(1000 - i - Math.floor(rng() * 3), 1 + rng() * 5));
      const asks = Array.from({ length: 30 }, (_, i) => lvl(1001 + i + Math.floor(rng() * 3), 1 + rng() * 5));
      h.feed(snap(id, bids, asks));
    }
    const v = h.group.view({ bucket: 0.5, depth: 1000 });
    for (const [side, key, label] of [
      ['bids', 'bids', (p: number) => Math.floor(p / 0.5 + 1e-9) * 0.5],
      ['asks', 'asks', (p: number) => Math.ceil(p / 0.5 - 1e-9) * 0.5],
    ] as const) {
      // Independently: every member's own book, bucketed.
      const want = new Map<number, number[]>();
      members.forEach((id, m) => {
        const s = h.books.get(id)!.book[side];
        for (let i = 0; i < s.length; i++) {
          const b = label(s.price(i));
          const row = want.get(b) ?? [0, 0, 0];
          row[m]! += s.size(i);
          want.set(b, row);
        }
      });
      const got = v[key];
      expect(got.map((l) => l[0])).toEqual(
        [...want.keys()].sort((x, y) => (side === 'bids' ? y - x : x - y)),
      );
      for (const [price, size, per] of got) {
        const w = want.get(price)!;
        per.forEach((x, m) => expect(x).toBeCloseTo(w[m]!, 9));
        expect(size).toBeCloseTo(w[0]! + w[1]! + w[2]!, 9);
      }
    }
    // Best prices are the exact levels, not bucket labels.
    expect(v.bestBid).toBe(h.group.book.book.bids.price(0));
    expect(v.bestAsk).toBe(h.group.book.book.asks.price(0));
    expect(h.group.view({ bucket: 0.5, depth: 3 }).bids).toHaveLength(3);
  });

  it("member heatmaps hold each member's own levels per bucket; a member out of the book records a gap", () => {
    const members = ['a:X-USD', 'b:X-USD'];
    const h = harness(members, {}, { heatmap: { bucketSize: 1, binMs: 1000, rangePct: 50 } });
    h.feed(
      snap(
        'a:X-USD',
        [
          ['100.5', '1'],
          ['100.2', '2'],
        ],
        [['101.5', '1']],
        0,
      ),
    );
    h.feed(snap('b:X-USD', [['100.2', '4']], [['102.0', '3']], 10));
    h.feed(delta('a:X-USD', [['99.0', '5']], [], 1000)); // opens bin 1000
    const b = h.books.get('b:X-USD')!;
    b.startResync('gap', 'test gap', 1500);
    h.stage.onState(b, 'live', 1500);
    h.feed(delta('a:X-USD', [['99.0', '6']], [], 2000)); // opens bin 2000 without b
    const [ha, hb] = h.group.memberHeatmaps!;
    const at = (slice: ReturnType<NonNullable<typeof ha>['query']>, t: number) =>
      slice.runs
        .filter((r) => r.from <= t && t <= r.to)
        .map((r) => `${r.side}@${r.price}=${r.size}`)
        .sort();
    const A = ha!.query(0, 3000);
    const B = hb!.query(0, 3000);
    const S = h.group.heatmap!.query(0, 3000);
    // Bin 0: the first update only (a's snapshot); bin 1000: a (+ 99) and b.
    expect(at(A, 1000)).toEqual(['ask@101=1', 'bid@100=3', 'bid@99=5']);
    expect(at(B, 1000)).toEqual(['ask@102=3', 'bid@100=4']);
    expect(at(S, 1000)).toEqual(['ask@101=1', 'ask@102=3', 'bid@100=7', 'bid@99=5']);
    // Bin 2000: b resyncing, out of the book.
    expect(at(B, 2000)).toEqual([]);
    // Bin 0: b not there yet (its book not loaded).
    expect(B.gaps).toEqual([
      { from: 0, to: 1000, state: 'connecting' },
      { from: 2000, to: 3000, state: 'resyncing' },
    ]);
    expect(at(A, 2000)).toEqual(['ask@101=1', 'bid@100=3', 'bid@99=6']);
  });
});

describe('basis with funding', () => {
  it("a perpetual member's basis carries its latest funding: rate per interval, interval, annualized, next time", () => {
    const h = harness(['binance:BTCUSDT', 'binance-usdm:BTCUSDT']);
    h.feed(snap('binance:BTCUSDT', [['60000.0', '1']], [['60001.0', '1']], 0));
    h.feed(snap('binance-usdm:BTCUSDT', [['60030.0', '1']], [['60031.0', '1']], 0));
    expect(h.group.basis()[0]).toMatchObject({ instrument: 'binance-usdm:BTCUSDT', fundingRate: null });
    h.stage.onFunding({
      type: 'funding',
      instrument: 'binance-usdm:BTCUSDT',
      venue: 'binance-usdm',
      exchangeTs: 1,
      localTs: 1,
      fundingRate: '0.00010000',
      intervalHours: 8,
      nextFundingTime: 28_800_000,
      markPrice: '60030.5',
    });
    const [b] = h.group.basis();
    expect(b!.bps).toBeCloseTo((30 / 60000.5) * 1e4, 9);
    expect(b).toMatchObject({ fundingRate: 0.0001, fundingIntervalHours: 8, nextFundingTime: 28_800_000 });
    expect(b!.fundingAnnualized).toBeCloseTo(0.0001 * 3 * 365, 12);
    // A funding event of an instrument outside the group changes nothing.
    h.stage.onFunding({
      type: 'funding',
      instrument: 'okx:BTC-USDT-SWAP',
      venue: 'okx',
      exchangeTs: 2,
      localTs: 2,
      fundingRate: '0.0005',
      intervalHours: 8,
      nextFundingTime: NaN,
    });
    expect(h.group.basis()[0]!.fundingRate).toBe(0.0001);
  });
});
