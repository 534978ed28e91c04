/**
 * A corrupted venue checksum injected by the simulator (OKX v5 and Kraken v1, real recordings, several
 * instruments on one connection): exactly that instrument fails verification, resyncs by resubscribing,
 * and recovers to a book whose checksums verify again; its siblings never leave `live`.
 */
import { describe, expect, it } from 'vitest';
import { Simulator, simProtocol } from '../src/sim/index.ts';
import { corruptChecksumText } from '../src/sim/faults.ts';
import { Connector, SnapshotRouter } from '../src/live/connector.ts';
import { Engine } from '../src/pipeline/engine.ts';
import { InProcessBus } from '../src/bus/in-process.ts';
import { venues, venue, venueSync } from '../src/feeds/registry.ts';
import type { BookState } from '../src/book/health.ts';
import { loadRecording, waitFor } from './sim-fixtures.ts';
import type { OutputTopics } from '../src/alerts/topics.ts';

const CF = '../shared/data/cryptofeed';

describe('corruptChecksumText', () => {
  it('changes OKX and Kraken checksums by one bit and leaves frames without one alone', () => {
    expect(corruptChecksumText('{"a":1,"checksum":-1881014294}')).toBe('{"a":1,"checksum":-1881014293}');
    expect(corruptChecksumText('[1,{"a":[],"c":"974947235"},"book-10","XBT/USD"]')).toBe(
      '[1,{"a":[],"c":"974947234"},"book-10","XBT/USD"]',
    );
    expect(corruptChecksumText('{"stream":"x","data":{}}')).toBeNull();
  });
});

for (const c of [
  {
    venue: 'okx',
    files: [`${CF}/okx-2022-05/OKX.ws.1.0`],
    symbols: ['BTC-USDT', 'BTC-USD-220527', 'UNI-USD-SWAP'],
    victim: 'BTC-USDT',
    speed: 4,
  },
  {
    venue: 'kraken',
    files: [`${CF}/kraken-2021-04/KRAKEN.ws.50.0`],
    symbols: ['XBT/CHF', 'XMR/USD', 'ADA/XBT'],
    victim: 'XMR/USD',
    speed: 4,
  },
]) {
  describe(`${c.venue}: simulator-injected checksum corruption`, () => {
    it('resyncs exactly the corrupted instrument; siblings stay live', async () => {
      const frames = await loadRecording(c.files);
      const sim = await Simulator.start({
        protocol: simProtocol(c.venue),
        frames,
        speed: c.speed,
        faults: { corruptChecksumNth: [{ symbol: c.victim, n: 20 }] },
      });
      const router = new SnapshotRouter();
      const states = new Map<string, BookState[]>();
      const engine = new Engine({
        sync: venueSync(venues),
        bus: new InProcessBus<OutputTopics>(),
        onSnapshotNeeded: router.handle,
        onStateChange: (b) => states.set(b.instrument, [...(states.get(b.instrument) ?? []), b.health.state]),
      });
      const conn = new Connector({ adapter: venue(c.venue), engine, symbols: c.symbols, wsUrl: sim.wsUrl });
      router.add(conn);
      conn.start();
      try {
        await sim.finished;
        await waitFor(() => conn.stats.frames >= sim.stats.framesSent, 'every frame sent to arrive', 30_000);
        expect(sim.faults.corruptChecksum).toBe(1);
        for (const s of c.symbols) {
          const id = `${c.venue}:${s}`;
          const b = engine.books.get(id)!;
          const k = b.health.counters;
          expect(b.state, id).toBe('live');
          if (s === c.victim) {
            expect(k.checksumFailures, id).toBe(1);
            expect(k.resyncs, id).toBe(1);
            expect(states.get(id), id).toContain('resyncing');
            // Every checksum after the corrupted one verified, on the resubscribed book too.
            expect(k.checksumMatched, id).toBe(k.checksumChecked - 1);
            expect(k.snapshots, id).toBeGreaterThanOrEqual(2);
          } else {
            expect(k.checksumFailures, id).toBe(0);
            expect(k.resyncs, id).toBe(0);
            expect(states.get(id), id).not.toContain('resyncing');
            expect(k.checksumMatched, id).toBe(k.checksumChecked);
          }
        }
        expect(conn.stats.resubscribes).toBe(1);
      } finally {
        await conn.stop();
        await sim.close();
      }
    }, 60_000);
  });
}
