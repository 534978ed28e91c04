import { describe, expect, it } from 'vitest';
import { simProtocol } from '../protocols.ts';
import { expectLoopbackEqualsReplay, expectOnlyThatBookResyncs } from '../../../test/venue-checks.ts';
import { bookImages, recordingFrames, replayRecording } from '../../../test/venue-acceptance.ts';
import type { RecordedFrame } from '../../recording/types.ts';
import { Engine } from '../../pipeline/engine.ts';
import { InProcessBus } from '../../bus/in-process.ts';
import { venue, venues, venueSync } from '../../feeds/registry.ts';
import type { OutputTopics } from '../../alerts/topics.ts';

const DIR = '../shared/data/cryptofeed/bitmex';
const SYMBOLS = [
  'XRPU21',
  'UNIUSDT',
  'XBTUSD',
  'ADAUSDT',
  'SOLUSDT',
  'TRXU21',
  'EOSUSDT',
  'TRXUSDT',
  'BCHUSD',
  'MATICUSDT',
];

/**
 * The 1-based number (among `symbol`'s orderBookL2 frames, as the simulator counts them) of the first
 * `action` frame whose ids a later update or delete refers to: dropping it must surface as a gap.
 */
function referencedLater(frames: readonly RecordedFrame[], symbol: string, action: string): number {
  const p = simProtocol('bitmex');
  const book = frames.filter(
    (f) => f.kind === 'ws' && p.route(f.text)?.depth && p.route(f.text)?.symbol === symbol,
  );
  const rows = book.map((f) => JSON.parse(f.text) as { action: string; data: { id: number }[] });
  for (let i = 1; i < rows.length; i++) {
    if (rows[i]!.action !== action) continue;
    const ids = new Set(rows[i]!.data.map((r) => r.id));
    if (rows.slice(i + 1).some((r) => r.action !== 'insert' && r.data.some((x) => ids.has(x.id))))
      return i + 1;
  }
  throw new Error(`no ${action} of ${symbol} referenced later`);
}

describe('BitMEX simulator protocol', () => {
  it('acks subscribe per topic, answers ping, routes partials by filter and changes by row symbol', () => {
    const p = simProtocol('bitmex');
    const r = p.onMessage('{"op":"subscribe","args":["orderBookL2:XBTUSD","trade:XBTUSD"]}');
    expect(r.subscribe).toEqual(['orderBookL2:XBTUSD', 'trade:XBTUSD']);
    expect(JSON.parse(r.replies![0]!)).toMatchObject({ success: true, subscribe: 'orderBookL2:XBTUSD' });
    expect(p.onMessage('ping').replies).toEqual(['pong']);
    expect(JSON.parse(p.onMessage('{"op":"authKey"}').replies![0]!)).toMatchObject({ status: 400 });
    expect(
      p.route(
        '{"table":"orderBookL2","action":"partial","keys":[],"types":{"symbol":"symbol"},"filter":{"symbol":"XBTUSD"},"data":[]}',
      ),
    ).toEqual({ topic: 'orderBookL2:XBTUSD', symbol: 'XBTUSD', depth: true });
    expect(
      p.route('{"table":"trade","action":"insert","data":[{"timestamp":"x","symbol":"XBTUSD"}]}')?.topic,
    ).toBe('trade:XBTUSD');
    expect(p.route('{"success":true,"subscribe":"trade:XBTUSD"}')).toBeNull();
    expect(p.open(new URL('ws://h/realtime?subscribe=orderBookL2:XBTUSD'))).toEqual({
      ok: true,
      topics: ['orderBookL2:XBTUSD'],
    });
  });

  it('a late subscriber gets a partial of the held ids, and the recorded changes continue it', async () => {
    const frames = await recordingFrames([DIR]);
    const p = simProtocol('bitmex');
    const half = Math.floor(frames.length / 2);
    for (const f of frames.slice(0, half)) p.observe(f);
    const [text] = p.onSubscribed!(['orderBookL2:XBTUSD', 'trade:XBTUSD']);
    const partial = JSON.parse(text!) as { action: string; data: { id: number; timestamp: string }[] };
    expect(partial.action).toBe('partial');
    expect(partial.data.length).toBeGreaterThan(100);
    expect(partial.data[0]!.timestamp).toMatch(/^2021-07-22T/);
    const engine = new Engine({ sync: venueSync(venues), bus: new InProcessBus<OutputTopics>() });
    const parser = venue('bitmex').createParser();
    engine.handleFrame('bitmex', parser, text!, 0);
    for (const f of frames.slice(half))
      if (p.route(f.text)?.topic === 'orderBookL2:XBTUSD')
        engine.handleFrame('bitmex', parser, f.text, f.localTs);
    const b = engine.books.get('bitmex:XBTUSD')!;
    expect([b.state, b.health.counters.gaps, b.health.counters.dropped]).toEqual(['live', 0, 0]);
    expect(b.health.counters.deltasApplied).toBeGreaterThan(500);
    expect(bookImages(engine).get('bitmex:XBTUSD')).toEqual(
      bookImages((await replayRecording([DIR])).engine).get('bitmex:XBTUSD'),
    );
  });

  it('serves the recording over loopback: every book live and equal to the replay final book', async () => {
    await expectLoopbackEqualsReplay('bitmex', [DIR], SYMBOLS);
  }, 60_000);

  it('a dropped insert surfaces as a gap on the later update of its id: only XBTUSD resyncs, then matches again', async () => {
    const n = referencedLater(await recordingFrames([DIR]), 'XBTUSD', 'insert');
    const x = await expectOnlyThatBookResyncs('bitmex', [DIR], SYMBOLS, 'dropNth', 'XBTUSD', n, 10);
    expect([x.gaps, x.snapshots, x.resubscribes]).toEqual([1, 2, 1]);
  }, 60_000);

  it('a corrupted update resyncs exactly that book, which verifies again', async () => {
    const n = referencedLater(await recordingFrames([DIR]), 'XBTUSD', 'update');
    const x = await expectOnlyThatBookResyncs('bitmex', [DIR], SYMBOLS, 'corruptNth', 'XBTUSD', n, 10);
    expect([x.gaps + x.dropped, x.snapshots, x.resubscribes]).toEqual([1, 2, 1]);
  }, 60_000);
});
