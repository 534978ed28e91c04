/**
 * Notionals and sizes of contract instruments through the analytics, against hand-computed values:
 * Binance COIN-M BTCUSD_PERP (inverse, 100 USD a contract) and ETHUSD_PERP (10 USD), an OKX linear swap
 * (0.01 BTC a contract), and automatic buckets on a low-priced pair (Kraken ADA/XBT, tick 0.00000001).
 */
import { describe, expect, it } from 'vitest';
import { L2Book } from '../book/l2-book.ts';
import type { Coverage } from '../book/health.ts';
import type { Trade, WireLevel } from '../core/model.ts';
import { fallbackSpec, makeSpec, InstrumentCatalog } from '../core/instrument.ts';
import { computeBookMetrics } from './book-metrics.ts';
import { InstrumentAnalytics, type AnalyticsEvent } from './instrument.ts';
import { InProcessBus } from '../bus/in-process.ts';
import { AnalyticsStage, type AnalyticsTopics } from './stage.ts';
import { openRecording } from '../recording/open.ts';
import { Replay, recordingReference } from '../replay/replay.ts';
import { createPipeline } from '../app/pipeline.ts';
import type { OutputTopics } from '../alerts/topics.ts';

const FULL: Coverage = { bidFloor: NaN, askCeiling: NaN };

function book(bids: WireLevel[], asks: WireLevel[]): L2Book {
  const b = new L2Book();
  b.applySnapshot(bids, asks);
  return b;
}

const BTCUSD_PERP = fallbackSpec('binance-coinm:BTCUSD_PERP'); // 100 USD a contract (documented rule)
const ETHUSD_PERP = fallbackSpec('binance-coinm:ETHUSD_PERP'); // 10 USD a contract

/** bids 60,000 × 100, 59,990 × 50; asks 60,010 × 80, 60,020 × 200 (contracts). */
const coinmBook = (): L2Book =>
  book(
    [
      ['60000', '100'],
      ['59990', '50'],
    ],
    [
      ['60010', '80'],
      ['60020', '200'],
    ],
  );

const cfg = { depthLevels: 10, impactNotional: 10_000, movePct: 1 };

describe('book metrics of inverse contracts (Binance COIN-M BTCUSD_PERP, 100 USD a contract)', () => {
  const m = computeBookMetrics(coinmBook(), FULL, cfg, BTCUSD_PERP);

  it('counts each contract as 100 USD of notional, whatever its price', () => {
    // mid 60,005; ±0.1 % = [59,944.995, 60,065.005] holds every level
    expect(m.bidNotional10bps).toBe((100 + 50) * 100); // 15,000 USD
    expect(m.askNotional10bps).toBe((80 + 200) * 100); // 28,000 USD
    // depth to move 1 %: the same levels
    expect(m.bidDepthToMove).toBe(15_000);
    expect(m.askDepthToMove).toBe(28_000);
  });

  it('fills a 10,000 USD market buy as 8,000 USD at 60,010 then 2,000 USD at 60,020', () => {
    // base bought: 8,000 / 60,010 + 2,000 / 60,020 BTC = 0.133311115 + 0.033322226 = 0.166633341 BTC
    const base = 8_000 / 60_010 + 2_000 / 60_020;
    expect(base).toBeCloseTo(0.166633341, 9);
    expect(m.buyFillPrice).toBeCloseTo(10_000 / base, 9); // 60,011.9997 USD per BTC (harmonic mean of the two prices, weighted 8:2)
    expect(m.buyFillPrice).toBeCloseTo(60_011.9997, 3);
    // sell 10,000 USD: the first bid level holds exactly 10,000 USD at 60,000
    expect(m.sellFillPrice).toBeCloseTo(60_000, 9);
    expect(m.sellImpactBps).toBeCloseTo(((60_005 - 60_000) / 60_005) * 1e4, 9);
  });

  it('would be off by the price (60,000×) if the contracts were read as BTC', () => {
    const asBase = computeBookMetrics(coinmBook(), FULL, cfg);
    expect(asBase.bidNotional10bps).toBe(60_000 * 100 + 59_990 * 50); // 8,999,500: wrong for COIN-M
  });

  it('ETHUSD_PERP: 1,300 contracts of 10 USD are 13,000 USD, i.e. 5 ETH at 2,600', () => {
    const eth = computeBookMetrics(
      book([['2599.99', '700']], [['2600.00', '1300']]),
      FULL,
      { depthLevels: 10, impactNotional: 13_000 },
      ETHUSD_PERP,
    );
    expect(eth.askNotional10bps).toBe(13_000);
    expect(eth.bidNotional10bps).toBe(7_000);
    // the whole ask level fills the 13,000 USD order: 5 ETH at 2,600
    expect(eth.buyFillPrice).toBeCloseTo(2_600, 9);
  });

  it('linear contracts (OKX BTC-USDT-SWAP, 0.01 BTC a contract): price × contracts × 0.01', () => {
    const swap = makeSpec({
      venue: 'okx',
      symbol: 'BTC-USDT-SWAP',
      base: 'BTC',
      quote: 'USDT',
      kind: 'perpetual',
      margin: 'linear',
      contractSize: 0.01,
      tickSize: '0.1',
      lotSize: '1',
      expiry: null,
      source: 'reference',
    });
    const l = computeBookMetrics(book([['60000', '30']], [['60010', '50']]), FULL, cfg, swap);
    expect(l.bidNotional10bps).toBeCloseTo(60_000 * 30 * 0.01, 9); // 18,000 USDT
    expect(l.askNotional10bps).toBeCloseTo(60_010 * 50 * 0.01, 9); // 30,005 USDT
  });
});

describe('walls, heatmap and flow of inverse contracts in base units', () => {
  it('a 600-contract level at 60,000 is a 60,000 USD wall of 1 BTC; 400 contracts (40,000 USD) is not', () => {
    const events: AnalyticsEvent[] = [];
    const a = new InstrumentAnalytics(
      'binance-coinm:BTCUSD_PERP',
      { walls: { minNotional: 50_000, relMultiple: 0, scanIntervalMs: 0 }, heatmap: { bucketSize: 10 } },
      (e) => events.push(e),
      BTCUSD_PERP,
    );
    const b = book(
      [
        ['60000', '600'],
        ['59990', '400'],
      ],
      [['60010', '5']],
    );
    a.walls.maybeScan(b, FULL, 1, 'live', 1);
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ kind: 'appeared', side: 'bid', price: 60_000 });
    expect(events[0]!.size).toBeCloseTo(1, 12); // 600 × 100 / 60,000 BTC
    expect(events[0]!.notional).toBeCloseTo(60_000, 6);
    // heatmap buckets of 10 USD hold base units: 600 contracts at 60,000 = 1 BTC, 400 at 59,990 = 0.66678 BTC
    a.heatmap!.offer(b, FULL, 1_000, 'live');
    const runs = a.heatmap!.query(0, 10_000).runs;
    expect(runs.find((r) => r.side === 'bid' && r.price === 60_000)!.size).toBe(1);
    expect(runs.find((r) => r.side === 'bid' && r.price === 59_990)!.size).toBe(
      Number((40_000 / 59_990).toPrecision(4)),
    );
  });

  it('a 250-contract print at 62,500 is 0.4 BTC and 25,000 USD; an insurance-fund print is counted, not flow', () => {
    const a = new InstrumentAnalytics('binance-coinm:BTCUSD_PERP', {}, () => {}, BTCUSD_PERP);
    const t = (id: string, size: string, kind?: Trade['kind']): Trade => ({
      type: 'trade',
      instrument: 'binance-coinm:BTCUSD_PERP',
      exchangeTs: 1_000,
      localTs: 1_000,
      id,
      price: '62500',
      size,
      side: 'buy',
      ...(kind ? { kind } : {}),
    });
    a.onTrade(t('1', '250'));
    a.onTrade(t('2', '500', 'insurance_fund'));
    a.onTrade(t('3', '100', 'adl'));
    const f = a.flow.stats;
    expect(f.buyVolume).toBeCloseTo(0.4, 12);
    expect(f.notional).toBeCloseTo(25_000, 6);
    expect(f.vwap).toBeCloseTo(62_500, 6);
    expect(f.buyCount).toBe(1);
    expect(f.excluded.count).toBe(2);
    expect(f.excluded.volume).toBeCloseTo(0.96, 12); // (500 + 100) × 100 / 62,500
    expect(f.excluded.byKind).toEqual({ insurance_fund: 1, adl: 1 });
  });
});

describe('the analytics stage follows the catalog', () => {
  it('uses a spec loaded after the instrument started (catalog version)', () => {
    const catalog = new InstrumentCatalog();
    const stage = new AnalyticsStage({ bus: new InProcessBus<AnalyticsTopics>(), instruments: catalog });
    const id = 'okx:BTC-USD-SWAP';
    expect(stage.spec(id).source).toBe('fallback');
    catalog.add([
      makeSpec({
        venue: 'okx',
        symbol: 'BTC-USD-SWAP',
        base: 'BTC',
        quote: 'USD',
        kind: 'perpetual',
        margin: 'inverse',
        contractSize: 100,
        tickSize: '0.1',
        lotSize: '1',
        expiry: null,
        source: 'reference',
      }),
    ]);
    expect(stage.spec(id)).toMatchObject({ source: 'reference', contractSize: 100 });
  });
});

describe('the consolidated stage takes its members specs from the pipeline catalog', () => {
  it('uses a loaded OKX inverse swap spec and the COIN-M fallback for a member the catalog lacks', async () => {
    const rec = await openRecording(['../shared/data/cryptofeed/okx-2022-05/OKX.ws.1.0']);
    const { catalog } = await recordingReference(rec);
    const p = createPipeline({
      bus: new InProcessBus<OutputTopics>(),
      instruments: catalog,
      consolidation: {
        groups: [{ name: 'BTC-USD', members: ['okx:BTC-USD-SWAP', 'binance-coinm:BTCUSD_PERP'] }],
        watchlist: false,
      },
    });
    const members = p.consolidation!.groups.get('BTC-USD')!.opts.members;
    expect(members[0]!.spec).toMatchObject({ source: 'recording', margin: 'inverse', contractSize: 100 });
    expect(members[1]!.spec).toMatchObject({ source: 'fallback', margin: 'inverse', contractSize: 100 });
    // 12 contracts at 29,000 on either: 1,200 USD = 0.0413793 BTC
    expect(members[0]!.units.base(29_000, 12)).toBeCloseTo(1_200 / 29_000, 12);
    expect(p.analytics!.spec('okx:BTC-USD-SWAP')).toBe(catalog.get('okx:BTC-USD-SWAP'));
  });
});

describe('automatic buckets from tick and price', () => {
  it('a BTCUSDT book at 60,000 (tick 0.01) gets 10 USD buckets at 2 bps', () => {
    const spec = makeSpec({
      ...fallbackSpec('binance:BTCUSDT'),
      tickSize: '0.01',
      lotSize: '0.00001',
      source: 'reference',
    });
    const a = new InstrumentAnalytics('binance:BTCUSDT', {}, () => {}, spec);
    expect(Number.isNaN(a.heatmap!.settings.bucketSize)).toBe(true); // chosen at the first live book
    a.heatmap!.offer(book([['59999.99', '1']], [['60000.01', '1']]), FULL, 1_000, 'live');
    expect(a.heatmap!.settings.bucketSize).toBe(10);
  });

  it('Kraken ADA/XBT (tick 0.00000001, price ~0.0000228 BTC) gets one-tick buckets, not 10 BTC ones', async () => {
    // The spec and the book are the real ones: KRAKEN.0 metadata and the ws.50 book recording.
    const rec = await openRecording(['../shared/data/cryptofeed/kraken-2021-04/KRAKEN.ws.50.0']);
    const { catalog } = await recordingReference(rec);
    expect(catalog.find('kraken:ADA/XBT')).toMatchObject({ tickSize: '0.00000001', source: 'recording' });
    const r = new Replay(rec, { engine: { instruments: catalog } });
    await r.run();
    const b = r.engine.books.get('kraken:ADA/XBT')!;
    expect(b.state).toBe('live');
    const mid = (b.book.bids.price(0) + b.book.asks.price(0)) / 2;
    expect(mid).toBeGreaterThan(0.00002);
    expect(mid).toBeLessThan(0.00003);
    const a = r.analytics!.analytics('kraken:ADA/XBT')!;
    // 2 bps of ~0.0000228 is ~4.6e-9 BTC, below one tick: the bucket is one tick
    expect(a.heatmap!.settings.bucketSize).toBe(0.00000001);
    const runs = a.heatmap!.query(0, Number.MAX_SAFE_INTEGER).runs;
    // many distinct buckets inside the ±2 % band, not the whole book in one 10-BTC bucket
    expect(new Set(runs.map((x) => x.price)).size).toBeGreaterThan(20);
    // with a configured 20 bps target: ~4.6e-8 → 5 ticks
    const wide = new InstrumentAnalytics(
      'kraken:ADA/XBT',
      { bucketBps: 20 },
      () => {},
      catalog.get('kraken:ADA/XBT'),
    );
    wide.heatmap!.offer(b.book, b.health.coverage, 1_000, 'live');
    expect(wide.heatmap!.settings.bucketSize).toBe(0.00000005);
  });
});
