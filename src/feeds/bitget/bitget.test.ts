import { describe, expect, it } from 'vitest';
import { Engine } from '../../pipeline/engine.ts';
import { InProcessBus } from '../../bus/in-process.ts';
import { L2Book } from '../../book/l2-book.ts';
import { venues, venueSync } from '../registry.ts';
import { openRecording } from '../../recording/index.ts';
import { readCryptofeed } from '../../recording/cryptofeed.ts';
import { newReaderStats } from '../../recording/stats.ts';
import { Replay } from '../../replay/index.ts';
import { signedCrc32 } from '../okx/checksum.ts';
import type { OutputTopics } from '../../alerts/topics.ts';
import { bitgetChecksum, bitgetChecksumString } from './checksum.ts';
import { BitgetParser } from './parser.ts';
import { bitget, bitgetFutures } from './descriptor.ts';
import { scaledDecimal } from './instruments.ts';

const DIR = '../shared/data/cryptofeed/bitget';

function engine(onSnapshotNeeded?: (i: string) => void): Engine {
  return new Engine({
    sync: venueSync(venues),
    bus: new InProcessBus<OutputTopics>(),
    ...(onSnapshotNeeded ? { onSnapshotNeeded } : {}),
  });
}

describe('Bitget checksum (Bitget "Depth Channel" > Checksum worked examples)', () => {
  it('interleaves bid and ask levels when both sides have them', () => {
    const s = bitgetChecksumString(
      [
        ['43231.1', '4'],
        ['43231', '6'],
      ],
      [
        ['43232.8', '9'],
        ['43232.9', '8'],
      ],
    );
    expect(s).toBe('43231.1:4:43232.8:9:43231:6:43232.9:8');
  });
  it('lets the longer side go on alone and hashes the wire strings (0.5000 stays 0.5000)', () => {
    const s = bitgetChecksumString(
      [['3366.1', '7']],
      [
        ['3366.8', '9'],
        ['3368', '8'],
        ['3372', '8'],
      ],
    );
    expect(s).toBe('3366.1:7:3366.8:9:3368:8:3372:8');
    const book = new L2Book();
    book.applySnapshot([['0.5000', '1.10']], [['0.5100', '2']]);
    expect(bitgetChecksum.compute(book)).toBe(signedCrc32('0.5000:1.10:0.5100:2'));
  });
});

describe('Bitget parser (v2 today, v1 recordings)', () => {
  const p = new BitgetParser();
  it('maps a v2 books update: seq, checksum, ts, market from instType', () => {
    const [e] = p.parse(
      '{"action":"update","arg":{"instType":"USDT-FUTURES","channel":"books","instId":"BTCUSDT"},"data":[{"asks":[["27000.5","8.760"]],"bids":[],"checksum":-1144478131,"seq":1234,"ts":"1695716059516"}],"ts":1695716059516}',
      7,
    );
    expect(e).toMatchObject({
      type: 'book_delta',
      instrument: 'bitget-futures:BTCUSDT',
      sequence: 1234,
      firstSequence: 1234,
      checksum: -1144478131,
      exchangeTs: 1695716059516,
      localTs: 7,
    });
  });
  it('reads v2 trade objects and v1 trade arrays with the taker side; skips the history push', () => {
    const [t] = p.parse(
      '{"action":"update","arg":{"instType":"SPOT","channel":"trade","instId":"BTCUSDT"},"data":[{"ts":"1695716760565","price":"27000.5","size":"0.001","side":"buy","tradeId":"1111111111"}],"ts":1695716761589}',
      0,
    );
    expect(t).toMatchObject({
      instrument: 'bitget:BTCUSDT',
      id: '1111111111',
      side: 'buy',
      price: '27000.5',
    });
    const [v1] = p.parse(
      '{"action":"update","arg":{"instType":"sp","channel":"trade","instId":"EOSUSDT"},"data":[["1649290081016","2.4383","2.0507","sell"]]}',
      0,
    );
    expect(v1).toMatchObject({ instrument: 'bitget:EOSUSDT', id: '1649290081016#0', side: 'sell' });
    expect(
      p.parse(
        '{"action":"snapshot","arg":{"instType":"sp","channel":"trade","instId":"EOSUSDT"},"data":[]}',
        0,
      ),
    ).toEqual([]);
  });
  it('ignores pong, acks, tickers and candles; rejects bad frames with typed errors', () => {
    expect(p.parse('pong', 0)).toEqual([]);
    expect(
      p.parse('{"event":"subscribe","arg":{"instType":"SPOT","channel":"books","instId":"X"}}', 0),
    ).toEqual([]);
    expect(
      p.parse('{"action":"snapshot","arg":{"instType":"sp","channel":"ticker","instId":"X"},"data":[{}]}', 0),
    ).toEqual([]);
    expect(() =>
      p.parse(
        '{"action":"update","arg":{"instType":"COIN-FUTURES","channel":"books","instId":"X"},"data":[]}',
        0,
      ),
    ).toThrow(expect.objectContaining({ code: 'unknown_stream' }));
    expect(() =>
      p.parse(
        '{"action":"update","arg":{"instType":"SPOT","channel":"books","instId":"X"},"data":[{"checksum":"x","bids":[],"asks":[]}]}',
        0,
      ),
    ).toThrow(expect.objectContaining({ code: 'invalid_field', instrument: 'bitget:X' }));
    expect(() => p.parse('{"event":"error","code":30001,"msg":"instType doesn\'t exist"}', 0)).toThrow(
      expect.objectContaining({ code: 'unsupported' }),
    );
    expect(() => p.parse('{x', 0)).toThrow(expect.objectContaining({ code: 'malformed_json' }));
  });
});

describe('Bitget sequence rule through the engine', () => {
  const cs = signedCrc32('100:1:101:1');
  const frame = (action: string, seq: number | null, checksum: number | null, asks = '[["101","1"]]') =>
    `{"action":"${action}","arg":{"instType":"SPOT","channel":"books","instId":"BTCUSDT"},"data":[{"asks":${asks},"bids":${action === 'snapshot' ? '[["100","1"]]' : '[]'}${checksum === null ? '' : `,"checksum":${checksum}`}${seq === null ? '' : `,"seq":${seq}`},"ts":"1"}]}`;
  it('v2: an increasing seq applies, a repeat is stale, a lower one is a gap that asks for a resubscribe', () => {
    const wanted: string[] = [];
    const e = engine((i) => wanted.push(i));
    const p = new BitgetParser();
    e.handleFrame('bitget', p, frame('snapshot', 10, cs), 1);
    e.handleFrame('bitget', p, frame('update', 13, cs), 2);
    e.handleFrame('bitget', p, frame('update', 13, cs), 3);
    const b = e.books.get('bitget:BTCUSDT')!;
    expect([b.state, b.health.counters.deltasApplied, b.health.counters.gaps]).toEqual(['live', 1, 0]);
    e.handleFrame('bitget', p, frame('update', 12, cs), 4);
    expect([b.state, b.health.counters.gaps]).toEqual(['resyncing', 1]);
    expect(wanted).toEqual(['bitget:BTCUSDT']);
    expect(bitget.resubscribe!('BTCUSDT').map((m) => JSON.parse(m).op)).toEqual(['unsubscribe', 'subscribe']);
  });
  it('v1 (no seq on the wire): an update is chained by its checksum; one without a checksum is a gap', () => {
    const e = engine();
    const p = new BitgetParser();
    e.handleFrame('bitget', p, frame('snapshot', null, cs), 1);
    e.handleFrame('bitget', p, frame('update', null, cs), 2);
    const b = e.books.get('bitget:BTCUSDT')!;
    expect([b.state, b.health.counters.checksumMatched]).toEqual(['live', 2]);
    e.handleFrame('bitget', p, frame('update', null, null), 3);
    expect([b.state, b.health.counters.gaps]).toEqual(['resyncing', 1]);
  });
});

describe('Bitget recording (cryptofeed bitget: spot v1 ws.1, USDT-M v1 ws.2) replayed', () => {
  it('every book live, 0 gaps, 0 crossed, every checksum verified: 637/637', async () => {
    const replay = new Replay(await openRecording([DIR]));
    await replay.run();
    const e = replay.engine;
    expect(e.dropped).toEqual({});
    const books = [...e.books.values()];
    expect(books.map((b) => b.instrument).sort()).toEqual([
      'bitget-futures:DASHUSDT',
      'bitget-futures:UNIUSDT',
      'bitget:AVAXUSDT',
      'bitget:CULTUSDT',
      'bitget:EOSUSDT',
      'bitget:GOGUSDT',
      'bitget:HOTUSDT',
      'bitget:STGUSDT',
      'bitget:SUNUSDT',
      'bitget:VVSUSDT',
    ]);
    let checked = 0;
    let matched = 0;
    for (const b of books) {
      const c = b.health.counters;
      expect(b.state).toBe('live');
      expect([c.gaps, c.crossedBooks, c.resyncs, c.checksumFailures]).toEqual([0, 0, 0, 0]);
      expect(c.checksumChecked).toBe(c.snapshots + c.deltasApplied);
      checked += c.checksumChecked;
      matched += c.checksumMatched;
    }
    console.log(`Bitget recording: ${books.length} books, checksums ${matched}/${checked}`);
    expect([matched, checked]).toEqual([637, 637]);
    expect(e.books.get('bitget-futures:UNIUSDT')!.health.counters.trades).toBeGreaterThan(10);
  });

  it('parses the recorded v1 product and contract lists into instrument specs', async () => {
    const specs = [];
    // As a loader reads it: every body of BITGET.0 (venue `bitget` by its file name) through `bitget`'s reference.
    for await (const f of readCryptofeed(`${DIR}/BITGET.0`, false, 'meta', 'bitget', newReaderStats())) {
      if (f.kind !== 'rest' || !f.url || !bitget.reference!.matches(f.url)) continue;
      specs.push(...bitget.reference!.parse(f.text, f.url, 'recording'));
    }
    const eos = specs.find((s) => s.id === 'bitget:EOSUSDT')!;
    expect(eos).toMatchObject({
      kind: 'spot',
      base: 'EOS',
      quote: 'USDT',
      tickSize: '0.0001',
      lotSize: '0.0001',
    });
    const dash = specs.find((s) => s.id === 'bitget-futures:DASHUSDT')!;
    expect(dash).toMatchObject({
      kind: 'perpetual',
      margin: 'linear',
      contractSize: 1,
      sizeUnit: 'base',
      tickSize: '0.01',
      lotSize: '0.01',
      source: 'recording',
    });
    expect(specs.filter((s) => s.venue === 'bitget-futures')).toHaveLength(51);
    expect(
      bitgetFutures.reference!.matches(
        'https://api.bitget.com/api/mix/v1/market/contracts?productType=dmcbl',
      ),
    ).toBe(false);
    expect(scaledDecimal('5', 1)).toBe('0.5');
    expect(scaledDecimal('25', 0)).toBe('25');
    expect(() => bitget.reference!.parse('{"code":"40001","msg":"x","data":null}', '', 'reference')).toThrow(
      expect.objectContaining({ name: 'MalformedFrameError' }),
    );
  });
});
