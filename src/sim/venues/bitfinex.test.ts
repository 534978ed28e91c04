/**
 * Bitfinex through the simulator to the live connector (issue 10 acceptance), today's protocol from the
 * 2021-04 capture: the client asks for SEQ_ALL + OB_CHECKSUM, the simulator numbers each connection's
 * messages itself and sends a checksum after every book change. Final books equal replay's, every
 * checksum verifies; a dropped or corrupted update makes exactly that book fail its next checksum,
 * resync (unsubscribe by chanId, subscribe) and verify again.
 */
import { describe, expect, it } from 'vitest';
import { simProtocol } from '../protocols.ts';
import { BitfinexParser } from '../../feeds/bitfinex/parser.ts';
import type { SimSession } from '../types.ts';
import { Engine } from '../../pipeline/engine.ts';
import { InProcessBus } from '../../bus/in-process.ts';
import { venues, venueSync } from '../../feeds/registry.ts';
import type { OutputTopics } from '../../alerts/topics.ts';
import {
  bookImages,
  recordingFrames,
  replayRecording,
  simulatorRun,
} from '../../../test/venue-acceptance.ts';

const DIR = '../shared/data/cryptofeed/bitfinex-2021-04';
const SYMBOLS = ['tDOGUSD', 'tIOTETH', 'tMNABTC', 'tODEUSD', 'tSNGUSD', 'tTESTBTC:TESTUSD', 'tBFTUSD'];

describe('Bitfinex simulator protocol', () => {
  it('renumbers per connection and adds checksum messages as the conf flags ask', async () => {
    const p = simProtocol('bitfinex');
    const frames = await recordingFrames([DIR]);
    p.preload!(frames);
    const s1: SimSession = { id: 1, topics: new Set() };
    const s2: SimSession = { id: 2, topics: new Set() };
    expect(JSON.parse(p.onMessage('{"event":"conf","flags":196608}', s1).replies![0]!)).toEqual({
      event: 'conf',
      status: 'OK',
      flags: 196608,
    });
    const sub = p.onMessage(
      '{"event":"subscribe","channel":"book","symbol":"tDOGUSD","prec":"P0","len":"100"}',
      s1,
    );
    expect(sub.subscribe).toEqual(['book:tDOGUSD']);
    expect(JSON.parse(sub.replies![0]!)).toMatchObject({
      event: 'subscribed',
      chanId: 225206,
      symbol: 'tDOGUSD',
    });
    expect(
      p.onMessage('{"event":"subscribe","channel":"book","symbol":"tDOGUSD"}', s1).replies![0],
    ).toContain('dup');
    const update = frames.find((f) => f.text.startsWith('[225206,[2'))!;
    for (const f of frames) {
      p.observe(f);
      if (f === update) break;
    }
    const out = p.outgoing!(update.text, s1) as string[];
    expect(out).toHaveLength(2);
    expect(out[0]!.endsWith(',1]')).toBe(true);
    expect(out[1]).toMatch(/^\[225206,"cs",-?\d+,2\]$/);
    // A connection without flags gets no numbers and no checksums.
    expect(p.outgoing!(update.text, s2)).toEqual([update.text.slice(0, update.text.lastIndexOf(',')) + ']']);
    const un = p.onMessage('{"event":"unsubscribe","chanId":225206}', s1);
    expect(un.unsubscribe).toEqual(['book:tDOGUSD']);
  });

  it('a snapshot on subscribe continues with the recorded updates and verifies every checksum', async () => {
    const frames = await recordingFrames([DIR]);
    const p = simProtocol('bitfinex');
    p.preload!(frames);
    const s: SimSession = { id: 1, topics: new Set() };
    const parser = new BitfinexParser();
    const engine = new Engine({ sync: venueSync(venues), bus: new InProcessBus<OutputTopics>() });
    const feed = (t: string): void => {
      for (const x of [p.outgoing!(t, s)].flat()) engine.handleFrame('bitfinex', parser, x, 0);
    };
    const half = Math.floor(frames.length / 2);
    for (const f of frames.slice(0, half)) p.observe(f);
    feed(p.onMessage('{"event":"conf","flags":196608}', s).replies![0]!);
    feed(
      p.onMessage('{"event":"subscribe","channel":"book","symbol":"tIOTETH","prec":"P0","len":"100"}', s)
        .replies![0]!,
    );
    for (const t of p.onSubscribed!(['book:tIOTETH'])) feed(t);
    for (const f of frames.slice(half)) {
      p.observe(f);
      if (p.route(f.text)?.topic === 'book:tIOTETH') feed(f.text);
    }
    const c = engine.books.get('bitfinex:tIOTETH')!.health.counters;
    expect(engine.books.get('bitfinex:tIOTETH')!.state).toBe('live');
    expect(c.checksumChecked).toBeGreaterThan(300);
    expect(c.checksumMatched).toBe(c.checksumChecked);
  });

  it('serves the capture to the live connector: 7 books live, equal to replay, every checksum verified', async () => {
    const replay = await replayRecording([DIR]);
    const want = bookImages(replay.engine);
    const run = await simulatorRun('bitfinex', await recordingFrames([DIR]), SYMBOLS);
    let checked = 0;
    for (const [id, image] of want) {
      const b = run.engine.books.get(id)!;
      const c = b.health.counters;
      expect(b.state, id).toBe('live');
      expect([c.gaps, c.crossedBooks, c.dropped, c.checksumFailures], id).toEqual([0, 0, 0, 0]);
      expect(c.checksumMatched, id).toBe(c.checksumChecked);
      expect(b.book.topStrings(1_000_000), id).toEqual(image);
      checked += c.checksumChecked;
    }
    console.log(
      `Bitfinex sim → connector: 7 books equal to replay, ${checked}/${checked} checksums verified`,
    );
    expect(checked).toBeGreaterThan(1000);
  }, 60_000);

  for (const fault of ['drop', 'corrupt'] as const) {
    it(`a ${fault === 'drop' ? 'dropped' : 'corrupted'} update resyncs exactly that book, which verifies again`, async () => {
      const victim = 'tMNABTC';
      const run = await simulatorRun('bitfinex', await recordingFrames([DIR]), SYMBOLS, {
        faults:
          fault === 'drop'
            ? { dropNth: [{ symbol: victim, n: 100 }] }
            : { corruptNth: [{ symbol: victim, n: 100 }] },
      });
      expect(run.sim.faults[fault]).toBe(1);
      for (const s of SYMBOLS) {
        const id = `bitfinex:${s}`;
        const b = run.engine.books.get(id)!;
        const c = b.health.counters;
        expect(b.state, id).toBe('live');
        if (s === victim) {
          expect([c.checksumFailures, c.resyncs, c.snapshots], id).toEqual([1, 1, 2]);
          expect(c.checksumMatched, id).toBe(c.checksumChecked - 1);
          expect(run.states.get(id), id).toContain('resyncing');
        } else {
          expect([c.checksumFailures, c.resyncs], id).toEqual([0, 0]);
          expect(c.checksumMatched, id).toBe(c.checksumChecked);
          expect(run.states.get(id), id).not.toContain('resyncing');
        }
      }
      expect(run.conn.stats.resubscribes).toBe(1);
    }, 60_000);
  }
});
