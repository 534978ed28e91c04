/**
 * Book health as data: per instrument state, reason, counters, coverage and latency.
 * Every metric sample and alert carries the state it was computed on (see analytics/).
 */
import { INTEGRITY_CODES, type IntegrityCode } from '../core/errors.ts';

/**
 * Lifecycle of one instrument's book.
 * - `connecting`: no data yet; `syncing`: buffering deltas, waiting for the first snapshot;
 * - `live`: snapshot + contiguous deltas, verified; `resyncing`: integrity lost, buffering while a fresh
 *   snapshot loads; `stale`: no update within the venue's heartbeat window; `invalid`: integrity lost
 *   and no resync possible yet (e.g. replay without a later snapshot, or a crossed book being reported).
 */
export type BookState = 'connecting' | 'syncing' | 'live' | 'resyncing' | 'stale' | 'invalid';

/**
 * Why a book is in its state, as a stable code (the free text `reason` gives the detail): an
 * {@link IntegrityCode}, or one of the feed-side causes: `waiting_snapshot` (deltas buffered, no snapshot
 * yet), `reconnect` (the connection dropped: frames were missed), `resubscribed` (symbol subscribed again
 * at run time), `stale_feed` (no frame at all on the connection), `stale_book` (no update for this book),
 * `unsubscribed`, `replay_ended` (a replay ended before a fresh snapshot could arrive), `manual`,
 * `replay_restart` (the venue's stream started over: the demo's simulator looping its recording; counted
 * in `restarts`, not a fault).
 */
export type HealthReasonCode =
  | IntegrityCode
  | 'waiting_snapshot'
  | 'reconnect'
  | 'resubscribed'
  | 'stale_feed'
  | 'stale_book'
  | 'unsubscribed'
  | 'replay_ended'
  | 'manual'
  | 'replay_restart';

/** Every health reason code, for labels and validation. */
export const HEALTH_REASON_CODES: readonly HealthReasonCode[] = [
  ...INTEGRITY_CODES,
  'waiting_snapshot',
  'reconnect',
  'resubscribed',
  'stale_feed',
  'stale_book',
  'unsubscribed',
  'replay_ended',
  'manual',
  'replay_restart',
];

/** Counters since start, per instrument. All monotonically increasing. */
export interface BookCounters {
  /** Frames/events received for this instrument (book, trade, bbo). */
  frames: number;
  /** Snapshots applied. */
  snapshots: number;
  /** Deltas applied to the book. */
  deltasApplied: number;
  /**
   * Deltas dropped as older than the snapshot (normal during sync); on snapshot-only venues, snapshots
   * at or before the book's time (duplicates, out of order).
   */
  staleDeltas: number;
  /** Level changes applied (snapshot levels + delta levels). */
  levelsApplied: number;
  /** Sequence gaps detected. */
  gaps: number;
  checksumChecked: number;
  checksumMatched: number;
  checksumFailures: number;
  /** Times the book was found crossed (best bid > best ask) after an update. */
  crossedBooks: number;
  /** Times the book was found locked (best bid = best ask) after an update. */
  lockedBooks: number;
  /** Resyncs started (gap, checksum, crossed, oracle mismatch, reconnect, manual): integrity faults. */
  resyncs: number;
  /**
   * Feed restarts: the venue's stream started over from its beginning (a recording replayed in a loop
   * by the demo's simulator, `replay_restart`) and the book was rebuilt from a fresh snapshot. Not an
   * integrity fault: never counted in `resyncs`.
   */
  restarts: number;
  /** Frames for this instrument dropped as malformed. */
  dropped: number;
  /** Venue BBO (oracle) frames compared with the book, and how many matched exactly. */
  oracleChecked: number;
  oracleMatched: number;
  /**
   * Of `oracleChecked`, the BBOs that arrived before the diff with their sequence and were compared when
   * it was applied (the rest arrived after it and were compared at once).
   */
  oracleDeferred: number;
  /**
   * Depth oracles (a venue's top-N image, e.g. LOBSTER orderbook rows; see book/depth-oracle.ts): levels
   * compared, rows checked with some levels beyond coverage (`oraclePartial`), and rows with no level
   * inside coverage (`oracleUncovered`, not counted in `oracleChecked`). Checked rows count in
   * `oracleChecked` / `oracleMatched` like venue BBOs.
   */
  oracleLevels: number;
  oraclePartial: number;
  oracleUncovered: number;
  trades: number;
}

/** Price range over which the book is known. NaN bound = unbounded on that side (full-depth book). */
export interface Coverage {
  /** Lowest bid price known: below it the book is unknown. */
  bidFloor: number;
  /** Highest ask price known: above it the book is unknown. */
  askCeiling: number;
}

/** Health snapshot of one instrument's book (plain data, JSON-safe except NaN → null on output). */
export interface BookHealth {
  instrument: string;
  state: BookState;
  /** Why the book is in this state, as a stable code (alert on it, label metrics with it); null when live. */
  reasonCode: HealthReasonCode | null;
  /** The detail of `reasonCode` in words (e.g. `gap: U=101 after u=99`), null when live. */
  reason: string | null;
  /** Local ms since epoch when the state last changed. */
  since: number;
  counters: BookCounters;
  /** Local ms since epoch of the last completed resync, null if none. */
  lastResyncAt: number | null;
  /** Last applied venue sequence (Binance `u`), NaN when none. */
  sequence: number;
  /** Local ms of the last book change. */
  lastUpdateLocalTs: number;
  /** Exchange-to-local latency of the last update, ms (local receive - exchange event time). */
  latencyMs: number;
  coverage: Coverage;
}

/** Fresh zeroed counters. */
export function newCounters(): BookCounters {
  return {
    frames: 0,
    snapshots: 0,
    deltasApplied: 0,
    staleDeltas: 0,
    levelsApplied: 0,
    gaps: 0,
    checksumChecked: 0,
    checksumMatched: 0,
    checksumFailures: 0,
    crossedBooks: 0,
    lockedBooks: 0,
    resyncs: 0,
    restarts: 0,
    dropped: 0,
    oracleChecked: 0,
    oracleMatched: 0,
    oracleDeferred: 0,
    oracleLevels: 0,
    oraclePartial: 0,
    oracleUncovered: 0,
    trades: 0,
  };
}
