import { describe, expect, it } from 'vitest';
import { InstrumentCatalog, notional, baseSize } from '../core/instrument.ts';
import { MalformedFrameError } from '../core/errors.ts';
import { venues } from './registry.ts';
import { decimalText, numberToDecimal, pathMatcher, trimZeros } from './reference.ts';
import { loadRecordedReference, readMetadataFrames } from '../recording/reference.ts';
import { bybitLegacyExpiry } from './bybit/instruments.ts';

const CF = '../shared/data/cryptofeed';

async function catalogOf(
  file: string,
): Promise<{ catalog: InstrumentCatalog; counts: Map<string, unknown> }> {
  const frames = await readMetadataFrames([`${CF}/${file}`]);
  const catalog = new InstrumentCatalog();
  const counts = loadRecordedReference(frames, venues, catalog);
  return { catalog, counts };
}

describe('reference helpers', () => {
  it('write numbers and trim decimals without changing their value', () => {
    expect(numberToDecimal(1e-8)).toBe('0.00000001');
    expect(numberToDecimal(2.5e-7)).toBe('0.00000025');
    expect(numberToDecimal(1e21)).toBe('1000000000000000000000');
    expect(numberToDecimal(0.05)).toBe('0.05');
    expect(trimZeros('0.01000000')).toBe('0.01');
    expect(trimZeros('1.000')).toBe('1');
    expect(trimZeros('100')).toBe('100');
    expect(decimalText(0.01, 'x')).toBe('0.01');
    expect(() => decimalText('-1', 'x')).toThrow(MalformedFrameError);
    expect(() => decimalText(null, 'x')).toThrow(MalformedFrameError);
  });

  it('match reference URLs by path on any host', () => {
    const m = pathMatcher('/api/v5/public/instruments');
    expect(m('https://www.okx.com/api/v5/public/instruments?instType=SPOT')).toBe(true);
    expect(m('http://127.0.0.1:4000/api/v5/public/instruments?instType=SWAP')).toBe(true);
    expect(m('https://www.okx.com/api/v5/market/books?instId=BTC-USDT')).toBe(false);
  });
});

describe('OKX instruments recorded in okx-2022-05/OKX.0', () => {
  it('reads spot, linear and inverse swaps, futures and options with their contract values', async () => {
    const { catalog, counts } = await catalogOf('okx-2022-05/OKX.0');
    // 25 bodies (5 fetches of SPOT, SWAP, FUTURES, OPTION BTC-USD, OPTION ETH-USD), none failed or skipped
    expect(counts.get('okx')).toEqual({
      bodies: 25,
      specs: 5 * (513 + 166 + 104 + 346 + 350),
      skipped: 0,
      failed: 0,
    });
    expect(catalog.size).toBe(513 + 166 + 104 + 346 + 350);
    expect(catalog.find('okx:BTC-USDT')).toMatchObject({
      base: 'BTC',
      quote: 'USDT',
      kind: 'spot',
      margin: 'spot',
      sizeUnit: 'base',
      tickSize: '0.1',
      lotSize: '0.00000001',
      pricePrecision: 1,
      sizePrecision: 8,
      source: 'recording',
    });
    const inv = catalog.find('okx:BTC-USD-SWAP')!;
    expect(inv).toMatchObject({
      base: 'BTC',
      quote: 'USD',
      settle: 'BTC',
      margin: 'inverse',
      contractSize: 100,
    });
    expect(inv).toMatchObject({ kind: 'perpetual', sizeUnit: 'contracts', expiry: null });
    // 30 contracts of 100 USD at 30,000: 3,000 USD, 0.1 BTC
    expect(notional(inv, 30_000, 30)).toBe(3_000);
    expect(baseSize(inv, 30_000, 30)).toBeCloseTo(0.1, 12);
    const lin = catalog.find('okx:ZRX-USDT-SWAP')!;
    expect(lin).toMatchObject({
      base: 'ZRX',
      quote: 'USDT',
      settle: 'USDT',
      margin: 'linear',
      contractSize: 10,
    });
    expect(catalog.find('okx:BTC-USD-220520')).toMatchObject({
      kind: 'future',
      margin: 'inverse',
      contractSize: 100,
      expiry: 1653033600000,
    });
    const opt = catalog.find('okx:BTC-USD-220930-120000-P')!;
    expect(opt).toMatchObject({
      kind: 'option',
      base: 'BTC',
      quote: 'BTC',
      contractSize: 0.1,
      expiry: 1664524800000,
    });
    expect(opt.option).toEqual({ strike: 120000, type: 'put' });
  });
});

describe('Kraken AssetPairs recorded in kraken-2021-04/KRAKEN.0', () => {
  it('lists each pair under its v1 and v2 names with tick and lot from the decimals', async () => {
    const { catalog, counts } = await catalogOf('kraken-2021-04/KRAKEN.0');
    const c = counts.get('kraken') as { bodies: number; specs: number; skipped: number };
    expect(c.bodies).toBe(1);
    expect(c.skipped).toBe(0);
    const ada = catalog.find('kraken:ADA/XBT')!;
    expect(ada).toMatchObject({
      base: 'ADA',
      quote: 'BTC',
      kind: 'spot',
      tickSize: '0.00000001',
      lotSize: '0.00000001',
    });
    expect(catalog.find('kraken:ADA/BTC')).toMatchObject({
      base: 'ADA',
      quote: 'BTC',
      tickSize: '0.00000001',
    });
    expect(catalog.find('kraken:XBT/USD')).toMatchObject({ base: 'BTC', quote: 'USD', tickSize: '0.1' });
    expect(catalog.find('kraken:BTC/USD')).toMatchObject({ base: 'BTC', quote: 'USD' });
    // dark-pool pairs (`.d`, no wsname) are not listed
    expect([...catalog.values()].some((s) => s.symbol.endsWith('.d'))).toBe(false);
  });
});

describe('Bybit legacy symbols recorded in bybit-2021-04/BYBIT.0', () => {
  it('reads inverse perpetuals and dated futures of 1 USD, linear USDT perpetuals in base units', async () => {
    const { catalog, counts } = await catalogOf('bybit-2021-04/BYBIT.0');
    expect(counts.get('bybit-linear')).toEqual({ bodies: 1, specs: 15, skipped: 0, failed: 0 });
    const btcusd = catalog.find('bybit-linear:BTCUSD')!;
    expect(btcusd).toMatchObject({
      margin: 'inverse',
      contractSize: 1,
      sizeUnit: 'contracts',
      settle: 'BTC',
    });
    expect(btcusd).toMatchObject({ kind: 'perpetual', tickSize: '0.5', lotSize: '1' });
    expect(notional(btcusd, 60_000, 6_000)).toBe(6_000);
    expect(catalog.find('bybit-linear:BTCUSDM21')).toMatchObject({
      kind: 'future',
      expiry: Date.UTC(2021, 5, 25, 8),
    });
    expect(catalog.find('bybit-linear:ETHUSDT')).toMatchObject({
      margin: 'linear',
      sizeUnit: 'base',
      tickSize: '0.05',
      lotSize: '0.01',
    });
  });

  it('dates legacy futures on the last Friday of their month at 08:00 UTC', () => {
    expect(new Date(bybitLegacyExpiry('BTCUSDU21')!).toISOString()).toBe('2021-09-24T08:00:00.000Z');
    expect(new Date(bybitLegacyExpiry('BTCUSDZ21')!).toISOString()).toBe('2021-12-31T08:00:00.000Z');
    expect(bybitLegacyExpiry('BTCUSD')).toBeNull();
  });
});

describe('Coinbase products recorded in coinbase-2021-04/COINBASE.0', () => {
  it('reads spot products with their increments', async () => {
    const { catalog, counts } = await catalogOf('coinbase-2021-04/COINBASE.0');
    const c = counts.get('coinbase') as { bodies: number; skipped: number; failed: number };
    expect(c).toMatchObject({ bodies: 1, skipped: 0, failed: 0 });
    expect(catalog.find('coinbase:SKL-EUR')).toMatchObject({
      base: 'SKL',
      quote: 'EUR',
      kind: 'spot',
      tickSize: '0.0001',
      lotSize: '0.1',
      sizePrecision: 1,
    });
  });
});

/**
 * Binance exchangeInfo, shaped as the Binance Derivatives docs ("Exchange Information", COIN-M and
 * USD-M) and Spot API docs ("Exchange information") show it (no recording carries one), trimmed to the
 * fields read plus a few neighbours.
 */
const DAPI_BODY = JSON.stringify({
  timezone: 'UTC',
  serverTime: 1723104000000,
  symbols: [
    {
      symbol: 'BTCUSD_PERP',
      pair: 'BTCUSD',
      contractType: 'PERPETUAL',
      deliveryDate: 4133404800000,
      contractStatus: 'TRADING',
      contractSize: 100,
      marginAsset: 'BTC',
      baseAsset: 'BTC',
      quoteAsset: 'USD',
      pricePrecision: 1,
      quantityPrecision: 0,
      filters: [
        { filterType: 'PRICE_FILTER', minPrice: '1000', maxPrice: '4520958', tickSize: '0.1' },
        { filterType: 'LOT_SIZE', stepSize: '1', minQty: '1', maxQty: '1000000' },
      ],
    },
    {
      symbol: 'ETHUSD_240927',
      pair: 'ETHUSD',
      contractType: 'CURRENT_QUARTER',
      deliveryDate: 1727424000000,
      contractStatus: 'TRADING',
      contractSize: 10,
      marginAsset: 'ETH',
      baseAsset: 'ETH',
      quoteAsset: 'USD',
      filters: [
        { filterType: 'PRICE_FILTER', tickSize: '0.01' },
        { filterType: 'LOT_SIZE', stepSize: '1' },
      ],
    },
    { symbol: 'BROKEN_PERP', contractType: 'PERPETUAL', baseAsset: 'X', quoteAsset: 'USD', filters: [] },
  ],
});

describe('Binance exchangeInfo (documented shape)', () => {
  it('reads COIN-M contract sizes as inverse USD contracts and skips unusable entries', () => {
    const skipped: string[] = [];
    const specs = venues
      .get('binance-coinm')!
      .reference!.parse(DAPI_BODY, 'https://dapi.binance.com/dapi/v1/exchangeInfo', 'reference', (r) =>
        skipped.push(r),
      );
    expect(skipped).toHaveLength(1);
    const [perp, fut] = specs;
    expect(perp).toMatchObject({
      id: 'binance-coinm:BTCUSD_PERP',
      base: 'BTC',
      quote: 'USD',
      settle: 'BTC',
      kind: 'perpetual',
      margin: 'inverse',
      contractSize: 100,
      sizeUnit: 'contracts',
      tickSize: '0.1',
      lotSize: '1',
      expiry: null,
      source: 'reference',
    });
    expect(fut).toMatchObject({ kind: 'future', contractSize: 10, expiry: 1727424000000, settle: 'ETH' });
  });

  it('reads USD-M as linear with base-unit sizes and spot with trimmed increments', () => {
    const body = JSON.stringify({
      symbols: [
        {
          symbol: 'BTCUSDT',
          status: 'TRADING',
          baseAsset: 'BTC',
          quoteAsset: 'USDT',
          filters: [
            { filterType: 'PRICE_FILTER', minPrice: '0.01000000', tickSize: '0.01000000' },
            { filterType: 'LOT_SIZE', minQty: '0.00001000', stepSize: '0.00001000' },
          ],
        },
      ],
    });
    const [spot] = venues.get('binance')!.reference!.parse(body, '/api/v3/exchangeInfo', 'reference');
    expect(spot).toMatchObject({ tickSize: '0.01', lotSize: '0.00001', pricePrecision: 2, margin: 'spot' });
    const [usdm] = venues.get('binance-usdm')!.reference!.parse(body, '/fapi/v1/exchangeInfo', 'reference');
    expect(usdm).toMatchObject({ kind: 'perpetual', margin: 'linear', sizeUnit: 'base', settle: 'USDT' });
    expect(() =>
      venues.get('binance')!.reference!.parse('{"code":-1121,"msg":"Invalid symbol."}', '/x', 'reference'),
    ).toThrow(MalformedFrameError);
  });

  it('every existing venue has a reference whose requests it matches', () => {
    for (const id of [
      'binance',
      'binance-usdm',
      'binance-coinm',
      'okx',
      'kraken',
      'bybit-linear',
      'coinbase',
    ]) {
      const a = venues.get(id)!;
      const base = a.rest?.url ?? a.reference!.restUrl!;
      const reqs = a.reference!.requests(base);
      expect(reqs.length).toBeGreaterThan(0);
      for (const r of reqs) expect(a.reference!.matches(r.url)).toBe(true);
    }
  });
});
