import { describe, expect, it } from 'vitest';
import { Engine } from '../../pipeline/engine.ts';
import { InProcessBus } from '../../bus/in-process.ts';
import { venues, venueSync } from '../registry.ts';
import { openRecording } from '../../recording/index.ts';
import { fallbackSpec, notional } from '../../core/instrument.ts';
import type { OutputTopics } from '../../alerts/topics.ts';
import { counters, expectCleanReplay, replaySummary } from '../../../test/venue-checks.ts';
import { HyperliquidParser } from './parser.ts';
import { hyperliquid } from './descriptor.ts';
import { hyperliquidReference } from './instruments.ts';

const FILE = '../shared/data/hyperliquid-hftbacktest/btcusd_20250126.gz';

const l2 = (time: number, bid: string, ask: string) =>
  JSON.stringify({
    channel: 'l2Book',
    data: {
      coin: 'BTC',
      time,
      levels: [[{ px: bid, sz: '1.5', n: 2 }], [{ px: ask, sz: '0.25', n: 1 }]],
    },
  });

describe('Hyperliquid parser', () => {
  const p = new HyperliquidParser();
  it('every l2Book is a full, depth-limited snapshot at its block time', () => {
    expect(p.parse(l2(1737918843542, '105055.0', '105056.0'), 3)).toEqual([
      {
        type: 'book_snapshot',
        instrument: 'hyperliquid:BTC',
        exchangeTs: 1737918843542,
        localTs: 3,
        sequence: 1737918843542,
        bids: [['105055.0', '1.5', 2]],
        asks: [['105056.0', '0.25', 1]],
        depthLimit: 20,
      },
    ]);
  });

  it('trades: B is a taker buy, A a taker sell; responses and pongs give nothing; errors are typed', () => {
    const ts = p.parse(
      '{"channel":"trades","data":[{"coin":"BTC","hash":"0x0","px":"105056.0","side":"B","sz":"0.00219","tid":121451470284048,"time":1737918794873},{"coin":"BTC","px":"105055.0","side":"A","sz":"0.1","tid":2,"time":1}]}',
      0,
    );
    expect(ts.map((t) => t.type === 'trade' && [t.side, t.price, t.size, t.id])).toEqual([
      ['buy', '105056.0', '0.00219', '121451470284048'],
      ['sell', '105055.0', '0.1', '2'],
    ]);
    expect(p.parse('{"channel":"subscriptionResponse","data":{"method":"subscribe"}}', 0)).toEqual([]);
    expect(p.parse('{"channel":"pong"}', 0)).toEqual([]);
    expect(() => p.parse('{"channel":"error","data":"Invalid subscription"}', 0)).toThrow(
      expect.objectContaining({ code: 'unsupported' }),
    );
    expect(() => p.parse('{"channel":"l2Book","data":{"coin":"BTC","time":1,"levels":[[]]}}', 0)).toThrow(
      expect.objectContaining({ code: 'invalid_field', instrument: 'hyperliquid:BTC' }),
    );
  });

  it('a duplicate or older book is dropped as stale; a crossed one resyncs by resubscribing', () => {
    const wanted: string[] = [];
    const engine = new Engine({
      sync: venueSync(venues),
      bus: new InProcessBus<OutputTopics>(),
      onSnapshotNeeded: (i) => wanted.push(i),
    });
    engine.handleFrame('hyperliquid', p, l2(10, '100', '101'), 1);
    engine.handleFrame('hyperliquid', p, l2(10, '100', '101'), 2);
    engine.handleFrame('hyperliquid', p, l2(9, '99', '100'), 3);
    const b = engine.books.get('hyperliquid:BTC')!;
    expect([
      b.state,
      b.health.counters.snapshots,
      b.health.counters.staleDeltas,
      b.book.bids.price(0),
    ]).toEqual(['live', 1, 2, 100]);
    // A repeated block is not an update: a feed stuck on one block goes stale (the connector's check).
    expect(b.health.lastUpdateLocalTs).toBe(1);
    engine.handleFrame('hyperliquid', p, l2(11, '102', '101'), 4);
    expect([b.state, b.health.counters.crossedBooks]).toEqual(['resyncing', 1]);
    expect(wanted).toEqual(['hyperliquid:BTC']);
    // The venue's current book (even at an older block than the crossed one) makes it live again.
    engine.handleFrame('hyperliquid', p, l2(10, '100', '101'), 5);
    expect([b.state, b.health.lastResyncAt]).toEqual(['live', 5]);
    expect(hyperliquid.resubscribe!('BTC').map((m) => JSON.parse(m))).toEqual([
      { method: 'unsubscribe', subscription: { type: 'l2Book', coin: 'BTC' } },
      { method: 'subscribe', subscription: { type: 'l2Book', coin: 'BTC' } },
    ]);
  });
});

describe('Hyperliquid recording hyperliquid-hftbacktest replayed', () => {
  it('is recognised as Hyperliquid and replays: the book live, 0 gaps, 0 crossed, the repeated block dropped', async () => {
    expect((await openRecording([FILE])).venues).toEqual(['hyperliquid']);
    const engine = await expectCleanReplay([FILE]);
    console.log(replaySummary(engine, 'hyperliquid'));
    const x = counters(engine).get('hyperliquid:BTC')!;
    expect(engine.books.size).toBe(1);
    // 46 l2Book messages; the first two are the same block (subscription snapshot, then the push).
    expect([x.snapshots, x.staleDeltas]).toEqual([45, 1]);
    expect(x.trades).toBeGreaterThan(9);
    expect(engine.books.get('hyperliquid:BTC')!.book.bids.length).toBe(20);
  });
});

describe('Hyperliquid meta', () => {
  it('perpetuals in coin units: lot 10^-szDecimals, finest tick 10^-(6-szDecimals); delisted left out', () => {
    const skipped: string[] = [];
    const specs = hyperliquidReference.parse(
      JSON.stringify({
        universe: [
          { name: 'BTC', szDecimals: 5, maxLeverage: 40 },
          { name: 'kPEPE', szDecimals: 0, maxLeverage: 10 },
          { name: 'OLD', szDecimals: 2, maxLeverage: 3, isDelisted: true },
          { name: 'BAD', szDecimals: 9 },
        ],
      }),
      'https://api.hyperliquid.xyz/info',
      'reference',
      (r) => skipped.push(r),
    );
    expect(
      specs.map((s) => [s.id, s.tickSize, s.lotSize, s.kind, s.margin, s.sizeUnit, s.quote, s.settle]),
    ).toEqual([
      ['hyperliquid:BTC', '0.1', '0.00001', 'perpetual', 'linear', 'base', 'USD', 'USDC'],
      ['hyperliquid:kPEPE', '0.000001', '1', 'perpetual', 'linear', 'base', 'USD', 'USDC'],
    ]);
    expect(skipped).toEqual([expect.stringContaining('BAD')]);
    // 0.5 BTC at 105,055 = 52,527.5 USD.
    expect(notional(specs[0]!, 105055, 0.5)).toBe(52527.5);
    // The recording carries no meta: the documented fallback has the same units.
    expect(fallbackSpec('hyperliquid:BTC')).toMatchObject({
      base: 'BTC',
      quote: 'USD',
      kind: 'perpetual',
      margin: 'linear',
      sizeUnit: 'base',
    });
    expect(() => hyperliquidReference.parse('{"universe":3}', '/info', 'reference')).toThrow(
      expect.objectContaining({ name: 'MalformedFrameError' }),
    );
  });
});
