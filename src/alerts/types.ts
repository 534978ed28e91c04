/**
 * Alert shapes. An alert is plain data (JSON-safe), stamped with the book state it was computed on.
 * Times are ms since epoch UTC; values carry the unit of their metric (see analytics/types.ts).
 */
import type { BookState } from '../book/health.ts';

/** Alert severity, lowest first. */
export type Severity = 'info' | 'warning' | 'critical';

/** Severity order for comparisons (`minSeverity` filters). */
export const SEVERITY_RANK: Record<Severity, number> = { info: 0, warning: 1, critical: 2 };

/** One alert (a rule firing, or resolving when `notifyResolved` is on). */
export interface Alert {
  /** Unique id: `<ruleId>:<subject>:<ts>` (+ a counter when needed). */
  id: string;
  ruleId: string;
  /** Rule kind that produced it. */
  kind: 'metric' | 'state' | 'event';
  status: 'firing' | 'resolved';
  severity: Severity;
  /** Instrument id, or the pair/group name for cross-instrument metrics. */
  instrument: string;
  /** Metric name (metric rules), event name (event rules, e.g. `wall.pulled`), or `state`. */
  metric: string;
  /** Value that fired (metric), wall notional (event), null for state rules. */
  value: number | null;
  /** Threshold and comparator of the rule as applied (after per-instrument overrides). */
  threshold: number | null;
  comparator: string | null;
  /** Human-readable one-liner. */
  message: string;
  /** Local time of the input that fired it, ms. */
  ts: number;
  /** Exchange time of that input, ms (NaN when unknown → null in JSON). */
  exchangeTs: number;
  /** Book state and sequence the value was computed on (null when not applicable). */
  state: BookState | null;
  sequence: number | null;
  /** Extra fields (e.g. a wall's side, price, confidence; `heuristic: true` for wall events). */
  details?: Record<string, unknown>;
}

/**
 * One evaluation input: the values known for a subject (instrument or pair) at a time. Lookups go to
 * `extra` first, then `metrics`; an absent name (undefined) leaves rules on it untouched, `null` means
 * unknown (resets pending durations, never fires).
 */
export interface AlertInput {
  instrument: string;
  /** Local time, ms. */
  ts: number;
  exchangeTs: number;
  state: BookState | null;
  sequence: number | null;
  /** Usually the BookMetrics of a MetricsSample (read, never kept). */
  metrics?: Readonly<object> | undefined;
  /** Further values by name (analytics values, basisBps, divergenceBps, feedAgeMs, ...). */
  extra?: Readonly<Record<string, number | null | undefined>> | undefined;
}
