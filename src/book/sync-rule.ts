/**
 * Sequence rules: how a venue says whether a delta continues the book. Pure functions of sequence
 * numbers; each venue folder picks or defines one (feeds/<venue>/descriptor.ts).
 */
import type { BookDelta } from '../core/model.ts';
import type { L2Book } from './l2-book.ts';

/** `apply`: continues the book; `stale`: already covered (older or duplicate), drop; `gap`: events missing. */
export type SyncVerdict = 'apply' | 'stale' | 'gap';

/** Venue continuity rule. */
export interface SyncRule {
  readonly name: string;
  /** Verdict for the first delta after a snapshot standing at `snapshotSequence`. */
  first(snapshotSequence: number, delta: BookDelta): SyncVerdict;
  /** Verdict for a delta after the applied delta `prev`. */
  next(prev: BookDelta, delta: BookDelta): SyncVerdict;
}

/** Venue checksum over the current book (signed 32-bit integer as the venue sends it). */
export interface ChecksumRule {
  readonly name: string;
  /** Compute the checksum of the book as the venue would. */
  compute(book: L2Book): number;
}

/**
 * Binance spot, per "How to manage a local order book correctly" (Binance Spot API docs, WebSocket
 * Streams): drop `u <= lastUpdateId`; the first applied event has `U <= lastUpdateId+1 <= u`; then each
 * event's `U` equals the previous `u + 1`.
 */
export const binanceSpotRule: SyncRule = {
  name: 'binance-spot',
  first(s, d) {
    if (d.sequence <= s) return 'stale';
    return d.firstSequence <= s + 1 ? 'apply' : 'gap';
  },
  next(prev, d) {
    if (d.firstSequence === prev.sequence + 1) return 'apply';
    return d.sequence <= prev.sequence ? 'stale' : 'gap';
  },
};

/**
 * Binance USD-M / COIN-M futures, per "How to manage a local order book correctly" (Binance Derivatives
 * docs, Websocket Market Streams): drop `u < lastUpdateId`; the first applied event has
 * `U <= lastUpdateId <= u` (or, equivalently for a snapshot on an event boundary, `pu == lastUpdateId`);
 * then each event's `pu` equals the previous event's `u`.
 */
export const binanceFuturesRule: SyncRule = {
  name: 'binance-futures',
  first(s, d) {
    if (d.sequence < s) return 'stale';
    // `pu == lastUpdateId`: the event continues exactly where the snapshot stands (a snapshot taken on an
    // event boundary, as a simulator or an idle market gives); Binance's `U <= lastUpdateId` rule alone
    // would call that a gap, since futures `U` need not be `pu + 1`.
    if (d.firstSequence <= s || d.prevSequence === s) return 'apply';
    return 'gap';
  },
  next(prev, d) {
    if (d.prevSequence === prev.sequence) return 'apply';
    return d.sequence <= prev.sequence ? 'stale' : 'gap';
  },
};

/**
 * Venues that chain each update to the previous one by id (OKX `prevSeqId`/`seqId`, Deribit
 * `prev_change_id`/`change_id`): the first update's `prevSequence` equals the snapshot's sequence.
 */
export const prevSequenceRule: SyncRule = {
  name: 'prev-sequence',
  first(s, d) {
    if (d.prevSequence === s) return 'apply';
    return d.sequence <= s ? 'stale' : 'gap';
  },
  next(prev, d) {
    if (d.prevSequence === prev.sequence) return 'apply';
    return d.sequence <= prev.sequence ? 'stale' : 'gap';
  },
};

/** Venues with consecutive update ids (Bybit v5 `u`): each update's `sequence` = previous + 1. */
export const consecutiveRule: SyncRule = {
  name: 'consecutive',
  first(s, d) {
    if (d.sequence === s + 1) return 'apply';
    return d.sequence <= s ? 'stale' : 'gap';
  },
  next(prev, d) {
    if (d.sequence === prev.sequence + 1) return 'apply';
    return d.sequence <= prev.sequence ? 'stale' : 'gap';
  },
};

/**
 * A venue's strict rule, plus deltas that the parser generation declares unsequenced
 * (`BookDelta.unsequenced`, set per generation and channel: OKX 2022 `books`, Bybit v1
 * `orderBookL2_25`), which are applied. There is no "NaN means apply" fallback: a delta with a NaN
 * sequence that is not so declared gets the strict rule's verdict, `gap` (NaN equals nothing), so a
 * parser that loses the sequence field is caught at once as an integrity failure (`gap`), never applied.
 */
export function declaredUnsequenced(name: string, strict: SyncRule): SyncRule {
  return {
    name,
    first: (s, d) => (d.unsequenced === true ? 'apply' : strict.first(s, d)),
    next: (prev, d) => (d.unsequenced === true ? 'apply' : strict.next(prev, d)),
  };
}

/** Venues without a per-book sequence (Kraken, Coinbase legacy): integrity comes from checksums only. */
export const unsequencedRule: SyncRule = {
  name: 'unsequenced',
  first: () => 'apply',
  next: () => 'apply',
};
