import { crc32 } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { BitfinexParser, bitfinexLevels, fastFrame } from './parser.ts';
import { quoteArrayNumbers } from '../fields.ts';
import { readFileSync } from 'node:fs';
import { bitfinexChecksum, bitfinexChecksumString } from './checksum.ts';
import { bitfinex, makeBitfinex } from './descriptor.ts';
import { bitfinexAssets, parseBitfinexPairs } from './instruments.ts';
import { L2Book } from '../../book/l2-book.ts';
import { Engine } from '../../pipeline/engine.ts';
import { InProcessBus } from '../../bus/in-process.ts';
import { venues, venueSync } from '../registry.ts';
import type { OutputTopics } from '../../alerts/topics.ts';
import { readCryptofeed } from '../../recording/cryptofeed.ts';
import { newReaderStats } from '../../recording/stats.ts';
import { replayRecording } from '../../../test/venue-acceptance.ts';

const DIR = '../shared/data/cryptofeed/bitfinex-2021-04';
const SUB = (chanId: number, symbol: string, channel = 'book'): string =>
  JSON.stringify({ event: 'subscribed', channel, chanId, symbol, prec: 'P0', freq: 'F0', len: '100' });

/** A parser that has seen the venue acknowledge SEQ_ALL + OB_CHECKSUM and two book subscriptions. */
function connected(): BitfinexParser {
  const p = new BitfinexParser();
  p.parse('{"event":"conf","status":"OK","flags":196608}', 0);
  p.parse(SUB(10, 'tBTCUSD'), 0);
  p.parse(SUB(11, 'tETHUSD'), 0);
  p.parse(SUB(12, 'tBTCUSD', 'trades'), 0);
  return p;
}

describe('Bitfinex P0 levels', () => {
  it('splits by the sign of AMOUNT, deletes on COUNT 0, keeps exact wire text', () => {
    const { bids, asks } = bitfinexLevels([
      ['60400', '1', '0.68826974'],
      ['60410', '3', '-1.5'],
      ['60300', '0', '1'],
      ['60500', '0', '-1'],
      ['0.00000001', '2', '-2.5E3'],
    ]);
    expect(bids).toEqual([
      ['60400', '0.68826974'],
      ['60300', '0'],
    ]);
    expect(asks).toEqual([
      ['60410', '1.5'],
      ['60500', '0'],
      ['0.00000001', '2500'],
    ]);
    expect(() => bitfinexLevels([['1', '0', '2']])).toThrow(
      expect.objectContaining({ code: 'invalid_field' }),
    );
  });
});

describe('Bitfinex checksum ("WebSocket Checksum")', () => {
  it('interleaves 25 bids and asks, ask amounts negative, numbers as JavaScript prints them', () => {
    expect(
      bitfinexChecksumString(
        [['100.50', '2']],
        [
          ['101', '0.00000001'],
          ['102', '3'],
        ],
      ),
    ).toBe('100.5:2:101:-1e-8:102:-3');
    // CRC32 known answer ("123456789" → 0xCBF43926), as the signed integer Bitfinex sends.
    expect(crc32('123456789') | 0).toBe(-873187034);
    const book = new L2Book();
    const bids = Array.from({ length: 30 }, (_, i) => [`${1000 - i}`, '1'] as const);
    const asks = Array.from({ length: 30 }, (_, i) => [`${1001 + i}`, '2'] as const);
    book.applySnapshot(bids, asks);
    const s = bitfinexChecksumString(bids.slice(0, 25), asks.slice(0, 25));
    expect(s.split(':')).toHaveLength(100);
    expect(bitfinexChecksum.compute(book)).toBe(crc32(s) | 0);
  });
});

describe('Bitfinex parser', () => {
  it('chains book messages by the connection sequence and turns cs into a checksum-carrying delta', () => {
    const p = connected();
    const [snap] = p.parse('[10,[[60400,1,0.5],[60410,2,-1]],1]', 0);
    expect(snap).toMatchObject({
      type: 'book_snapshot',
      instrument: 'bitfinex:tBTCUSD',
      sequence: 1,
      bids: [['60400', '0.5']],
    });
    expect(p.parse('[11,"hb",2]', 0)).toEqual([]);
    const [d] = p.parse('[10,[60401,1,0.25],3]', 0);
    expect(d).toMatchObject({ type: 'book_delta', prevSequence: 1, sequence: 3, bids: [['60401', '0.25']] });
    const [cs] = p.parse('[10,"cs",-1234567,4]', 0);
    expect(cs).toMatchObject({
      type: 'book_delta',
      prevSequence: 3,
      sequence: 4,
      bids: [],
      asks: [],
      checksum: -1234567,
    });
  });
  it('on a jump of the connection sequence marks every book on the connection as gapped', () => {
    const p = connected();
    p.parse('[10,[[1,1,1]],1]', 0);
    p.parse('[11,[[2,1,-1]],2]', 0);
    const out = p.parse('[12,"te",[5,1618677543000,-0.5,60400],5]', 0);
    expect(p.connectionGaps).toBe(1);
    expect(
      out
        .filter((e) => e.type === 'book_delta')
        .map((e) => [e.instrument, (e as { prevSequence: number }).prevSequence]),
    ).toEqual([
      ['bitfinex:tBTCUSD', NaN],
      ['bitfinex:tETHUSD', NaN],
    ]);
    expect(out.at(-1)).toMatchObject({
      type: 'trade',
      side: 'sell',
      size: '0.5',
      price: '60400',
      id: '5',
      exchangeTs: 1618677543000,
    });
  });
  it('drives the engine: a gap resyncs exactly the books on that connection; a checksum verifies', () => {
    const engine = new Engine({ sync: venueSync(venues), bus: new InProcessBus<OutputTopics>() });
    const p = connected();
    const book = new L2Book();
    book.applySnapshot([['100', '1']], [['101', '2']]);
    const cs = bitfinexChecksum.compute(book);
    engine.handleFrame('bitfinex', p, '[10,[[100,1,1],[101,1,-2]],1]', 0);
    engine.handleFrame('bitfinex', p, `[10,"cs",${cs},2]`, 0);
    const b = engine.books.get('bitfinex:tBTCUSD')!;
    expect([b.state, b.health.counters.checksumChecked, b.health.counters.checksumMatched]).toEqual([
      'live',
      1,
      1,
    ]);
    engine.handleFrame('bitfinex', p, `[10,"cs",${cs + 1},3]`, 0);
    expect([b.state, b.health.counters.checksumFailures]).toEqual(['resyncing', 1]);
  });
  it('ignores heartbeats of channels not yet acknowledged, info and pong; rejects what it cannot use', () => {
    const p = connected();
    expect(p.parse('[999,"hb",1]', 0)).toEqual([]);
    expect(p.parse('{"event":"info","version":2,"platform":{"status":1}}', 0)).toEqual([]);
    expect(() => p.parse('[998,[1,1,1],2]', 0)).toThrow(expect.objectContaining({ code: 'unknown_stream' }));
    expect(() => p.parse('{"event":"error","msg":"subscribe: dup","code":10301}', 0)).toThrow(
      expect.objectContaining({ code: 'unsupported' }),
    );
    const noSeq = new BitfinexParser();
    noSeq.parse(SUB(1, 'tBTCUSD'), 0);
    expect(() => noSeq.parse('[1,[[1,1,1]]]', 0)).toThrow(
      expect.objectContaining({ code: 'unsupported', instrument: 'bitfinex:tBTCUSD' }),
    );
  });
  it('reports book channel ids so a resync unsubscribes by chanId', () => {
    const a = makeBitfinex();
    const p = a.createParser();
    p.parse(SUB(77, 'tXRPUSD'), 0);
    p.parse(SUB(78, 'tXRPUSD', 'trades'), 0);
    expect(a.unsubscribe!(['tXRPUSD']).map((m) => JSON.parse(m).chanId)).toEqual([77, 78]);
    expect(a.resubscribe!('tXRPUSD').map((m) => JSON.parse(m))).toEqual([
      { event: 'unsubscribe', chanId: 77 },
      { event: 'subscribe', channel: 'book', symbol: 'tXRPUSD', prec: 'P0', freq: 'F0', len: '100' },
    ]);
    expect(JSON.parse(bitfinex.subscribe('ws://h', ['tBTCUSD']).messages[0]!)).toEqual({
      event: 'conf',
      flags: 196608,
    });
  });
});

describe('Bitfinex fast path', () => {
  it('reads every small recorded frame exactly as quoteArrayNumbers + JSON.parse does', () => {
    let fast = 0;
    const lines = readFileSync(`${DIR}/BITFINEX.ws.11.0`, 'utf8').split('\n');
    const texts = lines.filter((l) => /^\d/.test(l)).map((l) => l.slice(l.indexOf(': ') + 2));
    for (const t of [...texts, '[1,"cs",-5,9]', '[1,"cs",7]', '[1,"hb"]', '[1,[1e-8,1,-2.5E3]]']) {
      const f = fastFrame(t);
      if (f === null) continue;
      fast++;
      expect(f, t).toEqual(JSON.parse(quoteArrayNumbers(t)));
    }
    expect(fast).toBeGreaterThan(1600);
    expect(fastFrame('[1, [1,1,1],2]')).toBeNull();
  });
});

describe('Bitfinex instruments', () => {
  it('reads the pair list of BITFINEX.0 (pub:list:pair:exchange)', async () => {
    const specs = [];
    for await (const f of readCryptofeed(`${DIR}/BITFINEX.0`, false, 'meta', undefined, newReaderStats()))
      if (f.kind === 'rest' && bitfinex.reference!.matches(f.url!))
        specs.push(...bitfinex.reference!.parse(f.text, f.url!, 'recording'));
    expect(specs.length).toBeGreaterThan(200);
    expect(specs.find((s) => s.symbol === 'tBTCUST')).toMatchObject({
      base: 'BTC',
      quote: 'USDT',
      kind: 'spot',
    });
    expect(specs.find((s) => s.symbol === 'tAAVE:USD')).toMatchObject({ base: 'AAVE', quote: 'USD' });
    expect(bitfinexAssets('BTCF0:USTF0')).toEqual({ base: 'BTC', quote: 'USDT' });
    expect(parseBitfinexPairs('[["BTCF0:USTF0"]]', true, 'reference')[0]).toMatchObject({
      kind: 'perpetual',
      margin: 'linear',
    });
    expect(() => parseBitfinexPairs('{"x":1}', false, 'reference')).toThrow(
      expect.objectContaining({ name: 'MalformedFrameError' }),
    );
  });
});

describe('Bitfinex recording (cryptofeed bitfinex-2021-04, SEQ_ALL) replayed', () => {
  it('brings all 7 P0 books live with the connection sequence unbroken', async () => {
    const replay = await replayRecording([DIR]);
    const e = replay.engine;
    expect(e.dropped).toEqual({});
    expect(e.books.size).toBe(7);
    let applied = 0;
    for (const [id, b] of e.books) {
      const c = b.health.counters;
      expect(b.state, id).toBe('live');
      expect([c.gaps, c.crossedBooks, c.resyncs, c.dropped, c.snapshots], id).toEqual([0, 0, 0, 0, 1]);
      // The 2021-04 capture asked for SEQ_ALL only: no checksum messages to verify.
      expect(c.checksumChecked, id).toBe(0);
      applied += c.deltasApplied;
    }
    console.log(
      `Bitfinex: 7 books live, ${applied} updates applied, 0 gaps, 0 crossed, 0 checksums in the capture`,
    );
    expect(applied).toBeGreaterThan(1500);
  });
});
