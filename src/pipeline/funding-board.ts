/**
 * The latest funding state per perpetual instrument (core/model.ts `Funding`), as the venues stream it.
 * The pipeline Engine owns one (`engine.funding`) and updates it from every parsed funding event;
 * analytics (the consolidated basis) and the API read it. Pure: no I/O, no clock.
 *
 * Rules:
 * - one entry per instrument id; an event replaces the held one unless it is older by exchange time
 *   (both times known and the new one earlier): then it is ignored and counted in `counters.outOfOrder`
 *   (a reconnect's first push can repeat an earlier value, and must not roll the board back);
 * - values are kept exactly as parsed (decimal strings); {@link annualizedFundingRate} and
 *   {@link fundingRateNumber} turn them into numbers for arithmetic.
 */
import type { Funding, InstrumentId } from '../core/model.ts';

/** Hours in a 365-day year: the annualization base of {@link annualizedFundingRate}. */
export const HOURS_PER_YEAR = 24 * 365;

/** Counters of a {@link FundingBoard}. */
export interface FundingBoardCounters {
  /** Events accepted (each replaced or created an entry). */
  updates: number;
  /** Events ignored because their exchange time is before the held entry's. */
  outOfOrder: number;
}

/** Latest funding event per instrument (see the module doc for the rules). Not thread-safe. */
export class FundingBoard {
  private readonly byInstrument = new Map<InstrumentId, Funding>();
  /** Accepted and ignored events so far. */
  readonly counters: FundingBoardCounters = { updates: 0, outOfOrder: 0 };

  /**
   * Take one funding event.
   * @returns true when it became the instrument's latest, false when ignored as out of order
   */
  update(e: Funding): boolean {
    const held = this.byInstrument.get(e.instrument);
    if (held && e.exchangeTs < held.exchangeTs) {
      // `<` is false whenever either time is NaN: an event without exchange time always replaces.
      this.counters.outOfOrder++;
      return false;
    }
    this.byInstrument.set(e.instrument, e);
    this.counters.updates++;
    return true;
  }

  /** The latest funding event of `instrument`, or undefined when none has arrived. */
  latest(instrument: InstrumentId): Funding | undefined {
    return this.byInstrument.get(instrument);
  }

  /** Every instrument's latest event, sorted by instrument id. */
  all(): Funding[] {
    return [...this.byInstrument.values()].sort((a, b) =>
      a.instrument < b.instrument ? -1 : a.instrument > b.instrument ? 1 : 0,
    );
  }

  /** Number of instruments with a funding entry. */
  get size(): number {
    return this.byInstrument.size;
  }

  /** Forget every entry (a replay starting over); counters are kept. */
  clear(): void {
    this.byInstrument.clear();
  }
}

/** The funding rate of one interval as a number (a fraction: 0.0001 = 1 bp), NaN when not numeric. */
export function fundingRateNumber(f: Pick<Funding, 'fundingRate'>): number {
  return f.fundingRate === '' ? NaN : Number(f.fundingRate);
}

/**
 * The funding rate annualized without compounding: rate per interval × (24 × 365 / intervalHours), a
 * fraction per year (0.1095 = 10.95 %). NaN when the rate is not numeric or the interval is unknown
 * (NaN) or not positive.
 */
export function annualizedFundingRate(f: Pick<Funding, 'fundingRate' | 'intervalHours'>): number {
  const r = fundingRateNumber(f);
  const h = f.intervalHours;
  if (!(h > 0)) return NaN;
  return r * (HOURS_PER_YEAR / h);
}
