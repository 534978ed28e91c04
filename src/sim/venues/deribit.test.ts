import { describe, expect, it } from 'vitest';
import { simProtocol } from '../protocols.ts';
import {
  bookImages,
  counters,
  loopback,
  recordedFrames,
  replayRecording,
} from '../../../test/venue-loopback.ts';

const DIR = '../shared/data/cryptofeed/deribit';
const SYMBOLS = [
  'BTC-24SEP21-8000-P',
  'BTC-30JUL21-24000-P',
  'ETH-30JUL21-2800-C',
  'BTC-31DEC21-34000-P',
  'BTC-24SEP21-34000-P',
  'BTC-24JUN22-15000-C',
  'BTC-31DEC21-300000-C',
  'ETH-27AUG21-4000-P',
  'BTC-25MAR22-30000-C',
  'ETH-23JUL21-2300-C',
];

describe('Deribit simulator protocol', () => {
  it('answers JSON-RPC requests by id and routes notifications by channel without the interval', () => {
    const p = simProtocol('deribit');
    const r = p.onMessage(
      '{"jsonrpc":"2.0","id":7,"method":"public/subscribe","params":{"channels":["book.BTC-PERPETUAL.100ms","trades.BTC-PERPETUAL.100ms"]}}',
    );
    expect(r.subscribe).toEqual(['book.BTC-PERPETUAL', 'trades.BTC-PERPETUAL']);
    expect(JSON.parse(r.replies![0]!)).toMatchObject({
      id: 7,
      result: ['book.BTC-PERPETUAL.100ms', 'trades.BTC-PERPETUAL.100ms'],
    });
    expect(
      JSON.parse(p.onMessage('{"jsonrpc":"2.0","id":8,"method":"public/test","params":{}}').replies![0]!),
    ).toMatchObject({
      id: 8,
      result: { version: expect.any(String) },
    });
    expect(
      JSON.parse(p.onMessage('{"jsonrpc":"2.0","id":9,"method":"private/buy"}').replies![0]!),
    ).toMatchObject({
      id: 9,
      error: { code: -32601 },
    });
    expect(
      p.route('{"jsonrpc":"2.0","method":"subscription","params":{"channel":"book.X-1.raw","data":{}}}'),
    ).toEqual({
      topic: 'book.X-1',
      symbol: 'X-1',
      depth: true,
    });
    expect(p.route('{"jsonrpc":"2.0","id":0,"result":["book.X.raw"]}')).toBeNull();
    expect(p.open(new URL('ws://h/ws/api/v2')).ok).toBe(true);
    expect(p.open(new URL('ws://h/realtime')).ok).toBe(false);
  });

  it('serves the recording over loopback: every book live and equal to the replay final book', async () => {
    const replayed = bookImages(await replayRecording([DIR]));
    const lb = await loopback('deribit', await recordedFrames([DIR]), SYMBOLS);
    try {
      await lb.finish();
      const live = bookImages(lb.engine);
      expect(live.size).toBe(10);
      for (const [id, img] of replayed) expect(live.get(id), id).toEqual(img);
      for (const [, c] of counters(lb.engine))
        expect([c.state, c.gaps, c.resyncs, c.crossedBooks]).toEqual(['live', 0, 0, 0]);
    } finally {
      await lb.close();
    }
  }, 60_000);

  for (const fault of ['dropNth', 'corruptNth'] as const)
    it(`a ${fault === 'dropNth' ? 'dropped' : 'corrupted'} change resyncs exactly that book, which verifies again`, async () => {
      const replayed = bookImages(await replayRecording([DIR]));
      const lb = await loopback('deribit', await recordedFrames([DIR]), SYMBOLS, {
        speed: 20,
        faults: { [fault]: [{ symbol: 'BTC-24SEP21-8000-P', n: 5 }] },
      });
      try {
        await lb.finish(300);
        expect(lb.sim.faults[fault === 'dropNth' ? 'drop' : 'corrupt']).toBe(1);
        const c = counters(lb.engine);
        for (const [id, x] of c) {
          const hit = id === 'deribit:BTC-24SEP21-8000-P';
          expect([id, x.state, x.resyncs]).toEqual([id, 'live', hit ? 1 : 0]);
          if (hit) {
            expect(fault === 'dropNth' ? x.gaps : x.dropped).toBe(1);
            expect(x.snapshots).toBe(2);
            expect(x.deltasApplied).toBeGreaterThan(15);
          }
        }
        expect(lb.conn.stats.resubscribes).toBe(1);
        const live = bookImages(lb.engine);
        for (const [id, img] of replayed) expect(live.get(id), id).toEqual(img);
      } finally {
        await lb.close();
      }
    }, 60_000);
});
