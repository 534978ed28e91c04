import { describe, expect, it } from 'vitest';
import { Engine } from '../../pipeline/engine.ts';
import { InProcessBus } from '../../bus/in-process.ts';
import { venues, venueSync } from '../registry.ts';
import { baseSize, fallbackSpec, notional } from '../../core/instrument.ts';
import type { OutputTopics } from '../../alerts/topics.ts';
import { counters, expectCleanReplay, replaySummary } from '../../../test/venue-checks.ts';
import { BitmexParser } from './parser.ts';
import { bitmex } from './descriptor.ts';
import { bitmexReference, parseBitmexInstruments } from './instruments.ts';

const DIR = '../shared/data/cryptofeed/bitmex';

const partial = (symbol: string, rows: object[]) =>
  JSON.stringify({
    table: 'orderBookL2',
    action: 'partial',
    keys: ['symbol', 'id', 'side'],
    types: { symbol: 'symbol', id: 'long', side: 'symbol', size: 'long', price: 'float' },
    filter: { symbol },
    data: rows,
  });
const change = (action: string, rows: object[]) =>
  JSON.stringify({ table: 'orderBookL2', action, data: rows });

describe('BitMEX parser', () => {
  it('turns partial/insert/update/delete by id into price levels, sequenced per symbol', () => {
    const p = new BitmexParser();
    const [s] = p.parse(
      partial('XBTUSD', [
        { symbol: 'XBTUSD', id: 8796783050, side: 'Sell', size: 161000, price: 32180.5 },
        { symbol: 'XBTUSD', id: 8796783100, side: 'Buy', size: 1050200, price: 32180 },
      ]),
      1,
    );
    expect(s).toMatchObject({
      type: 'book_snapshot',
      instrument: 'bitmex:XBTUSD',
      sequence: 1,
      bids: [['32180', '1050200']],
      asks: [['32180.5', '161000']],
      depthLimit: 0,
    });
    const [u] = p.parse(
      change('update', [{ symbol: 'XBTUSD', id: 8796783050, side: 'Sell', size: 99200 }]),
      2,
    );
    expect(u).toMatchObject({ sequence: 2, prevSequence: 1, asks: [['32180.5', '99200']], bids: [] });
    const [i] = p.parse(
      change('insert', [
        {
          symbol: 'XBTUSD',
          id: 8796783150,
          side: 'Buy',
          size: 5,
          price: 32179.5,
          timestamp: '2021-07-22T22:36:10.014Z',
        },
      ]),
      3,
    );
    expect(i).toMatchObject({
      sequence: 3,
      prevSequence: 2,
      bids: [['32179.5', '5']],
      exchangeTs: Date.UTC(2021, 6, 22, 22, 36, 10, 14),
    });
    const [d] = p.parse(change('delete', [{ symbol: 'XBTUSD', id: 8796783150, side: 'Buy' }]), 4);
    expect(d).toMatchObject({ sequence: 4, prevSequence: 3, bids: [['32179.5', '0']] });
    // An exponent price (as BitMEX writes small prices) becomes a plain decimal.
    const [x] = p.parse(
      partial('XRPU21', [{ symbol: 'XRPU21', id: 1, side: 'Sell', size: 59722, price: 3.5e-7 }]),
      5,
    );
    expect(x).toMatchObject({ instrument: 'bitmex:XRPU21', asks: [['0.00000035', '59722']] });
  });

  it('an update for an id it does not hold is a gap: that book resyncs, the other stays live', () => {
    const wanted: string[] = [];
    const engine = new Engine({
      sync: venueSync(venues),
      bus: new InProcessBus<OutputTopics>(),
      onSnapshotNeeded: (i) => wanted.push(i),
    });
    const p = bitmex.createParser();
    for (const sym of ['XBTUSD', 'BCHUSD'])
      engine.handleFrame(
        'bitmex',
        p,
        partial(sym, [
          { symbol: sym, id: 1, side: 'Sell', size: 10, price: 101 },
          { symbol: sym, id: 2, side: 'Buy', size: 10, price: 100 },
        ]),
        1,
      );
    engine.handleFrame('bitmex', p, change('update', [{ symbol: 'BCHUSD', id: 2, side: 'Buy', size: 7 }]), 2);
    engine.handleFrame(
      'bitmex',
      p,
      change('update', [{ symbol: 'XBTUSD', id: 99, side: 'Buy', size: 7 }]),
      3,
    );
    // Later rows of the out-of-sync symbol are not applied (its id map is no longer trusted).
    engine.handleFrame('bitmex', p, change('update', [{ symbol: 'XBTUSD', id: 2, side: 'Buy', size: 8 }]), 4);
    const x = engine.books.get('bitmex:XBTUSD')!;
    expect([x.state, x.health.counters.gaps, x.health.counters.resyncs]).toEqual(['resyncing', 1, 1]);
    expect(engine.books.get('bitmex:BCHUSD')!.book.bids.size(0)).toBe(7);
    expect(engine.books.get('bitmex:BCHUSD')!.state).toBe('live');
    expect(wanted).toEqual(['bitmex:XBTUSD']);
    // A duplicate insert is a gap too; a fresh partial makes the book live again.
    engine.handleFrame(
      'bitmex',
      p,
      partial('XBTUSD', [{ symbol: 'XBTUSD', id: 2, side: 'Buy', size: 3, price: 100 }]),
      5,
    );
    expect(x.state).toBe('live');
    engine.handleFrame(
      'bitmex',
      p,
      change('insert', [{ symbol: 'XBTUSD', id: 2, side: 'Buy', size: 3, price: 100 }]),
      6,
    );
    expect([x.state, x.health.counters.gaps]).toEqual(['resyncing', 2]);
    expect(bitmex.resubscribe!('XBTUSD').map((m) => JSON.parse(m))).toEqual([
      { op: 'unsubscribe', args: ['orderBookL2:XBTUSD'] },
      { op: 'subscribe', args: ['orderBookL2:XBTUSD'] },
    ]);
  });

  it('trades: side is the taker side, digits kept; acks, welcome, pong and quotes give nothing', () => {
    const p = new BitmexParser();
    expect(
      p.parse(
        '{"table":"trade","action":"insert","data":[{"timestamp":"2021-07-22T22:36:11.685Z","symbol":"XBTUSD","side":"Buy","size":100,"price":32180.5,"trdMatchID":"6e70bebe-235e-08a6-d11b-e1042bf1f2ed"}]}',
        0,
      ),
    ).toEqual([
      {
        type: 'trade',
        instrument: 'bitmex:XBTUSD',
        exchangeTs: Date.UTC(2021, 6, 22, 22, 36, 11, 685),
        localTs: 0,
        id: '6e70bebe-235e-08a6-d11b-e1042bf1f2ed',
        price: '32180.5',
        size: '100',
        side: 'buy',
      },
    ]);
    expect(p.parse('pong', 0)).toEqual([]);
    expect(p.parse('{"info":"Welcome to the BitMEX Realtime API.","version":"x"}', 0)).toEqual([]);
    expect(p.parse('{"success":true,"subscribe":"orderBookL2:XBTUSD"}', 0)).toEqual([]);
    expect(p.parse('{"table":"quote","action":"insert","data":[]}', 0)).toEqual([]);
    expect(() => p.parse('{"status":400,"error":"Unknown table: x"}', 0)).toThrow(
      expect.objectContaining({ code: 'unsupported' }),
    );
    expect(() => p.parse('{"table":"funding","action":"insert","data":[]}', 0)).toThrow(
      expect.objectContaining({ code: 'unknown_stream' }),
    );
  });
});

describe('BitMEX recording cryptofeed/bitmex replayed', () => {
  it('every book live with 0 gaps, 0 crossed, 0 resyncs, nothing dropped', async () => {
    const engine = await expectCleanReplay([DIR]);
    console.log(replaySummary(engine, 'bitmex'));
    const c = [...counters(engine).values()];
    expect(c.map((x) => x.snapshots)).toEqual(Array(10).fill(1));
    expect(c.reduce((n, x) => n + x.deltasApplied, 0)).toBe(1969);
  });
});

describe('BitMEX instruments (instrument/active) and inverse notionals', () => {
  // Entries as BitMEX's instrument/active returns them (fields this parser reads, values per the docs'
  // contract specs: XBTUSD 1 USD inverse, XBTUSDT 0.000001 XBT linear).
  const body = JSON.stringify([
    {
      symbol: 'XBTUSD',
      typ: 'FFWCSX',
      state: 'Open',
      underlying: 'XBT',
      quoteCurrency: 'USD',
      settlCurrency: 'XBt',
      expiry: null,
      tickSize: 0.5,
      lotSize: 100,
      multiplier: -100000000,
      underlyingToSettleMultiplier: -100000000,
      quoteToSettleMultiplier: null,
      underlyingToPositionMultiplier: null,
      isQuanto: false,
      isInverse: true,
    },
    {
      symbol: 'XBTU21',
      typ: 'FFCCSX',
      state: 'Open',
      underlying: 'XBT',
      quoteCurrency: 'USD',
      settlCurrency: 'XBt',
      expiry: '2021-09-24T12:00:00.000Z',
      tickSize: 0.5,
      lotSize: 100,
      multiplier: -100000000,
      underlyingToSettleMultiplier: -100000000,
      quoteToSettleMultiplier: null,
      isQuanto: false,
      isInverse: true,
    },
    {
      symbol: 'XBTUSDT',
      typ: 'FFWCSX',
      state: 'Open',
      underlying: 'XBT',
      quoteCurrency: 'USDT',
      settlCurrency: 'USDt',
      expiry: null,
      tickSize: 0.5,
      lotSize: 1000,
      multiplier: 1,
      underlyingToSettleMultiplier: null,
      quoteToSettleMultiplier: 1000000,
      underlyingToPositionMultiplier: 1000000,
      isQuanto: false,
      isInverse: false,
    },
    {
      symbol: 'UNIUSDT',
      typ: 'FFWCSX',
      state: 'Open',
      underlying: 'UNI',
      quoteCurrency: 'USDT',
      settlCurrency: 'XBt',
      tickSize: 0.001,
      lotSize: 1,
      multiplier: 1000,
      isQuanto: true,
      isInverse: false,
    },
    {
      symbol: '.BXBT',
      typ: 'MRCXXX',
      state: 'Unlisted',
      underlying: 'XBT',
      quoteCurrency: 'USD',
      tickSize: 0.01,
    },
  ]);

  it('reads contract sizes, ticks, lots and expiries; quanto contracts are skipped with a reason', () => {
    const skipped: string[] = [];
    const specs = bitmexReference.parse(
      body,
      'https://www.bitmex.com/api/v1/instrument/active',
      'reference',
      (r) => skipped.push(r),
    );
    expect(specs.map((s) => s.symbol)).toEqual(['XBTUSD', 'XBTU21', 'XBTUSDT']);
    expect(specs[0]).toMatchObject({
      base: 'BTC',
      quote: 'USD',
      settle: 'BTC',
      kind: 'perpetual',
      margin: 'inverse',
      contractSize: 1,
      sizeUnit: 'contracts',
      tickSize: '0.5',
      lotSize: '100',
      expiry: null,
    });
    expect(specs[1]).toMatchObject({ kind: 'future', expiry: Date.UTC(2021, 8, 24, 12) });
    expect(specs[2]).toMatchObject({
      margin: 'linear',
      contractSize: 0.000001,
      quote: 'USDT',
      settle: 'USDT',
    });
    expect(skipped).toEqual([expect.stringContaining('UNIUSDT is a quanto')]);
    expect(() =>
      parseBitmexInstruments(
        '{"error":{"message":"Rate limit exceeded","name":"RateLimitError"}}',
        'reference',
      ),
    ).toThrow(expect.objectContaining({ name: 'MalformedFrameError' }));
    expect(bitmexReference.matches('http://127.0.0.1:9/api/v1/instrument/active')).toBe(true);
  });

  it('XBTUSD notional: contracts are USD whatever the price (hand-computed)', () => {
    const [xbtusd, , xbtusdt] = parseBitmexInstruments(body, 'reference');
    // 1,000 XBTUSD contracts at 32,180.5: 1,000 USD; in BTC 1,000 / 32,180.5 = 0.031074719162225...
    expect(notional(xbtusd!, 32180.5, 1000)).toBe(1000);
    expect(baseSize(xbtusd!, 32180.5, 1000)).toBeCloseTo(0.0310747191622256, 15);
    // The recorded best ask level: 161,000 contracts = 161,000 USD = 5.00302... BTC at 32,180.5.
    expect(notional(xbtusd!, 32180.5, 161000)).toBe(161000);
    expect(baseSize(xbtusd!, 32180.5, 161000)).toBeCloseTo(161000 / 32180.5, 12);
    // Linear XBTUSDT: 2,500,000 contracts of 0.000001 XBT = 2.5 XBT; at 32,000 = 80,000 USDT.
    expect(baseSize(xbtusdt!, 32000, 2500000)).toBeCloseTo(2.5, 12);
    expect(notional(xbtusdt!, 32000, 2500000)).toBeCloseTo(80000, 6);
    // Without reference data (the recording carries none) the documented fallback gives the same.
    const fb = fallbackSpec('bitmex:XBTUSD');
    expect([fb.margin, fb.contractSize, fb.sizeUnit, fb.base, fb.quote]).toEqual([
      'inverse',
      1,
      'contracts',
      'BTC',
      'USD',
    ]);
    expect(notional(fb, 32180.5, 1000)).toBe(1000);
    expect(fallbackSpec('bitmex:XBTU21')).toMatchObject({
      kind: 'future',
      margin: 'inverse',
      contractSize: 1,
    });
  });
});
