import { describe, expect, it } from 'vitest';
import { GeminiParser } from './parser.ts';
import { gemini } from './descriptor.ts';
import { parseGeminiSymbolDetails } from './instruments.ts';
import { plainDecimal } from '../fields.ts';
import { readCryptofeed } from '../../recording/cryptofeed.ts';
import { newReaderStats } from '../../recording/stats.ts';
import { Engine } from '../../pipeline/engine.ts';
import { InProcessBus } from '../../bus/in-process.ts';
import { venues, venueSync } from '../registry.ts';
import type { OutputTopics } from '../../alerts/topics.ts';
import { replayRecording } from '../../../test/venue-acceptance.ts';

const DIR = '../shared/data/cryptofeed/gemini';

describe('Gemini v2 parser', () => {
  it('reads the first l2_updates (with trades) as the whole book, then chains the updates', () => {
    const p = new GeminiParser();
    const [s] = p.parse(
      '{"type":"l2_updates","symbol":"BTCUSD","changes":[["buy","100.5","1"],["sell","101","2"]],"trades":[{"type":"trade","symbol":"BTCUSD","event_id":1,"timestamp":1,"price":"100","quantity":"1","side":"buy"}],"auction_events":[]}',
      3,
    );
    expect(s).toEqual({
      type: 'book_snapshot',
      instrument: 'gemini:BTCUSD',
      exchangeTs: NaN,
      localTs: 3,
      sequence: 0,
      bids: [['100.5', '1']],
      asks: [['101', '2']],
      depthLimit: 0,
    });
    const [d1] = p.parse('{"type":"l2_updates","symbol":"BTCUSD","changes":[["sell","101","0"]]}', 4);
    const [d2] = p.parse('{"type":"l2_updates","symbol":"BTCUSD","changes":[["buy","100","3"]]}', 5);
    expect(d1).toMatchObject({ type: 'book_delta', prevSequence: 0, sequence: 1, asks: [['101', '0']] });
    expect(d2).toMatchObject({ prevSequence: 1, sequence: 2, bids: [['100', '3']] });
  });
  it('leaves updates before any whole book unchained (the engine keeps them out of the book)', () => {
    const [d] = new GeminiParser().parse('{"type":"l2_updates","symbol":"X","changes":[]}', 0);
    expect(d).toMatchObject({ prevSequence: NaN, sequence: NaN });
    const engine = new Engine({ sync: venueSync(venues), bus: new InProcessBus<OutputTopics>() });
    const p = new GeminiParser();
    engine.handleFrame('gemini', p, '{"type":"l2_updates","symbol":"X","changes":[["buy","1","1"]]}', 0);
    engine.handleFrame(
      'gemini',
      p,
      '{"type":"l2_updates","symbol":"X","changes":[["buy","2","1"],["sell","3","1"]],"trades":[]}',
      1,
    );
    const b = engine.books.get('gemini:X')!;
    expect(b.state).toBe('live');
    expect(b.book.topStrings(5).bids).toEqual([['2', '1']]);
  });
  it('maps trades with the taker side and rejects bad frames with typed errors', () => {
    const p = new GeminiParser();
    expect(
      p.parse(
        '{"type":"trade","symbol":"ANKRUSD","event_id":45465818387,"timestamp":1624493670759,"price":"0.07946","quantity":"1020.482111","side":"buy"}',
        0,
      ),
    ).toEqual([
      {
        type: 'trade',
        instrument: 'gemini:ANKRUSD',
        exchangeTs: 1624493670759,
        localTs: 0,
        id: '45465818387',
        price: '0.07946',
        size: '1020.482111',
        side: 'buy',
      },
    ]);
    expect(p.parse('{"type":"heartbeat","timestamp":1624493666869}', 0)).toEqual([]);
    expect(() => p.parse('{"result":"error","reason":"InvalidSymbol"}', 0)).toThrow(
      expect.objectContaining({ code: 'unsupported' }),
    );
    expect(() => p.parse('{"type":"l2_updates","symbol":"X","changes":[["bid","1","1"]]}', 0)).toThrow(
      expect.objectContaining({ code: 'invalid_field', instrument: 'gemini:X' }),
    );
    expect(() => p.parse('{"type":"candles_15m_updates"}', 0)).toThrow(
      expect.objectContaining({ code: 'unknown_stream' }),
    );
  });
});

describe('Gemini instruments', () => {
  it('writes JSON-number increments as plain decimals', () => {
    expect(['1E-8', '0.01', '5', '1e-05', '0.000001', '2.5E1'].map((t) => plainDecimal(t))).toEqual([
      '0.00000001',
      '0.01',
      '5',
      '0.00001',
      '0.000001',
      '25',
    ]);
  });
  it('reads the symbol details in GEMINI.0', async () => {
    const specs = [];
    for await (const f of readCryptofeed(`${DIR}/GEMINI.0`, false, 'meta', undefined, newReaderStats()))
      if (f.kind === 'rest' && gemini.reference!.matches(f.url!))
        specs.push(...gemini.reference!.parse(f.text, f.url!, 'recording'));
    expect(specs.length).toBeGreaterThan(10);
    expect(specs.find((s) => s.symbol === 'BTCUSD')).toMatchObject({
      id: 'gemini:BTCUSD',
      base: 'BTC',
      quote: 'USD',
      kind: 'spot',
      tickSize: '0.01',
      lotSize: '0.00000001',
    });
    expect(() => parseGeminiSymbolDetails('{"symbol":1}', 'reference')).toThrow(
      expect.objectContaining({ name: 'MalformedFrameError' }),
    );
  });
});

describe('Gemini recording (cryptofeed gemini, 2021-06-24) replayed', () => {
  it('brings all 10 books live from their first message with no crossing or drop', async () => {
    const replay = await replayRecording([DIR]);
    const e = replay.engine;
    expect(e.dropped).toEqual({});
    expect(e.books.size).toBe(10);
    let applied = 0;
    let trades = 0;
    for (const [id, b] of e.books) {
      const c = b.health.counters;
      expect(b.state, id).toBe('live');
      expect([c.gaps, c.crossedBooks, c.resyncs, c.dropped, c.snapshots], id).toEqual([0, 0, 0, 0, 1]);
      applied += c.deltasApplied;
      trades += c.trades;
    }
    console.log(`Gemini: 10 books live, ${applied} updates applied, ${trades} trades, 0 gaps, 0 crossed`);
    expect(applied).toBeGreaterThan(600);
    expect(trades).toBeGreaterThan(0);
  });
});
