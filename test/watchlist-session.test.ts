/**
 * Watchlist sessions in Asia/Ho_Chi_Minh (UTC+7, no DST) across a session boundary, on real data:
 * 1. Real SSI HOSE prints, in arrival order (../shared/data/ssi/stream/ssi_b_messages.first72.jsonl then
 *    .last36.jsonl, the first and last lines of one capture: on subscribe SSI replays the previous
 *    session's last prints of Friday 2026-07-17 14:45, then Monday 2026-07-20's prints follow, 09:15 and
 *    13:36) with sessions at 00:00 local: the boundary 2026-07-20 00:00 ICT = 2026-07-19
 *    17:00:00.000 UTC resets open, change, change %, high/low and volume; breadth over VCB, TCB, HPG is
 *    recomputed here independently from the prints.
 * 2. The whole consolidation stage in replay of the Binance BTC recordings of 2024-08-08/09 (spot and
 *    COIN-M, one connection each across 00:00 UTC) with sessions at 07:00 local = 00:00:00.000 UTC: the
 *    published watchlist rows of both instruments and of the BTC-USD group before and after the boundary
 *    equal session statistics recomputed from the recorded trades.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { breadthOf, SessionStats, sessionStartOf, type WatchRow } from '../src/analytics/watchlist.ts';
import type { WatchlistView } from '../src/analytics/consolidated/stage.ts';
import type { Trade } from '../src/core/model.ts';
import { openRecording } from '../src/recording/index.ts';
import { Replay } from '../src/replay/replay.ts';
import { zonedTimeToUtcMs } from '../src/util/time.ts';

const HCM = { timeZone: 'Asia/Ho_Chi_Minh', sessionStart: '00:00' };

interface Print {
  symbol: string;
  ts: number;
  price: number;
  volume: number;
}

/** The SSI `B` messages: one print each (Open = High = Low = Close, Volume that print), local HCM time. */
function ssiPrints(): Print[] {
  const lines = ['first72', 'last36']
    .flatMap((part) =>
      readFileSync(`../shared/data/ssi/stream/ssi_b_messages.${part}.jsonl`, 'utf8').split('\n'),
    )
    .filter((l) => l.trim().length > 0);
  return lines.map((l) => {
    const c = JSON.parse((JSON.parse(l) as { Content: string }).Content) as {
      TradingDate: string;
      Time: string;
      Symbol: string;
      Close: number;
      Volume: number;
    };
    const [d, m, y] = c.TradingDate.split('/');
    const [hh, mm, ss] = c.Time.split(':').map(Number);
    const ts = zonedTimeToUtcMs(`${y}-${m}-${d}`, ((hh! * 60 + mm!) * 60 + ss!) * 1000, 'Asia/Ho_Chi_Minh');
    return { symbol: c.Symbol, ts, price: c.Close, volume: c.Volume };
  });
}

describe('watchlist sessions at 00:00 Asia/Ho_Chi_Minh on real SSI prints', () => {
  const prints = ssiPrints();
  const boundary = Date.UTC(2026, 6, 19, 17, 0, 0); // 2026-07-20 00:00 ICT

  it('the boundary is 17:00 UTC of the previous day, to the millisecond', () => {
    expect(sessionStartOf(boundary, HCM)).toBe(boundary);
    expect(sessionStartOf(boundary - 1, HCM)).toBe(boundary - 86_400_000);
    // Friday's session started at 2026-07-17 00:00 ICT = 07-16 17:00 UTC and runs over the weekend.
    expect(sessionStartOf(Date.UTC(2026, 6, 17, 7, 45), HCM)).toBe(Date.UTC(2026, 6, 16, 17, 0));
    expect(sessionStartOf(Date.UTC(2026, 6, 19, 16, 59, 59, 999), HCM)).toBe(Date.UTC(2026, 6, 18, 17, 0));
  });

  it('resets open, change, high/low and volume at the boundary; breadth from the new session', () => {
    const before = prints.filter((p) => p.ts < boundary);
    const after = prints.filter((p) => p.ts >= boundary);
    expect(before.map((p) => p.symbol).sort()).toEqual(['HPG', 'TCB', 'VCB']); // the replayed 17/07 lines
    expect(after.length).toBe(105);
    const stats = new Map<string, SessionStats>();
    const rowsBefore = new Map<string, WatchRow>();
    for (const p of prints) {
      if (p.ts >= boundary && rowsBefore.size === 0)
        for (const [s, st] of stats) rowsBefore.set(s, st.snapshot());
      let st = stats.get(p.symbol);
      if (!st) stats.set(p.symbol, (st = new SessionStats(p.symbol, 'instrument', HCM)));
      st.onTrade(p.price, p.volume, p.ts);
    }
    // Before the boundary: Friday's session, one print each.
    for (const p of before) {
      const r = rowsBefore.get(p.symbol)!;
      expect(r.sessionStart).toBe(Date.UTC(2026, 6, 16, 17, 0));
      expect([r.open, r.last, r.high, r.low, r.volume, r.trades]).toEqual([
        p.price,
        p.price,
        p.price,
        p.price,
        p.volume,
        1,
      ]);
    }
    // After: Monday's prints only, recomputed here (VCB's Friday print of 58,500 is above every Monday
    // print: Monday's high is Monday's own).
    const rows: WatchRow[] = [];
    for (const [symbol, st] of stats) {
      const mine = after.filter((p) => p.symbol === symbol);
      const r = st.snapshot();
      rows.push(r);
      if (mine.length === 0) {
        expect(r.sessionStart).toBe(Date.UTC(2026, 6, 16, 17, 0)); // no print yet: still Friday's row
        continue;
      }
      const open = mine[0]!.price;
      const last = mine[mine.length - 1]!.price;
      expect(r.sessionStart).toBe(boundary);
      expect(r.open).toBe(open);
      expect(r.last).toBe(last);
      expect(r.high).toBe(Math.max(...mine.map((p) => p.price)));
      expect(r.low).toBe(Math.min(...mine.map((p) => p.price)));
      expect(r.volume).toBe(mine.reduce((a, p) => a + p.volume, 0));
      expect(r.trades).toBe(mine.length);
      expect(r.change).toBe(last - open);
      expect(r.changePct).toBe(((last - open) / open) * 100);
    }
    const sign = (s: string): number => {
      const mine = after.filter((p) => p.symbol === s);
      return mine.length === 0 ? 0 : Math.sign(mine[mine.length - 1]!.price - mine[0]!.price);
    };
    const signs = ['VCB', 'TCB', 'HPG'].map(sign);
    expect(breadthOf(rows)).toEqual({
      advancers: signs.filter((x) => x > 0).length,
      decliners: signs.filter((x) => x < 0).length,
      unchanged: signs.filter((x) => x === 0).length,
      ratio: signs.some((x) => x < 0)
        ? signs.filter((x) => x > 0).length / signs.filter((x) => x < 0).length
        : null,
    });
    console.log(
      `SSI 2026-07-20 session: ${rows.map((r) => `${r.id} ${r.open}→${r.last} vol ${r.volume}`).join(', ')}; breadth ${JSON.stringify(breadthOf(rows))}`,
    );
  });
});

describe('watchlist of the consolidation stage across 00:00 UTC = 07:00 Asia/Ho_Chi_Minh (Binance BTC replay)', () => {
  it('instrument and group rows reset at the boundary and match the recorded trades', async () => {
    const D = '../shared/data/binance-hftbacktest';
    const rec = await openRecording([
      `${D}/spot/btcusdt_20240808.gz`,
      `${D}/spot/btcusdt_20240809.gz`,
      `${D}/cm/btcusd_perp_20240808.gz`,
      `${D}/cm/btcusd_perp_20240809.gz`,
    ]);
    const boundary = Date.UTC(2024, 7, 9, 0, 0, 0); // 2024-08-09 07:00 ICT
    const SPOT = 'binance:BTCUSDT';
    const CM = 'binance-coinm:BTCUSD_PERP';
    const replay = new Replay(rec, {
      from: boundary - 120_000,
      to: boundary + 60_000,
      engine: {
        consolidation: {
          groups: [{ name: 'BTC-USD', members: [SPOT, CM] }],
          watchlist: { clock: { timeZone: 'Asia/Ho_Chi_Minh', sessionStart: '07:00' } },
        },
      },
    });
    const trades: Trade[] = [];
    // Each published view with the number of trades the stage had seen by then (the engine hands a
    // trade to the stages, then publishes it, synchronously).
    const views: { v: WatchlistView; seen: number }[] = [];
    replay.bus.subscribe('trade', (t) => trades.push(t));
    replay.bus.subscribe('watchlist', (v) => views.push({ v, seen: trades.length }));
    await replay.run();

    // Independent session statistics from the recorded trades (base units: COIN-M 100 USD a contract).
    const base = (t: Trade): number =>
      t.instrument === CM ? (Number(t.size) * 100) / Number(t.price) : Number(t.size);
    const expectRow = (r: WatchRow, ts: readonly Trade[], start: number): void => {
      expect(r.sessionStart).toBe(start);
      expect(r.open).toBe(Number(ts[0]!.price));
      expect(r.last).toBe(Number(ts[ts.length - 1]!.price));
      expect(r.high).toBe(Math.max(...ts.map((t) => Number(t.price))));
      expect(r.low).toBe(Math.min(...ts.map((t) => Number(t.price))));
      expect(r.trades).toBe(ts.length);
      expect(r.volume).toBeCloseTo(
        ts.reduce((a, t) => a + base(t), 0),
        9,
      );
      expect(r.changePct).toBe(((r.last! - r.open!) / r.open!) * 100);
    };
    const before = views.filter((x) => x.v.ts < boundary).at(-1)!;
    expect(before).toBeDefined();
    const lastBefore = before.v;
    const final = views.at(-1)!.v;
    expect(final.ts).toBeGreaterThanOrEqual(boundary + 50_000);
    for (const id of [SPOT, CM]) {
      const pre = trades.slice(0, before.seen).filter((t) => t.instrument === id);
      const post = trades.filter((t) => t.instrument === id && t.localTs >= boundary);
      expect(pre.length, id).toBeGreaterThan(0);
      expect(post.length, id).toBeGreaterThan(0);
      expectRow(
        lastBefore.rows.find((r) => r.id === id)!,
        pre,
        boundary - 86_400_000,
      );
      expectRow(
        final.rows.find((r) => r.id === id)!,
        post,
        boundary,
      );
    }
    // The group's session: every member's prints in USD, sizes in BTC.
    const g = final.rows.find((r) => r.id === 'BTC-USD')!;
    expect(g.kind).toBe('group');
    expectRow(
      g,
      trades.filter((t) => t.localTs >= boundary),
      boundary,
    );
    // Breadth over the instrument rows, from the signs recomputed above.
    const signs = [SPOT, CM].map((id) => {
      const post = trades.filter((t) => t.instrument === id && t.localTs >= boundary);
      return Math.sign(Number(post.at(-1)!.price) - Number(post[0]!.price));
    });
    expect(final.breadth.advancers).toBe(signs.filter((x) => x > 0).length);
    expect(final.breadth.decliners).toBe(signs.filter((x) => x < 0).length);
    expect(final.breadth.unchanged).toBe(signs.filter((x) => x === 0).length);
  });
});
