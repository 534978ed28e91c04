/**
 * Alert inputs of the SSI market (pure): the values the built-in SSI alert rules read
 * (alerts/schema.ts `ssi_*` rules), computed from the market state after each change.
 *
 * - `foreignSpeedVal`: a symbol's (or `ssi:ALL`'s) foreign net value speed, VND per minute over the
 *   rolling window (foreign.ts) — the foreign flow spike rule.
 * - `breadthThrust`: 1 when an index's breadth (advances / (advances + declines)), smoothed by an EMA
 *   over `emaPoints` messages, rose from below 0.40 to above 0.615 within `withinPoints` messages
 *   (Zweig's breadth thrust thresholds, on intraday messages instead of days), else 0.
 * - `basisPct`: a VN30F contract's basis against VN30, % (basis.ts).
 * - `limitLock`: 1 when a symbol is locked at its ceiling, -1 at its floor, 0 otherwise (market.ts).
 */
import type { IndexState } from './breadth.ts';
import type { SsiChange, SsiMarket } from './market.ts';
import { FOREIGN_TOTAL_KEY } from './views.ts';

/** One subject's alert values. */
export interface SsiSignal {
  readonly instrument: string;
  readonly exchangeTs: number;
  readonly extra: Readonly<Record<string, number | null>>;
}

/** Breadth-thrust detection per index (state: the EMA and when it was last below the low mark). */
export class BreadthThrust {
  private readonly byIndex = new Map<string, { ema: number; n: number; lowAt: number }>();

  constructor(
    readonly emaPoints = 10,
    readonly withinPoints = 100,
    readonly low = 0.4,
    readonly high = 0.615,
  ) {}

  /** Feed one index state; returns 1 on a thrust, 0 otherwise, null before any breadth. */
  update(s: IndexState): number | null {
    if (s.breadth === null) return null;
    let st = this.byIndex.get(s.id);
    const alpha = 2 / (this.emaPoints + 1);
    if (!st) this.byIndex.set(s.id, (st = { ema: s.breadth, n: 0, lowAt: -Infinity }));
    else st.ema += alpha * (s.breadth - st.ema);
    st.n++;
    if (st.ema < this.low) st.lowAt = st.n;
    return st.ema > this.high && st.n - st.lowAt <= this.withinPoints ? 1 : 0;
  }
}

/** The alert values a change of the market gives (see module comment). */
export function ssiSignals(change: SsiChange, m: SsiMarket, thrust: BreadthThrust): SsiSignal[] {
  const symbol = change.instrument.slice('ssi:'.length);
  switch (change.channel) {
    case 'foreign': {
      const f = m.foreign.symbol(symbol);
      const t = m.foreign.total();
      const out: SsiSignal[] = [];
      if (f)
        out.push({ instrument: change.instrument, exchangeTs: f.ts, extra: { foreignSpeedVal: f.speedVal } });
      if (t)
        out.push({ instrument: FOREIGN_TOTAL_KEY, exchangeTs: t.ts, extra: { foreignSpeedVal: t.speedVal } });
      return out;
    }
    case 'index': {
      const s = m.indices.get(symbol);
      if (!s) return [];
      return [
        { instrument: change.instrument, exchangeTs: s.ts, extra: { breadthThrust: thrust.update(s) } },
      ];
    }
    case 'market': {
      const r = m.row(symbol);
      if (!r) return [];
      const out: SsiSignal[] = [
        {
          instrument: change.instrument,
          exchangeTs: m.now,
          extra: { limitLock: r.locked === 'ceiling' ? 1 : r.locked === 'floor' ? -1 : 0 },
        },
      ];
      if (r.exchange === 'DERIVATIVES') {
        const b = m.basis().find((x) => x.symbol === symbol);
        if (b) out.push({ instrument: change.instrument, exchangeTs: m.now, extra: { basisPct: b.pct } });
      }
      return out;
    }
  }
}
