/**
 * The `candles` WebSocket channel through the whole offline app, as `depthwatch demo` runs it: simulator
 * (the real Binance USD-M BTCUSDT recording, recorded pace) → connector → engine → analytics → WsHub.
 * Every trade the app's bus carried is aggregated here independently into OHLCV candles per interval;
 * the candles the channel sent (upserted by `start`) and those of a fresh subscription at the end must
 * equal that aggregation exactly.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import type { App } from '../src/app/app.ts';
import { startAppOn } from './offline-app.ts';
import { startSimulator, type RunningSimulator } from '../src/app/simulator.ts';
import type { Trade } from '../src/core/model.ts';
import { CandlesUpdate, type Candle } from '../src/contract/schemas.ts';
import { LiveCandles } from '../src/client/candles.ts';

const REC = '../shared/data/binance-hftbacktest/usdm/btcusdt_20240808.gz';
const ID = 'binance-usdm:BTCUSDT';
const INTERVALS: Record<string, number> = {
  '1s': 1_000,
  '5s': 5_000,
  '1m': 60_000,
  '15m': 900_000,
  '1h': 3_600_000,
};

/** Independent OHLCV aggregation of trades in arrival order, by interval start (ms UTC). */
function aggregate(trades: readonly Trade[], ms: number): Map<number, Candle> {
  const out = new Map<number, Candle>();
  for (const t of trades) {
    const ts = Number.isFinite(t.exchangeTs) ? t.exchangeTs : t.localTs;
    const start = ts - (ts % ms);
    const p = Number(t.price);
    const q = Number(t.size);
    const c = out.get(start);
    if (!c) {
      out.set(start, {
        start,
        open: p,
        high: p,
        low: p,
        close: p,
        volume: q,
        buyVolume: t.side === 'buy' ? q : 0,
        sellVolume: t.side === 'sell' ? q : 0,
        trades: 1,
      });
      continue;
    }
    c.high = Math.max(c.high, p);
    c.low = Math.min(c.low, p);
    c.close = p;
    c.volume += q;
    if (t.side === 'buy') c.buyVolume += q;
    if (t.side === 'sell') c.sellVolume += q;
    c.trades++;
  }
  return out;
}

/** A ws client subscribed to one channel/key, recording the data payloads. */
async function subscribe(
  url: string,
  channel: string,
  key: string,
): Promise<{ ws: WebSocket; data: unknown[] }> {
  const ws = new WebSocket(url);
  const data: unknown[] = [];
  ws.on('message', (raw) => {
    const m = JSON.parse(String(raw)) as { channel?: string; data?: unknown };
    if (m.channel === channel && m.data !== undefined) data.push(m.data);
  });
  await new Promise<void>((res, rej) => {
    ws.once('open', () => res());
    ws.once('error', rej);
  });
  ws.send(JSON.stringify({ op: 'subscribe', channel, instrument: key, throttleMs: 0 }));
  return { ws, data };
}

describe('candles channel over the offline app (real recording)', () => {
  let sim: RunningSimulator;
  let app: App;
  const trades: Trade[] = [];

  beforeAll(async () => {
    sim = await startSimulator({ venue: 'binance-usdm', files: [REC], speed: 1, loop: false });
    app = await startAppOn(sim);
    // Subscribed before any frame can arrive (the connectors only started connecting): every trade.
    app.bus.subscribe('trade', (t) => {
      if (t.instrument === ID) trades.push(t);
    });
  }, 60_000);

  afterAll(async () => {
    await app?.close();
    await sim?.close();
  });

  it('sends candles equal to an independent aggregation of the same trades, per interval', async () => {
    const wsUrl = app.url.replace('http', 'ws') + '/ws';
    const live = await subscribe(wsUrl, 'candles', ID);
    await new Promise((r) => setTimeout(r, 8_000));
    // Stop the feed, then let the last messages arrive.
    await sim.close();
    await new Promise((r) => setTimeout(r, 500));
    const end = await subscribe(wsUrl, 'candles', ID);
    await new Promise((r) => setTimeout(r, 500));
    live.ws.close();
    end.ws.close();

    expect(trades.length, 'trades replayed').toBeGreaterThan(50);
    expect(live.data.length, 'candles messages').toBeGreaterThan(10);
    const msgs = [...live.data, ...end.data].map((d) => CandlesUpdate.parse(d));
    const last = msgs[msgs.length - 1]!;
    expect(last.instrument).toBe(ID);
    expect(last.ts).toBe(trades[trades.length - 1]!.exchangeTs);

    for (const [label, ms] of Object.entries(INTERVALS)) {
      const want = aggregate(trades, ms);
      // The channel's view: every candle sent, the newest version of each start wins.
      const got = new Map<number, Candle>();
      for (const m of live.data.map((d) => CandlesUpdate.parse(d))) {
        const iv = m.intervals[label]!;
        expect(iv.intervalMs, label).toBe(ms);
        for (const c of iv.closed) got.set(c.start, c);
        if (iv.forming) got.set(iv.forming.start, iv.forming);
      }
      expect([...got.keys()].sort(), label).toEqual([...want.keys()].sort());
      for (const [start, c] of want) expect(got.get(start), `${label} ${start}`).toEqual(c);
      // The SDK's series built from the same messages (src/client/candles.ts).
      const sdk = new LiveCandles();
      for (const d of live.data) sdk.apply(CandlesUpdate.parse(d));
      expect(sdk.candles(label), label).toEqual(
        [...want.keys()].sort((x, y) => x - y).map((s) => want.get(s)),
      );
      // A fresh subscription's first message: the closed candles (up to 120) and the forming one.
      const first = CandlesUpdate.parse(end.data[0]).intervals[label]!;
      const starts = [...want.keys()].sort((a, b) => a - b);
      const fromSnapshot = [...first.closed, ...(first.forming ? [first.forming] : [])];
      expect(fromSnapshot, label).toEqual(starts.slice(-121).map((s) => want.get(s)));
    }
    // The server-side EMA 20 of the 1 s closes (trading-signals: seeded with the first close, weight
    // 2 / 21), recomputed here over the closed candles (all but the forming one).
    const closes = [...aggregate(trades, 1_000).values()].slice(0, -1).map((c) => c.close);
    expect(closes.length).toBeGreaterThan(3);
    let ema = closes[0]!;
    for (const p of closes.slice(1)) ema = p * (2 / 21) + ema * (1 - 2 / 21);
    expect(last.intervals['1s']!.indicators.ema).toBeCloseTo(ema, 6);
  }, 40_000);
});
