/**
 * Contract between the generic exchange simulator (src/sim/simulator.ts) and one venue's wire protocol.
 *
 * The simulator owns the timeline (recorded frames, pacing, faults, sockets); a `SimProtocol` owns what
 * is venue-specific: which subscription a frame belongs to, how a client subscribes (URL and/or
 * messages), the venue-side book state that REST snapshots (or in-stream snapshots) are served from, and
 * how to corrupt a level of a depth frame. Venue folders implement it next to their parser
 * (feeds/<venue>/sim-protocol.ts) and register a factory in src/sim/protocols.ts.
 *
 * Notes for venues whose snapshot comes in-stream (OKX, Kraken, Bybit, Coinbase):
 * - keep the venue-side book from the recorded snapshot + deltas in `observe` (reuse InstrumentBook with
 *   the venue's sync options, as the Binance protocol does);
 * - a (re)subscribe must get a fresh snapshot built from that book: return it from `onSubscribed` (URL
 *   or first subscription) and/or in `onMessage(...).replies` (resubscribe), with the venue's checksum
 *   and sequence fields filled in from the book so the client can continue with the next recorded delta;
 * - per-connection state (Kraken channel ids, Coinbase sequence) can be keyed by `SimSession.id`;
 * - application-level pings (OKX `ping` → `pong`) are answered in `onMessage(...).replies`.
 */
import type { VenueId } from '../core/model.ts';
import type { RecordedFrame } from '../recording/types.ts';

/** Where one recorded WebSocket frame goes. */
export interface FrameRoute {
  /**
   * Subscription topic the frame belongs to, in the protocol's normalized form (Binance:
   * `btcusdt@depth`, `btcusdt@trade`, `btcusdt@bookTicker`), or null for frames every client receives.
   */
  readonly topic: string | null;
  /** Venue symbol as the venue spells it in REST requests (`BTCUSDT`), when the frame names one. */
  readonly symbol?: string;
  /** True for order-book diff frames (the target of drop/duplicate/reorder/corrupt/truncate faults). */
  readonly depth: boolean;
}

/** Result of opening a client session from its connection URL. */
export type SessionOpen =
  | { readonly ok: true; readonly topics: readonly string[] }
  | { readonly ok: false; readonly status: number; readonly message: string };

/** What the protocol answers to one client message. */
export interface ClientMessageResult {
  /** Topics (normalized) to add to the session. */
  readonly subscribe?: readonly string[];
  /** Topics (normalized) to remove from the session. */
  readonly unsubscribe?: readonly string[];
  /** Frames sent back to this client (acks, pongs, errors), raw text. */
  readonly replies?: readonly string[];
}

/** An HTTP response produced by the protocol. */
export interface SimHttpResponse {
  readonly status: number;
  readonly body: string;
  readonly headers?: Readonly<Record<string, string>>;
  /** For a depth snapshot served: the symbol it is for (the simulator tracks served snapshots). */
  readonly symbol?: string;
}

/**
 * What an HTTP request resolves to:
 * - a response;
 * - `{ wait: symbol }`: a snapshot of `symbol` the simulator cannot serve yet (its recorded snapshot has
 *   not been reached); the simulator holds the request until it can (hold mode) or answers 503;
 * - null: not a route of this protocol (404).
 */
export type SimHttpResult = SimHttpResponse | { readonly wait: string } | null;

/**
 * One venue's wire protocol as served by the simulator. Stateful (venue-side books); one instance per
 * simulator. Implementations never throw for bad recorded or client input: they return null/errors.
 */
export interface SimProtocol {
  /** Venue id the protocol serves (`binance-usdm`). */
  readonly venue: VenueId;
  /**
   * Observe one recorded frame in timeline order, whether or not any client receives it (the venue's
   * state advances even when a frame is lost in transit). Maintains the venue-side books.
   */
  observe(frame: RecordedFrame): void;
  /** See the whole timeline once before playing (e.g. to know each symbol's recorded snapshot). */
  preload?(frames: readonly RecordedFrame[]): void;
  /** Forget all venue-side state (a looped recording starts over). */
  reset(): void;
  /**
   * The recorded frame as the venue sends it today, for recordings that predate the venue's current
   * protocol (Bitget v1 captures served as v2): called once per timeline frame, in order, before
   * `observe` and delivery, which both see the returned text. Stateful translations (e.g. numbering
   * `seq` per book) keep their state here and clear it in `reset`. Absent: frames go out as recorded.
   */
  wire?(frame: RecordedFrame): string;
  /**
   * HTTP methods the protocol's REST side answers (default `['GET']`); others get 405 without reaching
   * `http`. KuCoin's token endpoint is `POST /api/v1/bullet-public`.
   */
  readonly httpMethods?: readonly string[];
  /** Route a recorded WebSocket frame; null when the frame cannot be routed (sent to nobody). */
  route(text: string): FrameRoute | null;
  /** Subscriptions a client gets from its connection URL (path and query), or a refusal. */
  open(url: URL): SessionOpen;
  /** Frames sent to a client right after its connection is accepted (KuCoin's `welcome`); none by default. */
  onOpen?(url: URL): readonly string[];
  /** Handle one text message from a client (SUBSCRIBE, UNSUBSCRIBE, ping...). */
  onMessage(text: string, session?: SimSession): ClientMessageResult;
  /**
   * Handle one HTTP request (REST snapshot endpoints; `method` is one of `httpMethods`, default GET).
   * @param early when the symbol's recorded snapshot has not been reached yet: true to answer with the
   *   recorded snapshot itself (seen through `preload`), false to answer `{ wait: symbol }`
   */
  http(url: URL, early: boolean, method?: string): SimHttpResult;
  /**
   * Frames sent to a client right after it subscribed to `topics` (stream-snapshot venues send the book
   * here, built from the venue-side state); Binance sends none.
   */
  onSubscribed?(topics: readonly string[]): readonly string[];
  /**
   * Symbol of the depth snapshot a recorded `rest` frame carries, or null when it is not one. The
   * simulator uses it to hold the timeline at recorded snapshots (hold mode).
   */
  snapshotSymbol(frame: RecordedFrame): string | null;
  /**
   * Return the depth frame with one level corrupted (negative, non-numeric or wrong-typed size), or null
   * when the frame has no level to corrupt. `pick` is a uniform [0,1) source for the choices.
   */
  corruptLevel(text: string, pick: () => number): string | null;
  /**
   * Per-connection rewrite of every frame written to a client (recorded frames, replies, snapshots),
   * for venues whose wire carries connection state the recording cannot (Bitfinex: the connection's own
   * sequence numbers and its book checksum messages, as the client's `conf` flags ask). Returns the
   * frames to write in order (none: an empty list). Absent: every frame goes out unchanged.
   */
  outgoing?(text: string, session: SimSession): string | readonly string[];
  /** The client connection closed: forget its per-connection state. */
  closed?(session: SimSession): void;
}

/** What a protocol may know about the client connection a message came on. */
export interface SimSession {
  /** Connection number, unique within a simulator, from 1. */
  readonly id: number;
  /** Topics the session is subscribed to (normalized). */
  readonly topics: ReadonlySet<string>;
}

/** Builds a fresh protocol instance for a venue (one per simulator). */
export type SimProtocolFactory = (venue: VenueId) => SimProtocol;
