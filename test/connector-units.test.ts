/**
 * Connector building blocks and live behaviours over the simulator: REST weight limiter, back-off,
 * symbol split over connections, runtime add/remove, the recording hook, 429 handling.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { RestLimiter } from '../src/live/rest-limiter.ts';
import { Connector, SnapshotRouter, type ConnectorOptions } from '../src/live/connector.ts';
import { backoffDelay } from '../src/util/backoff.ts';
import { Simulator, type SimulatorOptions } from '../src/sim/simulator.ts';
import { simProtocol } from '../src/sim/protocols.ts';
import { Engine } from '../src/pipeline/engine.ts';
import { InProcessBus } from '../src/bus/in-process.ts';
import { venues, venue, venueSync } from '../src/feeds/registry.ts';
import type { RecordedFrame } from '../src/recording/types.ts';
import { RecordingWriter } from '../src/recording/index.ts';
import type { SimProtocol } from '../src/sim/types.ts';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { directReplay, loadRecording, memoryLogger, waitFor } from './sim-fixtures.ts';
import type { OutputTopics } from '../src/alerts/topics.ts';

/** A fake clock whose sleep advances time instantly. */
function fakeClock(): { now: () => number; sleep: (ms: number) => Promise<void>; slept: number[] } {
  let t = 1_000_000;
  const slept: number[] = [];
  return {
    now: () => t,
    sleep: async (ms) => {
      slept.push(ms);
      t += ms;
    },
    slept,
  };
}

describe('REST weight limiter', () => {
  it('admits requests within the budget at once, then waits for the bucket to refill', async () => {
    const clock = fakeClock();
    const l = new RestLimiter({ weightPerMinute: 2400, now: clock.now, sleep: clock.sleep });
    for (let i = 0; i < 120; i++) await l.acquire(20); // 2400 weight: the whole budget
    expect(clock.slept).toEqual([]);
    await l.acquire(20); // 20 weight refills in 500 ms at 2400/min
    expect(clock.slept).toEqual([500]);
    expect(l.stats).toMatchObject({ requests: 121, weight: 2420 });
    await expect(l.acquire(5000)).rejects.toThrow(RangeError);
  });

  it('pauses every request for Retry-After on 429, and backs off doubling on 418 without it', async () => {
    const clock = fakeClock();
    const l = new RestLimiter({
      weightPerMinute: 6000,
      now: clock.now,
      sleep: clock.sleep,
      backoffBaseMs: 1000,
    });
    expect(l.report(429, '2')).toBe(2000);
    await l.acquire(1);
    expect(clock.slept[0]).toBe(2000);
    expect(l.report(418, null)).toBe(1000);
    expect(l.report(418, null)).toBe(2000);
    expect(l.report(200)).toBe(0);
    expect(l.report(418, null)).toBe(1000); // a success reset the back-off
    expect(l.stats).toMatchObject({ rateLimited: 1, banned: 3 });
  });
});

describe('back-off', () => {
  it('is full jitter under an exponential cap', () => {
    const o = { baseMs: 100, maxMs: 5000 };
    expect(backoffDelay(0, { ...o, random: () => 0 })).toBe(0);
    expect(backoffDelay(0, { ...o, random: () => 0.999 })).toBe(99);
    expect(backoffDelay(3, { ...o, random: () => 0.999 })).toBe(799);
    expect(backoffDelay(40, { ...o, random: () => 0.999 })).toBe(4995);
  });
});

const USDM = '../shared/data/binance-hftbacktest/usdm/btcusdt_20240808.gz';
const CM = '../shared/data/binance-hftbacktest/cm/btcusd_perp_20240808.gz';
const usdm = await loadRecording([USDM], 4000);
const end = usdm.at(-1)!.localTs;
const merged = [...usdm, ...(await loadRecording([CM], 4000)).filter((f) => f.localTs <= end)].sort(
  (a, b) => a.localTs - b.localTs,
);

const cleanup: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const f of cleanup.splice(0).reverse()) await f();
});

async function rig(
  frames: RecordedFrame[],
  symbols: string[],
  extra: Partial<ConnectorOptions> = {},
  simOpts: Partial<SimulatorOptions> = {},
): Promise<{ sim: Simulator; engine: Engine; conn: Connector }> {
  const sim = await Simulator.start({
    protocol: simProtocol('binance-usdm'),
    frames,
    hold: 'served',
    ...simOpts,
  });
  const router = new SnapshotRouter();
  const engine = new Engine({
    sync: venueSync(venues),
    bus: new InProcessBus<OutputTopics>(),
    onSnapshotNeeded: router.handle,
  });
  const conn = new Connector({
    adapter: venue('binance-usdm'),
    engine,
    symbols,
    wsUrl: sim.wsUrl,
    restUrl: sim.restUrl,
    reconnect: { baseMs: 20, maxMs: 200 },
    snapshotRetry: { baseMs: 20, maxMs: 200 },
    ...extra,
  });
  router.add(conn);
  cleanup.push(
    () => sim.close(),
    () => conn.stop(),
  );
  return { sim, engine, conn };
}

describe('connector', () => {
  it('splits symbols over connections of at most maxSymbolsPerConnection', async () => {
    const engine = new Engine({ sync: venueSync(venues), bus: new InProcessBus<OutputTopics>() });
    const c = new Connector({
      adapter: venue('binance-usdm'),
      engine,
      symbols: ['A', 'B', 'C', 'D', 'E'],
      maxSymbolsPerConnection: 2,
    });
    expect(c.connections).toEqual({ total: 3, open: 0 });
    expect(c.symbols).toEqual(['A', 'B', 'C', 'D', 'E']);
    expect(c.owns('binance-usdm:C')).toBe(true);
    expect(c.owns('binance-usdm:Z')).toBe(false);
    expect(c.owns('binance:C')).toBe(false);
    // The default comes from the adapter: 200 streams / 4 streams per symbol on USD-M (depth, trade,
    // bookTicker, markPrice for funding).
    expect(venue('binance-usdm').ws.maxSymbolsPerConnection).toBe(50);
  });

  it('records every WebSocket frame and REST body with its local receive time', async () => {
    const recorded: RecordedFrame[] = [];
    const { sim, engine, conn } = await rig(usdm.slice(0, 1500), ['BTCUSDT'], {
      recorder: { write: (f) => recorded.push(f) },
    });
    conn.start();
    await sim.finished;
    await waitFor(() => conn.stats.frames === sim.stats.framesSent, 'all frames');
    // The simulator also serves the perpetual's markPriceUpdate (funding) on subscribe: recorded too.
    const isMark = (f: RecordedFrame) => f.text.includes('"e":"markPriceUpdate"');
    expect(recorded.filter((f) => f.kind === 'ws' && isMark(f))).toHaveLength(1);
    const ws = recorded.filter((f) => f.kind === 'ws' && !isMark(f));
    const rest = recorded.filter((f) => f.kind === 'rest');
    expect(ws.map((f) => f.text)).toEqual(
      usdm
        .slice(0, 1500)
        .filter((f) => f.kind === 'ws')
        .map((f) => f.text),
    );
    expect(rest).toHaveLength(1);
    expect(rest[0]!.url).toBe(`${sim.restUrl}/fapi/v1/depth?symbol=BTCUSDT&limit=1000`);
    expect(rest[0]!.instrument).toBe('binance-usdm:BTCUSDT');
    expect(recorded.every((f) => f.localTs > 1.7e12 && f.venue === 'binance-usdm')).toBe(true);
    expect(conn.stats.bytes).toBeGreaterThan(0);
    expect(engine.books.get('binance-usdm:BTCUSDT')!.state).toBe('live');
  });

  it('adds and removes symbols at run time', async () => {
    const log = memoryLogger();
    const { sim, engine, conn } = await rig(merged, ['BTCUSDT'], { logger: log }, { speed: 20 });
    conn.start();
    await waitFor(() => engine.books.get('binance-usdm:BTCUSDT')?.state === 'live', 'BTCUSDT live');
    conn.addSymbols(['BTCUSD_PERP']);
    expect(conn.connections.total).toBe(2); // URL-subscribed venue: a new connection for the new symbol
    await waitFor(() => engine.books.get('binance-usdm:BTCUSD_PERP')?.state === 'live', 'BTCUSD_PERP live');
    expect(sim.stats.connections).toBe(2);
    conn.removeSymbols(['BTCUSDT']);
    const btc = engine.books.get('binance-usdm:BTCUSDT')!;
    expect(btc.state).toBe('invalid');
    expect(btc.health.reasonCode).toBe('unsubscribed');
    expect(conn.symbols).toEqual(['BTCUSD_PERP']);
    await waitFor(() => conn.connections.total === 1 && sim.clients === 1, 'the emptied connection closed');
    expect(log.lines.map((l) => l.msg)).toEqual(
      expect.arrayContaining(['symbols removed', 'snapshot fetched']),
    );
  });

  it('honours 429 Retry-After from the snapshot endpoint, then syncs', async () => {
    const { sim, engine, conn } = await rig(
      usdm.slice(0, 1500),
      ['BTCUSDT'],
      {},
      {
        faults: { failFirstSnapshots: 1, failSnapshot: { rate: 0, status: 429, retryAfterS: 0.05 } },
      },
    );
    conn.start();
    await sim.finished;
    await waitFor(() => engine.books.get('binance-usdm:BTCUSDT')?.state === 'live', 'live');
    expect(conn.limiter!.stats.rateLimited).toBe(1);
    expect(conn.stats.restFailures).toBe(1);
    expect(conn.stats.restRequests).toBe(2);
    expect(conn.stats.restWeight).toBe(40);
  });

  it('a recording made through RecordingWriter replays to the same book the connector built', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'depthwatch-conn-rec-'));
    cleanup.push(async () => rmSync(dir, { recursive: true, force: true }));
    const writer = new RecordingWriter({ dir, venue: 'binance-usdm' });
    const { sim, engine, conn } = await rig(usdm.slice(0, 2500), ['BTCUSDT'], { recorder: writer });
    conn.start();
    await sim.finished;
    await waitFor(() => conn.stats.frames === sim.stats.framesSent, 'all frames');
    await conn.stop();
    await writer.close();
    const replayed = directReplay(await loadRecording([dir]), 'binance-usdm').books.get(
      'binance-usdm:BTCUSDT',
    )!;
    const live = engine.books.get('binance-usdm:BTCUSDT')!;
    expect(replayed.state).toBe('live');
    expect(replayed.health.sequence).toBe(live.health.sequence);
    expect(replayed.book.topStrings(50)).toEqual(live.book.topStrings(50));
    expect(replayed.health.counters.oracleChecked).toBe(live.health.counters.oracleChecked);
  });

  it("sends the adapter's application-level ping text when it has one", async () => {
    const seen: string[] = [];
    const base = simProtocol('binance-usdm');
    const spy: SimProtocol = Object.assign(Object.create(base) as SimProtocol, {
      onMessage: (text: string) => {
        seen.push(text);
        return {};
      },
    });
    const sim = await Simulator.start({ protocol: spy, frames: usdm.slice(0, 200) });
    const engine = new Engine({ sync: venueSync(venues), bus: new InProcessBus<OutputTopics>() });
    const adapter = { ...venue('binance-usdm'), pingMessage: () => 'ping' };
    const conn = new Connector({
      adapter,
      engine,
      symbols: ['BTCUSDT'],
      wsUrl: sim.wsUrl,
      pingIntervalMs: 20,
    });
    cleanup.push(
      () => sim.close(),
      () => conn.stop(),
    );
    conn.start();
    await waitFor(() => seen.length >= 2, 'two pings');
    expect(seen.slice(0, 2)).toEqual(['ping', 'ping']);
    expect(conn.stats.pings).toBeGreaterThanOrEqual(2);
  });

  it('adds and removes symbols on a live message-subscribed connection (OKX) without reconnecting', async () => {
    const okx = await loadRecording(['../shared/data/cryptofeed/okx-2022-05/OKX.ws.1.0']);
    const sim = await Simulator.start({ protocol: simProtocol('okx'), frames: okx, speed: 4 });
    const router = new SnapshotRouter();
    const engine = new Engine({
      sync: venueSync(venues),
      bus: new InProcessBus<OutputTopics>(),
      onSnapshotNeeded: router.handle,
    });
    const conn = new Connector({ adapter: venue('okx'), engine, symbols: ['BTC-USDT'], wsUrl: sim.wsUrl });
    router.add(conn);
    cleanup.push(
      () => sim.close(),
      () => conn.stop(),
    );
    conn.start();
    await waitFor(() => engine.books.get('okx:BTC-USDT')?.state === 'live', 'BTC-USDT live');
    conn.addSymbols(['UNI-USD-SWAP']);
    expect(conn.connections).toEqual({ total: 1, open: 1 });
    await waitFor(() => engine.books.get('okx:UNI-USD-SWAP')?.state === 'live', 'UNI-USD-SWAP live');
    conn.removeSymbols(['UNI-USD-SWAP']);
    expect(engine.books.get('okx:UNI-USD-SWAP')!.state).toBe('invalid');
    expect(conn.symbols).toEqual(['BTC-USDT']);
    expect(conn.connections).toEqual({ total: 1, open: 1 });
    expect(sim.stats.connections).toBe(1);
    expect(conn.stats.disconnects).toBe(0);
  });
});
