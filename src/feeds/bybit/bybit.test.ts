import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { Engine } from '../../pipeline/engine.ts';
import { InProcessBus } from '../../bus/in-process.ts';
import { venues } from '../registry.ts';
import { bybit } from './descriptor.ts';
import { BybitParser, bybitGeneration } from './parser.ts';
import { parseBybitInstruments } from './instruments.ts';
import { readCryptofeed } from '../../recording/cryptofeed.ts';
import { newReaderStats } from '../../recording/stats.ts';
import type { RecordedFrame } from '../../recording/types.ts';
import { openRecording } from '../../recording/index.ts';
import { Replay } from '../../replay/index.ts';
import { venueSync } from '../registry.ts';
import type { OutputTopics } from '../../alerts/topics.ts';

/** Every frame of one cryptofeed file (X.0 metadata files included) through the project's reader. */
async function cryptofeedFrames(path: string): Promise<RecordedFrame[]> {
  const out: RecordedFrame[] = [];
  for await (const f of readCryptofeed(path, false, 'test', undefined, newReaderStats())) out.push(f);
  return out;
}
const V5 = '../shared/data/bybit-v5/2024-12-01_XRPUSDT_ob500.data';
const V1 = '../shared/data/cryptofeed/bybit-2021-04';

function newEngine(wanted: string[] = []): Engine {
  return new Engine({
    sync: venueSync(venues),
    bus: new InProcessBus<OutputTopics>(),
    onSnapshotNeeded: (i) => wanted.push(i),
  });
}

const delta = (u: number, b: string[][] = [], a: string[][] = []) =>
  JSON.stringify({
    topic: 'orderbook.50.BTCUSDT',
    type: 'delta',
    ts: 2,
    data: { s: 'BTCUSDT', b, a, u, seq: 9 },
  });

describe('Bybit v5 sample (orderbook.500.XRPUSDT) through the Engine', () => {
  it('applies 1 snapshot + 49 contiguous deltas with no gap and never crosses', () => {
    const engine = newEngine();
    const parser = bybit.createParser();
    const lines = readFileSync(V5, 'utf8')
      .split('\n')
      .filter((l) => l.length > 0);
    for (const line of lines) {
      // The sample has no local receive time: use the venue's `ts`.
      const ts = (JSON.parse(line) as { ts: number }).ts;
      engine.handleFrame('bybit-linear', parser, line, ts);
    }
    const b = engine.books.get('bybit-linear:XRPUSDT')!;
    const c = b.health.counters;
    console.log(
      `Bybit v5 XRPUSDT: snapshots=${c.snapshots} deltas=${c.deltasApplied} gaps=${c.gaps} crossed=${c.crossedBooks} seq=${b.health.sequence}`,
    );
    expect(engine.dropped).toEqual({});
    expect(lines).toHaveLength(50);
    expect([c.snapshots, c.deltasApplied, c.gaps, c.staleDeltas, c.crossedBooks, c.resyncs]).toEqual([
      1, 49, 0, 0, 0, 0,
    ]);
    expect(b.state).toBe('live');
    expect(b.health.sequence).toBe(20254918);
    expect(b.book.bids.length).toBeLessThanOrEqual(500);
    expect(b.book.bids.price(0)).toBeLessThan(b.book.asks.price(0));
  });
});

describe('Bybit v5 continuity', () => {
  it('a skipped u is a gap that asks for a resubscribe; u == 1 restarts the book', () => {
    const wanted: string[] = [];
    const engine = newEngine(wanted);
    const p = new BybitParser();
    engine.handleFrame(
      'bybit-linear',
      p,
      JSON.stringify({
        topic: 'orderbook.50.BTCUSDT',
        type: 'snapshot',
        ts: 1,
        data: { s: 'BTCUSDT', b: [['100', '1']], a: [['101', '1']], u: 10, seq: 5 },
      }),
      1,
    );
    engine.handleFrame('bybit-linear', p, delta(11, [['100', '2']]), 2);
    const b = engine.books.get('bybit-linear:BTCUSDT')!;
    expect(b.book.bids.size(0)).toBe(2);
    engine.handleFrame('bybit-linear', p, delta(13, [['100', '3']]), 3);
    expect(b.health.counters.gaps).toBe(1);
    expect(b.state).toBe('resyncing');
    expect(wanted).toEqual(['bybit-linear:BTCUSDT']);
    engine.handleFrame('bybit-linear', p, delta(1, [['99', '5']], [['102', '6']]), 4);
    expect(b.state).toBe('live');
    expect(b.book.bids.price(0)).toBe(99);
    expect(b.book.asks.price(0)).toBe(102);
    expect(bybit.resubscribe!('BTCUSDT').map((m) => JSON.parse(m).op)).toEqual(['unsubscribe', 'subscribe']);
  });

  it('parses publicTrade with the taker side and rejects malformed frames with typed errors', () => {
    const p = new BybitParser();
    const [t] = p.parse(
      '{"topic":"publicTrade.BTCUSDT","type":"snapshot","ts":1672304486868,"data":[{"T":1672304486865,"s":"BTCUSDT","S":"Sell","v":"0.001","p":"16578.50","L":"PlusTick","i":"20f43950-d8dd-5b31-9112-a178eb6023af","BT":false}]}',
      0,
    );
    expect(t).toMatchObject({
      type: 'trade',
      instrument: 'bybit-linear:BTCUSDT',
      side: 'sell',
      price: '16578.50',
      size: '0.001',
    });
    expect(p.parse('{"success":true,"ret_msg":"pong","conn_id":"x","op":"ping"}', 0)).toEqual([]);
    expect(() => p.parse('{"success":false,"ret_msg":"bad topic","op":"subscribe"}', 0)).toThrow(
      expect.objectContaining({ code: 'unsupported' }),
    );
    expect(() => p.parse('{"topic":"orderbook.50.X","type":"delta","data":{"u":-1}}', 0)).toThrow(
      expect.objectContaining({ code: 'invalid_field', instrument: 'bybit-linear:X' }),
    );
    expect(() => p.parse('{"topic":"kline.1.X","data":[]}', 0)).toThrow(
      expect.objectContaining({ code: 'unknown_stream' }),
    );
  });
});

describe('Bybit v1 recording bybit-2021-04 (orderBookL2_25) replayed (openRecording → Replay → Engine)', () => {
  it('rebuilds every book of both connections without crossing or dropped frames', async () => {
    let bookFrames = 0;
    for (const f of ['BYBIT.ws.25.0', 'BYBIT.ws.26.0'])
      for (const l of await cryptofeedFrames(`${V1}/${f}`))
        if (l.kind === 'ws' && l.text.includes('"topic":"orderBookL2_25.')) bookFrames++;
    const replay = new Replay(await openRecording([V1]));
    await replay.run();
    const engine = replay.engine;
    expect(engine.dropped).toEqual({});
    let applied = 0;
    let snapshots = 0;
    for (const [, b] of engine.books) {
      const c = b.health.counters;
      expect(c.crossedBooks).toBe(0);
      expect(c.resyncs).toBe(0);
      expect(b.state).toBe('live');
      expect(b.book.bids.length).toBeGreaterThan(0);
      expect(b.book.asks.length).toBeGreaterThan(0);
      applied += c.deltasApplied;
      snapshots += c.snapshots;
    }
    console.log(
      `Bybit v1 bybit-2021-04: ${engine.books.size} books, ${snapshots} snapshots, ${applied} deltas, 0 crossed`,
    );
    expect(snapshots + applied).toBe(bookFrames);
    expect(engine.books.size).toBeGreaterThanOrEqual(10);
  });

  it('parses the legacy symbols in BYBIT.0 and the v5 instruments-info shape', async () => {
    const rest = (await cryptofeedFrames(`${V1}/BYBIT.0`)).filter((l) => l.kind === 'rest');
    const all = rest.flatMap((l) => parseBybitInstruments(l.text));
    expect(all.find((i) => i.symbol === 'BTCUSD')).toMatchObject({
      tickSize: '0.5',
      lotSize: '1',
      minSize: '1',
    });
    const v5 = parseBybitInstruments(
      '{"retCode":0,"retMsg":"OK","result":{"category":"linear","list":[{"symbol":"XRPUSDT","status":"Trading","priceFilter":{"tickSize":"0.0001"},"lotSizeFilter":{"qtyStep":"1","minOrderQty":"1"}}]}}',
    );
    expect(v5).toEqual([
      {
        instrument: 'bybit:XRPUSDT',
        symbol: 'XRPUSDT',
        tickSize: '0.0001',
        lotSize: '1',
        minSize: '1',
        status: 'Trading',
      },
    ]);
    expect(() => parseBybitInstruments('{"retCode":10001,"retMsg":"params error"}')).toThrow(
      expect.objectContaining({ name: 'MalformedFrameError' }),
    );
  });
});

describe('Bybit generations (parser-v1.ts, parser-v5.ts)', () => {
  it('the 2021 recording is v1 by topic and its deltas are declared unsequenced; the v5 sample is v5 and sequenced', async () => {
    const p = new BybitParser();
    let v1Deltas = 0;
    for (const f of ['BYBIT.ws.25.0', 'BYBIT.ws.26.0'])
      for (const l of await cryptofeedFrames(`${V1}/${f}`)) {
        if (l.kind !== 'ws' || !l.text.includes('"topic":"orderBookL2_25.')) continue;
        expect(bybitGeneration(l.text)).toBe('v1');
        for (const e of p.parse(l.text, l.localTs))
          if (e.type === 'book_delta') {
            v1Deltas++;
            expect(e.unsequenced).toBe(true);
          }
      }
    expect(v1Deltas).toBeGreaterThan(100);
    for (const line of readFileSync(V5, 'utf8')
      .split('\n')
      .filter((l) => l.length > 0)) {
      expect(bybitGeneration(line)).toBe('v5');
      for (const e of p.parse(line, 0)) {
        expect((e as { unsequenced?: true }).unsequenced).toBeUndefined();
        expect(Number.isSafeInteger((e as { sequence: number }).sequence)).toBe(true);
      }
    }
  });

  it('a pinned v5 parser rejects v1 topics, and a v5 delta without u is a typed drop', () => {
    const v5 = new BybitParser('bybit-linear', 'v5');
    expect(() =>
      v5.parse(
        '{"topic":"orderBookL2_25.BTCUSDT","type":"delta","data":{"delete":[],"update":[],"insert":[]}}',
        0,
      ),
    ).toThrow(expect.objectContaining({ code: 'unknown_stream' }));
    expect(() =>
      v5.parse(
        '{"topic":"orderbook.50.BTCUSDT","type":"delta","ts":1,"data":{"s":"BTCUSDT","b":[],"a":[]}}',
        0,
      ),
    ).toThrow(expect.objectContaining({ code: 'invalid_field', instrument: 'bybit-linear:BTCUSDT' }));
  });

  it('under the Bybit rule a delta with a NaN sequence that is not declared unsequenced is a gap (IntegrityCode), not an apply', () => {
    const engine = newEngine();
    engine.handleFrame('bybit-linear', new BybitParser(), delta(10).replace('"delta"', '"snapshot"'), 1);
    const b = engine.books.get('bybit-linear:BTCUSDT')!;
    expect(b.state).toBe('live');
    engine.handleEvent({
      type: 'book_delta',
      instrument: 'bybit-linear:BTCUSDT',
      exchangeTs: 2,
      localTs: 2,
      firstSequence: NaN,
      sequence: NaN,
      prevSequence: NaN,
      bids: [['100', '5']],
      asks: [],
    });
    expect(b.health.counters.deltasApplied).toBe(0);
    expect(b.health.counters.gaps).toBe(1);
    expect(b.health.reasonCode).toBe('gap');
  });
});
