/**
 * The contract every venue folder implements (feeds/<venue>/): a declarative descriptor plus a pure
 * frame parser. The generic connector (feeds/connector.ts), the replay reader and the simulator all work
 * from this contract, so adding a venue is one folder plus one line in feeds/registry.ts.
 */
import type { BookSnapshot, InstrumentId, MarketEvent, VenueId } from '../core/model.ts';
import type { BookSyncOptions } from '../book/instrument-book.ts';
import type { InstrumentSpec } from '../core/instrument.ts';

/**
 * Parses one raw WebSocket frame (text exactly as received) into normalized events. Pure and stateful
 * only where the venue protocol needs it (e.g. Kraken channel ids, Coinbase connection sequence).
 */
export interface FeedParser {
  /**
   * @param text raw frame text
   * @param localTs local receive time, ms since epoch UTC
   * @returns the events in the frame; empty for control frames (subscription acks, pongs, heartbeats)
   * @throws {MalformedFrameError} when the frame cannot be used (it is dropped and counted by the caller);
   *   the error's `instrument` (when known) lets the caller count it per instrument.
   */
  parse(text: string, localTs: number): readonly MarketEvent[];
}

/** A REST request the connector performs (GET), with its cost against the venue's weight limit. */
export interface RestRequest {
  url: string;
  /** Request weight as the venue counts it (Binance: depth limit 1000 costs 50 on spot, 20 on futures). */
  weight: number;
}

/** Declarative description of one venue market (endpoints, limits, sync and checksum rules). */
export interface VenueAdapter {
  readonly id: VenueId;
  /** Human name as the venue spells it, e.g. "Binance USD-M". */
  readonly name: string;
  /** The venue documents this adapter follows (name and section). */
  readonly docs: readonly string[];
  readonly sync: BookSyncOptions;
  readonly ws: {
    /** Production WebSocket base URL. */
    readonly url: string;
    /** Most symbols subscribed on one connection. */
    readonly maxSymbolsPerConnection: number;
    /** Send a ping this often (ms); the venue's own heartbeat otherwise. */
    readonly pingIntervalMs: number;
    /** A book with no update for this long is marked `stale`. */
    readonly staleAfterMs: number;
  };
  readonly rest?: {
    /** Production REST base URL. */
    readonly url: string;
    /** Request-weight budget per minute (Binance spot 6000, futures 2400). */
    readonly weightPerMinute: number;
  };
  /** Fresh parser for one connection. */
  createParser(): FeedParser;
  /**
   * What to connect to and send for these symbols.
   * @param wsBase the base URL to use (production or the simulator's)
   */
  subscribe(wsBase: string, symbols: readonly string[]): { url: string; messages: string[] };
  /** Messages that drop these symbols from a live connection (runtime remove). */
  unsubscribe?(symbols: readonly string[]): string[];
  /** For `snapshotSource: 'rest'` venues: the depth snapshot request for one symbol. */
  snapshotRequest?(restBase: string, symbol: string): RestRequest;
  /**
   * For `snapshotSource: 'rest'` venues: turn the REST body into a snapshot event.
   * @throws {MalformedFrameError} on a malformed body
   */
  parseSnapshot?(body: string, instrument: InstrumentId, localTs: number): BookSnapshot;
  /**
   * For `snapshotSource: 'rest'` venues whose snapshot URL names the symbol in its path (Bitstamp
   * `/api/v2/order_book/btcusd/`): the venue symbol a (recorded) snapshot URL is for, or null when the
   * URL is not a depth snapshot. Without it, replay reads the `symbol`-like query parameter.
   */
  snapshotSymbol?(url: string): string | null;
  /** For `snapshotSource: 'stream'` venues: messages that make the venue send a fresh snapshot. */
  resubscribe?(symbol: string): string[];
  /**
   * For venues that hand out the WebSocket endpoint per connection from a REST call (KuCoin
   * `POST /api/v1/bullet-public`: a token and an instance server with its ping interval): called before
   * every (re)connect with the REST base; the returned `wsBase` replaces the configured one for
   * `subscribe`, and `pingIntervalMs`, when given, the adapter's ping interval on that connection.
   * Rejects on a failed request: that connection attempt fails and is retried with back-off.
   */
  negotiate?(restBase: string): Promise<{ wsBase: string; pingIntervalMs?: number }>;
  /** Application-level ping text (OKX `ping`), or null to use WebSocket ping frames. */
  pingMessage?(): string | null;
  /**
   * Reference data: the venue's instrument list (contract sizes, ticks, lots, expiries) as
   * {@link InstrumentSpec}s. Loaded at start by the live side and read from the reference bodies a
   * recording carries (cryptofeed `X.0` files); without it the catalog answers the documented fallback.
   */
  readonly reference?: VenueReference;
}

/** How a venue lists its instruments (see VenueAdapter.reference; helpers in feeds/reference.ts). */
export interface VenueReference {
  /**
   * Production REST base URL of the reference endpoint, for venues whose adapter has no `rest` (their
   * book snapshots come in-stream); the loader uses `adapter.rest.url` otherwise.
   */
  readonly restUrl?: string;
  /** The REST requests listing the instruments (e.g. one per instrument type). */
  requests(restBase: string): RestRequest[];
  /** Whether a (recorded) REST URL is one of this venue's reference requests (host ignored). */
  matches(url: string): boolean;
  /**
   * Parse one response body into specs (`source` as given: `reference` live, `recording` from a file).
   * @param onSkip told about each entry left out (unusable fields), with the reason; the loader counts them
   * @throws {MalformedFrameError} on a body that is not the venue's instrument list
   */
  parse(
    body: string,
    url: string,
    source: 'reference' | 'recording',
    onSkip?: (reason: string) => void,
  ): InstrumentSpec[];
}
