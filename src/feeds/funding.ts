/**
 * Shared builder of normalized funding events (core/model.ts `Funding`) for the venues' funding parsers
 * (src/feeds/<venue>/funding.ts), and the perpetual test the venue descriptors subscribe by.
 */
import { invalidField } from '../core/errors.ts';
import type { Funding, InstrumentId, VenueId } from '../core/model.ts';
import { fallbackSpec } from '../core/instrument.ts';
import { optDecimalText } from './fields.ts';

/** The wire values of one funding update, before validation (see {@link fundingEvent}). */
export interface FundingWire {
  /** The rate of one interval: a decimal string or a JSON number (already quoted, or a number). */
  rate: unknown;
  /** The rate's field name on the wire, for error messages (`r`, `fundingRate`...). */
  rateName: string;
  intervalHours: number;
  nextFundingTime: number;
  mark?: unknown;
  index?: unknown;
  predicted?: unknown;
  exchangeTs: number;
  localTs: number;
}

/**
 * Validate one funding update and build the event: the rate must be a decimal (string or number;
 * exponent text expanded exactly); mark, index and predicted rate are kept when present and numeric,
 * left out when absent, empty or null.
 * @throws {MalformedFrameError} `invalid_field` (attributed to `instrument`) for a missing or
 *   non-numeric rate, or a non-numeric mark/index/predicted value
 */
export function fundingEvent(venue: VenueId, instrument: InstrumentId, w: FundingWire): Funding {
  const rate = optDecimalText(w.rate, w.rateName, instrument);
  if (rate === '') throw invalidField(`${w.rateName} (funding rate) missing`, instrument);
  const mark = optDecimalText(w.mark, 'mark price', instrument);
  const index = optDecimalText(w.index, 'index price', instrument);
  const predicted = optDecimalText(w.predicted, 'predicted funding rate', instrument);
  const f: { -readonly [K in keyof Funding]: Funding[K] } = {
    type: 'funding',
    instrument,
    venue,
    exchangeTs: w.exchangeTs,
    localTs: w.localTs,
    fundingRate: rate,
    intervalHours: w.intervalHours,
    nextFundingTime: w.nextFundingTime,
  };
  if (mark !== '') f.markPrice = mark;
  if (index !== '') f.indexPrice = index;
  if (predicted !== '') f.predictedRate = predicted;
  return f;
}

/**
 * Whether a venue symbol is a perpetual, by the instrument model's documented symbol rules
 * (core/instrument.ts fallbackSpec: Binance USD-M without an `_YYMMDD` suffix, COIN-M `_PERP`, Kraken
 * Futures `PI_`/`PF_`, Hyperliquid coin names) plus the rules of venues that model has none for: OKX
 * instrument ids ending `-SWAP` (OKX v5 "Instruments": instType SWAP), Bybit linear symbols without a
 * `-<expiry>` part (Bybit v5 "Get Instruments Info": dated contracts are `BTC-27DEC24`,
 * `BTCUSDT-27DEC24`), Gate.io futures contracts (the `futures` settle endpoints list perpetuals only;
 * dated contracts are the separate `delivery` API).
 */
export function isPerpetualSymbol(venue: VenueId, symbol: string): boolean {
  switch (venue) {
    case 'okx':
      return symbol.endsWith('-SWAP');
    case 'bybit-linear':
    case 'bybit':
      return !symbol.includes('-');
    case 'gateio-futures':
      return true;
    default:
      return fallbackSpec(`${venue}:${symbol}`).kind === 'perpetual';
  }
}

/** The symbols of `symbols` that are perpetuals on `venue` ({@link isPerpetualSymbol}). */
export function perpetualSymbols(venue: VenueId, symbols: readonly string[]): string[] {
  return symbols.filter((s) => isPerpetualSymbol(venue, s));
}

/** The next whole hour after `ms` (ms since epoch UTC), for venues funding on every hour (Hyperliquid). */
export function nextWholeHour(ms: number): number {
  if (!Number.isFinite(ms)) return NaN;
  return (Math.floor(ms / 3_600_000) + 1) * 3_600_000;
}
