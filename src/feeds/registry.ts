/**
 * Every venue adapter, by id. Adding a venue: one folder under feeds/ plus one line here.
 */
import type { VenueId } from '../core/model.ts';
import { resolveVenueId } from '../util/venue-ids.ts';
import type { VenueAdapter } from './types.ts';
import type { BookSyncOptions } from '../book/instrument-book.ts';
import { binanceCoinm, binanceSpot, binanceUs, binanceUsdm } from './binance/descriptor.ts';
import { okx } from './okx/descriptor.ts';
import { kraken } from './kraken/descriptor.ts';
import { bybit } from './bybit/descriptor.ts';
import { coinbase } from './coinbase/descriptor.ts';
import { bitget, bitgetFutures } from './bitget/descriptor.ts';
import { gateio, gateioFutures } from './gateio/descriptor.ts';
import { kucoin, kucoinFutures } from './kucoin/descriptor.ts';
import { deribit } from './deribit/descriptor.ts';
import { bitmex } from './bitmex/descriptor.ts';
import { krakenFutures } from './kraken-futures/descriptor.ts';
import { hyperliquid } from './hyperliquid/descriptor.ts';
import { bitstamp } from './bitstamp/descriptor.ts';
import { gemini } from './gemini/descriptor.ts';
import { bitfinex } from './bitfinex/descriptor.ts';

/** All known venues. */
export const venues: ReadonlyMap<VenueId, VenueAdapter> = new Map<VenueId, VenueAdapter>(
  [
    binanceSpot,
    binanceUsdm,
    binanceCoinm,
    okx,
    kraken,
    bybit,
    coinbase,
    bitget,
    bitgetFutures,
    gateio,
    gateioFutures,
    kucoin,
    kucoinFutures,
    deribit,
    bitmex,
    krakenFutures,
    hyperliquid,
    bitstamp,
    gemini,
    bitfinex,
    binanceUs,
  ].map((v) => [v.id, v]),
);

/**
 * Look up a venue adapter by id or alias (util/venue-ids.ts: `bybit` → `bybit-linear`).
 * @throws {Error} naming the known venues when the id is unknown
 */
export function venue(id: VenueId): VenueAdapter {
  const v = venues.get(resolveVenueId(id));
  if (!v) throw new Error(`unknown venue "${id}"; known: ${[...venues.keys()].join(', ')}`);
  return v;
}

/** The book sync settings of each venue, by id: what the pipeline Engine takes (EngineOptions.sync). */
export function venueSync(
  adapters: ReadonlyMap<VenueId, VenueAdapter> = venues,
): ReadonlyMap<VenueId, BookSyncOptions> {
  return new Map([...adapters].map(([id, a]) => [id, a.sync]));
}
