import { describe, expect, it } from 'vitest';
import { crc32 } from 'node:zlib';
import { Engine } from '../../pipeline/engine.ts';
import { InProcessBus } from '../../bus/in-process.ts';
import { L2Book } from '../../book/l2-book.ts';
import { venues } from '../registry.ts';
import { krakenChecksum, krakenChecksumString, krakenChecksumToken } from './checksum.ts';
import { KrakenParser, krakenGeneration, padDecimal } from './parser.ts';
import { kraken } from './descriptor.ts';
import { krakenPrecisions, parseKrakenAssetPairs } from './instruments.ts';
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
const DIR = '../shared/data/cryptofeed/kraken-2021-04';

/** Kraken v1 guide "Book Checksum Calculation" example book (10 asks, 10 bids), checksum 974947235. */
const V1_ASKS = [
  '0.05005',
  '0.05010',
  '0.05015',
  '0.05020',
  '0.05025',
  '0.05030',
  '0.05035',
  '0.05040',
  '0.05045',
  '0.05050',
];
const V1_BIDS = [
  '0.05000',
  '0.04995',
  '0.04990',
  '0.04980',
  '0.04975',
  '0.04970',
  '0.04965',
  '0.04960',
  '0.04955',
  '0.04950',
];

/** Kraken v2 guide "Book Checksum" example snapshot (BTC/USD, price precision 1, qty precision 8), 3310070434. */
const V2_SNAPSHOT = JSON.stringify({
  channel: 'book',
  type: 'snapshot',
  data: [{ symbol: 'BTC/USD', bids: [], asks: [], checksum: 3310070434 }],
})
  .replace(
    '"bids":[]',
    '"bids":[{"price":45283.5,"qty":0.10000000},{"price":45283.4,"qty":1.54582015},{"price":45282.1,"qty":0.10000000},{"price":45281.0,"qty":0.10000000},{"price":45280.3,"qty":1.54592586},{"price":45279.0,"qty":0.07990000},{"price":45277.6,"qty":0.03310103},{"price":45277.5,"qty":0.30000000},{"price":45277.3,"qty":1.54602737},{"price":45276.6,"qty":0.15445238}]',
  )
  .replace(
    '"asks":[]',
    '"asks":[{"price":45285.2,"qty":0.00100000},{"price":45286.4,"qty":1.54571953},{"price":45286.6,"qty":1.54571109},{"price":45289.6,"qty":1.54560911},{"price":45290.2,"qty":0.15890660},{"price":45291.8,"qty":1.54553491},{"price":45294.7,"qty":0.04454749},{"price":45296.1,"qty":0.35380000},{"price":45297.5,"qty":0.09945542},{"price":45299.5,"qty":0.18772827}]',
  );

describe('Kraken checksum (Kraken v1 and v2 book checksum guides)', () => {
  it('strips the decimal point and leading zeros', () => {
    expect(krakenChecksumToken('0.05005')).toBe('5005');
    expect(krakenChecksumToken('0.00000500')).toBe('500');
    expect(krakenChecksumToken('45285.2')).toBe('452852');
  });

  it('reproduces the v1 guide example 974947235', () => {
    const book = new L2Book();
    book.applySnapshot(
      V1_BIDS.map((p) => [p, '0.00000500']),
      V1_ASKS.map((p) => [p, '0.00000500']),
    );
    expect(krakenChecksum.compute(book)).toBe(974947235);
  });

  it('reproduces the v2 guide example 3310070434 from the JSON-number snapshot', () => {
    const p = new KrakenParser(new Map([['BTC/USD', { price: 1, qty: 8 }]]));
    const [snap] = p.parse(V2_SNAPSHOT, 0);
    expect(snap!.type).toBe('book_snapshot');
    const s = snap as Extract<typeof snap, { type: 'book_snapshot' }>;
    expect(s.asks[0]).toEqual(['45285.2', '0.00100000']);
    expect(s.bids[3]).toEqual(['45281.0', '0.10000000']);
    const engine = new Engine({ sync: venueSync(venues), bus: new InProcessBus<OutputTopics>() });
    engine.handleEvent(s);
    const c = engine.books.get('kraken:BTC/USD')!.health.counters;
    expect([c.checksumChecked, c.checksumMatched]).toEqual([1, 1]);
  });

  it('only the top 10 levels count', () => {
    const bids = Array.from({ length: 12 }, (_, i) => [`${100 - i}.0`, '1.0'] as const);
    const asks = Array.from({ length: 12 }, (_, i) => [`${101 + i}.0`, '1.0'] as const);
    expect(krakenChecksumString(bids, asks)).toBe(krakenChecksumString(bids.slice(0, 10), asks.slice(0, 10)));
    expect(crc32(krakenChecksumString(bids, asks))).toBeGreaterThan(0);
  });
});

describe('Kraken parser', () => {
  it('pads v2 numbers to the instrument precision learnt from the instrument channel', () => {
    const p = new KrakenParser();
    p.parse(
      '{"channel":"instrument","type":"snapshot","data":{"assets":[],"pairs":[{"symbol":"MATIC/USD","price_precision":4,"qty_precision":8}]}}',
      0,
    );
    const [d] = p.parse(
      '{"channel":"book","type":"update","data":[{"symbol":"MATIC/USD","bids":[{"price":0.5657,"qty":1098.3947558}],"asks":[],"checksum":2114181697,"timestamp":"2023-10-06T17:35:55.440295Z"}]}',
      0,
    );
    expect(d).toMatchObject({
      type: 'book_delta',
      instrument: 'kraken:MATIC/USD',
      bids: [['0.5657', '1098.39475580']],
      checksum: 2114181697,
    });
    // RFC 3339 time with its sub-millisecond digits kept as a fraction.
    expect((d as { exchangeTs: number }).exchangeTs).toBeCloseTo(
      Date.parse('2023-10-06T17:35:55.440Z') + 0.295,
      3,
    );
    expect(padDecimal('1e-8', 8)).toBe('0.00000001');
    expect(() => padDecimal('0.123', 2)).toThrow(expect.objectContaining({ code: 'invalid_field' }));
  });

  it('merges v1 a/b payloads, keeps republish flags, reads the checksum string', () => {
    const p = new KrakenParser();
    const [d] = p.parse(
      '[1920,{"a":[["0.042990","364630.28272081","1618678145.920470"]]},{"b":[["0.042990","0.00000000","1618678145.920708"],["0.04","1.0","1618678145.9","r"]],"c":"4105471083"},"book-1000","SC/EUR"]',
      1,
    );
    expect(d).toMatchObject({ type: 'book_delta', instrument: 'kraken:SC/EUR', checksum: 4105471083 });
    const delta = d as Extract<typeof d, { type: 'book_delta' }>;
    expect(delta.asks).toHaveLength(1);
    expect(delta.bids).toHaveLength(2);
    expect(delta.exchangeTs).toBeCloseTo(1618678145920.708, 0);
  });

  it('maps v1 and v2 trade sides and rejects bad frames with typed errors', () => {
    const p = new KrakenParser();
    const [t1] = p.parse(
      '[993,[["354.11000000","0.89594024","1618678142.557535","s","l",""]],"trade","XMR/USD"]',
      0,
    );
    expect(t1).toMatchObject({ instrument: 'kraken:XMR/USD', side: 'sell', price: '354.11000000' });
    const [t2] = p.parse(
      '{"channel":"trade","type":"update","data":[{"symbol":"BTC/USD","side":"buy","price":45283.4,"qty":0.0005,"ord_type":"market","trade_id":7,"timestamp":"2023-10-06T17:35:55.440295Z"}]}',
      0,
    );
    expect(t2).toMatchObject({ side: 'buy', price: '45283.4', size: '0.0005', id: '7' });
    expect(p.parse('{"event":"heartbeat"}', 0)).toEqual([]);
    expect(p.parse('{"channel":"heartbeat"}', 0)).toEqual([]);
    expect(() => p.parse('[1,{"a":[]},{"b":[],"c":"x"},"book-10","A/B"]', 0)).toThrow(
      expect.objectContaining({ code: 'invalid_field', instrument: 'kraken:A/B' }),
    );
    expect(() => p.parse('{"channel":"ohlc"}', 0)).toThrow(
      expect.objectContaining({ code: 'unknown_stream' }),
    );
  });

  it('a wrong checksum resyncs through the engine and asks for a resubscribe', () => {
    const wanted: string[] = [];
    const engine = new Engine({
      sync: venueSync(venues),
      bus: new InProcessBus<OutputTopics>(),
      onSnapshotNeeded: (i) => wanted.push(i),
    });
    const p = kraken.createParser();
    engine.handleFrame(
      'kraken',
      p,
      '[1,{"as":[["2.0","1.0","1.1"]],"bs":[["1.0","1.0","1.1"]]},"book-10","A/B"]',
      1,
    );
    engine.handleFrame('kraken', p, '[1,{"a":[["2.0","3.0","1.2"]],"c":"1"},"book-10","A/B"]', 2);
    const h = engine.books.get('kraken:A/B')!.health;
    expect(h.counters.checksumFailures).toBe(1);
    expect(h.state).toBe('resyncing');
    expect(wanted).toEqual(['kraken:A/B']);
  });
});

describe('Kraken recording kraken-2021-04 replayed (openRecording → Replay → Engine, registry venues)', () => {
  it('verifies every update checksum of KRAKEN.ws.50.0 (book-1000) with no mismatch', async () => {
    const withChecksum = (await cryptofeedFrames(`${DIR}/KRAKEN.ws.50.0`)).filter(
      (l) => l.kind === 'ws' && l.text.includes('"c":"'),
    ).length;
    const replay = new Replay(await openRecording([`${DIR}/KRAKEN.ws.50.0`]));
    await replay.run();
    const engine = replay.engine;
    expect(engine.dropped).toEqual({});
    let checked = 0;
    let matched = 0;
    const lines: string[] = [];
    for (const [id, b] of engine.books) {
      const c = b.health.counters;
      lines.push(`${id} ${c.checksumMatched}/${c.checksumChecked}`);
      checked += c.checksumChecked;
      matched += c.checksumMatched;
      expect(b.state).toBe('live');
      expect(c.checksumFailures).toBe(0);
      expect(c.resyncs).toBe(0);
      expect(c.crossedBooks).toBe(0);
      expect(c.snapshots).toBe(1);
    }
    console.log(`Kraken kraken-2021-04 ws.50: ${matched}/${checked} checksums matched; ${lines.join('; ')}`);
    expect(engine.books.size).toBe(10);
    expect(checked).toBe(withChecksum);
    expect(matched).toBe(checked);
  });

  it('parses the trades of KRAKEN.ws.48.0 and the AssetPairs in KRAKEN.0', async () => {
    const replay = new Replay(await openRecording([`${DIR}/KRAKEN.ws.48.0`]));
    await replay.run();
    const engine = replay.engine;
    expect(engine.dropped).toEqual({});
    const trades = [...engine.books.values()].reduce((n, b) => n + b.health.counters.trades, 0);
    expect(trades).toBeGreaterThan(0);

    const rest = (await cryptofeedFrames(`${DIR}/KRAKEN.0`)).filter((l) => l.kind === 'rest');
    const pairs = parseKrakenAssetPairs(rest[0]!.text);
    const xbt = pairs.find((i) => i.wsname === 'XBT/CHF')!;
    expect(xbt).toMatchObject({ pricePrecision: 1, tickSize: '0.1', qtyPrecision: 8, lotSize: '0.00000001' });
    expect(krakenPrecisions(pairs).get('XMR/USD')).toBeDefined();
    expect(() => parseKrakenAssetPairs('{"error":["EGeneral:Too many requests"]}')).toThrow(
      expect.objectContaining({ name: 'MalformedFrameError' }),
    );
  });
});

describe('Kraken generations (parser-v1.ts, parser-v2.ts)', () => {
  it('every frame of the kraken-2021-04 book and trade connections is v1, and the v1 parser reads them all', async () => {
    const v1 = new KrakenParser(undefined, 'v1');
    let events = 0;
    for (const file of ['KRAKEN.ws.50.0', 'KRAKEN.ws.48.0'])
      for (const f of await cryptofeedFrames(`${DIR}/${file}`)) {
        if (f.kind !== 'ws') continue;
        expect(krakenGeneration(f.text)).toBe('v1');
        events += v1.parse(f.text, f.localTs).length;
      }
    expect(events).toBeGreaterThan(1000);
  });

  it('a pinned generation rejects the other generation with a typed error', () => {
    const v1Book = '[1,{"a":[["2.0","3.0","1.2"]],"c":"1"},"book-10","A/B"]';
    const v2Book =
      '{"channel":"book","type":"update","data":[{"symbol":"A/B","bids":[],"asks":[],"checksum":1}]}';
    expect(() => new KrakenParser(undefined, 'v2').parse(v1Book, 0)).toThrow(
      expect.objectContaining({ code: 'unsupported' }),
    );
    expect(() => new KrakenParser(undefined, 'v1').parse(v2Book, 0)).toThrow(
      expect.objectContaining({ code: 'unsupported' }),
    );
    const either = new KrakenParser();
    expect(either.parse(v2Book, 0)).toHaveLength(1);
    expect(either.generation).toBe('v2');
    expect(either.parse(v1Book, 0)).toHaveLength(1);
    expect(either.generation).toBe('v1');
  });
});
