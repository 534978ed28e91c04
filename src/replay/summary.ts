/**
 * End-of-replay summary: per instrument counters, state, coverage and final book, as plain JSON-safe data
 * (prices and sizes as numbers in the venue's units: price in quote currency, size in base units or
 * contracts; non-finite numbers become null).
 */
import type { HealthReasonCode } from '../book/health.ts';
import type { BookState } from '../book/health.ts';
import type { Engine } from '../pipeline/engine.ts';
import type { AnalyticsStage } from '../analytics/stage.ts';
import type { ConsolidationStage } from '../analytics/consolidated/stage.ts';
import type { CrossedMarket } from '../analytics/consolidated/arbitrage.ts';
import type { BookMetrics } from '../analytics/types.ts';
import type { DropCode } from '../core/errors.ts';
import type { InstrumentSpec } from '../core/instrument.ts';

/** Summary of one instrument after a replay. */
export interface InstrumentSummary {
  /** Frames/events for this instrument (diffs, snapshots, trades, venue BBOs). */
  frames: number;
  diffsApplied: number;
  gaps: number;
  resyncs: number;
  /** Frames for this instrument dropped as malformed. */
  dropped: number;
  /**
   * Oracle comparisons with the rebuilt book: venue BBOs and depth oracles (top-N images such as LOBSTER
   * orderbook rows; rule in book/depth-oracle.ts). `deferred`: of `checked`, BBOs that arrived before
   * their diff and were compared once it applied. Depth oracles only: `levels` compared, `partial` rows
   * checked with some levels beyond coverage, `uncovered` rows with no level inside coverage (not checked).
   */
  oracle: {
    checked: number;
    matched: number;
    deferred: number;
    levels: number;
    partial: number;
    uncovered: number;
  };
  /** Venue checksum verifications. */
  checksum: { checked: number; matched: number };
  state: BookState;
  /** Why the book is in that state (null when live). */
  /** Why the book is in its state, as a stable code (null when live). */
  reasonCode: HealthReasonCode | null;
  /** The detail of `reasonCode` in words. */
  reason: string | null;
  /** Price range the book is known over (null = unbounded). */
  coverage: { bidFloor: number | null; askCeiling: number | null };
  /**
   * The spec the analytics used (core/instrument.ts): where it came from (`recording` metadata or the
   * documented `fallback`), kind, margin, contract size, size unit, tick; absent without analytics.
   */
  spec?: Pick<InstrumentSpec, 'source' | 'kind' | 'margin' | 'contractSize' | 'sizeUnit' | 'tickSize'>;
  final: {
    /** Best `depth` levels, [price, size], best first. */
    bids: [number, number][];
    asks: [number, number][];
    /** The engine's latest metrics for the instrument (null fields when unknown); null if none computed. */
    metrics: { [K in keyof BookMetrics]: number | null } | null;
  };
}

/** One consolidation group at the end of a replay (`--consolidate`). */
export interface ConsolidatedSummary {
  quote: string;
  members: string[];
  state: 'live' | 'partial' | 'down';
  excluded: { instrument: string; state: string }[];
  bestBid: number | null;
  bestAsk: number | null;
  bestBidMembers: string[];
  bestAskMembers: string[];
  /** `[price, size]` best first: group-quote prices, base sizes. */
  bids: [number, number][];
  asks: [number, number][];
  /** Size per member at each level, same order as `bids`/`asks`, member order. */
  bidMembers: number[][];
  askMembers: number[][];
  metrics: Record<string, number | null>;
  shares: { instrument: string; share: number; base: number }[];
  basis: { instrument: string; bps: number; annualized: number | null }[];
  /** Every crossed market of the replay (closed ones with their durations; still open at the end). */
  crossed: CrossedMarket[];
}

/** The whole summary (the `--json` output of `depthwatch replay`). */
export interface ReplaySummary {
  instruments: Record<string, InstrumentSummary>;
  /** Consolidation groups (only with `--consolidate` or configured groups). */
  consolidated?: Record<string, ConsolidatedSummary>;
  /** Frames dropped before reaching a book, by venue then reason code. */
  dropped: Record<string, Partial<Record<DropCode, number>>>;
}

/**
 * Summarise the consolidation groups at the end of a replay.
 * @param crossed every `arbitrage` event published during the replay
 * @param depth levels per side (default 20)
 */
export function summarizeConsolidated(
  stage: Pick<ConsolidationStage, 'groups'>,
  crossed: readonly CrossedMarket[],
  depth = 20,
): Record<string, ConsolidatedSummary> {
  const out: Record<string, ConsolidatedSummary> = {};
  for (const [name, g] of stage.groups) {
    const v = g.view();
    const levels = (l: [number, number, number[]][]) => l.slice(0, depth);
    const metrics: Record<string, number | null> = {};
    for (const [k, x] of Object.entries(v.metrics)) metrics[k] = finiteOrNull(x as number | null);
    const ended = crossed.filter((e) => e.group === name && e.status === 'close');
    out[name] = {
      quote: v.quote,
      members: v.members.map((m) => m.instrument),
      state: v.state,
      excluded: v.excluded,
      bestBid: v.bestBid,
      bestAsk: v.bestAsk,
      bestBidMembers: v.bestBidMembers,
      bestAskMembers: v.bestAskMembers,
      bids: levels(v.bids).map(([p, s]) => [p, s]),
      asks: levels(v.asks).map(([p, s]) => [p, s]),
      bidMembers: levels(v.bids).map(([, , m]) => m),
      askMembers: levels(v.asks).map(([, , m]) => m),
      metrics,
      shares: v.shares,
      basis: v.basis.map((b) => ({ instrument: b.instrument, bps: b.bps, annualized: b.annualized })),
      crossed: [...ended, ...v.crossed],
    };
  }
  return out;
}

/** A finite number, or null. */
export function finiteOrNull(x: number | null | undefined): number | null {
  return typeof x === 'number' && Number.isFinite(x) ? x : null;
}

/**
 * Summarise every instrument of an engine, sorted by instrument id.
 * @param depth levels per side in `final` (default 20)
 */
export function summarize(
  engine: Engine,
  analytics: (Pick<AnalyticsStage, 'latest'> & Partial<Pick<AnalyticsStage, 'spec'>>) | null,
  depth = 20,
): ReplaySummary {
  const instruments: Record<string, InstrumentSummary> = {};
  for (const id of [...engine.books.keys()].sort()) {
    const b = engine.books.get(id)!;
    const h = b.health;
    const c = h.counters;
    const top = b.book.top(depth);
    const latest = analytics?.latest.get(id);
    let metrics: InstrumentSummary['final']['metrics'] = null;
    if (latest) {
      const m = {} as Record<string, number | null>;
      for (const [k, v] of Object.entries(latest.metrics)) m[k] = finiteOrNull(v as number | null);
      metrics = m as InstrumentSummary['final']['metrics'];
    }
    instruments[id] = {
      frames: c.frames,
      diffsApplied: c.deltasApplied,
      gaps: c.gaps,
      resyncs: c.resyncs,
      dropped: c.dropped,
      oracle: {
        checked: c.oracleChecked,
        matched: c.oracleMatched,
        deferred: c.oracleDeferred,
        levels: c.oracleLevels,
        partial: c.oraclePartial,
        uncovered: c.oracleUncovered,
      },
      checksum: { checked: c.checksumChecked, matched: c.checksumMatched },
      state: h.state,
      reasonCode: h.reasonCode,
      reason: h.reason,
      coverage: {
        bidFloor: finiteOrNull(h.coverage.bidFloor),
        askCeiling: finiteOrNull(h.coverage.askCeiling),
      },
      final: { bids: top.bids, asks: top.asks, metrics },
    };
    const spec = analytics?.spec?.(id);
    if (spec) {
      const { source, kind, margin, contractSize, sizeUnit, tickSize } = spec;
      instruments[id]!.spec = { source, kind, margin, contractSize, sizeUnit, tickSize };
    }
  }
  const dropped: ReplaySummary['dropped'] = {};
  for (const [v, codes] of Object.entries(engine.dropped)) dropped[v] = { ...codes };
  return { instruments, dropped };
}
