import { describe, expect, it } from 'vitest';
import { simProtocol } from '../protocols.ts';
import { Simulator } from '../simulator.ts';
import { Connector, SnapshotRouter } from '../../live/connector.ts';
import { Engine } from '../../pipeline/engine.ts';
import { InProcessBus } from '../../bus/in-process.ts';
import { venue, venues, venueSync } from '../../feeds/registry.ts';
import type { OutputTopics } from '../../alerts/topics.ts';
import { waitFor } from '../../../test/sim-fixtures.ts';
import { counters, expectLoopbackEqualsReplay } from '../../../test/venue-checks.ts';
import {
  bookImages,
  recordingFrames,
  replayRecording,
  simulatorRun,
} from '../../../test/venue-acceptance.ts';

const FILE = '../shared/data/hyperliquid-hftbacktest/btcusd_20250126.gz';

describe('Hyperliquid simulator protocol', () => {
  it('answers subscribe and ping, routes by channel and coin, sends the latest book on subscribe', async () => {
    const p = simProtocol('hyperliquid');
    const r = p.onMessage('{"method":"subscribe","subscription":{"type":"l2Book","coin":"BTC"}}');
    expect(r.subscribe).toEqual(['l2Book:BTC']);
    expect(JSON.parse(r.replies![0]!)).toEqual({
      channel: 'subscriptionResponse',
      data: { method: 'subscribe', subscription: { type: 'l2Book', coin: 'BTC' } },
    });
    expect(p.onMessage('{"method":"ping"}').replies).toEqual(['{"channel":"pong"}']);
    expect(p.onMessage('{"method":"subscribe"}').replies![0]).toContain('"channel":"error"');
    const frames = (await recordingFrames([FILE])).filter((f) => f.kind === 'ws');
    expect(p.route(frames[0]!.text)).toEqual({ topic: 'l2Book:BTC', symbol: 'BTC', depth: true });
    const trade = frames.find((f) => f.text.startsWith('{"channel":"trades"'))!;
    expect(p.route(trade.text)).toEqual({ topic: 'trades:BTC', symbol: 'BTC', depth: false });
    for (const f of frames.slice(0, 10)) p.observe(f);
    const lastBook = frames
      .slice(0, 10)
      .filter((f) => f.text.startsWith('{"channel":"l2Book"'))
      .at(-1)!;
    expect(p.onSubscribed!(['l2Book:BTC', 'trades:BTC'])).toEqual([lastBook.text]);
  });

  it('serves the recording over loopback: the book live and equal to the replay final book', async () => {
    await expectLoopbackEqualsReplay('hyperliquid', [FILE], ['BTC']);
  }, 60_000);

  it('a dropped book needs no resync (the next is whole); a corrupted one is dropped and the next verifies', async () => {
    const replayed = bookImages((await replayRecording([FILE])).engine);
    const run = await simulatorRun('hyperliquid', await recordingFrames([FILE]), ['BTC'], {
      faults: { dropNth: [{ symbol: 'BTC', n: 10 }], corruptNth: [{ symbol: 'BTC', n: 20 }] },
    });
    expect([run.sim.faults.drop, run.sim.faults.corrupt]).toEqual([1, 1]);
    const c = counters(run.engine).get('hyperliquid:BTC')!;
    expect([c.state, c.dropped, c.resyncs, c.gaps]).toEqual(['live', 1, 0, 0]);
    expect(c.snapshots).toBe(43); // 45 distinct blocks, one lost, one corrupted
    expect(bookImages(run.engine)).toEqual(replayed);
  }, 60_000);

  it("a crossed book resyncs that book by resubscribing; the venue's current book verifies again", async () => {
    const replayed = bookImages((await replayRecording([FILE])).engine);
    const sim = await Simulator.start({
      protocol: simProtocol('hyperliquid'),
      frames: await recordingFrames([FILE]),
      speed: 10,
    });
    const router = new SnapshotRouter();
    const engine = new Engine({
      sync: venueSync(venues),
      bus: new InProcessBus<OutputTopics>(),
      onSnapshotNeeded: router.handle,
    });
    const conn = new Connector({ adapter: venue('hyperliquid'), engine, symbols: ['BTC'], wsUrl: sim.wsUrl });
    router.add(conn);
    conn.start();
    try {
      const b = () => engine.books.get('hyperliquid:BTC');
      await waitFor(() => (b()?.health.counters.snapshots ?? 0) >= 5, 'five books');
      const time = b()!.health.sequence + 1;
      const level = (px: string) => [{ px, sz: '1', n: 1 }];
      sim.inject(
        JSON.stringify({
          channel: 'l2Book',
          data: { coin: 'BTC', time, levels: [level('200000.0'), level('100000.0')] },
        }),
      );
      await sim.finished;
      await waitFor(() => conn.stats.frames >= sim.stats.framesSent, 'every frame sent to arrive', 30_000);
      const c = counters(engine).get('hyperliquid:BTC')!;
      expect([c.state, c.crossedBooks, c.resyncs]).toEqual(['live', 1, 1]);
      expect(conn.stats.resubscribes).toBe(1);
      expect(b()!.health.lastResyncAt).not.toBeNull();
      expect(bookImages(engine)).toEqual(replayed);
    } finally {
      await conn.stop();
      await sim.close();
    }
  }, 60_000);
});
