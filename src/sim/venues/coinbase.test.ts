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
import { CoinbaseParser } from '../../feeds/coinbase/parser.ts';
import type { OutputTopics } from '../../alerts/topics.ts';

const DIR = '../shared/data/cryptofeed/coinbase-2021-04';

async function load(): Promise<RecordedFrame[]> {
  const out: RecordedFrame[] = [];
  for await (const f of await openRecording([DIR])) out.push(f);
  return out;
}

describe('Coinbase simulator protocol', () => {
  it('routes legacy and Advanced Trade frames and answers both subscribe forms', () => {
    const p = simProtocol('coinbase');
    expect(
      p.route('{"type":"l2update","product_id":"SKL-BTC","changes":[["sell","0.1","1"]],"time":"t"}'),
    ).toEqual({
      topic: 'level2:SKL-BTC',
      symbol: 'SKL-BTC',
      depth: true,
    });
    expect(
      p.route('{"type":"match","trade_id":1,"side":"sell","size":"1","price":"1","product_id":"SKL-USD"}')
        ?.topic,
    ).toBe('matches:SKL-USD');
    expect(
      p.route(
        '{"channel":"l2_data","sequence_num":3,"events":[{"type":"update","product_id":"BTC-USD","updates":[]}]}',
      )?.topic,
    ).toBe('level2:BTC-USD');
    expect(p.route('{"type":"subscriptions","channels":[]}')).toBeNull();
    const at = p.onMessage('{"type":"subscribe","product_ids":["BTC-USD"],"channel":"market_trades"}');
    expect(at.subscribe).toEqual(['matches:BTC-USD']);
    const legacy = p.onMessage('{"type":"subscribe","product_ids":["A-B"],"channels":["level2","matches"]}');
    expect(legacy.subscribe).toEqual(['level2:A-B', 'matches:A-B']);
    expect(JSON.parse(legacy.replies![0]!).type).toBe('subscriptions');
    expect(p.onMessage('{"type":"subscribe","product_ids":["A-B"],"channel":"full"}').replies![0]).toContain(
      '"type":"error"',
    );
  });

  it('a late subscriber gets a snapshot that the following l2updates continue without crossing', async () => {
    const all = (await load()).filter((f) => f.kind === 'ws');
    const p = simProtocol('coinbase');
    const half = Math.floor(all.length / 2);
    for (const f of all.slice(0, half)) p.observe(f);
    const [snap] = p.onSubscribed!(['level2:SKL-USD']);
    const engine = new Engine({ sync: venueSync(venues), bus: new InProcessBus<OutputTopics>() });
    const parser = new CoinbaseParser();
    engine.handleFrame('coinbase', parser, snap!, 0);
    let n = 0;
    for (const f of all.slice(half))
      if (p.route(f.text)?.topic === 'level2:SKL-USD') {
        engine.handleFrame('coinbase', parser, f.text, 0);
        n++;
      }
    const b = engine.books.get('coinbase:SKL-USD')!;
    expect(b.state).toBe('live');
    expect(b.health.counters.deltasApplied).toBe(n);
    expect(b.health.counters.crossedBooks).toBe(0);
    const upd = all.find((f) => f.text.startsWith('{"type":"l2update"'))!.text;
    expect(p.corruptLevel(upd, () => 0.2)).not.toBe(upd);
  });

  it('serves coinbase-2021-04 over loopback to the live connector (Advanced Trade client): 10 books live, none crossed', async () => {
    const recorded = await load();
    const products = [
      ...new Set(
        recorded
          .map((f) => /^\{"type":"snapshot","product_id":"([^"]+)"/.exec(f.text)?.[1])
          .filter((s) => s !== undefined),
      ),
    ];
    expect(products).toHaveLength(10);
    const sim = await Simulator.start({ protocol: simProtocol('coinbase'), frames: recorded, speed: 'max' });
    const router = new SnapshotRouter();
    const engine = new Engine({
      sync: venueSync(venues),
      bus: new InProcessBus<OutputTopics>(),
      onSnapshotNeeded: router.handle,
    });
    const conn = new Connector({ adapter: venue('coinbase'), engine, symbols: products, wsUrl: sim.wsUrl });
    router.add(conn);
    conn.start();
    try {
      await sim.finished;
      await waitFor(() => conn.stats.frames >= sim.stats.framesSent, 'every frame sent to arrive', 30_000);
      let applied = 0;
      for (const s of products) {
        const b = engine.books.get(`coinbase:${s}`)!;
        expect(b.state).toBe('live');
        expect(b.health.counters.crossedBooks).toBe(0);
        expect(b.health.counters.gaps).toBe(0);
        applied += b.health.counters.deltasApplied;
      }
      expect(applied).toBeGreaterThan(9000);
    } finally {
      await conn.stop();
      await sim.close();
    }
  }, 60_000);
});
