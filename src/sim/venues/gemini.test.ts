/**
 * Gemini through the simulator to the live connector (issue 10 acceptance): the same final books as
 * replay; a corrupted update resyncs exactly that symbol (resubscribe → a fresh whole book). Gemini v2
 * has neither sequence numbers nor a checksum, so a lost update cannot be seen on its wire.
 */
import { describe, expect, it } from 'vitest';
import { simProtocol } from '../protocols.ts';
import {
  bookImages,
  recordingFrames,
  replayRecording,
  simulatorRun,
} from '../../../test/venue-acceptance.ts';

const DIR = '../shared/data/cryptofeed/gemini';

describe('Gemini simulator protocol', () => {
  it('routes l2_updates/trade/heartbeat and answers v2 subscriptions', () => {
    const p = simProtocol('gemini');
    expect(p.route('{"type":"l2_updates","symbol":"BTCUSD","changes":[]}')).toEqual({
      topic: 'l2:BTCUSD',
      symbol: 'BTCUSD',
      depth: true,
    });
    expect(p.route('{"type":"trade","symbol":"BTCUSD","event_id":1}')).toMatchObject({
      topic: 'l2:BTCUSD',
      depth: false,
    });
    expect(p.route('{"type":"heartbeat","timestamp":1}')).toEqual({ topic: null, depth: false });
    expect(
      p.onMessage('{"type":"subscribe","subscriptions":[{"name":"l2","symbols":["btcusd","ETHUSD"]}]}')
        .subscribe,
    ).toEqual(['l2:BTCUSD', 'l2:ETHUSD']);
    expect(
      p.onMessage('{"type":"subscribe","subscriptions":[{"name":"candles_1m","symbols":["BTCUSD"]}]}')
        .replies![0],
    ).toContain('error');
    expect(p.open(new URL('ws://x/v1/marketdata'))).toMatchObject({ ok: false, status: 404 });
  });

  it('serves the recording to the live connector: 10 books live and equal to the replay books', async () => {
    const replay = await replayRecording([DIR]);
    const want = bookImages(replay.engine);
    const symbols = [...want.keys()].map((id) => id.split(':')[1]!);
    const run = await simulatorRun('gemini', await recordingFrames([DIR]), symbols);
    for (const [id, image] of want) {
      const b = run.engine.books.get(id)!;
      const c = b.health.counters;
      expect(b.state, id).toBe('live');
      expect([c.gaps, c.crossedBooks, c.dropped], id).toEqual([0, 0, 0]);
      expect(b.book.topStrings(1_000_000), id).toEqual(image);
    }
    expect(run.engine.books.size).toBe(10);
  }, 60_000);

  it('a corrupted update resyncs exactly that symbol; the others stay live', async () => {
    const symbols = ['FILUSD', 'BTCGBP', 'ANKRUSD'];
    const replay = await replayRecording([DIR]);
    const run = await simulatorRun('gemini', await recordingFrames([DIR]), symbols, {
      faults: { corruptNth: [{ symbol: 'BTCGBP', n: 50 }] },
    });
    expect(run.sim.faults.corrupt).toBe(1);
    for (const s of symbols) {
      const id = `gemini:${s}`;
      const b = run.engine.books.get(id)!;
      const c = b.health.counters;
      expect(b.state, id).toBe('live');
      expect(b.book.topStrings(1_000_000), id).toEqual(
        replay.engine.books.get(id)!.book.topStrings(1_000_000),
      );
      if (s === 'BTCGBP') {
        expect([c.resyncs, c.snapshots], id).toEqual([1, 2]);
        expect(run.states.get(id), id).toContain('resyncing');
      } else {
        expect([c.resyncs, c.snapshots], id).toEqual([0, 1]);
        expect(run.states.get(id), id).not.toContain('resyncing');
      }
    }
    expect(run.conn.stats.resubscribes).toBe(1);
  }, 60_000);
});
