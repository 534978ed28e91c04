/**
 * Foreign-investor flow from SSI `R` messages (cumulative session buy/sell volume and value per symbol,
 * plus the room): net flow, deltas, speed over a rolling window, acceleration, top movers, remaining
 * room, per symbol and for the whole market. Pure (no I/O, no clock: times come with the updates).
 *
 * Definitions (volumes in shares, values in VND, times ms since epoch UTC, W = `windowMs`, 5 min by
 * default):
 * - net = buy − sell (volume and value);
 * - delta = net now − net of the previous update of that symbol (0 on the first);
 * - speed(t) = (net(t) − net(b)) / ((t − b) in minutes), b = the latest update at or before t − W, or
 *   the first update of the session when none is that old (0 when t = b): VND (shares) per minute;
 * - acceleration(t) = (speed(t) − speed(b')) / (W in minutes), b' = the latest update at or before
 *   t − W (the first when none): VND (shares) per minute per minute;
 * - room used % = (totalRoom − currentRoom) / totalRoom × 100 (`CurrentRoom` is the room left);
 * - the market series is the sum of the symbols' latest nets, sampled at every update.
 * A new session (the update's session id differs) clears that symbol's history.
 */

/** One R update in numbers (NaN for unknown fields). */
export interface ForeignUpdate {
  readonly symbol: string;
  /** ms since epoch UTC. */
  readonly ts: number;
  /** Session id (`YYYY-MM-DD`). */
  readonly session: string;
  readonly buyVol: number;
  readonly sellVol: number;
  readonly buyVal: number;
  readonly sellVal: number;
  readonly totalRoom: number;
  readonly currentRoom: number;
}

/** Flow figures of one symbol (or the market: room fields NaN). */
export interface ForeignFlow {
  readonly symbol: string;
  readonly ts: number;
  readonly buyVol: number;
  readonly sellVol: number;
  readonly buyVal: number;
  readonly sellVal: number;
  readonly netVol: number;
  readonly netVal: number;
  readonly deltaNetVol: number;
  readonly deltaNetVal: number;
  /** Shares per minute over the window. */
  readonly speedVol: number;
  /** VND per minute over the window. */
  readonly speedVal: number;
  /** VND per minute², see module comment. */
  readonly accelVal: number;
  readonly totalRoom: number;
  readonly currentRoom: number;
  readonly roomUsedPct: number;
}

interface Sample {
  ts: number;
  netVol: number;
  netVal: number;
  speedVal: number;
}

/** Rolling history of one series (a symbol or the market). */
class Series {
  readonly samples: Sample[] = [];

  /** Add a sample at `ts` and return its speeds and acceleration. */
  push(
    ts: number,
    netVol: number,
    netVal: number,
    windowMs: number,
  ): { speedVol: number; speedVal: number; accelVal: number } {
    const s = this.samples;
    const base = baseOf(s, ts - windowMs);
    const minutes = base ? (ts - base.ts) / 60_000 : 0;
    const speedVol = base && minutes > 0 ? (netVol - base.netVol) / minutes : 0;
    const speedVal = base && minutes > 0 ? (netVal - base.netVal) / minutes : 0;
    const accelVal = base ? (speedVal - base.speedVal) / (windowMs / 60_000) : 0;
    s.push({ ts, netVol, netVal, speedVal });
    // Keep one sample at or before t − W (the next base), drop older ones.
    while (s.length > 2 && s[1]!.ts <= ts - windowMs) s.shift();
    return { speedVol, speedVal, accelVal };
  }
}

/** The latest sample at or before `at`, else the first one; null when empty. */
function baseOf(s: readonly Sample[], at: number): Sample | null {
  if (s.length === 0) return null;
  let b = s[0]!;
  for (const x of s) {
    if (x.ts > at) break;
    b = x;
  }
  return b;
}

/** Foreign flow of every symbol seen, and the market total. */
export class ForeignFlowTracker {
  private readonly bySymbol = new Map<string, { flow: ForeignFlow; series: Series; session: string }>();
  private readonly market = new Series();
  private marketFlow: ForeignFlow | null = null;

  /** @param windowMs the rolling window of speed and acceleration (default 5 min) */
  constructor(readonly windowMs = 300_000) {}

  /** Apply one update; returns the symbol's new figures. */
  update(u: ForeignUpdate): ForeignFlow {
    let st = this.bySymbol.get(u.symbol);
    if (st && st.session !== u.session) st = undefined;
    const netVol = u.buyVol - u.sellVol;
    const netVal = u.buyVal - u.sellVal;
    const series = st?.series ?? new Series();
    const { speedVol, speedVal, accelVal } = series.push(u.ts, netVol, netVal, this.windowMs);
    const flow: ForeignFlow = {
      symbol: u.symbol,
      ts: u.ts,
      buyVol: u.buyVol,
      sellVol: u.sellVol,
      buyVal: u.buyVal,
      sellVal: u.sellVal,
      netVol,
      netVal,
      deltaNetVol: st ? netVol - st.flow.netVol : 0,
      deltaNetVal: st ? netVal - st.flow.netVal : 0,
      speedVol,
      speedVal,
      accelVal,
      totalRoom: u.totalRoom,
      currentRoom: u.currentRoom,
      roomUsedPct: u.totalRoom > 0 ? ((u.totalRoom - u.currentRoom) / u.totalRoom) * 100 : NaN,
    };
    this.bySymbol.set(u.symbol, { flow, series, session: u.session });
    this.updateMarket(u.ts);
    return flow;
  }

  private updateMarket(ts: number): void {
    let buyVol = 0;
    let sellVol = 0;
    let buyVal = 0;
    let sellVal = 0;
    for (const { flow } of this.bySymbol.values()) {
      buyVol += flow.buyVol;
      sellVol += flow.sellVol;
      buyVal += flow.buyVal;
      sellVal += flow.sellVal;
    }
    const netVol = buyVol - sellVol;
    const netVal = buyVal - sellVal;
    const prev = this.marketFlow;
    const sp = this.market.push(ts, netVol, netVal, this.windowMs);
    this.marketFlow = {
      symbol: '*',
      ts,
      buyVol,
      sellVol,
      buyVal,
      sellVal,
      netVol,
      netVal,
      deltaNetVol: prev ? netVol - prev.netVol : 0,
      deltaNetVal: prev ? netVal - prev.netVal : 0,
      ...sp,
      totalRoom: NaN,
      currentRoom: NaN,
      roomUsedPct: NaN,
    };
  }

  /** The figures of one symbol, or null when no update was seen. */
  symbol(symbol: string): ForeignFlow | null {
    return this.bySymbol.get(symbol)?.flow ?? null;
  }

  /** Every symbol's figures. */
  all(): ForeignFlow[] {
    return [...this.bySymbol.values()].map((s) => s.flow);
  }

  /** The market total (sum of the symbols' latest figures), or null before any update. */
  total(): ForeignFlow | null {
    return this.marketFlow;
  }

  /**
   * Top movers: the `n` largest net buyers and net sellers by `by` (`netVal`: session net value;
   * `speedVal`: net value per minute over the window). Buyers have a positive figure, sellers negative.
   */
  topMovers(
    n: number,
    by: 'netVal' | 'speedVal' = 'netVal',
  ): { buyers: ForeignFlow[]; sellers: ForeignFlow[] } {
    const all = this.all();
    return {
      buyers: all
        .filter((f) => f[by] > 0)
        .sort((a, b) => b[by] - a[by])
        .slice(0, n),
      sellers: all
        .filter((f) => f[by] < 0)
        .sort((a, b) => a[by] - b[by])
        .slice(0, n),
    };
  }
}
