/**
 * Turns per-update metrics into one sample per instrument per interval, keyed on the samples' own local
 * time (so replay at any speed yields the same samples as live). The sample emitted for an interval is
 * the last one seen in it.
 */
import type { MetricsSample } from './types.ts';

export class MetricsSampler {
  private readonly pending = new Map<string, MetricsSample>();
  private readonly slot = new Map<string, number>();

  /**
   * @param intervalMs sample interval (ms); @param emit receives each closed interval's last sample
   */
  constructor(
    private readonly intervalMs: number,
    private readonly emit: (s: MetricsSample) => void,
  ) {}

  /** Offer a sample; emits the previous interval's last sample when this one opens a new interval. */
  offer(s: MetricsSample): void {
    const slot = Math.floor(s.localTs / this.intervalMs);
    const prev = this.slot.get(s.instrument);
    if (prev !== undefined && slot !== prev) {
      const p = this.pending.get(s.instrument);
      if (p) this.emit(p);
    }
    this.slot.set(s.instrument, slot);
    this.pending.set(s.instrument, s);
  }

  /** Emit every pending sample (end of stream). */
  flush(): void {
    for (const p of this.pending.values()) this.emit(p);
    this.pending.clear();
    this.slot.clear();
  }
}
