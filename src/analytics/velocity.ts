/**
 * Imbalance velocity: rate of change of an imbalance over a rolling time window (per second).
 */
import { TimeWindow } from './rolling.ts';

/**
 * Tracks (ts, imbalance) and reports (newest - oldest) / span in imbalance units per second, where the
 * oldest sample is the oldest one still inside `windowMs`. O(1) amortized per update, no allocation.
 */
export class ImbalanceVelocity {
  private readonly w = new TimeWindow(256);

  /** @param windowMs rolling window length, ms (default 5,000) */
  constructor(private readonly windowMs = 5_000) {}

  /**
   * Add a sample and return the velocity (imbalance units per second), or null when the window spans
   * no time yet (a single sample, or every sample at the same ms) or the input is null.
   * @param ts sample time, ms; @param imbalance value in [-1, 1] or null (unknown: window reset)
   */
  update(ts: number, imbalance: number | null): number | null {
    if (imbalance === null || Number.isNaN(imbalance)) {
      this.w.clear();
      return null;
    }
    this.w.push(ts, imbalance);
    this.w.evictBefore(this.w.newestTs() - this.windowMs);
    const n = this.w.length;
    const dt = this.w.tsAt(n - 1) - this.w.tsAt(0);
    if (dt <= 0) return null;
    return ((this.w.valueAt(n - 1) - this.w.valueAt(0)) / dt) * 1000;
  }

  /** Forget history (book resynced). */
  reset(): void {
    this.w.clear();
  }
}
