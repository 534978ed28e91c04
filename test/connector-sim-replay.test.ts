/**
 * End to end over loopback: the simulator serves the USD-M recording at max speed and the live connector
 * rebuilds the same book, with the same oracle result, as a direct in-process replay of the file.
 */
import { describe, expect, it } from 'vitest';
import { Simulator } from '../src/sim/simulator.ts';
import { simProtocol } from '../src/sim/protocols.ts';
import { Connector, SnapshotRouter } from '../src/live/connector.ts';
import { Engine } from '../src/pipeline/engine.ts';
import { InProcessBus } from '../src/bus/in-process.ts';
import { venues, venue, venueSync } from '../src/feeds/registry.ts';
import { directReplay, loadRecording, waitFor } from './sim-fixtures.ts';
import type { OutputTopics } from '../src/alerts/topics.ts';

const USDM = '../shared/data/binance-hftbacktest/usdm/btcusdt_20240808.gz';

describe('simulator + connector replay of the USD-M recording', () => {
  it('ends with the same top-20 book and the same oracle matches (573/573, 126 immediate) as a direct replay', async () => {
    const frames = await loadRecording([USDM]);
    const reference = directReplay(frames, 'binance-usdm').books.get('binance-usdm:BTCUSDT')!;
    expect(reference.health.counters.oracleChecked - reference.health.counters.oracleDeferred).toBe(126);
    expect(reference.health.counters.oracleChecked).toBe(573);

    const sim = await Simulator.start({
      protocol: simProtocol('binance-usdm'),
      frames,
      speed: 'max',
      hold: 'ack',
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
      symbols: ['BTCUSDT'],
      wsUrl: sim.wsUrl,
      restUrl: sim.restUrl,
      onSnapshot: (instrument, ok) => ok && sim.ack(instrument.split(':')[1]!),
    });
    router.add(conn);
    conn.start();
    try {
      await sim.finished;
      await waitFor(() => conn.stats.frames === sim.stats.framesSent, 'every frame sent to arrive', 60_000);
      const live = engine.books.get('binance-usdm:BTCUSDT')!;
      // Every recorded frame, plus the perpetual's markPriceUpdate (funding) served on subscribe.
      expect(sim.stats.framesSent).toBe(frames.filter((f) => f.kind === 'ws').length + 1);
      expect(engine.funding.latest('binance-usdm:BTCUSDT')).toBeDefined();
      expect(live.state).toBe('live');
      expect(live.health.sequence).toBe(reference.health.sequence);
      expect(live.book.topStrings(20)).toEqual(reference.book.topStrings(20));
      expect(live.health.counters.oracleChecked).toBe(573);
      expect(live.health.counters.oracleMatched).toBe(573);
      expect(live.health.counters.oracleDeferred).toBe(447);
      expect(live.health.counters.gaps).toBe(0);
      expect(conn.stats.restRequests).toBe(1);
      expect(sim.stats.holdTimeouts).toBe(0);
      expect(sim.faultTotal).toBe(0);
    } finally {
      await conn.stop();
      await sim.close();
    }
  }, 120_000);

  it('serves a 4-symbol cryptofeed capture (depth@100ms, URL-named REST snapshots) on one connection', async () => {
    const dir = '../shared/data/cryptofeed/binance-futures';
    const frames = await loadRecording([`${dir}/BINANCE_FUTURES.ws.1.0`, `${dir}/BINANCE_FUTURES.http.0.0`]);
    const reference = directReplay(frames, 'binance-usdm');
    const symbols = ['SUSHIUSDT', 'AKROUSDT', 'KEEPUSDT', 'CTKUSDT'];
    const sim = await Simulator.start({ protocol: simProtocol('binance-usdm'), frames, hold: 'ack' });
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
      onSnapshot: (instrument, ok) => ok && sim.ack(instrument.split(':')[1]!),
    });
    router.add(conn);
    conn.start();
    try {
      await sim.finished;
      await waitFor(() => conn.stats.frames === sim.stats.framesSent, 'every frame sent to arrive');
      expect(conn.connections).toEqual({ total: 1, open: 1 });
      for (const s of symbols) {
        const id = `binance-usdm:${s}`;
        const live = engine.books.get(id)!;
        const ref = reference.books.get(id)!;
        expect(live.state).toBe('live');
        expect(live.health.counters.gaps).toBe(0);
        expect(live.health.sequence).toBe(ref.health.sequence);
        expect(live.book.topStrings(20)).toEqual(ref.book.topStrings(20));
      }
      // kline/aggTrade streams were recorded but not subscribed: never sent, so nothing dropped.
      expect(engine.dropped['binance-usdm']).toBeUndefined();
      expect(conn.stats.restRequests).toBe(4);
    } finally {
      await conn.stop();
      await sim.close();
    }
  });
});
