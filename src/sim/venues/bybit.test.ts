import { readFileSync } from 'node:fs';
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
import { BybitParser } from '../../feeds/bybit/parser.ts';
import { bybitTopic } from './bybit.ts';
import type { OutputTopics } from '../../alerts/topics.ts';

const V5 = '../shared/data/bybit-v5/2024-12-01_XRPUSDT_ob500.data';
const V1 = '../shared/data/cryptofeed/bybit-2021-04';

describe('Bybit simulator protocol', () => {
  it('normalizes v5 and v1 topics and answers subscribe and ping like Bybit', () => {
    expect(bybitTopic('orderbook.500.XRPUSDT')).toEqual({
      topic: 'book:XRPUSDT',
      symbol: 'XRPUSDT',
      depth: true,
    });
    expect(bybitTopic('orderBookL2_25.BTCUSD')?.topic).toBe('book:BTCUSD');
    expect(bybitTopic('publicTrade.BTCUSDT')).toMatchObject({ topic: 'trade:BTCUSDT', depth: false });
    expect(bybitTopic('kline.1.BTCUSDT')).toBeNull();
    const p = simProtocol('bybit');
    const r = p.onMessage(
      '{"op":"subscribe","args":["orderbook.50.BTCUSDT","publicTrade.BTCUSDT"],"req_id":"7"}',
    );
    expect(r.subscribe).toEqual(['book:BTCUSDT', 'trade:BTCUSDT']);
    expect(JSON.parse(r.replies![0]!)).toMatchObject({ success: true, op: 'subscribe', req_id: '7' });
    expect(JSON.parse(p.onMessage('{"op":"ping"}').replies![0]!)).toMatchObject({ ret_msg: 'pong' });
    expect(JSON.parse(p.onMessage('{"op":"subscribe","args":["kline.1.X"]}').replies![0]!).success).toBe(
      false,
    );
    expect(p.open(new URL('ws://h/v5/public/linear')).ok).toBe(true);
    expect(p.open(new URL('ws://h/')).ok).toBe(false);
  });

  it('a late v5 subscriber gets a snapshot at the last u and the recorded deltas continue it without gaps', () => {
    const lines = readFileSync(V5, 'utf8')
      .split('\n')
      .filter((l) => l.length > 0);
    const frames: RecordedFrame[] = lines.map((text) => ({
      kind: 'ws',
      localTs: (JSON.parse(text) as { ts: number }).ts,
      text,
    }));
    const p = simProtocol('bybit');
    for (const f of frames.slice(0, 20)) p.observe(f);
    const [snap] = p.onSubscribed!(['book:XRPUSDT']);
    expect(JSON.parse(snap!)).toMatchObject({
      topic: 'orderbook.500.XRPUSDT',
      type: 'snapshot',
      data: { u: 20254888 },
    });
    const engine = new Engine({ sync: venueSync(venues), bus: new InProcessBus<OutputTopics>() });
    const parser = new BybitParser();
    engine.handleFrame('bybit-linear', parser, snap!, 0);
    for (const f of frames.slice(20)) engine.handleFrame('bybit-linear', parser, f.text, f.localTs);
    const b = engine.books.get('bybit-linear:XRPUSDT')!;
    expect([b.health.counters.deltasApplied, b.health.counters.gaps, b.health.counters.crossedBooks]).toEqual(
      [30, 0, 0],
    );
    expect(b.health.sequence).toBe(20254918);
    expect(p.corruptLevel(frames[1]!.text, () => 0.3)).not.toBeNull();
  });

  it('serves the bybit-2021-04 (v1) recording over loopback to the live connector: every book live, none crossed', async () => {
    const recorded: RecordedFrame[] = [];
    for await (const f of await openRecording([V1])) recorded.push(f);
    const symbols = [
      ...new Set(
        recorded
          .map((f) => /"topic":"orderBookL2_25\.(\w+)"/.exec(f.text)?.[1])
          .filter((s) => s !== undefined),
      ),
    ];
    expect(symbols.length).toBe(10);
    const sim = await Simulator.start({ protocol: simProtocol('bybit'), frames: recorded, speed: 'max' });
    const router = new SnapshotRouter();
    const engine = new Engine({
      sync: venueSync(venues),
      bus: new InProcessBus<OutputTopics>(),
      onSnapshotNeeded: router.handle,
    });
    const conn = new Connector({ adapter: venue('bybit'), engine, symbols, wsUrl: sim.wsUrl });
    router.add(conn);
    conn.start();
    try {
      await sim.finished;
      await waitFor(() => conn.stats.frames >= sim.stats.framesSent, 'every frame sent to arrive', 30_000);
      for (const s of symbols) {
        const b = engine.books.get(`bybit-linear:${s}`)!;
        expect(b.state).toBe('live');
        expect(b.health.counters.crossedBooks).toBe(0);
        expect(b.health.counters.deltasApplied).toBeGreaterThan(0);
      }
    } finally {
      await conn.stop();
      await sim.close();
    }
  }, 60_000);
});
