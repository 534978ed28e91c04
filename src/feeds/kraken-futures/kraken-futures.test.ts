import { describe, expect, it } from 'vitest';
import { Engine } from '../../pipeline/engine.ts';
import { InProcessBus } from '../../bus/in-process.ts';
import { venues, venueSync } from '../registry.ts';
import { readCryptofeed } from '../../recording/cryptofeed.ts';
import { newReaderStats } from '../../recording/stats.ts';
import { baseSize, fallbackSpec, notional } from '../../core/instrument.ts';
import type { OutputTopics } from '../../alerts/topics.ts';
import { counters, expectCleanReplay, replaySummary } from '../../../test/venue-checks.ts';
import { KrakenFuturesParser } from './parser.ts';
import { krakenFutures } from './descriptor.ts';
import { krakenFuturesReference, parseKrakenFuturesInstruments } from './instruments.ts';

const DIR = '../shared/data/cryptofeed/kraken-futures';

describe('Kraken Futures parser', () => {
  const p = new KrakenFuturesParser();
  it('maps a book_snapshot (seq, exact digits) and a book update (one level, seq)', () => {
    const [s] = p.parse(
      '{"feed":"book_snapshot","product_id":"PI_XBTUSD","timestamp":1626994925378,"seq":91192,"tickSize":null,"bids":[{"price":32180.5,"qty":20108.0}],"asks":[{"price":32181.0,"qty":50.0}]}',
      1,
    );
    expect(s).toEqual({
      type: 'book_snapshot',
      instrument: 'kraken-futures:PI_XBTUSD',
      exchangeTs: 1626994925378,
      localTs: 1,
      sequence: 91192,
      bids: [['32180.5', '20108.0']],
      asks: [['32181.0', '50.0']],
      depthLimit: 0,
    });
    const [d] = p.parse(
      '{"feed":"book","product_id":"PI_XBTUSD","side":"sell","seq":91193,"price":32181.0,"qty":0.0,"timestamp":1626994927744}',
      2,
    );
    expect(d).toMatchObject({
      type: 'book_delta',
      firstSequence: 91193,
      sequence: 91193,
      bids: [],
      asks: [['32181.0', '0.0']],
    });
  });

  it('live trades only (taker side), no events for trade_snapshot, tickers and events; typed errors', () => {
    expect(
      p.parse(
        '{"feed":"trade","product_id":"PI_ETHUSD","uid":"u1","side":"buy","type":"fill","seq":1,"time":5,"qty":50.0,"price":2004.85}',
        0,
      ),
    ).toEqual([
      {
        type: 'trade',
        instrument: 'kraken-futures:PI_ETHUSD',
        exchangeTs: 5,
        localTs: 0,
        id: 'u1',
        price: '2004.85',
        size: '50.0',
        side: 'buy',
      },
    ]);
    expect(p.parse('{"feed":"trade_snapshot","product_id":"PI_ETHUSD","trades":[]}', 0)).toEqual([]);
    expect(p.parse('{"feed":"ticker_lite","product_id":"PI_ETHUSD","bid":1}', 0)).toEqual([]);
    expect(p.parse('{"event":"subscribed","feed":"book","product_ids":["PI_ETHUSD"]}', 0)).toEqual([]);
    expect(() => p.parse('{"event":"error","message":"Invalid product id"}', 0)).toThrow(
      expect.objectContaining({ code: 'unsupported' }),
    );
    expect(() =>
      p.parse('{"feed":"book","product_id":"X","side":"up","seq":1,"price":1,"qty":1}', 0),
    ).toThrow(expect.objectContaining({ code: 'invalid_field', instrument: 'kraken-futures:X' }));
    expect(() => p.parse('{"feed":"fills","product_id":"X"}', 0)).toThrow(
      expect.objectContaining({ code: 'unknown_stream' }),
    );
  });

  it('a missing seq is a gap that resyncs that product only and asks for a resubscribe', () => {
    const wanted: string[] = [];
    const engine = new Engine({
      sync: venueSync(venues),
      bus: new InProcessBus<OutputTopics>(),
      onSnapshotNeeded: (i) => wanted.push(i),
    });
    const snap = (id: string) =>
      `{"feed":"book_snapshot","product_id":"${id}","timestamp":1,"seq":10,"bids":[{"price":100,"qty":1}],"asks":[{"price":101,"qty":1}]}`;
    const upd = (id: string, seq: number) =>
      `{"feed":"book","product_id":"${id}","side":"buy","seq":${seq},"price":100,"qty":${seq},"timestamp":2}`;
    for (const id of ['PI_A', 'PI_B']) engine.handleFrame('kraken-futures', p, snap(id), 1);
    engine.handleFrame('kraken-futures', p, upd('PI_A', 11), 2);
    engine.handleFrame('kraken-futures', p, upd('PI_B', 11), 2);
    engine.handleFrame('kraken-futures', p, upd('PI_A', 13), 3);
    const a = engine.books.get('kraken-futures:PI_A')!;
    expect([a.state, a.health.counters.gaps]).toEqual(['resyncing', 1]);
    expect(engine.books.get('kraken-futures:PI_B')!.state).toBe('live');
    expect(wanted).toEqual(['kraken-futures:PI_A']);
    expect(krakenFutures.resubscribe!('PI_A').map((m) => JSON.parse(m))).toEqual([
      { event: 'unsubscribe', feed: 'book', product_ids: ['PI_A'] },
      { event: 'subscribe', feed: 'book', product_ids: ['PI_A'] },
    ]);
  });
});

describe('Kraken Futures recording cryptofeed/kraken-futures replayed', () => {
  it('every book live with 0 gaps, 0 crossed, 0 resyncs, nothing dropped', async () => {
    const engine = await expectCleanReplay([DIR]);
    console.log(replaySummary(engine, 'kraken-futures'));
    const c = [...counters(engine).values()];
    expect(c.map((x) => x.snapshots)).toEqual(Array(10).fill(1));
    expect(c.reduce((n, x) => n + x.deltasApplied, 0)).toBe(7014);
  });
});

describe('Kraken Futures instruments (KRAKEN_FUTURES.0) and inverse notionals', () => {
  async function specs() {
    const out = [];
    for await (const f of readCryptofeed(`${DIR}/KRAKEN_FUTURES.0`, false, 't', undefined, newReaderStats()))
      if (f.kind === 'rest' && krakenFuturesReference.matches(f.url!))
        out.push(...krakenFuturesReference.parse(f.text, f.url!, 'recording'));
    return out;
  }

  it('reads every recorded product: inverse 1 USD contracts, ticks, expiries; indices left out', async () => {
    const all = await specs();
    expect(all).toHaveLength(17);
    expect(all.find((s) => s.symbol === 'PI_XBTUSD')).toMatchObject({
      id: 'kraken-futures:PI_XBTUSD',
      base: 'BTC',
      quote: 'USD',
      settle: 'BTC',
      kind: 'perpetual',
      margin: 'inverse',
      contractSize: 1,
      tickSize: '0.5',
      lotSize: '1',
      expiry: null,
    });
    expect(all.find((s) => s.symbol === 'FI_XRPUSD_210924')).toMatchObject({
      base: 'XRP',
      kind: 'future',
      tickSize: '0.0001',
      pricePrecision: 4,
      expiry: Date.UTC(2021, 8, 24, 15),
    });
    for (const p of [
      'FI_ETHUSD_211231',
      'PI_XRPUSD',
      'PI_LTCUSD',
      'FI_BCHUSD_210730',
      'PI_ETHUSD',
      'FI_XBTUSD_210924',
    ])
      expect(
        all.some((s) => s.symbol === p),
        p,
      ).toBe(true);
    // Hand-computed: 20,108 PI_ETHUSD contracts at 2,004.85 = 20,108 USD = 10.0296... ETH.
    const eth = all.find((s) => s.symbol === 'PI_ETHUSD')!;
    expect(notional(eth, 2004.85, 20108)).toBe(20108);
    expect(baseSize(eth, 2004.85, 20108)).toBeCloseTo(20108 / 2004.85, 12);
  });

  it('the documented fallback (no reference loaded) agrees with the reference on units and kind', async () => {
    for (const s of await specs()) {
      const f = fallbackSpec(s.id);
      expect([s.id, f.base, f.quote, f.kind, f.margin, f.contractSize, f.sizeUnit]).toEqual([
        s.id,
        s.base,
        s.quote,
        s.kind,
        s.margin,
        s.contractSize,
        s.sizeUnit,
      ]);
    }
    expect(fallbackSpec('kraken-futures:PF_XBTUSD')).toMatchObject({
      base: 'BTC',
      margin: 'linear',
      sizeUnit: 'base',
    });
  });

  it("reads today's linear multi-collateral perpetuals; an error body throws", () => {
    const s = parseKrakenFuturesInstruments(
      JSON.stringify({
        result: 'success',
        instruments: [
          {
            symbol: 'PF_XBTUSD',
            type: 'flexible_futures',
            base: 'BTC',
            quote: 'USD',
            tickSize: 1,
            contractSize: 1,
            contractValueTradePrecision: 4,
            tag: 'perpetual',
            tradeable: true,
          },
        ],
      }),
      'reference',
    );
    expect(s[0]).toMatchObject({
      margin: 'linear',
      contractSize: 1,
      lotSize: '0.0001',
      tickSize: '1',
      kind: 'perpetual',
    });
    expect(baseSize(s[0]!, 60000, 0.5)).toBe(0.5);
    expect(notional(s[0]!, 60000, 0.5)).toBe(30000);
    expect(() =>
      parseKrakenFuturesInstruments('{"result":"error","error":"apiLimitExceeded"}', 'reference'),
    ).toThrow(expect.objectContaining({ name: 'MalformedFrameError' }));
  });
});
