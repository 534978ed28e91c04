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
import { KrakenParser } from '../../feeds/kraken/parser.ts';
import type { OutputTopics } from '../../alerts/topics.ts';

const DIR = '../shared/data/cryptofeed/kraken-2021-04';

async function load(): Promise<RecordedFrame[]> {
  const out: RecordedFrame[] = [];
  for await (const f of await openRecording([DIR])) out.push(f);
  return out;
}

describe('Kraken simulator protocol', () => {
  it('routes v1 channel messages by channel:pair and answers v2 and v1 requests', () => {
    const p = simProtocol('kraken');
    expect(p.route('[1920,{"a":[["0.04","1","1.1"]],"c":"1"},"book-1000","SC/EUR"]')).toEqual({
      topic: 'book:SC/EUR',
      symbol: 'SC/EUR',
      depth: true,
    });
    expect(p.route('[993,[["354.1","0.8","1.5","s","l",""]],"trade","XMR/USD"]')?.topic).toBe(
      'trade:XMR/USD',
    );
    expect(p.route('{"event":"heartbeat"}')).toEqual({ topic: null, depth: false });
    expect(p.route('{"channelID":1,"event":"subscriptionStatus","status":"subscribed"}')).toBeNull();
    const r = p.onMessage(
      '{"method":"subscribe","params":{"channel":"book","symbol":["XBT/USD","SC/EUR"],"depth":1000}}',
    );
    expect(r.subscribe).toEqual(['book:XBT/USD', 'book:SC/EUR']);
    expect(JSON.parse(r.replies![1]!)).toMatchObject({
      method: 'subscribe',
      success: true,
      result: { symbol: 'SC/EUR' },
    });
    const v1 = p.onMessage('{"event":"subscribe","pair":["XBT/USD"],"subscription":{"name":"trade"}}');
    expect(v1.subscribe).toEqual(['trade:XBT/USD']);
    expect(JSON.parse(p.onMessage('{"method":"ping"}').replies![0]!).method).toBe('pong');
    expect(p.open(new URL('ws://h/v2')).ok).toBe(true);
  });

  it('a late subscriber gets a v1 snapshot and every following recorded checksum matches', async () => {
    const all = (await load()).filter((f) => f.kind === 'ws');
    const p = simProtocol('kraken');
    const half = Math.floor(all.length / 2);
    for (const f of all.slice(0, half)) p.observe(f);
    const [snap] = p.onSubscribed!(['book:XMR/USD']);
    expect(snap!.startsWith('[0,{"as":')).toBe(true);
    const engine = new Engine({ sync: venueSync(venues), bus: new InProcessBus<OutputTopics>() });
    const parser = new KrakenParser();
    engine.handleFrame('kraken', parser, snap!, 0);
    for (const f of all.slice(half))
      if (p.route(f.text)?.topic === 'book:XMR/USD') engine.handleFrame('kraken', parser, f.text, 0);
    const c = engine.books.get('kraken:XMR/USD')!.health.counters;
    expect(c.checksumFailures).toBe(0);
    expect(c.checksumChecked).toBeGreaterThan(100);
    expect(c.checksumMatched).toBe(c.checksumChecked);
    const update = all.find((f) => f.text.includes('"c":"'))!.text;
    expect(p.corruptLevel(update, () => 0.5)).not.toBe(update);
  });

  it('builds a v2 snapshot (JSON numbers, exact digits, venue checksum) for v2 recordings', () => {
    const p = simProtocol('kraken');
    const bids = '[{"price":45283.5,"qty":0.10000000},{"price":45281.0,"qty":0.10000000}]';
    const asks = '[{"price":45285.2,"qty":0.00100000}]';
    p.observe({
      kind: 'ws',
      localTs: 1,
      text: `{"channel":"book","type":"snapshot","data":[{"symbol":"BTC/USD","bids":${bids},"asks":${asks}}]}`,
    });
    const [snap] = p.onSubscribed!(['book:BTC/USD']);
    expect(snap).toContain('{"price":45281.0,"qty":0.10000000}');
    const parsed = new KrakenParser().parse(snap!, 0)[0]!;
    expect(parsed.type).toBe('book_snapshot');
    const engine = new Engine({ sync: venueSync(venues), bus: new InProcessBus<OutputTopics>() });
    engine.handleEvent(parsed);
    const c = engine.books.get('kraken:BTC/USD')!.health.counters;
    expect([c.checksumChecked, c.checksumMatched]).toEqual([1, 1]);
  });

  it('serves kraken-2021-04 over loopback to the live connector (v2 client): all 10 books live, every checksum matched', async () => {
    const recorded = await load();
    const symbols = [
      ...new Set(
        recorded.map((f) => /,"book-1000","([^"]+)"\]$/.exec(f.text)?.[1]).filter((s) => s !== undefined),
      ),
    ];
    expect(symbols).toHaveLength(10);
    const sim = await Simulator.start({ protocol: simProtocol('kraken'), frames: recorded, speed: 'max' });
    const router = new SnapshotRouter();
    const engine = new Engine({
      sync: venueSync(venues),
      bus: new InProcessBus<OutputTopics>(),
      onSnapshotNeeded: router.handle,
    });
    const conn = new Connector({ adapter: venue('kraken'), engine, symbols, wsUrl: sim.wsUrl });
    router.add(conn);
    conn.start();
    try {
      await sim.finished;
      await waitFor(() => conn.stats.frames >= sim.stats.framesSent, 'every frame sent to arrive', 30_000);
      let checked = 0;
      for (const s of symbols) {
        const b = engine.books.get(`kraken:${s}`)!;
        expect(b.state).toBe('live');
        expect(b.health.counters.checksumFailures).toBe(0);
        expect(b.health.counters.checksumMatched).toBe(b.health.counters.checksumChecked);
        checked += b.health.counters.checksumChecked;
      }
      expect(checked).toBeGreaterThan(4000);
    } finally {
      await conn.stop();
      await sim.close();
    }
  }, 60_000);

  it('a dropped update is caught by the checksum and healed by an unsubscribe/subscribe snapshot', async () => {
    const recorded = await load();
    const sim = await Simulator.start({
      protocol: simProtocol('kraken'),
      frames: recorded,
      // Paced (the 30.5 s capture in ~3 s) so the resubscribe round trip lands well before the end.
      speed: 10,
      faults: { dropNth: [{ symbol: 'XMR/USD', n: 100 }] },
    });
    const router = new SnapshotRouter();
    const engine = new Engine({
      sync: venueSync(venues),
      bus: new InProcessBus<OutputTopics>(),
      onSnapshotNeeded: router.handle,
    });
    const conn = new Connector({ adapter: venue('kraken'), engine, symbols: ['XMR/USD'], wsUrl: sim.wsUrl });
    router.add(conn);
    conn.start();
    try {
      await sim.finished;
      await waitFor(() => conn.stats.frames >= sim.stats.framesSent, 'every frame sent to arrive', 30_000);
      const b = engine.books.get('kraken:XMR/USD')!;
      const c = b.health.counters;
      expect(sim.faults.drop).toBe(1);
      expect(c.checksumFailures).toBe(1);
      expect(c.resyncs).toBe(1);
      expect(conn.stats.resubscribes).toBe(1);
      expect(c.snapshots).toBe(2);
      expect(b.state).toBe('live');
      expect(c.checksumMatched).toBe(c.checksumChecked - 1);
      expect(c.checksumMatched).toBeGreaterThan(600);
    } finally {
      await conn.stop();
      await sim.close();
    }
  }, 60_000);
});
