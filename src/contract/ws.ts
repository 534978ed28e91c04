/**
 * The WebSocket protocol at `/ws` (JSON text frames), defined once: the server validates client
 * messages with these schemas, the AsyncAPI document (`/docs/asyncapi.json`) is generated from them, and
 * the client SDK types its streams with them.
 *
 * Client → server: `subscribe` / `unsubscribe` a channel for one instrument (or `*`; the `news` channel
 * takes `*` or `asset:<CODE>`, `consolidated` a group name or `*`, `watchlist` `*`, `replay` a session id
 * or `*`, `analytics` and `candles` an instrument id or `*`), and `ping`. Server → client: `{channel, instrument, data}` data messages, `subscribed` /
 * `unsubscribed` acks, `pong`, and `{error}` for a bad message.
 */
import { z } from 'zod';
import { resolveInstrumentId } from '../util/venue-ids.ts';
import {
  Alert,
  BookHealth,
  BookView,
  CandlesUpdate,
  ConsolidatedView,
  MetricsSample,
  NewsItem,
  Trade,
  WallEventSchema,
  WatchlistResponse,
} from './schemas.ts';
import { ReplaySession } from './replay.ts';
import { ForeignFlowView, IndexView, MarketRow } from './market.ts';

/** The channels, in documentation order. */
export const WS_CHANNELS = [
  'metrics',
  'book',
  'trades',
  'health',
  'alerts',
  'news',
  'consolidated',
  'watchlist',
  'replay',
  'market',
  'foreign',
  'index',
  'analytics',
  'candles',
] as const;
export const WsChannel = z.enum(WS_CHANNELS);
export type WsChannel = z.infer<typeof WsChannel>;

/** Payload schema of each channel's data messages. */
export const WS_PAYLOADS = {
  metrics: MetricsSample,
  book: BookView,
  trades: Trade,
  health: BookHealth,
  alerts: Alert,
  news: NewsItem,
  consolidated: ConsolidatedView,
  watchlist: WatchlistResponse,
  replay: ReplaySession,
  market: MarketRow,
  foreign: ForeignFlowView,
  index: IndexView,
  analytics: WallEventSchema,
  candles: CandlesUpdate,
} as const satisfies Record<WsChannel, z.ZodType>;

/** What each channel's subscription key (`instrument`) names, and its conflation default. */
export const WS_CHANNEL_DOCS: Record<WsChannel, string> = {
  metrics: 'latest metrics per instrument after each book change; conflated (default throttle 250 ms)',
  book: 'top 20 levels per side after each change; conflated (default throttle 250 ms)',
  trades: 'every trade; never conflated (queued per throttle window when throttleMs > 0)',
  health: 'book health on every state change; conflated per throttleMs (default 0)',
  alerts: 'every alert as fired or resolved; pair/group alerts reach `*` subscriptions only',
  news: 'news items; subscribe `*` or `asset:<CODE>`; each item once per client',
  consolidated: 'a consolidation group view (key: group name or `*`); conflated (default 250 ms)',
  watchlist: 'the watchlist (key `*`); conflated (default 1000 ms)',
  replay: "a replay session's position, speed and state (key: session id or `*`); conflated (default 250 ms)",
  market:
    'Vietnamese market (SSI) symbol row: quote, limits, phase, classified session volumes (key `ssi:<Symbol>` or `*`); conflated (default 500 ms)',
  foreign:
    'foreign-investor flow per symbol (`ssi:<Symbol>`) and the market total (`ssi:ALL`), or `*`; conflated (default 500 ms)',
  index: 'index value and breadth (key `ssi:<IndexId>` or `*`); conflated (default 500 ms)',
  analytics: 'analytics events of an instrument (wall lifecycle, heuristic); every event, never conflated',
  candles:
    'live OHLCV candles per interval (1s, 5s, 1m, 15m, 1h) with the last closed ones, the forming one and the server-side indicators (key: instrument id or `*`); after each trade, conflated (default 250 ms)',
};

/** A subscription key: `*`, an instrument id, `asset:<CODE>`, a group name or a replay session id. */
export const WsKey = z
  .string()
  .min(1)
  .max(128)
  .regex(/^(\*|[^\s]+)$/, 'must be "*", <venue>:<symbol>, asset:<CODE>, a group name or a session id')
  // Venue aliases (`bybit:` → `bybit-linear:`) resolved.
  .transform(resolveInstrumentId);

/** Client → server messages. */
export const WsClientMessage = z.discriminatedUnion('op', [
  z.object({
    op: z.literal('subscribe'),
    channel: WsChannel,
    instrument: WsKey,
    throttleMs: z
      .number()
      .int()
      .min(0)
      .max(60_000)
      .optional()
      .describe('at most one message per key per this many ms (latest wins; trades queued)'),
  }),
  z.object({ op: z.literal('unsubscribe'), channel: WsChannel, instrument: WsKey }),
  z.object({ op: z.literal('ping') }),
]);
export type WsClientMessage = z.input<typeof WsClientMessage>;

/** A data message of channel `C`. */
export function wsDataMessage<C extends WsChannel>(channel: C) {
  return z.object({ channel: z.literal(channel), instrument: z.string(), data: WS_PAYLOADS[channel] });
}

/** Any data message. */
export const WsDataMessage = z.discriminatedUnion(
  'channel',
  WS_CHANNELS.map((c) => wsDataMessage(c)) as unknown as [
    ReturnType<typeof wsDataMessage<WsChannel>>,
    ...ReturnType<typeof wsDataMessage<WsChannel>>[],
  ],
);

/** Payload type per channel (TypeScript). */
export type WsPayload = { [C in WsChannel]: z.infer<(typeof WS_PAYLOADS)[C]> };

/** A data message (TypeScript), discriminated by channel. */
export type WsData<C extends WsChannel = WsChannel> = {
  [K in C]: { channel: K; instrument: string; data: WsPayload[K] };
}[C];

/** Server → client control messages. */
export const WsControlMessage = z.union([
  z.object({
    op: z.literal('subscribed'),
    channel: WsChannel,
    instrument: z.string(),
    throttleMs: z.number(),
    known: z.boolean().describe('whether the server knows the key now (an unknown one may appear later)'),
  }),
  z.object({ op: z.literal('unsubscribed'), channel: WsChannel, instrument: z.string() }),
  z.object({ op: z.literal('pong'), ts: z.number() }),
  z.object({ error: z.string() }),
]);
export type WsControlMessage = z.infer<typeof WsControlMessage>;

/** Everything the server sends. */
export type WsServerMessage = WsData | WsControlMessage;
