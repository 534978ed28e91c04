import { describe, expect, it } from 'vitest';
import { BitstampParser, parseBitstampSnapshot } from './parser.ts';
import { bitstamp, bitstampRule, bitstampSnapshotSymbol } from './descriptor.ts';
import { parseBitstampPairs } from './instruments.ts';
import type { BookDelta } from '../../core/model.ts';
import { readCryptofeed } from '../../recording/cryptofeed.ts';
import { newReaderStats } from '../../recording/stats.ts';
import { replayRecording } from '../../../test/venue-acceptance.ts';

const DIR = '../shared/data/cryptofeed/bitstamp';

const delta = (us: number): BookDelta => ({
  type: 'book_delta',
  instrument: 'bitstamp:btcusd',
  exchangeTs: us / 1000,
  localTs: 0,
  firstSequence: us,
  sequence: us,
  prevSequence: NaN,
  bids: [],
  asks: [],
});

describe('Bitstamp parser', () => {
  const p = new BitstampParser();
  it('maps a diff_order_book message to a delta keyed by microtimestamp', () => {
    const [e] = p.parse(
      '{"data":{"timestamp":"1641343691","microtimestamp":"1641343691406478","bids":[["3800.71","1.76200000"]],"asks":[]},"channel":"diff_order_book_ethusd","event":"data"}',
      7,
    );
    expect(e).toEqual({
      type: 'book_delta',
      instrument: 'bitstamp:ethusd',
      exchangeTs: 1641343691406.478,
      localTs: 7,
      firstSequence: 1641343691406478,
      sequence: 1641343691406478,
      prevSequence: NaN,
      bids: [['3800.71', '1.76200000']],
      asks: [],
    });
  });
  it('takes the trade type as the taker side and keeps the wire strings', () => {
    const [t] = p.parse(
      '{"data":{"id":216000484,"timestamp":"1641343709","amount":0.931,"amount_str":"0.93100000","price":3802.93,"price_str":"3802.93","type":1,"microtimestamp":"1641343709599000"},"channel":"live_trades_ethusd","event":"trade"}',
      0,
    );
    expect(t).toMatchObject({
      type: 'trade',
      id: '216000484',
      side: 'sell',
      price: '3802.93',
      size: '0.93100000',
    });
  });
  it('ignores bts: control events and rejects bad frames with typed errors', () => {
    expect(
      p.parse('{"event":"bts:subscription_succeeded","channel":"diff_order_book_ethusd","data":{}}', 0),
    ).toEqual([]);
    expect(p.parse('{"event":"bts:heartbeat","channel":"","data":{"status":"success"}}', 0)).toEqual([]);
    expect(() => p.parse('{"event":"bts:error","data":{"message":"x"}}', 0)).toThrow(
      expect.objectContaining({ code: 'unsupported' }),
    );
    expect(() => p.parse('{"event":"data","channel":"detail_order_book_x","data":{}}', 0)).toThrow(
      expect.objectContaining({ code: 'unknown_stream' }),
    );
    expect(() =>
      p.parse(
        '{"event":"data","channel":"diff_order_book_x","data":{"microtimestamp":"abc","bids":[],"asks":[]}}',
        0,
      ),
    ).toThrow(expect.objectContaining({ code: 'invalid_field', instrument: 'bitstamp:x' }));
    expect(() => p.parse('{nope', 0)).toThrow(expect.objectContaining({ code: 'malformed_json' }));
  });
  it('parses a REST order_book body as a full snapshot at its microtimestamp', () => {
    const s = parseBitstampSnapshot(
      '{"timestamp": "1641343695", "microtimestamp": "1641343695681418", "bids": [["3802.90", "0.6"]], "asks": [["3803", "1"]]}',
      'bitstamp:ethusd',
      1,
    );
    expect(s).toMatchObject({ sequence: 1641343695681418, depthLimit: 0, bids: [['3802.90', '0.6']] });
    expect(bitstampSnapshotSymbol('https://www.bitstamp.net/api/v2/order_book/ethusd')).toBe('ethusd');
    expect(bitstampSnapshotSymbol('https://www.bitstamp.net/api/v2/trading-pairs-info/')).toBeNull();
    expect(bitstamp.snapshotRequest!('http://h:1', 'ethusd').url).toBe(
      'http://h:1/api/v2/order_book/ethusd/',
    );
  });
});

describe('bitstampRule (microtimestamp continuity)', () => {
  it('drops diffs the snapshot covers, applies newer ones, and calls an older one a gap', () => {
    expect(bitstampRule.first(100, delta(100))).toBe('stale');
    expect(bitstampRule.first(100, delta(99))).toBe('stale');
    expect(bitstampRule.first(100, delta(101))).toBe('apply');
    expect(bitstampRule.next(delta(101), delta(150))).toBe('apply');
    expect(bitstampRule.next(delta(150), delta(150))).toBe('stale');
    expect(bitstampRule.next(delta(150), delta(149))).toBe('gap');
  });
});

describe('Bitstamp recording (cryptofeed bitstamp, 2022-01-04) replayed', () => {
  it('brings every book live from its REST snapshot with no gap, crossing or drop', async () => {
    const replay = await replayRecording([DIR]);
    const e = replay.engine;
    expect(e.dropped).toEqual({});
    expect(replay.result.snapshots).toBe(10);
    expect(e.books.size).toBe(10);
    let applied = 0;
    for (const [id, b] of e.books) {
      const c = b.health.counters;
      expect(b.state, id).toBe('live');
      expect([c.gaps, c.crossedBooks, c.resyncs, c.dropped, c.snapshots], id).toEqual([0, 0, 0, 0, 1]);
      applied += c.deltasApplied;
    }
    console.log(`Bitstamp: 10 books live, ${applied} diffs applied, 0 gaps, 0 crossed`);
    expect(applied).toBeGreaterThan(600);
    expect(e.books.get('bitstamp:ethusd')!.health.counters.trades).toBeGreaterThan(0);
  });
  it('reads the instrument specs in BITSTAMP.0 (trading-pairs-info)', async () => {
    const bodies: string[] = [];
    for await (const f of readCryptofeed(`${DIR}/BITSTAMP.0`, false, 'meta', undefined, newReaderStats()))
      if (f.kind === 'rest' && bitstamp.reference!.matches(f.url!)) bodies.push(f.text);
    const specs = bodies.flatMap((b) => bitstamp.reference!.parse(b, 'u', 'recording'));
    expect(specs.find((s) => s.symbol === 'btcusd')).toMatchObject({
      id: 'bitstamp:btcusd',
      base: 'BTC',
      quote: 'USD',
      kind: 'spot',
      tickSize: '0.01',
      lotSize: '0.00000001',
      source: 'recording',
    });
    expect(specs.find((s) => s.symbol === 'xrpeur')).toMatchObject({
      tickSize: '0.00001',
      pricePrecision: 5,
    });
    expect(() => parseBitstampPairs('{"a":1}', 'reference')).toThrow(
      expect.objectContaining({ name: 'MalformedFrameError' }),
    );
  });
});
