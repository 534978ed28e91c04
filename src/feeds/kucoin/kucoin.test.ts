import { describe, expect, it } from 'vitest';
import { Engine } from '../../pipeline/engine.ts';
import { InProcessBus } from '../../bus/in-process.ts';
import { venues, venueSync } from '../registry.ts';
import { openRecording } from '../../recording/index.ts';
import { Replay } from '../../replay/index.ts';
import { notional } from '../../core/instrument.ts';
import type { OutputTopics } from '../../alerts/topics.ts';
import { KucoinParser, parseKucoinSnapshot } from './parser.ts';
import { kucoin, kucoinFutures, parseBullet } from './descriptor.ts';

const DIR = '../shared/data/cryptofeed/kucoin-2021-04';

describe('KuCoin parser', () => {
  const p = new KucoinParser();
  it('splits a spot increment per change sequence; price "0" entries only advance the sequence', () => {
    const ev = p.parse(
      '{"topic":"/market/level2:BTC-USDT","type":"message","subject":"trade.l2update","data":{"changes":{"asks":[["18906","0.00331","14103845"],["0","0","14103846"]],"bids":[["18900","1","14103848"]]},"sequenceEnd":14103849,"sequenceStart":14103844,"symbol":"BTC-USDT","time":1663747970273}}',
      3,
    );
    expect(
      ev.map((e) => e.type === 'book_delta' && [e.firstSequence, e.sequence, e.asks.length, e.bids.length]),
    ).toEqual([
      [14103844, 14103845, 1, 0],
      [14103846, 14103846, 0, 0],
      [14103847, 14103848, 0, 1],
      [14103849, 14103849, 0, 0],
    ]);
    expect(ev[0]).toMatchObject({ instrument: 'kucoin:BTC-USDT', exchangeTs: 1663747970273, localTs: 3 });
  });
  it('applies only the changes above the snapshot sequence (KuCoin "Orderbook - Increment" example)', () => {
    const e = new Engine({ sync: venueSync(venues), bus: new InProcessBus<OutputTopics>() });
    const snap = parseKucoinSnapshot(
      '{"code":"200000","data":{"time":1,"sequence":"16","asks":[["3988.62","8"],["3988.61","32"],["3988.60","47"],["3988.59","3"]],"bids":[["3988.51","56"],["3988.50","15"],["3988.49","100"],["3988.48","10"]]}}',
      'kucoin:BTC-USDT',
      0,
    );
    e.handleEvent(snap);
    e.handleFrame(
      'kucoin',
      p,
      '{"topic":"/market/level2:BTC-USDT","type":"message","subject":"trade.l2update","data":{"changes":{"asks":[["3988.59","3","16"],["3988.61","0","19"],["3988.62","8","15"]],"bids":[["3988.50","44","18"]]},"sequenceEnd":19,"sequenceStart":15,"symbol":"BTC-USDT","time":2}}',
      1,
    );
    const b = e.books.get('kucoin:BTC-USDT')!;
    expect(b.state).toBe('live');
    expect(b.book.topStrings(10)).toEqual({
      bids: [
        ['3988.51', '56'],
        ['3988.50', '44'],
        ['3988.49', '100'],
        ['3988.48', '10'],
      ],
      asks: [
        ['3988.59', '3'],
        ['3988.60', '47'],
        ['3988.62', '8'],
      ],
    });
    expect(b.health.sequence).toBe(19);
    e.handleFrame(
      'kucoin',
      p,
      '{"topic":"/market/level2:BTC-USDT","type":"message","subject":"trade.l2update","data":{"changes":{"asks":[],"bids":[["3988.47","1","21"]]},"sequenceEnd":21,"sequenceStart":21,"symbol":"BTC-USDT"}}',
      2,
    );
    expect([b.state, b.health.counters.gaps]).toEqual(['resyncing', 1]);
  });
  it('reads futures increments, trades of both markets, control messages; refuses bad frames with typed codes', () => {
    const [d] = p.parse(
      '{"topic":"/contractMarket/level2:XBTUSDTM","type":"message","subject":"level2","sn":1709400450243,"data":{"sequence":1709400450243,"change":"90631.2,sell,2","timestamp":1731897467182}}',
      0,
    );
    expect(d).toMatchObject({
      instrument: 'kucoin-futures:XBTUSDTM',
      sequence: 1709400450243,
      asks: [['90631.2', '2']],
      bids: [],
    });
    const [t] = p.parse(
      '{"topic":"/contractMarket/execution:XBTUSDTM","type":"message","subject":"match","sn":1,"data":{"symbol":"XBTUSDTM","sequence":1,"side":"buy","size":2,"price":"90503.9","takerOrderId":"a","makerOrderId":"b","tradeId":"1794100537695","ts":1731898619520000000}}',
      0,
    );
    expect(t).toMatchObject({ side: 'buy', size: '2', id: '1794100537695', exchangeTs: 1731898619520 });
    const [s] = p.parse(
      '{"data":{"symbol":"DAPPT-BTC","sequence":"1612701563869","side":"buy","size":"81.8814","price":"0.0000001117","takerOrderId":"x","time":"1619378327739050725","type":"match","makerOrderId":"y","tradeId":"6085c09769bc506996295e36"},"subject":"trade.l3match","topic":"/market/match:DAPPT-BTC","type":"message"}',
      0,
    );
    expect(s).toMatchObject({
      instrument: 'kucoin:DAPPT-BTC',
      id: '6085c09769bc506996295e36',
      size: '81.8814',
    });
    for (const c of [
      '{"id":"x","type":"welcome"}',
      '{"id":"1","type":"ack"}',
      '{"id":"1","type":"pong"}',
      '{"type":"message","topic":"/market/ticker:BTC-USDT","subject":"trade.ticker","data":{}}',
    ])
      expect(p.parse(c, 0)).toEqual([]);
    expect(() => p.parse('{"id":"1","type":"error","code":404,"data":"topic /x is not found"}', 0)).toThrow(
      expect.objectContaining({ code: 'unsupported' }),
    );
    expect(() => p.parse('{"type":"message","topic":"/market/nope:X","data":{}}', 0)).toThrow(
      expect.objectContaining({ code: 'unknown_stream' }),
    );
    expect(() =>
      p.parse(
        '{"type":"message","topic":"/market/level2:X","data":{"symbol":"X","sequenceStart":5,"sequenceEnd":4,"changes":{"asks":[],"bids":[]}}}',
        0,
      ),
    ).toThrow(expect.objectContaining({ code: 'invalid_field', instrument: 'kucoin:X' }));
    expect(() =>
      p.parse(
        '{"type":"message","topic":"/contractMarket/level2:X","data":{"sequence":1,"change":"1,up,2"}}',
        0,
      ),
    ).toThrow(expect.objectContaining({ code: 'invalid_field' }));
  });
  it('reads REST books (futures sizes as exact integers; 100-level part books bound coverage) and the bullet token', () => {
    const f = parseKucoinSnapshot(
      '{"code":"200000","data":{"symbol":"XBTUSDM","sequence":100,"asks":[[5000.0,1000],[6000.0,1983]],"bids":[[3200.0,800]],"ts":1604643655040584408}}',
      'kucoin-futures:XBTUSDM',
      0,
    );
    expect(f).toMatchObject({
      sequence: 100,
      asks: [
        ['5000.0', '1000'],
        ['6000.0', '1983'],
      ],
      depthLimit: 100,
      exchangeTs: 1604643655040.5845,
    });
    expect(() =>
      parseKucoinSnapshot('{"code":"400100","msg":"Unsupported trading pair."}', 'kucoin:X', 0),
    ).toThrow(expect.objectContaining({ code: 'unsupported' }));
    expect(
      parseBullet(
        '{"code":"200000","data":{"token":"t 1","instanceServers":[{"endpoint":"wss://ws-api-spot.kucoin.com/","pingInterval":18000}]}}',
        'c',
      ),
    ).toEqual({
      wsBase: 'wss://ws-api-spot.kucoin.com/?token=t%201&connectId=c',
      pingIntervalMs: 18000,
    });
    expect(() => parseBullet('{"code":"400","msg":"x"}', 'c')).toThrow(
      expect.objectContaining({ name: 'MalformedFrameError' }),
    );
    expect(kucoin.snapshotRequest!('https://api.kucoin.com', 'BTC-USDT').url).toBe(
      'https://api.kucoin.com/api/v1/market/orderbook/level2_100?symbol=BTC-USDT',
    );
    expect(
      kucoinFutures
        .subscribe('ws://x/?token=1', ['XBTUSDTM', 'ETHUSDTM'])
        .messages.map((m) => JSON.parse(m).topic),
    ).toEqual(['/contractMarket/level2:XBTUSDTM,ETHUSDTM', '/contractMarket/execution:XBTUSDTM,ETHUSDTM']);
  });
  it('reads the instrument lists: spot increments, linear and inverse contract sizes', () => {
    const spot = kucoin.reference!.parse(
      '{"code":"200000","data":[{"symbol":"BTC-USDT","baseCurrency":"BTC","quoteCurrency":"USDT","baseIncrement":"0.00000001","priceIncrement":"0.1","enableTrading":true}]}',
      '',
      'reference',
    );
    expect(spot[0]).toMatchObject({
      id: 'kucoin:BTC-USDT',
      tickSize: '0.1',
      lotSize: '0.00000001',
      kind: 'spot',
    });
    const fut = kucoinFutures.reference!.parse(
      '{"code":"200000","data":[{"symbol":"XBTUSDTM","baseCurrency":"XBT","quoteCurrency":"USDT","settleCurrency":"USDT","type":"FFWCSX","multiplier":0.001,"isInverse":false,"tickSize":0.1,"lotSize":1,"expireDate":null},{"symbol":"XBTUSDM","baseCurrency":"XBT","quoteCurrency":"USD","settleCurrency":"XBT","type":"FFWCSX","multiplier":-1,"isInverse":true,"tickSize":0.1,"lotSize":1,"expireDate":null}]}',
      '',
      'reference',
    );
    expect(fut[0]).toMatchObject({
      base: 'BTC',
      margin: 'linear',
      contractSize: 0.001,
      kind: 'perpetual',
      tickSize: '0.1',
      lotSize: '1',
    });
    expect(fut[1]).toMatchObject({ margin: 'inverse', contractSize: 1, settle: 'BTC' });
    // 1,000 lots of XBTUSDTM (0.001 BTC each) at 90,000 = 90,000 USDT; 1,000 XBTUSDM contracts = 1,000 USD.
    expect(notional(fut[0]!, 90_000, 1000)).toBeCloseTo(90_000, 6);
    expect(notional(fut[1]!, 90_000, 1000)).toBe(1000);
  });
});

describe('KuCoin recording kucoin-2021-04 replayed (level2 increments + REST snapshots)', () => {
  it('every book live, 0 gaps, 0 crossed', async () => {
    const r = new Replay(await openRecording([DIR]));
    const res = await r.run();
    expect(res.snapshots).toBe(9);
    expect(r.engine.dropped).toEqual({});
    const books = [...r.engine.books.values()];
    expect(books).toHaveLength(9); // LTX-USDT was subscribed but sent nothing in the capture
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
    console.log(`KuCoin spot: ${books.length} books, ${deltas} deltas applied`);
    expect(deltas).toBe(3805);
  });
});
