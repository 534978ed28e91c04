/**
 * Live candle series from the `candles` WebSocket channel (src/contract/ws.ts): the first message of a
 * subscription seeds each interval with its recent closed candles, later ones carry the last closed
 * candles and the forming one, which replace the candles of the same `start` (upsert) or append. Units
 * as the contract's CandlesUpdate: prices quote, volumes base, `start` ms since epoch UTC (exchange time).
 */
import type { Candle, CandlesUpdate, IndicatorValues } from '../contract/schemas.ts';

/** Candles per interval label, oldest first, the forming one last; at most `keep` each. */
export class LiveCandles {
  private readonly series = new Map<string, Candle[]>();
  private readonly ind = new Map<string, IndicatorValues>();
  /** Exchange time of the last trade counted (ms), null before any. */
  ts: number | null = null;

  /** @param keep most candles kept per interval (default 500) */
  constructor(readonly keep = 500) {}

  /** Apply one `candles` message payload (upsert by `start`, candles kept in time order). */
  apply(u: CandlesUpdate): void {
    this.ts = u.ts;
    for (const [label, iv] of Object.entries(u.intervals)) {
      const s = this.series.get(label) ?? [];
      for (const c of iv.forming ? [...iv.closed, iv.forming] : iv.closed) {
        let i = s.length;
        while (i > 0 && s[i - 1]!.start > c.start) i--;
        if (i > 0 && s[i - 1]!.start === c.start) s[i - 1] = c;
        else s.splice(i, 0, c);
      }
      if (s.length > this.keep) s.splice(0, s.length - this.keep);
      this.series.set(label, s);
      this.ind.set(label, iv.indicators);
    }
  }

  /** The candles of an interval (`1s`, `5s`, `1m`, `15m`, `1h`), oldest first; empty when unknown. */
  candles(interval: string): readonly Candle[] {
    return this.series.get(interval) ?? [];
  }

  /** The server-side indicators of an interval after its last closed candle, null when unknown. */
  indicators(interval: string): IndicatorValues | null {
    return this.ind.get(interval) ?? null;
  }

  /** Forget everything (e.g. before subscribing to another instrument). */
  clear(): void {
    this.series.clear();
    this.ind.clear();
    this.ts = null;
  }
}
