/** Indicator series (lib/indicators.ts) on hand-checked values. */
import { describe, expect, it } from 'vitest';
import { bollingerSeries, emaSeries, macdSeries, rsiSeries, volumeProfile } from './indicators.ts';

describe('indicator series', () => {
  it('EMA seeds with the SMA and smooths by 2/(n+1)', () => {
    expect(emaSeries([1, 2, 3, 4], 3)).toEqual([null, null, 2, 3]);
    expect(() => emaSeries([1], 0)).toThrow(RangeError);
  });
  it('RSI is 100 on rises only, 0 on falls only, 50 when flat', () => {
    expect(rsiSeries([1, 2, 3, 4], 2).slice(2)).toEqual([100, 100]);
    expect(rsiSeries([4, 3, 2, 1], 2).slice(2)).toEqual([0, 0]);
    expect(rsiSeries([1, 1, 1], 2)[2]).toBe(50);
    expect(rsiSeries([1, 2, 1, 2], 2)[3]).toBeCloseTo(100 - 100 / (1 + 0.75 / 0.25));
  });
  it('MACD of a constant series is 0 with a 0 histogram', () => {
    const m = macdSeries(new Array(40).fill(5));
    expect(m.macd[24]).toBeNull();
    expect(m.macd[25]).toBe(0);
    expect(m.signal[33]).toBe(0);
    expect(m.histogram[39]).toBe(0);
  });
  it('Bollinger bands are SMA ± k population σ', () => {
    const b = bollingerSeries([1, 3], 2, 2);
    expect(b.middle).toEqual([null, 2]);
    expect(b.upper[1]).toBe(4);
    expect(b.lower[1]).toBe(0);
  });
  it('volume profile sums buy and sell volume per bucket of typical price', () => {
    const c = (p: number, b: number, s: number) => ({
      high: p,
      low: p,
      close: p,
      buyVolume: b,
      sellVolume: s,
    });
    expect(volumeProfile([c(10.2, 1, 0), c(10.7, 0, 2), c(12.1, 3, 3)], 1)).toEqual([
      [10, 1, 2],
      [12, 3, 3],
    ]);
    expect(volumeProfile([c(1, 1, 1)], 0)).toEqual([]);
  });
});
