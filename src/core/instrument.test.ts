import { describe, expect, it } from 'vitest';
import {
  InstrumentCatalog,
  baseSize,
  defaultBucketSize,
  fallbackSpec,
  guessAssets,
  makeSpec,
  notional,
} from './instrument.ts';

describe('instrument notionals', () => {
  it('Binance COIN-M BTCUSD_PERP: 100 USD a contract, base size at the level price (hand-computed)', () => {
    const s = fallbackSpec('binance-coinm:BTCUSD_PERP');
    expect(s).toMatchObject({
      margin: 'inverse',
      contractSize: 100,
      sizeUnit: 'contracts',
      kind: 'perpetual',
    });
    // 250 contracts at 62,500 USD: 25,000 USD face value = 0.4 BTC.
    expect(notional(s, 62_500, 250)).toBe(25_000);
    expect(baseSize(s, 62_500, 250)).toBeCloseTo(0.4, 12);
  });

  it('Binance COIN-M ETHUSD_PERP: 10 USD a contract', () => {
    const s = fallbackSpec('binance-coinm:ETHUSD_PERP');
    expect(s.contractSize).toBe(10);
    // 1,300 contracts at 2,600 USD: 13,000 USD = 5 ETH.
    expect(notional(s, 2_600, 1_300)).toBe(13_000);
    expect(baseSize(s, 2_600, 1_300)).toBeCloseTo(5, 12);
  });

  it('BitMEX XBTUSD: 1 USD inverse contracts (hand-computed)', () => {
    const s = makeSpec({
      venue: 'bitmex',
      symbol: 'XBTUSD',
      base: 'BTC',
      quote: 'USD',
      kind: 'perpetual',
      margin: 'inverse',
      contractSize: 1,
      tickSize: '0.5',
      lotSize: '100',
      expiry: null,
      source: 'reference',
    });
    expect(s).toMatchObject({ settle: 'BTC', sizeUnit: 'contracts', pricePrecision: 1, sizePrecision: 0 });
    // 40,000 contracts at 32,000 USD: 40,000 USD = 1.25 BTC.
    expect(notional(s, 32_000, 40_000)).toBe(40_000);
    expect(baseSize(s, 32_000, 40_000)).toBe(1.25);
    expect(Number.isNaN(baseSize(s, 0, 1))).toBe(true);
  });

  it('linear contracts multiply by the contract size; spot sizes are base units', () => {
    const okxSwap = makeSpec({
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
    expect(notional(okxSwap, 60_000, 30)).toBeCloseTo(18_000, 9);
    expect(baseSize(okxSwap, 60_000, 30)).toBeCloseTo(0.3, 12);
    const spot = fallbackSpec('binance:BTCUSDT');
    expect(spot).toMatchObject({
      base: 'BTC',
      quote: 'USDT',
      margin: 'spot',
      sizeUnit: 'base',
      source: 'fallback',
    });
    expect(notional(spot, 60_000, 0.5)).toBe(30_000);
    expect(fallbackSpec('binance-usdm:BTCUSDT')).toMatchObject({ margin: 'linear', sizeUnit: 'base' });
  });
});

describe('default bucket size', () => {
  it('is a round number of ticks near the target bps', () => {
    expect(defaultBucketSize('0.01', 60_000)).toBe(10); // 2 bps = 12 USD → 10
    expect(defaultBucketSize('0.01', 2_600)).toBe(0.5); // 0.52 → 0.5
    expect(defaultBucketSize('0.1', 60_000, 10)).toBe(50); // 60 → 50
  });

  it('gives a low-priced pair (Kraken ADA/XBT) a bucket of whole ticks, never below one tick', () => {
    // ADA/XBT ≈ 0.0000228 BTC, tick 0.00000001: 2 bps is 0.2 ticks → one tick.
    expect(defaultBucketSize('0.00000001', 0.0000228)).toBe(0.00000001);
    // At 20 bps the target is 4.56 ticks → 5 ticks.
    expect(defaultBucketSize('0.00000001', 0.0000228, 20)).toBe(0.00000005);
  });

  it('falls back to a round number when the tick is unknown, NaN for a bad price', () => {
    expect(defaultBucketSize('', 60_000)).toBe(10);
    expect(Number.isNaN(defaultBucketSize('0.01', 0))).toBe(true);
  });
});

describe('symbols and the catalog', () => {
  it('guesses assets from separators and known quote suffixes, resolving venue aliases', () => {
    expect(guessAssets('BTC-USDT')).toEqual({ base: 'BTC', quote: 'USDT' });
    expect(guessAssets('XBT/USD')).toEqual({ base: 'BTC', quote: 'USD' });
    expect(guessAssets('BTCUSD_PERP')).toEqual({ base: 'BTC', quote: 'USD' });
    expect(guessAssets('tBTCUSD')).toEqual({ base: 'BTC', quote: 'USD' });
    expect(guessAssets('ETHBTC')).toEqual({ base: 'ETH', quote: 'BTC' });
    expect(guessAssets('WEIRD')).toEqual({ base: '?', quote: '?' });
  });

  it('answers loaded specs and the fallback for the rest', () => {
    const c = new InstrumentCatalog();
    const s = { ...fallbackSpec('okx:BTC-USDT'), tickSize: '0.1', source: 'reference' as const };
    c.add([s]);
    expect(c.get('okx:BTC-USDT').source).toBe('reference');
    expect(c.find('okx:ETH-USDT')).toBeUndefined();
    expect(c.get('okx:ETH-USDT').source).toBe('fallback');
    expect(() => makeSpec({ ...s, contractSize: 0 })).toThrow(RangeError);
  });
});
