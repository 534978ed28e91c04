/**
 * Which real recordings (under `../shared/data`, relative to the repository root) prove each venue:
 * the one table behind `depthwatch demo --all-venues` (one simulator per venue, serving these files to
 * the live connector) and `npm run bench -- parsers` (each venue's parser timed on these frames).
 *
 * Every venue id of issue 10 is listed, with the files of its own market and protocol (`[]` where no
 * recording exists yet); `recordedVenues()` keeps the ids the venue registry knows and that have files,
 * so a venue appears in the demo and the bench as soon as its adapter is registered. Files are the
 * WebSocket streams plus the REST bodies the venue's sync needs (depth snapshots); instrument metadata
 * (`X.0`) is not served. The README of `../shared/data` describes every file.
 */
import { venues as registry } from '../feeds/registry.ts';
import type { VenueId } from '../core/model.ts';

/** Root of the shared recordings, relative to the repository root. */
export const SHARED_DATA = '../shared/data';

const HFT = `${SHARED_DATA}/binance-hftbacktest`;
const CF = `${SHARED_DATA}/cryptofeed`;

/** Venue id → recording files proving it (see the module comment). */
export const VENUE_RECORDINGS: Readonly<Record<VenueId, readonly string[]>> = {
  binance: [`${HFT}/spot/btcusdt_20240808.gz`, `${HFT}/spot/btcusdt_20240809.gz`],
  'binance-usdm': [`${HFT}/usdm/btcusdt_20240808.gz`],
  'binance-coinm': [`${HFT}/cm/btcusd_perp_20240808.gz`, `${HFT}/cm/btcusd_perp_20240809.gz`],
  'binance-us': [`${CF}/single-file-2021-04/BINANCE_US-63b290.0`],
  okx: [`${CF}/okx-2022-05/OKX.ws.1.0`],
  kraken: [`${CF}/kraken-2021-04/KRAKEN.ws.50.0`, `${CF}/kraken-2021-04/KRAKEN.ws.48.0`],
  // The v1 capture (today's v5 served by the simulator); the v5 ob500 download replays too (replay only).
  'bybit-linear': [`${CF}/bybit-2021-04/BYBIT.ws.25.0`, `${CF}/bybit-2021-04/BYBIT.ws.26.0`],
  coinbase: [`${CF}/coinbase-2021-04/COINBASE.ws.28.0`],
  // One connection per market: the parser names the market from each frame.
  bitget: [`${CF}/bitget/BITGET.ws.1.0`],
  'bitget-futures': [`${CF}/bitget/BITGET.ws.2.0`],
  deribit: [`${CF}/deribit/DERIBIT.ws.1.0`],
  hyperliquid: [`${SHARED_DATA}/hyperliquid-hftbacktest/btcusd_20250126.gz`],
  kucoin: [`${CF}/kucoin-2021-04/KUCOIN.ws.1.0`, `${CF}/kucoin-2021-04/KUCOIN.http.0.0`],
  'kucoin-futures': [],
  bitmex: [`${CF}/bitmex/BITMEX.ws.1.0`],
  gateio: [`${CF}/gateio-2021-04/GATEIO.ws.1.0`, `${CF}/gateio-2021-04/GATEIO.http.0.0`],
  'gateio-futures': [
    `${CF}/gateio-futures/GATEIO_FUTURES.ws.1.0`,
    `${CF}/gateio-futures/GATEIO_FUTURES.http.0.0`,
  ],
  bitfinex: [`${CF}/bitfinex-2021-04/BITFINEX.ws.11.0`],
  'kraken-futures': [`${CF}/kraken-futures/KRAKEN_FUTURES.ws.1.0`],
  bitstamp: [`${CF}/bitstamp/BITSTAMP.ws.1.0`, `${CF}/bitstamp/BITSTAMP.http.0.0`],
  gemini: [`${CF}/gemini/GEMINI.ws.1.0`],
};

/** One venue and its recording files. */
export interface VenueRecording {
  readonly venue: VenueId;
  readonly files: readonly string[];
}

/**
 * The venues with an adapter in `known` (default: the registry) and at least one recording file, in
 * the table's order. `bybit-linear` stands in for `bybit`'s v5 download only while registered.
 */
export function recordedVenues(
  known: ReadonlySet<VenueId> | ReadonlyMap<VenueId, unknown> = registry,
): VenueRecording[] {
  return Object.entries(VENUE_RECORDINGS)
    .filter(([venue, files]) => files.length > 0 && known.has(venue))
    .map(([venue, files]) => ({ venue, files }));
}
