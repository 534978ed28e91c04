/**
 * Binance USD-M and COIN-M mark price stream → normalized funding events (core/model.ts `Funding`).
 *
 * Follows: Binance Derivatives docs, USDⓈ-M Futures "Websocket Market Streams > Mark Price Stream" and
 * COIN-M Futures "Websocket Market Streams > Mark Price Stream": stream `<symbol>@markPrice` (every 3 s)
 * or `<symbol>@markPrice@1s`, payload `{"e":"markPriceUpdate","E":<event time ms>,"s":<symbol>,
 * "p":<mark price>,"i":<index price>,"P":<estimated settle price>,"r":<funding rate>,"T":<next funding
 * time ms>}` (COIN-M: `r` is `""` and `T` is 0 for a delivery symbol).
 *
 * Field rules: fundingRate `r` (a fraction per funding interval), nextFundingTime `T`, markPrice `p`,
 * indexPrice `i`, exchangeTs `E`. The stream does not carry the interval: Binance Derivatives "Market
 * Data > Get Funding Rate Info" lists only symbols whose interval was adjusted (`fundingIntervalHours`),
 * every other symbol funds every 8 h; so intervalHours is 8 until the parser has seen `T` move from one
 * settlement to the next on its connection, then that step in hours.
 */
import { MalformedFrameError } from '../../core/errors.ts';
import type { Funding, VenueId } from '../../core/model.ts';
import { optTime, reqNonEmpty, type Json } from '../fields.ts';
import { fundingEvent } from '../funding.ts';

/** Binance's documented default funding interval, hours (Derivatives "Get Funding Rate Info"). */
export const BINANCE_DEFAULT_FUNDING_HOURS = 8;

/** Per-connection state of the mark price stream: the last `T` and the learnt interval per symbol. */
export class BinanceMarkPriceParser {
  private readonly lastNext = new Map<string, number>();
  private readonly interval = new Map<string, number>();

  /** @param venue `binance-usdm` or `binance-coinm` */
  constructor(readonly venue: VenueId) {}

  /**
   * One `markPriceUpdate` payload (the combined stream's `data`).
   * @returns the funding event; empty for a delivery symbol's update (no funding: `r` empty, `T` 0)
   * @throws {MalformedFrameError} `invalid_field` for a missing symbol, rate or a bad time
   */
  parse(d: Json, localTs: number): Funding[] {
    const symbol = reqNonEmpty(d.s, 'symbol `s`');
    const instrument = `${this.venue}:${symbol}`;
    const next = optTime(d.T, '`T` (next funding time)', 'ms', instrument);
    if (d.r === '' && (next === 0 || Number.isNaN(next))) return [];
    if (typeof d.r !== 'string')
      throw new MalformedFrameError('invalid_field', '`r` (funding rate) must be a string', instrument);
    const prev = this.lastNext.get(symbol);
    if (next > 0) {
      if (prev !== undefined && next > prev) {
        const hours = (next - prev) / 3_600_000;
        if (Number.isInteger(hours) && hours > 0 && hours <= 24) this.interval.set(symbol, hours);
      }
      this.lastNext.set(symbol, next);
    }
    return [
      fundingEvent(this.venue, instrument, {
        rate: d.r,
        rateName: '`r`',
        intervalHours: this.interval.get(symbol) ?? BINANCE_DEFAULT_FUNDING_HOURS,
        nextFundingTime: next > 0 ? next : NaN,
        mark: d.p,
        index: d.i,
        exchangeTs: typeof d.E === 'number' ? d.E : NaN,
        localTs,
      }),
    ];
  }
}
