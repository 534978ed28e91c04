/**
 * Issue 11 acceptance on real data: the three simultaneous Binance BTC recordings of 2024-08-08 (spot,
 * USD-M, COIN-M) replayed with a consolidation group. The merged book must equal a merge of the members'
 * final books recomputed here independently (COIN-M at 100 USD a contract, converted at each level's
 * price), and the basis and crossed-market events must be reported.
 */
import { describe, expect, it } from 'vitest';
import { openRecording } from '../src/recording/index.ts';
import { Replay } from '../src/replay/replay.ts';
import { summarizeConsolidated } from '../src/replay/summary.ts';
import type { CrossedMarket } from '../src/analytics/consolidated/arbitrage.ts';
import type { MetricsSample } from '../src/analytics/types.ts';

const D = '../shared/data/binance-hftbacktest';
const FILES = [
  `${D}/spot/btcusdt_20240808.gz`,
  `${D}/usdm/btcusdt_20240808.gz`,
  `${D}/cm/btcusd_perp_20240808.gz`,
];
const MEMBERS = ['binance:BTCUSDT', 'binance-usdm:BTCUSDT', 'binance-coinm:BTCUSD_PERP'];

describe('consolidated BTC-USD over the three simultaneous Binance recordings', () => {
  it('equals the independent merge of the members final books, with basis and crossed markets', async () => {
    const rec = await openRecording(FILES);
    const start = Date.UTC(2024, 7, 8, 23, 54, 0); // the recordings overlap from 23:53 to 00:00 UTC
    const replay = new Replay(rec, {
      to: start + 90_000,
      engine: {
        consolidation: {
          groups: [{ name: 'BTC-USD', members: MEMBERS, fees: { 'binance-usdm': 0.0005 } }],
          watchlist: false,
        },
      },
    });
    const crossed: CrossedMarket[] = [];
    replay.bus.subscribe('arbitrage', (e) => crossed.push(e));
    const samples: MetricsSample[] = [];
    replay.bus.subscribe('metrics.sample', (s) => {
      if (s.instrument === 'consolidated:BTC-USD') samples.push(s);
    });
    await replay.run();
    for (const id of MEMBERS) expect(replay.engine.books.get(id)!.state, id).toBe('live');

    // Independent merge: every member level, COIN-M contracts × 100 USD / price.
    const expected = { bids: new Map<number, number>(), asks: new Map<number, number>() };
    const perMember = MEMBERS.map((id) => {
      const b = replay.engine.books.get(id)!.book;
      const conv = (p: number, s: number): number => (id.startsWith('binance-coinm:') ? (s * 100) / p : s);
      const sides = { bids: new Map<number, number>(), asks: new Map<number, number>() };
      for (const side of ['bids', 'asks'] as const)
        for (let i = 0; i < b[side].length; i++)
          sides[side].set(b[side].price(i), conv(b[side].price(i), b[side].size(i)));
      return sides;
    });
    for (const side of ['bids', 'asks'] as const) {
      const prices = new Set(perMember.flatMap((m) => [...m[side].keys()]));
      for (const p of prices)
        expected[side].set(
          p,
          perMember.reduce((t, m) => t + (m[side].get(p) ?? 0), 0),
        );
    }
    const g = replay.consolidation!.groups.get('BTC-USD')!;
    for (const side of ['bids', 'asks'] as const) {
      const s = g.book.book[side];
      expect(s.length, side).toBe(expected[side].size);
      for (let i = 0; i < s.length; i++)
        expect(s.size(i), `${side} ${s.price(i)}`).toBe(expected[side].get(s.price(i)));
    }
    // COIN-M's contribution at its best bid, hand-checked: contracts × 100 / price.
    const cm = replay.engine.books.get('binance-coinm:BTCUSD_PERP')!.book;
    expect(g.book.memberSize('bid', cm.bids.price(0), 2)).toBe((cm.bids.size(0) * 100) / cm.bids.price(0));

    // The group's metrics history: one sample per second of input time, each the group after its last
    // update of that second; the last one (at flush) is the final merged book.
    const slots = samples.map((x) => Math.floor(x.localTs / 1000));
    expect(slots.length).toBeGreaterThan(60);
    expect(slots.every((x, i) => i === 0 || x === slots[i - 1]! + 1)).toBe(true);
    const last = samples.at(-1)!;
    expect(last.state).toBe('live');
    expect(last.metrics.bestBid).toBe(g.book.book.bids.price(0));
    expect(last.metrics.bestAsk).toBe(g.book.book.asks.price(0));

    const summary = summarizeConsolidated(replay.consolidation!, crossed)['BTC-USD']!;
    expect(summary.state).toBe('live');
    expect(summary.quote).toBe('USD');
    // Basis of both perpetuals against spot, in bps (USD-M trades at a premium in this recording).
    expect(summary.basis.map((b) => b.instrument).sort()).toEqual([
      'binance-coinm:BTCUSD_PERP',
      'binance-usdm:BTCUSDT',
    ]);
    for (const b of summary.basis) expect(Math.abs(b.bps)).toBeLessThan(50);
    // Crossed markets, each closed one with its duration.
    for (const e of summary.crossed.filter((x) => x.status === 'close')) {
      expect(e.endTs! - e.startTs).toBe(e.durationMs);
      expect(e.edgeBps).toBeGreaterThan(0);
    }
    console.log(
      `BTC-USD: ${g.book.book.bids.length} bid / ${g.book.book.asks.length} ask levels merged; basis ${summary.basis
        .map((b) => `${b.instrument} ${b.bps.toFixed(2)} bps`)
        .join(', ')}; ${summary.crossed.length} crossed markets`,
    );
  });
});
