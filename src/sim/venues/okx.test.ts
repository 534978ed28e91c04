import { describe, expect, it } from 'vitest';
import { waitFor } from '../../../test/sim-fixtures.ts';
import { Simulator } from '../simulator.ts';
import { simProtocol } from '../protocols.ts';
import { Connector, SnapshotRouter } from '../../live/connector.ts';
import { Engine } from '../../pipeline/engine.ts';
import { InProcessBus } from '../../bus/in-process.ts';
import { venues, venue, venueSync } from '../../feeds/registry.ts';
import { openRecording } from '../../recording/index.ts';
import type { RecordedFrame } from '../../recording/types.ts';
import { OkxParser } from '../../feeds/okx/parser.ts';
import type { OutputTopics } from '../../alerts/topics.ts';

const DIR = '../shared/data/cryptofeed/okx-2022-05';

async function frames(): Promise<RecordedFrame[]> {
  const out: RecordedFrame[] = [];
  for await (const f of await openRecording([DIR])) out.push(f);
  return out;
}

describe('OKX simulator protocol', () => {
  it('routes recorded pushes by channel:instId and answers subscribe, unsubscribe and ping', () => {
    const p = simProtocol('okx');
    expect(p.route('{"arg":{"channel":"books","instId":"BTC-USDT"},"action":"update","data":[]}')).toEqual({
      topic: 'books:BTC-USDT',
      symbol: 'BTC-USDT',
      depth: true,
    });
    expect(p.route('{"arg":{"channel":"trades","instId":"BTC-USDT"},"data":[]}')?.depth).toBe(false);
    expect(p.route('{"event":"subscribe","arg":{"channel":"books","instId":"BTC-USDT"}}')).toBeNull();
    const r = p.onMessage('{"op":"subscribe","args":[{"channel":"books","instId":"BTC-USDT"}]}');
    expect(r.subscribe).toEqual(['books:BTC-USDT']);
    expect(JSON.parse(r.replies![0]!)).toMatchObject({ event: 'subscribe' });
    expect(p.onMessage('ping').replies).toEqual(['pong']);
    expect(p.onMessage('{"op":"nope"}').replies![0]).toContain('"event":"error"');
    expect(p.open(new URL('ws://h/ws/v5/public')).ok).toBe(true);
    expect(p.open(new URL('ws://h/other')).ok).toBe(false);
  });

  it('a late subscriber gets a snapshot whose checksum matches, and the recorded updates continue it', async () => {
    const all = (await frames()).filter((f) => f.kind === 'ws');
    const p = simProtocol('okx');
    const half = Math.floor(all.length / 2);
    for (const f of all.slice(0, half)) p.observe(f);
    const snaps = p.onSubscribed!(['books:BTC-USDT', 'trades:BTC-USDT']);
    expect(snaps).toHaveLength(1);
    const engine = new Engine({ sync: venueSync(venues), bus: new InProcessBus<OutputTopics>() });
    const parser = new OkxParser();
    engine.handleFrame('okx', parser, snaps[0]!, 0);
    for (const f of all.slice(half)) {
      const r = p.route(f.text);
      if (r?.topic === 'books:BTC-USDT') engine.handleFrame('okx', parser, f.text, f.localTs);
    }
    const c = engine.books.get('okx:BTC-USDT')!.health.counters;
    expect(c.checksumFailures).toBe(0);
    expect(c.checksumMatched).toBe(c.checksumChecked);
    expect(c.checksumChecked).toBeGreaterThan(10);
    expect(
      p.corruptLevel(all.find((f) => f.text.includes('"action":"update"'))!.text, () => 0.1),
    ).not.toBeNull();
  });

  it('serves the okx-2022-05 recording over loopback to the live connector: all books live, every checksum matched', async () => {
    const recorded = await frames();
    const sim = await Simulator.start({ protocol: simProtocol('okx'), frames: recorded, speed: 'max' });
    const router = new SnapshotRouter();
    const engine = new Engine({
      sync: venueSync(venues),
      bus: new InProcessBus<OutputTopics>(),
      onSnapshotNeeded: router.handle,
    });
    const conn = new Connector({
      adapter: venue('okx'),
      engine,
      symbols: ['BTC-USDT', 'BTC-USD-220527', 'UNI-USD-SWAP'],
      wsUrl: sim.wsUrl,
    });
    router.add(conn);
    conn.start();
    try {
      await sim.finished;
      await waitFor(() => conn.stats.frames >= sim.stats.framesSent, 'every frame sent to arrive', 30_000);
      for (const id of ['okx:BTC-USDT', 'okx:BTC-USD-220527', 'okx:UNI-USD-SWAP']) {
        const b = engine.books.get(id)!;
        expect(b.state).toBe('live');
        expect(b.health.counters.checksumFailures).toBe(0);
        expect(b.health.counters.checksumMatched).toBe(b.health.counters.checksumChecked);
        expect(b.health.counters.checksumChecked).toBeGreaterThan(80);
      }
    } finally {
      await conn.stop();
      await sim.close();
    }
  }, 60_000);

  it('a dropped update is caught by the checksum and healed by a resubscribe snapshot', async () => {
    const recorded = await frames();
    const sim = await Simulator.start({
      protocol: simProtocol('okx'),
      frames: recorded,
      // Paced (the 10.8 s capture in ~2.7 s) so the resubscribe round trip lands well before the end.
      speed: 4,
      faults: { dropNth: [{ symbol: 'BTC-USDT', n: 20 }] },
    });
    const router = new SnapshotRouter();
    const engine = new Engine({
      sync: venueSync(venues),
      bus: new InProcessBus<OutputTopics>(),
      onSnapshotNeeded: router.handle,
    });
    const conn = new Connector({ adapter: venue('okx'), engine, symbols: ['BTC-USDT'], wsUrl: sim.wsUrl });
    router.add(conn);
    conn.start();
    try {
      await sim.finished;
      await waitFor(() => conn.stats.frames >= sim.stats.framesSent, 'every frame sent to arrive', 30_000);
      const b = engine.books.get('okx:BTC-USDT')!;
      const c = b.health.counters;
      expect(sim.faults.drop).toBe(1);
      expect(c.checksumFailures).toBe(1);
      expect(c.resyncs).toBe(1);
      expect(conn.stats.resubscribes).toBe(1);
      expect(c.snapshots).toBe(2);
      expect(b.state).toBe('live');
      expect(c.checksumMatched).toBe(c.checksumChecked - 1);
    } finally {
      await conn.stop();
      await sim.close();
    }
  }, 60_000);
});
