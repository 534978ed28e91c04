/**
 * Trade classification for SSI prints, which carry no aggressor side: the quote rule against the quote
 * that stood at the time of the trade, the tick rule as fallback, auction prints labelled. Pure.
 *
 * Rules (Lee & Ready, 1991):
 * - auction prints (ATO/ATC match, see session.ts `isAuctionPrint`) are `auction`: no aggressor;
 * - quote rule: price at or above the best ask → buy; at or below the best bid → sell; strictly
 *   between: above the midpoint → buy, below → sell (a quote needs both sides, bid < ask; one side alone
 *   decides only prints at or through it);
 * - tick rule when the quote does not decide (no quote, print at the midpoint): above the previous
 *   different print price → buy, below → sell; a zero tick repeats the last direction (zero-tick rule);
 * - otherwise `unknown`.
 */

/** The quote a print is compared with: best bid/ask prices, NaN when a side is empty. */
export interface CachedQuote {
  readonly bid: number;
  readonly ask: number;
}

/** Per-symbol memory of the tick rule: the last print price and the last non-zero tick direction. */
export interface TickState {
  lastPrice: number;
  lastDirection: 'buy' | 'sell' | null;
}

/** A classification: the side and the rule that decided it. */
export interface Classification {
  readonly side: 'buy' | 'sell' | 'unknown';
  readonly rule: 'auction' | 'quote' | 'midpoint' | 'tick' | 'zero_tick' | 'none';
}

/** A fresh tick state (no print yet). */
export function newTickState(): TickState {
  return { lastPrice: NaN, lastDirection: null };
}

/**
 * Classify one print and advance the tick state (auction prints advance it too: they set the price the
 * next tick is measured from).
 * @param price print price (VND, or points for futures)
 * @param quote the quote before the print, or null
 */
export function classifyTrade(
  price: number,
  quote: CachedQuote | null,
  tick: TickState,
  auction: boolean,
): Classification {
  const out = auction ? ({ side: 'unknown', rule: 'auction' } as const) : decide(price, quote, tick);
  if (price !== tick.lastPrice && Number.isFinite(tick.lastPrice))
    tick.lastDirection = price > tick.lastPrice ? 'buy' : 'sell';
  tick.lastPrice = price;
  return out;
}

function decide(price: number, quote: CachedQuote | null, tick: TickState): Classification {
  if (quote) {
    const { bid, ask } = quote;
    if (ask > 0 && price >= ask) return { side: 'buy', rule: 'quote' };
    if (bid > 0 && price <= bid) return { side: 'sell', rule: 'quote' };
    if (bid > 0 && ask > 0 && bid < ask) {
      const mid = (bid + ask) / 2;
      if (price > mid) return { side: 'buy', rule: 'midpoint' };
      if (price < mid) return { side: 'sell', rule: 'midpoint' };
    }
  }
  if (Number.isFinite(tick.lastPrice)) {
    if (price > tick.lastPrice) return { side: 'buy', rule: 'tick' };
    if (price < tick.lastPrice) return { side: 'sell', rule: 'tick' };
    if (tick.lastDirection) return { side: tick.lastDirection, rule: 'zero_tick' };
  }
  return { side: 'unknown', rule: 'none' };
}
