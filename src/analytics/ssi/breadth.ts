/**
 * Index tracking with breadth from SSI `MI` messages: the latest value and breadth of every index and
 * an intraday series (one point per message, bounded). Pure.
 *
 * - advance/decline ratio = advances / declines (null when there are no declines);
 * - breadth = advances / (advances + declines), 0..1 (null when both are 0): the input of the breadth
 *   thrust alert (alerts/ssi-rules.ts).
 * A message of a new trading date clears that index's series.
 */
import type { SsiIndex } from '../../feeds/ssi/model.ts';

/** One point of an index's intraday series. */
export interface IndexPoint {
  /** ms since epoch UTC. */
  readonly ts: number;
  readonly value: number;
  readonly advances: number;
  readonly declines: number;
  readonly noChanges: number;
  readonly ceilings: number;
  readonly floors: number;
  readonly breadth: number | null;
}

/** The latest state of one index (values in points, quantities in shares, values in VND). */
export interface IndexState {
  readonly id: string;
  readonly tradingDate: string;
  readonly ts: number;
  readonly session: string | null;
  readonly value: number;
  readonly priorValue: number;
  readonly change: number;
  readonly ratioChange: number;
  readonly advances: number;
  readonly declines: number;
  readonly noChanges: number;
  readonly ceilings: number;
  readonly floors: number;
  readonly adRatio: number | null;
  readonly breadth: number | null;
  readonly totalQty: number;
  readonly totalValue: number;
  readonly series: readonly IndexPoint[];
}

const num = (s: string): number => (s === '' ? NaN : Number(s));

/** The latest state and series of every index seen. */
export class IndexTracker {
  private readonly byId = new Map<string, { state: IndexState; series: IndexPoint[] }>();

  /** @param maxPoints most points kept per series (the oldest are dropped); a trading day at 5 s ≈ 3,600 */
  constructor(readonly maxPoints = 5000) {}

  /** Apply one MI message; returns the index's new state. */
  update(e: SsiIndex): IndexState {
    let prev = this.byId.get(e.indexId);
    if (prev && prev.state.tradingDate !== e.tradingDate) prev = undefined;
    const series = prev?.series ?? [];
    const value = num(e.value);
    const priorValue = num(e.priorValue);
    const decided = e.advances + e.declines;
    const breadth = decided > 0 ? e.advances / decided : null;
    series.push({
      ts: e.exchangeTs,
      value,
      advances: e.advances,
      declines: e.declines,
      noChanges: e.noChanges,
      ceilings: e.ceilings,
      floors: e.floors,
      breadth,
    });
    if (series.length > this.maxPoints) series.splice(0, series.length - this.maxPoints);
    const change = e.change === '' ? value - priorValue : Number(e.change);
    const state: IndexState = {
      id: e.indexId,
      tradingDate: e.tradingDate,
      ts: e.exchangeTs,
      session: e.session,
      value,
      priorValue,
      change,
      ratioChange: e.ratioChange === '' ? (change / priorValue) * 100 : Number(e.ratioChange),
      advances: e.advances,
      declines: e.declines,
      noChanges: e.noChanges,
      ceilings: e.ceilings,
      floors: e.floors,
      adRatio: e.declines > 0 ? e.advances / e.declines : null,
      breadth,
      totalQty: num(e.totalQty),
      totalValue: num(e.totalValue),
      series,
    };
    this.byId.set(e.indexId, { state, series });
    return state;
  }

  /** One index's state, or null. */
  get(id: string): IndexState | null {
    return this.byId.get(id)?.state ?? null;
  }

  /** Every index's state. */
  all(): IndexState[] {
    return [...this.byId.values()].map((v) => v.state);
  }
}
