/**
 * Simulator protocols by venue id. Adding a venue to the simulator: implement `SimProtocol` in
 * feeds/<venue>/sim-protocol.ts and add one line here.
 */
import type { VenueId } from '../core/model.ts';
import { resolveVenueId } from '../util/venue-ids.ts';
import { createBinanceSimProtocol } from './venues/binance.ts';
import { createOkxSimProtocol } from './venues/okx.ts';
import { createBybitSimProtocol } from './venues/bybit.ts';
import { createKrakenSimProtocol } from './venues/kraken.ts';
import { createCoinbaseSimProtocol } from './venues/coinbase.ts';
import { createBitgetSimProtocol } from './venues/bitget.ts';
import { createGateioSimProtocol } from './venues/gateio.ts';
import { createKucoinSimProtocol } from './venues/kucoin.ts';
import { createDeribitSimProtocol } from './venues/deribit.ts';
import { createBitmexSimProtocol } from './venues/bitmex.ts';
import { createKrakenFuturesSimProtocol } from './venues/kraken-futures.ts';
import { createHyperliquidSimProtocol } from './venues/hyperliquid.ts';
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
  ['bybit-linear', createBybitSimProtocol],
  ['kraken', createKrakenSimProtocol],
  ['coinbase', createCoinbaseSimProtocol],
  ['bitget', createBitgetSimProtocol],
  ['bitget-futures', createBitgetSimProtocol],
  ['gateio', createGateioSimProtocol],
  ['gateio-futures', createGateioSimProtocol],
  ['kucoin', createKucoinSimProtocol],
  ['kucoin-futures', createKucoinSimProtocol],
  ['deribit', createDeribitSimProtocol],
  ['bitmex', createBitmexSimProtocol],
  ['kraken-futures', createKrakenFuturesSimProtocol],
  ['hyperliquid', createHyperliquidSimProtocol],
  ['bitstamp', createBitstampSimProtocol],
  ['gemini', createGeminiSimProtocol],
  ['bitfinex', createBitfinexSimProtocol],
]);

/**
 * A fresh protocol instance for a venue.
 * @throws {Error} naming the supported venues when the simulator does not speak this one
 */
export function simProtocol(id: VenueId): SimProtocol {
  const venue = resolveVenueId(id);
  const f = simProtocols.get(venue);
  if (!f)
    throw new Error(
      `the simulator does not speak "${venue}"; supported: ${[...simProtocols.keys()].join(', ')}`,
    );
  return f(venue);
}
