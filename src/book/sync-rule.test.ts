import { describe, expect, it } from 'vitest';
import type { BookDelta } from '../core/model.ts';
import {
  binanceFuturesRule,
  binanceSpotRule,
  consecutiveRule,
  declaredUnsequenced,
  prevSequenceRule,
  unsequencedRule,
} from './sync-rule.ts';

const d = (U: number, u: number, pu = NaN): BookDelta => ({
  type: 'book_delta',
  instrument: 'x:Y',
  exchangeTs: 0,
  localTs: 0,
  firstSequence: U,
  sequence: u,
  prevSequence: pu,
  bids: [],
  asks: [],
});

describe('Binance spot rule', () => {
  it('drops u <= lastUpdateId, applies the event spanning lastUpdateId+1, then needs U == previous u + 1', () => {
    expect(binanceSpotRule.first(100, d(90, 100))).toBe('stale');
    expect(binanceSpotRule.first(100, d(95, 105))).toBe('apply');
    expect(binanceSpotRule.first(100, d(101, 105))).toBe('apply');
    expect(binanceSpotRule.first(100, d(102, 105))).toBe('gap');
    expect(binanceSpotRule.next(d(101, 105), d(106, 110))).toBe('apply');
    expect(binanceSpotRule.next(d(101, 105), d(107, 110))).toBe('gap');
    expect(binanceSpotRule.next(d(101, 105), d(101, 105))).toBe('stale');
  });
});

describe('Binance futures rule', () => {
  it('drops u < lastUpdateId, applies U <= lastUpdateId <= u, then needs pu == previous u', () => {
    expect(binanceFuturesRule.first(100, d(80, 99, 79))).toBe('stale');
    expect(binanceFuturesRule.first(100, d(90, 100, 89))).toBe('apply');
    expect(binanceFuturesRule.first(100, d(120, 130, 110))).toBe('gap');
    expect(binanceFuturesRule.next(d(90, 100, 89), d(150, 160, 100))).toBe('apply');
    expect(binanceFuturesRule.next(d(90, 100, 89), d(150, 160, 120))).toBe('gap');
    expect(binanceFuturesRule.next(d(90, 100, 89), d(90, 100, 89))).toBe('stale');
  });

  it('accepts the event continuing a snapshot taken exactly on an event boundary (pu == lastUpdateId)', () => {
    // Futures U need not be pu + 1: the event after u=100 may start at U=169 with pu=100.
    expect(binanceFuturesRule.first(100, d(169, 200, 100))).toBe('apply');
    expect(binanceFuturesRule.first(100, d(169, 200, 150))).toBe('gap');
  });
});

describe('chained, consecutive and unsequenced rules', () => {
  it('prevSequence rule chains prevSeqId to the snapshot and to each previous seqId', () => {
    expect(prevSequenceRule.first(10, d(NaN, 11, 10))).toBe('apply');
    expect(prevSequenceRule.first(10, d(NaN, 9, 8))).toBe('stale');
    expect(prevSequenceRule.first(10, d(NaN, 13, 12))).toBe('gap');
    expect(prevSequenceRule.next(d(NaN, 11, 10), d(NaN, 12, 11))).toBe('apply');
    expect(prevSequenceRule.next(d(NaN, 11, 10), d(NaN, 13, 12))).toBe('gap');
  });

  it('consecutive rule needs sequence == previous + 1', () => {
    expect(consecutiveRule.first(5, d(6, 6))).toBe('apply');
    expect(consecutiveRule.first(5, d(7, 7))).toBe('gap');
    expect(consecutiveRule.next(d(6, 6), d(6, 6))).toBe('stale');
  });

  it('unsequenced rule applies everything (integrity comes from checksums)', () => {
    expect(unsequencedRule.first(NaN, d(NaN, NaN))).toBe('apply');
    expect(unsequencedRule.next(d(NaN, NaN), d(NaN, NaN))).toBe('apply');
  });
});

describe('declaredUnsequenced (OKX, Bybit): no "NaN means apply" fallback', () => {
  const rule = declaredUnsequenced('test', prevSequenceRule);
  const declared = (): BookDelta => ({ ...d(NaN, NaN, NaN), unsequenced: true });

  it('a NaN sequence that is not declared gets the strict verdict: gap', () => {
    expect(rule.first(10, d(NaN, NaN, NaN))).toBe('gap');
    expect(rule.first(NaN, d(NaN, NaN, NaN))).toBe('gap');
    expect(rule.next(d(NaN, 11, 10), d(NaN, NaN, NaN))).toBe('gap');
    expect(rule.next(d(NaN, 11, 10), d(NaN, 12, NaN))).toBe('gap');
    expect(declaredUnsequenced('c', consecutiveRule).next(d(6, 6), d(NaN, NaN))).toBe('gap');
  });

  it('a delta the parser generation declares unsequenced is applied; sequenced ones keep the strict rule', () => {
    expect(rule.first(NaN, declared())).toBe('apply');
    expect(rule.next(declared(), declared())).toBe('apply');
    expect(rule.next(d(NaN, 11, 10), d(NaN, 12, 11))).toBe('apply');
    expect(rule.next(d(NaN, 11, 10), d(NaN, 13, 12))).toBe('gap');
  });
});
