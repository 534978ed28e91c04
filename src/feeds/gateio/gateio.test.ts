import { describe, expect, it } from 'vitest';
import { Engine } from '../../pipeline/engine.ts';
import { InProcessBus } from '../../bus/in-process.ts';
import { venues, venueSync } from '../registry.ts';
import { openRecording } from '../../recording/index.ts';
import { readCryptofeed } from '../../recording/cryptofeed.ts';
import { newReaderStats } from '../../recording/stats.ts';
import { Replay } from '../../replay/index.ts';
import { notional } from '../../core/instrument.ts';
import type { OutputTopics } from '../../alerts/topics.ts';
import { GateioParser, parseGateioSnapshot } from './parser.ts';
import { gateio, gateioFutures, makeGateio } from './descriptor.ts';

const SPOT = '../shared/data/cryptofeed/gateio-2021-04';
const FUT = '../shared/data/cryptofeed/gateio-futures';

describe('Gate.io parser', () => {
  const p = new GateioParser();
  it('maps spot order_book_update U/u and futures {p,s} levels with integer sizes kept exact', () => {
    const [s] = p.parse(
      '{"time":1606294781,"time_ms":1606294781236,"channel":"spot.order_book_update","event":"update","result":{"t":1606294781123,"e":"depthUpdate","E":1606294781,"s":"BTC_USDT","U":48776301,"u":48776306,"b":[["19137.74","0.0001"]],"a":[["19137.75","0.6135"]]}}',
      5,
    );
    expect(s).toMatchObject({
      type: 'book_delta',
      instrument: 'gateio:BTC_USDT',
      firstSequence: 48776301,
      sequence: 48776306,
      exchangeTs: 1606294781123,
    });
    const [f] = p.parse(
      '{"time":1684930165,"time_ms":1684930165353,"channel":"futures.order_book_update","event":"update","result":{"U":203083178,"a":[{"p":"0.3047","s":8393}],"b":[{"p":"0.2943","s":0}],"s":"RDNT_USDT","t":1684930165247,"u":203083178}}',
      0,
    );
    expect(f).toMatchObject({
      instrument: 'gateio-futures:RDNT_USDT',
      asks: [['0.3047', '8393']],
      bids: [['0.2943', '0']],
    });
    expect(() =>
      p.parse(
        '{"channel":"futures.order_book_update","event":"update","result":{"U":1,"u":1,"s":"X","a":[{"p":"1","s":1e300}],"b":[]}}',
        0,
      ),
    ).toThrow(expect.objectContaining({ code: 'precision', instrument: 'gateio-futures:X' }));
  });
  it('reads obu full books and updates, trades (futures side from the size sign) and book_ticker', () => {
    const [full] = p.parse(
      '{"channel":"spot.obu","event":"update","result":{"t":1,"full":true,"s":"ob.BTC_USDT.400","u":100,"b":[["10","1"]],"a":[["11","1"]]}}',
      0,
    );
    expect(full).toMatchObject({
      type: 'book_snapshot',
      instrument: 'gateio:BTC_USDT',
      sequence: 100,
      depthLimit: 400,
    });
    const [inc] = p.parse(
      '{"channel":"spot.obu","event":"update","result":{"t":2,"s":"ob.BTC_USDT.400","U":101,"u":103,"b":[],"a":[["11","0"]]}}',
      0,
    );
    expect(inc).toMatchObject({ type: 'book_delta', firstSequence: 101, sequence: 103 });
    const [t] = p.parse(
      '{"channel":"futures.trades","event":"update","result":[{"size":-108,"id":27753479,"create_time":1545136464,"create_time_ms":1545136464123,"price":"96.4","contract":"BTC_USD"}]}',
      0,
    );
    expect(t).toMatchObject({
      instrument: 'gateio-futures:BTC_USD',
      side: 'sell',
      size: '108',
      id: '27753479',
      exchangeTs: 1545136464123,
    });
    const [st] = p.parse(
      '{"time":1619093543,"channel":"spot.trades","event":"update","result":{"id":816995772,"create_time":1619093543,"create_time_ms":"1619093543708.2642","side":"sell","currency_pair":"DIS_USDT","amount":"0.2010000000","price":"121.5800000000"}}',
      0,
    );
    expect(st).toMatchObject({ side: 'sell', size: '0.2010000000', exchangeTs: 1619093543708.2642 });
    const [bbo] = p.parse(
      '{"channel":"futures.book_ticker","event":"update","result":{"t":1684930165621,"u":6159967,"s":"PHB_USDT","b":"0.7379","B":814,"a":"0.739","A":677}}',
      0,
    );
    expect(bbo).toMatchObject({ type: 'bbo', sequence: 6159967, bidSize: '814', askPrice: '0.739' });
  });
  it('ignores acks, pongs, tickers and candles; refuses errors and unknown channels with typed codes', () => {
    expect(
      p.parse('{"time":1,"channel":"spot.trades","event":"subscribe","result":{"status":"success"}}', 0),
    ).toEqual([]);
    expect(p.parse('{"time":1,"channel":"spot.pong","event":"","result":null}', 0)).toEqual([]);
    expect(p.parse('{"time":1,"channel":"spot.tickers","event":"update","result":{}}', 0)).toEqual([]);
    expect(() =>
      p.parse(
        '{"time":1,"channel":"spot.obu","event":"subscribe","error":{"code":2,"message":"Alert sub"}}',
        0,
      ),
    ).toThrow(expect.objectContaining({ code: 'unsupported' }));
    expect(() => p.parse('{"channel":"options.x","event":"update","result":{}}', 0)).toThrow(
      expect.objectContaining({ code: 'unknown_stream' }),
    );
    expect(() =>
      p.parse('{"channel":"spot.order_book_update","event":"update","result":{"s":"X","U":"a"}}', 0),
    ).toThrow(expect.objectContaining({ code: 'invalid_field' }));
  });
  it('parses REST snapshots (spot ms, futures seconds) and the snapshot request', () => {
    const s = parseGateioSnapshot(
      '{"id":5,"current":1623898993123,"update":1623898993121,"asks":[["1.52","1.151"]],"bids":[["1.17","201.863"]]}',
      'gateio:X',
      0,
      100,
    );
    expect(s).toMatchObject({ sequence: 5, exchangeTs: 1623898993123, depthLimit: 100 });
    const f = parseGateioSnapshot(
      '{"id":7,"current":1684930166.384,"update":1684930166.35,"asks":[{"s":803,"p":"0.2974"}],"bids":[]}',
      'gateio-futures:X',
      0,
      100,
    );
    expect(f).toMatchObject({ sequence: 7, exchangeTs: 1684930166384, asks: [['0.2974', '803']] });
    expect(() =>
      parseGateioSnapshot('{"label":"INVALID_CURRENCY","message":"x"}', 'gateio:X', 0, 100),
    ).toThrow(expect.objectContaining({ code: 'unsupported' }));
    expect(gateio.snapshotRequest!('https://api.gateio.ws', 'BTC_USDT').url).toBe(
      'https://api.gateio.ws/api/v4/spot/order_book?currency_pair=BTC_USDT&limit=100&with_id=true',
    );
    expect(gateioFutures.snapshotRequest!('http://h/', 'BTC_USDT').url).toBe(
      'http://h/api/v4/futures/usdt/order_book?contract=BTC_USDT&limit=100&with_id=true',
    );
  });
});

describe('Gate.io obu (Order Book V2) sync, by the docs', () => {
  const obu = makeGateio('spot', 'obu');
  const engine = (wanted: string[]) =>
    new Engine({
      sync: new Map([['gateio', obu.sync]]),
      bus: new InProcessBus<OutputTopics>(),
      onSnapshotNeeded: (i) => wanted.push(i),
    });
  const msg = (r: object) =>
    JSON.stringify({
      time: 1,
      channel: 'spot.obu',
      event: 'update',
      result: { t: 1, s: 'ob.BTC_USDT.400', ...r },
    });
  it('goes live on the full book, applies U == id+1, resubscribes on a break, and a repeated full book resets', () => {
    const wanted: string[] = [];
    const e = engine(wanted);
    const p = obu.createParser();
    e.handleFrame('gateio', p, msg({ full: true, u: 100, b: [['10', '1']], a: [['11', '1']] }), 1);
    e.handleFrame('gateio', p, msg({ U: 101, u: 102, b: [['10', '2']], a: [] }), 2);
    const b = e.books.get('gateio:BTC_USDT')!;
    expect([b.state, b.health.sequence, b.book.topStrings(1).bids[0]]).toEqual(['live', 102, ['10', '2']]);
    e.handleFrame('gateio', p, msg({ U: 104, u: 105, b: [], a: [] }), 3);
    expect([b.state, b.health.counters.gaps]).toEqual(['resyncing', 1]);
    expect(wanted).toEqual(['gateio:BTC_USDT']);
    expect(obu.resubscribe!('BTC_USDT').map((m) => [JSON.parse(m).event, JSON.parse(m).payload[0]])).toEqual([
      ['unsubscribe', 'ob.BTC_USDT.400'],
      ['subscribe', 'ob.BTC_USDT.400'],
    ]);
    e.handleFrame('gateio', p, msg({ full: true, u: 200, b: [['9', '1']], a: [['12', '1']] }), 4);
    e.handleFrame('gateio', p, msg({ U: 201, u: 201, b: [], a: [['12', '3']] }), 5);
    expect([b.state, b.health.sequence]).toEqual(['live', 201]);
    expect(obu.snapshotRequest).toBeUndefined();
  });
});

describe('Gate.io recordings replayed', () => {
  it('gateio-2021-04 (spot order_book_update + REST snapshots): 10 books live, 0 gaps, 0 crossed', async () => {
    const r = new Replay(await openRecording([SPOT]));
    const res = await r.run();
    expect(res.snapshots).toBe(10);
    expect(r.engine.dropped).toEqual({});
    const books = [...r.engine.books.values()];
    expect(books).toHaveLength(10);
    let deltas = 0;
    for (const b of books) {
      const c = b.health.counters;
      expect([b.instrument, b.state, c.gaps, c.crossedBooks, c.resyncs]).toEqual([
        b.instrument,
        'live',
        0,
        0,
        0,
      ]);
      deltas += c.deltasApplied;
    }
    console.log(`Gate.io spot: ${books.length} books, ${deltas} deltas applied`);
    expect(deltas).toBe(159);
  });

  it('gateio-futures (futures order_book_update + REST snapshots): 10 books live, 0 gaps, book_ticker oracle all matched', async () => {
    const r = new Replay(await openRecording([FUT]));
    await r.run();
    expect(r.engine.dropped).toEqual({});
    const books = [...r.engine.books.values()];
    expect(books).toHaveLength(10);
    let deltas = 0;
    let oracle = 0;
    for (const b of books) {
      const c = b.health.counters;
      expect([
        b.instrument,
        b.state,
        c.gaps,
        c.crossedBooks,
        c.resyncs,
        c.oracleChecked - c.oracleMatched,
      ]).toEqual([b.instrument, 'live', 0, 0, 0, 0]);
      deltas += c.deltasApplied;
      oracle += c.oracleMatched;
    }
    console.log(
      `Gate.io futures: ${books.length} books, ${deltas} deltas applied, BBO oracle ${oracle} matched`,
    );
    expect([deltas, oracle]).toEqual([316, 18]);
  });

  it('parses the recorded USDT contract list: linear contracts with their multipliers', async () => {
    const specs = [];
    for await (const f of readCryptofeed(
      `${FUT}/GATEIO_FUTURES.0`,
      false,
      'meta',
      undefined,
      newReaderStats(),
    ))
      if (f.kind === 'rest' && f.url && gateioFutures.reference!.matches(f.url))
        specs.push(...gateioFutures.reference!.parse(f.text, f.url, 'recording'));
    expect(specs).toHaveLength(302);
    const btc = specs.find((s) => s.id === 'gateio-futures:BTC_USDT')!;
    expect(btc).toMatchObject({
      base: 'BTC',
      quote: 'USDT',
      kind: 'perpetual',
      margin: 'linear',
      contractSize: 0.0001,
      sizeUnit: 'contracts',
      tickSize: '0.1',
    });
    // 100 contracts of 0.0001 BTC at 27,000 USDT = 270 USDT.
    expect(notional(btc, 27_000, 100)).toBeCloseTo(270, 9);
    const spot = gateio.reference!.parse(
      '[{"id":"ETH_USDT","base":"ETH","quote":"USDT","fee":"0.2","min_base_amount":"0.001","amount_precision":3,"precision":6,"trade_status":"tradable"}]',
      '',
      'reference',
    );
    expect(spot[0]).toMatchObject({
      id: 'gateio:ETH_USDT',
      tickSize: '0.000001',
      lotSize: '0.001',
      source: 'reference',
    });
    expect(() => gateio.reference!.parse('{"label":"X","message":"y"}', '', 'reference')).toThrow(
      expect.objectContaining({ name: 'MalformedFrameError' }),
    );
    expect(venueSync(venues).get('gateio-futures')!.snapshotSource).toBe('rest');
  });
});
