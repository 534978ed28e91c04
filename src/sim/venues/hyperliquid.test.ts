import { describe, expect, it } from 'vitest';
import { simProtocol } from '../protocols.ts';
import { waitFor } from '../../../test/sim-fixtures.ts';
import {
  bookImages,
  counters,
  loopback,
  recordedFrames,
  replayRecording,
} from '../../../test/venue-loopback.ts';

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
    const frames = (await recordedFrames([FILE])).filter((f) => f.kind === 'ws');
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
    const replayed = bookImages(await replayRecording([FILE]));
    const lb = await loopback('hyperliquid', await recordedFrames([FILE]), ['BTC']);
    try {
      await lb.finish();
      expect(bookImages(lb.engine)).toEqual(replayed);
      const c = counters(lb.engine).get('hyperliquid:BTC')!;
      expect([c.state, c.gaps, c.resyncs, c.crossedBooks, c.dropped]).toEqual(['live', 0, 0, 0, 0]);
    } finally {
      await lb.close();
    }
  }, 60_000);

  it('a dropped book needs no resync (the next is whole); a corrupted one is dropped and the next verifies', async () => {
    const replayed = bookImages(await replayRecording([FILE]));
    const lb = await loopback('hyperliquid', await recordedFrames([FILE]), ['BTC'], {
      faults: { dropNth: [{ symbol: 'BTC', n: 10 }], corruptNth: [{ symbol: 'BTC', n: 20 }] },
    });
    try {
      await lb.finish();
      expect([lb.sim.faults.drop, lb.sim.faults.corrupt]).toEqual([1, 1]);
      const c = counters(lb.engine).get('hyperliquid:BTC')!;
      expect([c.state, c.dropped, c.resyncs, c.gaps]).toEqual(['live', 1, 0, 0]);
      expect(c.snapshots).toBe(43); // 45 distinct blocks, one lost, one corrupted
      expect(bookImages(lb.engine)).toEqual(replayed);
    } finally {
      await lb.close();
    }
  }, 60_000);

  it("a crossed book resyncs that book by resubscribing; the venue's current book verifies again", async () => {
    const replayed = bookImages(await replayRecording([FILE]));
    const lb = await loopback('hyperliquid', await recordedFrames([FILE]), ['BTC'], { speed: 10 });
    try {
      const b = () => lb.engine.books.get('hyperliquid:BTC');
      await waitFor(() => (b()?.health.counters.snapshots ?? 0) >= 5, 'five books');
      const seq = b()!.health.sequence;
      lb.sim.inject(
        JSON.stringify({
          channel: 'l2Book',
          data: {
            coin: 'BTC',
            time: seq + 1,
            levels: [[{ px: '200000.0', sz: '1', n: 1 }], [{ px: '100000.0', sz: '1', n: 1 }]],
          },
        }),
      );
      await lb.finish(300);
      const c = counters(lb.engine).get('hyperliquid:BTC')!;
      expect([c.state, c.crossedBooks, c.resyncs]).toEqual(['live', 1, 1]);
      expect(lb.conn.stats.resubscribes).toBe(1);
      expect(b()!.health.lastResyncAt).not.toBeNull();
      expect(bookImages(lb.engine)).toEqual(replayed);
    } finally {
      await lb.close();
    }
  }, 60_000);
});
