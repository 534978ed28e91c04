/** Fault spec parsing and the deterministic PRNG of the simulator. */
import { describe, expect, it } from 'vitest';
import { mulberry32, newFaultCounters, parseFaultSpec, FAULT_KINDS } from '../src/sim/faults.ts';

describe('fault spec', () => {
  it('parses every kind with its parameter and defaults', () => {
    const cfg = parseFaultSpec(
      'drop=0.01,duplicate=0.02,reorder=0.03,corrupt=0.04,truncate=0.05,disconnect=0.001,' +
        'delay=0.1:50,stall=0.2,slowSnapshot=0.5:1500,failSnapshot=0.25:429,dropNth=BTCUSDT:100,dropNth=ETHUSDT:3',
      42,
    );
    expect(cfg).toEqual({
      seed: 42,
      drop: 0.01,
      duplicate: 0.02,
      reorder: 0.03,
      corrupt: 0.04,
      truncate: 0.05,
      disconnect: 0.001,
      delay: { rate: 0.1, ms: 50 },
      stall: { rate: 0.2, ms: 3000 },
      slowSnapshot: { rate: 0.5, ms: 1500 },
      failSnapshot: { rate: 0.25, status: 429 },
      dropNth: [
        { symbol: 'BTCUSDT', n: 100 },
        { symbol: 'ETHUSDT', n: 3 },
      ],
    });
  });

  it('rejects unknown kinds, rates outside [0,1], bad statuses and bad dropNth', () => {
    expect(() => parseFaultSpec('explode=0.1')).toThrow(/unknown fault "explode"/);
    expect(() => parseFaultSpec('drop=1.5')).toThrow(RangeError);
    expect(() => parseFaultSpec('drop=abc')).toThrow(RangeError);
    expect(() => parseFaultSpec('failSnapshot=0.1:200')).toThrow(/4xx\/5xx/);
    expect(() => parseFaultSpec('dropNth=BTCUSDT:0')).toThrow(RangeError);
    expect(() => parseFaultSpec('drop')).toThrow(/kind=value/);
  });

  it('has a counter for every kind, all zero', () => {
    const c = newFaultCounters();
    expect(Object.keys(c).sort()).toEqual([...FAULT_KINDS].sort());
    expect(Object.values(c).every((v) => v === 0)).toBe(true);
  });
});

describe('mulberry32', () => {
  it('is deterministic per seed, uniform-ish in [0,1), and differs across seeds', () => {
    const a = mulberry32(7);
    const b = mulberry32(7);
    const c = mulberry32(8);
    const xs = Array.from({ length: 10_000 }, () => a());
    expect(xs).toEqual(Array.from({ length: 10_000 }, () => b()));
    expect(xs.every((x) => x >= 0 && x < 1)).toBe(true);
    const mean = xs.reduce((s, x) => s + x, 0) / xs.length;
    expect(Math.abs(mean - 0.5)).toBeLessThan(0.02);
    expect(c()).not.toBe(xs[0]);
  });
});
