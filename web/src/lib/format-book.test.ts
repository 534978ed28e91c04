/**
 * The dashboard's pure helpers (web/src/lib): number formatting, symbol units, book merging and
 * cumulative depth. Run in Node (no DOM needed); the browser test covers the rest.
 */
import { describe, expect, it } from 'vitest';
import {
  fmtAxis,
  fmtCompact,
  fmtImbalance,
  fmtPrice,
  priceDecimals,
  trimDecimal,
  UNKNOWN,
} from './format.ts';
import { symbolUnits } from './symbols.ts';
import { cumulate, mergeBook, type BookView } from './book.ts';

describe('dashboard formatting', () => {
  it('shows unknown values (null, NaN) as an em dash, never NaN', () => {
    expect(fmtPrice(null, 2)).toBe(UNKNOWN);
    expect(fmtPrice(Number.NaN, 2)).toBe(UNKNOWN);
    expect(fmtCompact(undefined)).toBe(UNKNOWN);
    expect(fmtImbalance(null)).toBe(UNKNOWN);
  });

  it('puts imbalances on the signed −100..+100 scale', () => {
    expect(fmtImbalance(0.349)).toBe('+34.9');
    expect(fmtImbalance(-1)).toBe('-100.0');
    expect(fmtImbalance(0)).toBe('0.0');
  });

  it('picks price decimals by magnitude and groups thousands', () => {
    expect(priceDecimals(61809.45)).toBe(2);
    expect(priceDecimals(250)).toBe(3);
    expect(priceDecimals(0.5123)).toBe(6);
    expect(fmtPrice(61809.45, 2)).toBe('61,809.45');
  });

  it('formats quote amounts compactly', () => {
    expect(fmtCompact(7_660_225.5)).toBe('7.66M');
    expect(fmtCompact(1_250)).toBe('1.25K');
    expect(fmtCompact(2.5e9)).toBe('2.50B');
    expect(fmtAxis(30)).toBe('30');
    expect(fmtAxis(2.5)).toBe('2.5');
  });

  it('trims only padding zeros from wire decimals, keeping a minimum of decimals', () => {
    expect(trimDecimal('61855.36000000', 2)).toBe('61855.36');
    expect(trimDecimal('61855.10000000', 2)).toBe('61855.10');
    expect(trimDecimal('0.00009000', 3)).toBe('0.00009');
    expect(trimDecimal('100.000', 0)).toBe('100');
    expect(trimDecimal('1e-8', 2)).toBe('1e-8');
  });
});

describe('symbol units', () => {
  it('splits venue symbols into base and quote', () => {
    expect(symbolUnits('BTCUSDT')).toEqual({ base: 'BTC', quote: 'USDT', sizeUnit: 'BTC' });
    expect(symbolUnits('BTC-USDT')).toEqual({ base: 'BTC', quote: 'USDT', sizeUnit: 'BTC' });
    expect(symbolUnits('XBT/EUR')).toEqual({ base: 'XBT', quote: 'EUR', sizeUnit: 'XBT' });
    expect(symbolUnits('BTCUSD_PERP')).toEqual({ base: 'BTC', quote: 'USD', sizeUnit: 'cont' });
    expect(symbolUnits('WEIRD')).toEqual({ base: 'base', quote: 'quote', sizeUnit: 'base' });
  });
});

describe('depth chart book', () => {
  const top: BookView = {
    state: 'live',
    sequence: 10,
    bids: [
      [100, 1],
      [99, 2],
    ],
    asks: [
      [101, 1],
      [102, 3],
    ],
  };
  const deep: BookView = {
    state: 'live',
    sequence: 8,
    bids: [
      [100, 5],
      [99, 5],
      [98, 4],
      [97, 1],
    ],
    asks: [
      [101, 5],
      [102, 5],
      [103, 2],
    ],
  };

  it('keeps live levels and extends them with deeper REST levels beyond the worst live price', () => {
    expect(mergeBook(top, deep)).toEqual({
      state: 'live',
      sequence: 10,
      bids: [
        [100, 1],
        [99, 2],
        [98, 4],
        [97, 1],
      ],
      asks: [
        [101, 1],
        [102, 3],
        [103, 2],
      ],
    });
    expect(mergeBook(null, deep)).toBe(deep);
    expect(mergeBook(top, null)).toBe(top);
  });

  it('accumulates size from the best level outwards', () => {
    expect(cumulate(top.asks)).toEqual([
      [101, 1],
      [102, 4],
    ]);
  });
});
