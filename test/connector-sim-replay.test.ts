/**
 * End to end over loopback: the simulator serves the USD-M recording at max speed and the live connector
 * rebuilds the same book, with the same oracle result, as a direct in-process replay of the file.
 */
import { describe, expect, it } from 'vitest';
import { Simulator } from '../src/sim/simulator.ts';
import { simProtocol } from '../src/sim/protocols.ts';
import { Connector, SnapshotRouter } from '../src/feeds/connector.ts';
import { Engine } from '../src/pipeline/engine.ts';
import { InProcessBus } from '../src/bus/in-process.ts';
import { venues, venue } from '../src/feeds/registry.ts';
import { directReplay, loadRecording, waitFor } from './sim-fixtures.ts';

const USDM = '../shared/data/binance-hftbacktest/usdm/btcusdt_20240808.gz';

describe('simulator + connector replay of the USD-M recording', () => {
  it('ends with the same top-20 book and 126/126 oracle matches as a direct replay', async () => {
    const frames = await loadRecording([USDM]);
    const reference = directReplay(frames, 'binance-usdm').books.get('binance-usdm:BTCUSDT')!;
    expect(reference.health.counters.oracleChecked).toBe(126);

    const sim = await Simulator.start({
      protocol: simProtocol('binance-usdm'),
      frames,
      speed: 'max',
      hold: 'ack',
    });
    const router = new SnapshotRouter();
    const engine = new Engine({
      venues,
      bus: new InProcessBus(),
      computeMetrics: false,
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
      expect(sim.stats.framesSent).toBe(frames.filter((f) => f.kind === 'ws').length);
      expect(live.state).toBe('live');
      expect(live.health.sequence).toBe(reference.health.sequence);
      expect(live.book.topStrings(20)).toEqual(reference.book.topStrings(20));
      expect(live.health.counters.oracleChecked).toBe(126);
      expect(live.health.counters.oracleMatched).toBe(126);
      expect(live.health.counters.gaps).toBe(0);
      expect(conn.stats.restRequests).toBe(1);
      expect(sim.stats.holdTimeouts).toBe(0);
      expect(sim.faultTotal).toBe(0);
    } finally {
      await conn.stop();
      await sim.close();
    }
  }, 120_000);
});
