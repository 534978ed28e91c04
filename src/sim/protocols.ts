/**
 * Simulator protocols by venue id. Adding a venue to the simulator: implement `SimProtocol` in
 * feeds/<venue>/sim-protocol.ts and add one line here.
 */
import type { VenueId } from '../core/model.ts';
import { createBinanceSimProtocol } from './venues/binance.ts';
import { createOkxSimProtocol } from './venues/okx.ts';
import { createBybitSimProtocol } from './venues/bybit.ts';
import { createKrakenSimProtocol } from './venues/kraken.ts';
import { createCoinbaseSimProtocol } from './venues/coinbase.ts';
import { createBitstampSimProtocol } from './venues/bitstamp.ts';
import { createGeminiSimProtocol } from './venues/gemini.ts';
import { createBitfinexSimProtocol } from './venues/bitfinex.ts';
import type { SimProtocol, SimProtocolFactory } from './types.ts';

/** Factories of every venue the simulator speaks. */
export const simProtocols: ReadonlyMap<VenueId, SimProtocolFactory> = new Map<VenueId, SimProtocolFactory>([
  ['binance', createBinanceSimProtocol],
  ['binance-usdm', createBinanceSimProtocol],
  ['binance-coinm', createBinanceSimProtocol],
  ['binance-us', createBinanceSimProtocol],
  ['okx', createOkxSimProtocol],
  ['bybit', createBybitSimProtocol],
  ['kraken', createKrakenSimProtocol],
  ['coinbase', createCoinbaseSimProtocol],
  ['bitstamp', createBitstampSimProtocol],
  ['gemini', createGeminiSimProtocol],
  ['bitfinex', createBitfinexSimProtocol],
]);

/**
 * A fresh protocol instance for a venue.
 * @throws {Error} naming the supported venues when the simulator does not speak this one
 */
export function simProtocol(venue: VenueId): SimProtocol {
  const f = simProtocols.get(venue);
  if (!f)
    throw new Error(
      `the simulator does not speak "${venue}"; supported: ${[...simProtocols.keys()].join(', ')}`,
    );
  return f(venue);
}
