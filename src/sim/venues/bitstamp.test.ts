/**
 * Bitstamp through the simulator to the live connector (issue 10 acceptance): the same final books as
 * replay; a corrupted diff resyncs exactly that pair from a fresh REST snapshot. A lost diff cannot be
 * seen on Bitstamp's wire (no update ids, no checksum): see feeds/bitstamp/descriptor.ts.
 */
import { describe, expect, it } from 'vitest';
import { simProtocol } from '../protocols.ts';
import {
  bookImages,
  recordingFrames,
  replayRecording,
  simulatorRun,
} from '../../../test/venue-acceptance.ts';

const DIR = '../shared/data/cryptofeed/bitstamp';

describe('Bitstamp simulator protocol', () => {
  it('routes channels, answers subscribe/unsubscribe/heartbeat, serves /api/v2/order_book/{pair}/', async () => {
    const p = simProtocol('bitstamp');
    expect(
      p.route(
        '{"data":{"microtimestamp":"1","bids":[],"asks":[]},"channel":"diff_order_book_ethusd","event":"data"}',
      ),
    ).toEqual({
      topic: 'diff_order_book_ethusd',
      symbol: 'ethusd',
      depth: true,
    });
    expect(
      p.route('{"event":"bts:subscription_succeeded","channel":"diff_order_book_ethusd","data":{}}'),
    ).toBeNull();
    const r = p.onMessage('{"event":"bts:subscribe","data":{"channel":"live_trades_ethusd"}}');
    expect(r.subscribe).toEqual(['live_trades_ethusd']);
    expect(JSON.parse(r.replies![0]!).event).toBe('bts:subscription_succeeded');
    expect(p.onMessage('{"event":"bts:subscribe","data":{"channel":"nope"}}').replies![0]).toContain(
      'bts:error',
    );
    const frames = await recordingFrames([DIR]);
    p.preload!(frames);
    for (const f of frames) p.observe(f);
    const res = p.http(new URL('http://x/api/v2/order_book/ethusd/'), false);
    expect(res && 'body' in res && JSON.parse(res.body).microtimestamp).toMatch(/^\d{16}$/);
    expect(p.http(new URL('http://x/api/v2/order_book/nope/'), false)).toMatchObject({ status: 404 });
  });

  it('serves the recording to the live connector: every book live and equal to the replay books', async () => {
    const replay = await replayRecording([DIR]);
    // A pair whose diff channel stayed silent (sgbeur: its REST snapshot only) gets no book live: the
    // connector asks for a snapshot on the first diff.
    const want = new Map(
      [...bookImages(replay.engine)].filter(
        ([id]) => replay.engine.books.get(id)!.health.counters.frames > 1,
      ),
    );
    expect(want.size).toBe(9);
    const symbols = [...want.keys()].map((id) => id.split(':')[1]!);
    const run = await simulatorRun('bitstamp', await recordingFrames([DIR]), symbols);
    let applied = 0;
    for (const [id, image] of want) {
      const b = run.engine.books.get(id)!;
      const c = b.health.counters;
      expect(b.state, id).toBe('live');
      expect([c.gaps, c.crossedBooks, c.dropped], id).toEqual([0, 0, 0]);
      expect(b.book.topStrings(1_000_000), id).toEqual(image);
      applied += c.deltasApplied;
    }
    console.log(`Bitstamp sim → connector: ${want.size} books equal to replay, ${applied} diffs applied`);
  }, 60_000);

  it('a corrupted diff resyncs exactly that pair from a fresh snapshot; the others stay live', async () => {
    const symbols = ['ethusd', 'batbtc', 'usdteur'];
    const run = await simulatorRun('bitstamp', await recordingFrames([DIR]), symbols, {
      faults: { corruptNth: [{ symbol: 'batbtc', n: 110 }] },
    });
    expect(run.sim.faults.corrupt).toBe(1);
    for (const s of symbols) {
      const id = `bitstamp:${s}`;
      const b = run.engine.books.get(id)!;
      const c = b.health.counters;
      expect(b.state, id).toBe('live');
      if (s === 'batbtc') {
        expect(c.resyncs, id).toBe(1);
        expect(c.snapshots, id).toBe(2);
        expect(run.states.get(id), id).toContain('resyncing');
      } else {
        expect([c.resyncs, c.snapshots], id).toEqual([0, 1]);
        expect(run.states.get(id), id).not.toContain('resyncing');
      }
    }
  }, 60_000);
});
