/**
 * WebSocket fan-out of bus events to dashboard clients, with per-subscription throttling, conflation and
 * slow-consumer protection.
 *
 * Protocol (JSON text frames; schemas in src/contract/ws.ts, documented at /docs/asyncapi.json):
 * - client: `{"op":"subscribe","channel":C,"instrument":KEY,"throttleMs"?:n}`,
 *   `{"op":"unsubscribe","channel":..,"instrument":..}`, `{"op":"ping"}`. Channels metrics, book, trades,
 *   health, alerts take an instrument id or `*`; `news` takes `*` (every item) or `asset:<CODE>` (items
 *   tagged with it); `consolidated` a group name or `*`; `watchlist` `*`; `replay` a session id or `*`;
 *   `analytics` (wall lifecycle events) an instrument id or `*`; `candles` (live OHLCV candles per
 *   interval with the server-side indicators) an instrument id or `*`.
 * - server: `{"channel","instrument","data"}` data messages, `{"op":"subscribed",..}`,
 *   `{"op":"unsubscribed",..}`, `{"op":"pong","ts"}`, and `{"error":"..."}` for a bad message.
 *
 * Delivery rules:
 * - A subscription to one instrument takes precedence over a `*` subscription of the same channel.
 * - metrics/book/health are conflated per (channel, instrument): at most one message per `throttleMs`
 *   (default 250 ms for book and metrics, 0 for health); the first update goes out at once, later ones
 *   within the window replace each other and the latest is sent when the window ends.
 * - trades are never conflated: with throttleMs 0 (default) each goes out at once; with throttleMs > 0
 *   they are queued (at most 1000 per instrument, oldest dropped and counted) and sent together at the end
 *   of each window.
 * - alerts are never conflated, throttled or dropped for a slow client: each goes out at once (they are
 *   few: the alert engine rate-limits them). Alerts on pairs/groups (basis, divergence) carry the
 *   pair/group name as `instrument` and reach `*` subscriptions only.
 * - news items are never conflated or throttled either; a client gets each item once: under the first
 *   of its `asset:<CODE>` subscriptions the item is tagged with, else under `*`.
 * - analytics events (wall lifecycle) go out like alerts: each at once, never conflated (the wall
 *   tracker scans at most every few hundred ms per instrument).
 * - consolidated (per group), watchlist and replay (per session) are conflated like metrics.
 * - candles: after each trade of an instrument, its candles (per interval the last 3 closed ones, the
 *   forming one, the indicators) conflated like metrics (default 250 ms); on subscribe the last 120
 *   closed candles per interval. Needs the engine's analytics (none on an API node without them).
 * - On subscribe the current value (latest metrics / top of book / health / group view / watchlist /
 *   session) is sent, so a client needs no separate REST call to start.
 * - Slow clients: when the socket's `bufferedAmount` exceeds `slowBufferBytes`, throttle-0 channels are
 *   conflated too (trades are dropped and counted) until it drains; a client above `dropBufferBytes`, or
 *   slow for longer than `slowGraceMs`, is closed with code 1013 ("try again later").
 * - Heartbeat: a WebSocket ping every `heartbeatMs`; a client that has not answered the previous ping
 *   is terminated.
 * - Abuse (api/security): each connection may send `messagesPerSecond` messages sustained (bursts up to
 *   `messageBurst`) and `maxBadMessages` malformed ones; beyond either it is closed with 1008 (counted in
 *   `dropped.abuse`). Replies (pong, subscribed, errors) go through the same slow-consumer check as data:
 *   a client that does not read them is conflated, then dropped like any slow consumer. Frames larger
 *   than `maxPayloadBytes` close the connection (1009, by the WebSocket server). At most
 *   `maxConnectionsPerKey` connections per API key, besides `maxConnectionsPerIp`.
 */
import type { WebSocket } from 'ws';
import type { Bus } from '../core/bus.ts';
import type { OutputTopics } from '../alerts/topics.ts';
import type { NewsTopics } from '../news/topics.ts';
import { bookViewOf } from '../pipeline/book-view.ts';
import type { Alert } from '../alerts/types.ts';
import { withLegacyMetricNames, type MetricsSample } from '../analytics/types.ts';
import type { NewsItem } from '../news/types.ts';
import type { Trade } from '../core/model.ts';
import type { ConsolidationTopics } from '../analytics/consolidated/stage.ts';
import { WS_CHANNELS, WsClientMessage, type WsChannel } from '../contract/ws.ts';
import { formatZodError } from './params.ts';
import {
  FIRST_CLOSED_CANDLES,
  LIVE_CLOSED_CANDLES,
  candlesUpdateOf,
  consolidatedOf,
  tradeOf,
  watchlistOf,
} from './shapes.ts';
import type { ReplayApi } from './replay-routes.ts';
import type { ApiEngine } from './types.ts';
import type { SsiMarket } from '../analytics/ssi/market.ts';
import { currentViews, type SsiTopics } from '../analytics/ssi/views.ts';
import { wallClockMs, type LatencyObserver } from '../pipeline/latency.ts';

/** WebSocket options. */
export interface WsOptions {
  /** Most simultaneous connections from one IP (default 20); more are refused (HTTP 429 / close 1008). */
  maxConnectionsPerIp?: number;
  /** WebSocket ping interval, ms (default 30,000). */
  heartbeatMs?: number;
  /** Default throttle per channel, ms (book 250, metrics 250, trades 0, health 0; alerts are never throttled). */
  defaultThrottleMs?: Partial<Record<WsChannel, number>>;
  /** Above this many buffered bytes a client is treated as slow (default 1 MiB). */
  slowBufferBytes?: number;
  /** Above this many buffered bytes a client is dropped with 1013 (default 8 MiB). */
  dropBufferBytes?: number;
  /** A client slow for longer than this is dropped with 1013, ms (default 10,000). */
  slowGraceMs?: number;
  /** Most subscriptions per client (default 256). */
  maxSubscriptions?: number;
  /** Largest accepted client message, bytes (default 16 KiB). */
  maxPayloadBytes?: number;
  /** Levels per side in book messages sent on subscribe (default 20; live ones come from the bus). */
  bookDepth?: number;
  /** Replay sessions whose updates the `replay` channel carries. */
  replay?: Pick<ReplayApi, 'list' | 'get' | 'onUpdate'>;
  /**
   * The SSI market state: current values of the `market`/`foreign`/`index` channels on subscribe (their
   * updates come from the bus topics `ssi.market`/`ssi.foreign`/`ssi.index`, analytics/ssi/views.ts).
   */
  market?: SsiMarket;
  /** Most simultaneous connections per API key (default 50). */
  maxConnectionsPerKey?: number;
  /** Client messages per second per connection, sustained (default 20). */
  messagesPerSecond?: number;
  /** Client message burst per connection (default 300: a reconnect re-sends up to 256 subscriptions). */
  messageBurst?: number;
  /** Malformed client messages after which the connection is closed with 1008 (default 20). */
  maxBadMessages?: number;
  /**
   * Receives the `metrics_send` latency (pipeline/latency.ts): a metrics sample published on the bus →
   * written to a client's socket, once per client sent to (throttle and conflation waits included).
   */
  latency?: LatencyObserver;
}

/** Counters of the hub (monotonic except `clients`). */
export interface WsStats {
  /** Connected clients now. */
  clients: number;
  /** Connections accepted since start. */
  accepted: number;
  /** Connections refused by the per-IP limit. */
  rejected: number;
  /** Data and control messages sent. */
  sent: number;
  /** Updates replaced by a newer one before being sent (conflation), or trades dropped for a slow client. */
  conflated: number;
  /** Clients closed by the server, by reason (`slow`, `heartbeat`, `abuse`). */
  dropped: Record<string, number>;
  /** Client messages refused as malformed. */
  badMessages: number;
}

/**
 * The JSON payload of a bus event on a channel (contract shapes): metrics samples carry the deprecated
 * metric names too for one release (analytics/types.ts); trades get numbers plus their wire decimals.
 */
function payload(channel: WsChannel, data: unknown): unknown {
  if (channel === 'metrics') {
    const s = data as MetricsSample;
    return { ...s, metrics: withLegacyMetricNames(s.metrics) };
  }
  if (channel === 'trades') return tradeOf(data as Trade);
  return data;
}

const CHANNELS = WS_CHANNELS;
/** A `news` subscription key: every item, or the items of one asset. */
const NEWS_KEY = /^(\*|asset:[A-Z0-9]{1,15})$/;
/** Subscription keys per channel (news: NEWS_KEY). */
const INSTRUMENT_KEY = /^(\*|[^:\s]+:[^\s]+)$/;
const NAME_KEY = /^(\*|[A-Za-z0-9_.-]{1,64})$/;
const KEY_RULES: Record<WsChannel, [RegExp, string]> = {
  metrics: [INSTRUMENT_KEY, 'must be "*" or <venue>:<symbol>'],
  book: [INSTRUMENT_KEY, 'must be "*" or <venue>:<symbol>'],
  trades: [INSTRUMENT_KEY, 'must be "*" or <venue>:<symbol>'],
  health: [INSTRUMENT_KEY, 'must be "*" or <venue>:<symbol>'],
  alerts: [/^(\*|[^\s]{1,128})$/, 'must be "*", <venue>:<symbol> or a pair/group name'],
  news: [NEWS_KEY, 'news subscriptions take "*" or "asset:<CODE>" (upper-case asset code)'],
  consolidated: [NAME_KEY, 'consolidated subscriptions take "*" or a group name'],
  watchlist: [/^\*$/, 'watchlist subscriptions take "*"'],
  replay: [NAME_KEY, 'replay subscriptions take "*" or a session id'],
  market: [INSTRUMENT_KEY, 'must be "*" or ssi:<Symbol>'],
  foreign: [INSTRUMENT_KEY, 'must be "*", ssi:<Symbol> or ssi:ALL'],
  index: [INSTRUMENT_KEY, 'must be "*" or ssi:<IndexId>'],
  analytics: [INSTRUMENT_KEY, 'must be "*" or <venue>:<symbol>'],
  candles: [INSTRUMENT_KEY, 'must be "*" or <venue>:<symbol>'],
};
const TRADE_QUEUE_MAX = 1000;
/** WebSocket close code 1013: try again later (server overloaded / slow consumer). */
export const CLOSE_TRY_AGAIN_LATER = 1013;
/** WebSocket close code 1008: policy violation (too many connections). */
export const CLOSE_POLICY = 1008;

const clientMessage = WsClientMessage;

/** A JSON text message: a string, or its UTF-8 bytes when shared by many clients. */
type Frame = string | Buffer;

/** Clients served per event-loop turn by one fan-out batch (WsHub.publish). */
const FANOUT_SLICE = 64;

/** One bus event being fanned out: its serialized bytes, made once on first use for every subscriber. */
interface FanoutJob {
  channel: WsChannel;
  instrument: string;
  data: unknown;
  text: Buffer | null;
  /** Its batch is being served (a newer value of the same key then supersedes it for the rest). */
  started: boolean;
  /** A newer value of the same conflatable key was published: clients not served yet skip this one. */
  superseded: boolean;
  /** When it was published (wall clock ms; metrics only, for the metrics_send latency; else NaN). */
  at: number;
}

/** Events published together, being served to a snapshot of the clients, FANOUT_SLICE per turn. */
interface FanoutBatch {
  jobs: FanoutJob[];
  clients: Client[];
  i: number;
}

/** The underlying TCP socket of a ws WebSocket (absent on test doubles). */
function rawSocket(s: WebSocket): { cork(): void; uncork(): void } | undefined {
  return (s as unknown as { _socket?: { cork(): void; uncork(): void } })._socket;
}

interface Subscription {
  throttleMs: number;
}

/** Per-client state. */
class Client {
  readonly subs = new Map<string, Subscription>();
  /** Conflated latest message per `channel|instrument`, waiting for its window. */
  readonly pending = new Map<string, Frame>();
  /** Publish time of each pending metrics message (metrics_send latency). */
  readonly pendingAt = new Map<string, number>();
  /** Queued trade messages per `trades|instrument` (throttled trade subscriptions). */
  readonly tradeQueues = new Map<string, Frame[]>();
  readonly timers = new Map<string, NodeJS.Timeout>();
  readonly lastSent = new Map<string, number>();
  slowSince: number | null = null;
  alive = true;
  closed = false;
  /** Message budget (token bucket) and when it was last refilled, ms. */
  tokens: number;
  refilledAt = Date.now();
  badMessages = 0;
  constructor(
    readonly socket: WebSocket,
    readonly ip: string,
    readonly keyId: string | undefined,
    burst: number,
  ) {
    this.tokens = burst;
  }
}

/** The WebSocket hub: one per API server. */
export class WsHub {
  readonly stats: WsStats = {
    clients: 0,
    accepted: 0,
    rejected: 0,
    sent: 0,
    conflated: 0,
    dropped: {},
    badMessages: 0,
  };
  private readonly clients = new Set<Client>();
  private readonly byChannel: Record<WsChannel, Set<Client>> = {
    metrics: new Set(),
    book: new Set(),
    trades: new Set(),
    health: new Set(),
    alerts: new Set(),
    news: new Set(),
    consolidated: new Set(),
    watchlist: new Set(),
    replay: new Set(),
    market: new Set(),
    foreign: new Set(),
    index: new Set(),
    analytics: new Set(),
    candles: new Set(),
  };
  private readonly perIp = new Map<string, number>();
  /** Events published since the batch being served started (the next batch), oldest first. */
  private next: FanoutJob[] = [];
  /** The batch being served, or null. */
  private serving: FanoutBatch | null = null;
  /** The newest queued or unfinished fan-out per conflatable `channel|instrument`. */
  private readonly queuedByKey = new Map<string, FanoutJob>();
  private draining = false;
  private readonly perKey = new Map<string, number>();
  private readonly unsubscribeBus: (() => void)[];
  private readonly heartbeat: NodeJS.Timeout;
  private readonly latency: LatencyObserver | undefined;
  private readonly o: Required<Omit<WsOptions, 'defaultThrottleMs' | 'latency' | 'market'>> & {
    market: SsiMarket | undefined;
    defaultThrottleMs: Record<WsChannel, number>;
  };

  /**
   * The bus `book` subscription, held only while some client subscribes to the book channel: the engine
   * builds a per-update top-of-book view only when the topic has a listener (pipeline/engine.ts).
   */
  private bookListener: (() => void) | null = null;

  constructor(
    private readonly engine: ApiEngine,
    private readonly bus: Bus<OutputTopics>,
    opts: WsOptions = {},
  ) {
    this.latency = opts.latency;
    this.o = {
      maxConnectionsPerIp: opts.maxConnectionsPerIp ?? 20,
      heartbeatMs: opts.heartbeatMs ?? 30_000,
      defaultThrottleMs: {
        book: 250,
        metrics: 250,
        trades: 0,
        health: 0,
        consolidated: 250,
        watchlist: 1000,
        replay: 250,
        market: 500,
        foreign: 500,
        index: 500,
        candles: 250,
        ...opts.defaultThrottleMs,
        alerts: 0,
        news: 0,
        analytics: 0,
      },
      slowBufferBytes: opts.slowBufferBytes ?? 1 << 20,
      dropBufferBytes: opts.dropBufferBytes ?? 8 << 20,
      slowGraceMs: opts.slowGraceMs ?? 10_000,
      maxSubscriptions: opts.maxSubscriptions ?? 256,
      maxPayloadBytes: opts.maxPayloadBytes ?? 16 * 1024,
      bookDepth: opts.bookDepth ?? 20,
      replay: opts.replay ?? { list: () => [], get: () => undefined, onUpdate: () => () => {} },
      market: opts.market,
      maxConnectionsPerKey: opts.maxConnectionsPerKey ?? 50,
      messagesPerSecond: opts.messagesPerSecond ?? 20,
      messageBurst: opts.messageBurst ?? 300,
      maxBadMessages: opts.maxBadMessages ?? 20,
    };
    const more = bus as unknown as Bus<NewsTopics & ConsolidationTopics & SsiTopics>;
    this.unsubscribeBus = [
      bus.subscribe('metrics', (s) => this.publish('metrics', s.instrument, s)),
      bus.subscribe('trade', (t) => {
        this.publish('trades', t.instrument, t);
        // The analytics stage counted the trade before the bus carried it (pipeline/engine.ts).
        if (this.byChannel.candles.size > 0) {
          const a = this.engine.analytics?.(t.instrument);
          if (a)
            this.publish('candles', t.instrument, candlesUpdateOf(t.instrument, a.flow, LIVE_CLOSED_CANDLES));
        }
      }),
      bus.subscribe('health', (h) => this.publish('health', h.instrument, h)),
      bus.subscribe('alert', (a: Alert) => this.publish('alerts', a.instrument, a)),
      // Analytics events (wall lifecycle), like alerts: every one, never conflated.
      bus.subscribe('analytics', (e) => this.publish('analytics', e.instrument, e)),
      // The app's bus also carries news (news/topics.ts); a bus without the topic never delivers it.
      more.subscribe('news', (n) => this.publishNews(n)),
      // Consolidation views and the watchlist (analytics/consolidated/stage.ts), when it runs.
      more.subscribe('consolidated', (v) => this.publish('consolidated', v.group, consolidatedOf(v))),
      more.subscribe('watchlist', (w) => this.publish('watchlist', '*', watchlistOf(w))),
      this.o.replay.onUpdate((r) => this.publish('replay', r.id, r)),
      // The SSI market (app/ssi-service.ts), when it runs.
      more.subscribe('ssi.market', (r) => this.publish('market', r.instrument, r)),
      more.subscribe('ssi.foreign', (f) => this.publish('foreign', f.instrument, f)),
      more.subscribe('ssi.index', (x) => this.publish('index', x.instrument, x)),
    ];
    this.heartbeat = setInterval(() => this.beat(), this.o.heartbeatMs);
    this.heartbeat.unref();
  }

  /** Largest client message accepted (for the WebSocket server's maxPayload). */
  get maxPayloadBytes(): number {
    return this.o.maxPayloadBytes;
  }

  /** Whether one more connection from `ip` (with API key `keyId`, when authenticated) is allowed. */
  admits(ip: string, keyId?: string): boolean {
    if (keyId !== undefined && (this.perKey.get(keyId) ?? 0) >= this.o.maxConnectionsPerKey) return false;
    return (this.perIp.get(ip) ?? 0) < this.o.maxConnectionsPerIp;
  }

  /** Count a connection refused before the upgrade. */
  countRejected(): void {
    this.stats.rejected++;
  }

  /**
   * Take over an open socket: reads its messages, sends subscribed data, cleans up on close. A socket
   * beyond the per-IP limit is closed with 1008.
   */
  add(socket: WebSocket, ip: string, keyId?: string): void {
    if (!this.admits(ip, keyId)) {
      this.stats.rejected++;
      socket.close(CLOSE_POLICY, 'too many connections from this address or API key');
      return;
    }
    const c = new Client(socket, ip, keyId, this.o.messageBurst);
    this.clients.add(c);
    this.perIp.set(ip, (this.perIp.get(ip) ?? 0) + 1);
    if (keyId !== undefined) this.perKey.set(keyId, (this.perKey.get(keyId) ?? 0) + 1);
    this.stats.accepted++;
    this.stats.clients = this.clients.size;
    socket.on('message', (data, isBinary) => this.onMessage(c, data, isBinary));
    socket.on('pong', () => {
      c.alive = true;
    });
    socket.on('close', () => this.remove(c));
    socket.on('error', () => this.remove(c));
  }

  /**
   * Deliver one bus event to every client subscribed to it: at once when at most {@link FANOUT_SLICE}
   * clients subscribe to the channel and nothing is queued; otherwise in batches: the events
   * published during one event-loop turn are serialized once each (for all their subscribers) and served
   * client by client, {@link FANOUT_SLICE} clients per turn, each client's messages of the batch written
   * with one system call (the socket corked around them). A thousand clients never hold the loop (REST,
   * timers and the engine run between slices), and every client gets its messages in publish order. A
   * book/metrics/health/consolidated value still unserved when a newer one of the same key arrives is
   * skipped for the clients not served yet (conflation, as for a slow client).
   */
  publish(channel: WsChannel, instrument: string, data: unknown): void {
    const set = this.byChannel[channel];
    if (set.size === 0) return;
    const at = channel === 'metrics' && this.latency ? wallClockMs() : NaN;
    const job: FanoutJob = { channel, instrument, data, text: null, started: false, superseded: false, at };
    // A small fan-out with nothing queued goes out at once.
    if (!this.draining && set.size <= FANOUT_SLICE) {
      for (const c of set) this.deliverJob(c, job);
      return;
    }
    if (channel !== 'trades' && channel !== 'alerts' && channel !== 'news') {
      const key = channel + '|' + instrument;
      const older = this.queuedByKey.get(key);
      // Only a batch being served is cut short: values published together all go out.
      if (older?.started) older.superseded = true;
      this.queuedByKey.set(key, job);
    }
    this.next.push(job);
    if (!this.draining) {
      this.draining = true;
      setImmediate(() => this.drain());
    }
  }

  /** Serve one slice of the current batch (publish); start the next batch when it is done. */
  private drain(): void {
    if (this.serving === null) {
      if (this.next.length === 0) {
        this.draining = false;
        return;
      }
      const jobs = this.next;
      this.next = [];
      for (const j of jobs) j.started = true;
      this.serving = { jobs, clients: [...this.clients], i: 0 };
    }
    const b = this.serving;
    const end = Math.min(b.clients.length, b.i + FANOUT_SLICE);
    for (; b.i < end; b.i++) {
      const c = b.clients[b.i]!;
      if (c.closed) continue;
      const raw = rawSocket(c.socket);
      raw?.cork();
      for (const job of b.jobs) {
        if (job.superseded) continue;
        this.deliverJob(c, job);
        if (c.closed) break;
      }
      raw?.uncork();
    }
    if (b.i >= b.clients.length) {
      for (const job of b.jobs) {
        if (job.superseded) this.stats.conflated++;
        const key = job.channel + '|' + job.instrument;
        if (this.queuedByKey.get(key) === job) this.queuedByKey.delete(key);
      }
      this.serving = null;
    }
    setImmediate(() => this.drain());
  }

  private deliverJob(c: Client, job: FanoutJob): void {
    if (c.closed) return;
    const sub = c.subs.get(job.channel + '|' + job.instrument) ?? c.subs.get(job.channel + '|*');
    if (!sub) return;
    job.text ??= Buffer.from(
      JSON.stringify({
        channel: job.channel,
        instrument: job.instrument,
        data: payload(job.channel, job.data),
      }),
    );
    this.deliver(c, job.channel, job.instrument, job.text, sub.throttleMs, job.at);
  }

  /** Count one metrics_send latency of a sample published at `at` (NaN: not measured). */
  private sent(instrument: string, at: number): void {
    if (Number.isNaN(at)) return;
    const i = instrument.indexOf(':');
    this.latency!.observe('metrics_send', i > 0 ? instrument.slice(0, i) : instrument, wallClockMs() - at);
  }

  /** Deliver a news item once to every client subscribed to `*` or to one of its assets. */
  publishNews(item: NewsItem): void {
    const set = this.byChannel.news;
    if (set.size === 0) return;
    const texts = new Map<string, Frame>();
    for (const c of set) {
      const key =
        item.assets.map((a) => 'asset:' + a).find((k) => c.subs.has('news|' + k)) ??
        (c.subs.has('news|*') ? '*' : null);
      if (key === null) continue;
      let text = texts.get(key);
      if (text === undefined)
        texts.set(key, (text = JSON.stringify({ channel: 'news', instrument: key, data: item })));
      this.deliver(c, 'news', key, text, 0);
    }
  }

  /** Stop: unsubscribe from the bus, stop timers, close every client (1001 going away). */
  close(): void {
    clearInterval(this.heartbeat);
    this.next = [];
    this.serving = null;
    this.queuedByKey.clear();
    for (const u of this.unsubscribeBus) u();
    this.bookListener?.();
    this.bookListener = null;
    for (const c of [...this.clients]) {
      c.socket.close(1001, 'server shutting down');
      this.remove(c);
    }
  }

  private deliver(
    c: Client,
    channel: WsChannel,
    instrument: string,
    text: Frame,
    throttleMs: number,
    at = NaN,
  ): void {
    if (c.closed) return;
    const key = channel + '|' + instrument;
    const now = Date.now();
    const slow = this.checkSlow(c, now);
    if (c.closed) return;
    if (channel === 'alerts' || channel === 'news' || channel === 'analytics') {
      this.send(c, text);
      return;
    }
    if (channel === 'trades') {
      if (slow) {
        this.stats.conflated++;
        return;
      }
      if (throttleMs <= 0) {
        this.send(c, text);
        return;
      }
      let q = c.tradeQueues.get(key);
      if (!q) c.tradeQueues.set(key, (q = []));
      if (q.length >= TRADE_QUEUE_MAX) {
        q.shift();
        this.stats.conflated++;
      }
      q.push(text);
      this.schedule(c, key, throttleMs, now);
      return;
    }
    const last = c.lastSent.get(key);
    if (!slow && !c.timers.has(key) && (last === undefined || now - last >= throttleMs)) {
      this.send(c, text);
      this.sent(instrument, at);
      c.lastSent.set(key, now);
      return;
    }
    if (c.pending.has(key)) this.stats.conflated++;
    c.pending.set(key, text);
    if (!Number.isNaN(at)) c.pendingAt.set(key, at);
    this.schedule(c, key, throttleMs, now);
  }

  private schedule(c: Client, key: string, throttleMs: number, now: number): void {
    if (c.timers.has(key)) return;
    const last = c.lastSent.get(key);
    const wait = last === undefined ? throttleMs : Math.max(0, last + throttleMs - now);
    // A slow client is retried no faster than every 100 ms while its buffer drains.
    const t = setTimeout(
      () => this.flushKey(c, key, throttleMs),
      Math.max(wait, c.slowSince === null ? 0 : 100),
    );
    t.unref();
    c.timers.set(key, t);
  }

  private flushKey(c: Client, key: string, throttleMs: number): void {
    c.timers.delete(key);
    if (c.closed) return;
    const now = Date.now();
    if (this.checkSlow(c, now)) {
      if (!c.closed && (c.pending.has(key) || c.tradeQueues.get(key)?.length))
        this.schedule(c, key, throttleMs, now);
      return;
    }
    const q = c.tradeQueues.get(key);
    if (q && q.length > 0) {
      c.tradeQueues.set(key, []);
      for (const text of q) this.send(c, text);
      c.lastSent.set(key, now);
      return;
    }
    const text = c.pending.get(key);
    if (text === undefined) return;
    c.pending.delete(key);
    this.send(c, text);
    const at = c.pendingAt.get(key);
    if (at !== undefined) {
      c.pendingAt.delete(key);
      this.sent(key.slice(key.indexOf('|') + 1), at);
    }
    c.lastSent.set(key, now);
  }

  /** Update the client's slow state; drops it when over the hard limit or slow for too long. */
  private checkSlow(c: Client, now: number): boolean {
    const buffered = c.socket.bufferedAmount;
    if (buffered > this.o.dropBufferBytes) {
      this.drop(c, 'slow', 'slow consumer: send buffer full');
      return true;
    }
    if (buffered > this.o.slowBufferBytes) {
      c.slowSince ??= now;
      if (now - c.slowSince > this.o.slowGraceMs) {
        this.drop(c, 'slow', 'slow consumer: send buffer not draining');
      }
      return true;
    }
    c.slowSince = null;
    return false;
  }

  private send(c: Client, text: Frame): void {
    if (c.closed || c.socket.readyState !== 1) return;
    if (typeof text === 'string') c.socket.send(text);
    else c.socket.send(text, { binary: false });
    this.stats.sent++;
  }

  /** A control reply: subject to the slow-consumer budget like data (skipped and counted while slow). */
  private reply(c: Client, msg: object): void {
    if (this.checkSlow(c, Date.now())) {
      this.stats.conflated++;
      return;
    }
    this.send(c, JSON.stringify(msg));
  }

  /** Take one message from the client's budget; false (and the client closed, 1008) when it has none. */
  private spend(c: Client): boolean {
    const now = Date.now();
    c.tokens = Math.min(
      this.o.messageBurst,
      c.tokens + ((now - c.refilledAt) / 1000) * this.o.messagesPerSecond,
    );
    c.refilledAt = now;
    if (c.tokens >= 1) {
      c.tokens -= 1;
      return true;
    }
    this.drop(c, 'abuse', 'too many messages', CLOSE_POLICY);
    return false;
  }

  private onMessage(c: Client, data: unknown, isBinary: boolean): void {
    if (c.closed || !this.spend(c)) return;
    if (isBinary) {
      this.bad(c, 'binary frames are not accepted; send JSON text');
      return;
    }
    let raw: unknown;
    try {
      raw = JSON.parse(String(data));
    } catch {
      this.bad(c, 'message is not valid JSON');
      return;
    }
    const r = clientMessage.safeParse(raw);
    if (!r.success) {
      this.bad(c, formatZodError(r.error));
      return;
    }
    const m = r.data;
    if (m.op === 'ping') {
      this.reply(c, { op: 'pong', ts: Date.now() });
      return;
    }
    const key = m.channel + '|' + m.instrument;
    if (m.op === 'unsubscribe') {
      c.subs.delete(key);
      this.forgetKeys(c, m.channel, m.instrument);
      if (![...c.subs.keys()].some((k) => k.startsWith(m.channel + '|'))) this.byChannel[m.channel].delete(c);
      this.syncBookListener();
      this.reply(c, { op: 'unsubscribed', channel: m.channel, instrument: m.instrument });
      return;
    }
    const [rule, hint] = KEY_RULES[m.channel];
    if (!rule.test(m.instrument)) {
      this.bad(c, `instrument: ${hint}`);
      return;
    }
    if (!c.subs.has(key) && c.subs.size >= this.o.maxSubscriptions) {
      this.bad(c, `too many subscriptions (max ${this.o.maxSubscriptions})`);
      return;
    }
    const throttleMs =
      m.channel === 'alerts' || m.channel === 'news' || m.channel === 'analytics'
        ? 0
        : (m.throttleMs ?? this.o.defaultThrottleMs[m.channel]);
    c.subs.set(key, { throttleMs });
    this.byChannel[m.channel].add(c);
    this.syncBookListener();
    const known = m.instrument === '*' || m.channel === 'news' || this.knows(m.channel, m.instrument);
    this.reply(c, { op: 'subscribed', channel: m.channel, instrument: m.instrument, throttleMs, known });
    this.sendCurrent(c, m.channel, m.instrument);
  }

  /** Whether the key of a subscription names something this server has now. */
  private knows(channel: WsChannel, key: string): boolean {
    if (channel === 'consolidated') return this.engine.consolidation?.groups.has(key) ?? false;
    if (channel === 'watchlist') return this.engine.consolidation !== undefined;
    if (channel === 'replay') return this.o.replay.get(key) !== undefined;
    if (channel === 'market' || channel === 'foreign' || channel === 'index')
      return this.current(channel, key).length > 0;
    return this.engine.books.has(key);
  }

  /** The keys and current values of a channel (for the first message after a subscription). */
  private current(channel: WsChannel, key: string): [string, unknown][] {
    const cons = this.engine.consolidation;
    if (channel === 'consolidated') {
      if (!cons) return [];
      const names = key === '*' ? [...cons.groups.keys()] : [key];
      return names.flatMap((g) => {
        const grp = cons.groups.get(g);
        return grp ? [[g, consolidatedOf(grp.view())] as [string, unknown]] : [];
      });
    }
    if (channel === 'watchlist') return cons ? [['*', watchlistOf(cons.watchlist())]] : [];
    if (channel === 'market' || channel === 'foreign' || channel === 'index') {
      const m = this.o.market;
      if (!m) return [];
      const views = currentViews(m)[channel] as { instrument: string }[];
      return views.filter((v) => key === '*' || v.instrument === key).map((v) => [v.instrument, v]);
    }
    if (channel === 'replay') {
      const all = key === '*' ? this.o.replay.list() : [this.o.replay.get(key)];
      return all.flatMap((s) => (s ? [[s.id, s] as [string, unknown]] : []));
    }
    const ids = key === '*' ? [...this.engine.books.keys()] : [key];
    return ids.flatMap((id): [string, unknown][] => {
      let data: unknown;
      if (channel === 'metrics') data = this.engine.latest.get(id);
      else if (channel === 'candles') {
        const a = this.engine.analytics?.(id);
        if (a) data = candlesUpdateOf(id, a.flow, FIRST_CLOSED_CANDLES);
      } else {
        const b = this.engine.books.get(id);
        if (b) data = channel === 'book' ? bookViewOf(b, this.o.bookDepth) : b.health;
      }
      return data === undefined ? [] : [[id, data]];
    });
  }

  /** Send the current value(s) of a channel right after a subscription. */
  private sendCurrent(c: Client, channel: WsChannel, instrument: string): void {
    if (channel === 'trades' || channel === 'alerts' || channel === 'news' || channel === 'analytics') return;
    for (const [id, data] of this.current(channel, instrument)) {
      const sub = c.subs.get(channel + '|' + id) ?? c.subs.get(channel + '|*');
      if (!sub) continue;
      this.deliver(
        c,
        channel,
        id,
        JSON.stringify({ channel, instrument: id, data: payload(channel, data) }),
        sub.throttleMs,
      );
    }
  }

  /** Drop pending data of an ended subscription (all instruments of the channel for `*`). */
  private forgetKeys(c: Client, channel: WsChannel, instrument: string): void {
    const prefix = channel + '|';
    for (const map of [c.pending, c.pendingAt, c.tradeQueues, c.timers] as Map<string, unknown>[]) {
      for (const k of [...map.keys()]) {
        if (!k.startsWith(prefix)) continue;
        if (instrument !== '*' && k !== prefix + instrument) continue;
        if (instrument === '*' && c.subs.has(k)) continue; // still covered by its own subscription
        const t = c.timers.get(k);
        if (t && map === c.timers) clearTimeout(t);
        map.delete(k);
      }
    }
  }

  private bad(c: Client, error: string): void {
    this.stats.badMessages++;
    if (++c.badMessages > this.o.maxBadMessages) {
      this.drop(c, 'abuse', 'too many bad messages', CLOSE_POLICY);
      return;
    }
    this.reply(c, { error });
  }

  private drop(c: Client, reason: string, text: string, code = CLOSE_TRY_AGAIN_LATER): void {
    if (c.closed) return;
    this.stats.dropped[reason] = (this.stats.dropped[reason] ?? 0) + 1;
    const s = c.socket;
    this.remove(c);
    if (reason === 'heartbeat') s.terminate();
    else {
      s.close(code, text);
      // An abuser's remaining frames are not read, and its close handshake is waited for 1 s only.
      if (code === CLOSE_POLICY) s.pause();
      // The close frame waits behind the unsent data; do not wait for a stuck peer forever.
      setTimeout(() => s.terminate(), code === CLOSE_POLICY ? 1_000 : 5_000).unref();
    }
  }

  /** Hold the bus `book` subscription exactly while the book channel has subscribers. */
  private syncBookListener(): void {
    const wanted = this.byChannel.book.size > 0;
    if (wanted && !this.bookListener)
      this.bookListener = this.bus.subscribe('book', (b) => this.publish('book', b.instrument, b));
    else if (!wanted && this.bookListener) {
      this.bookListener();
      this.bookListener = null;
    }
  }

  private remove(c: Client): void {
    if (c.closed) return;
    c.closed = true;
    for (const t of c.timers.values()) clearTimeout(t);
    c.timers.clear();
    c.pending.clear();
    c.pendingAt.clear();
    c.tradeQueues.clear();
    this.clients.delete(c);
    for (const ch of CHANNELS) this.byChannel[ch].delete(c);
    this.syncBookListener();
    const n = (this.perIp.get(c.ip) ?? 1) - 1;
    if (n <= 0) this.perIp.delete(c.ip);
    else this.perIp.set(c.ip, n);
    if (c.keyId !== undefined) {
      const k = (this.perKey.get(c.keyId) ?? 1) - 1;
      if (k <= 0) this.perKey.delete(c.keyId);
      else this.perKey.set(c.keyId, k);
    }
    this.stats.clients = this.clients.size;
  }

  private beat(): void {
    const now = Date.now();
    for (const c of [...this.clients]) {
      if (!c.alive) {
        this.drop(c, 'heartbeat', 'no pong');
        continue;
      }
      this.checkSlow(c, now);
      if (c.closed) continue;
      c.alive = false;
      try {
        c.socket.ping();
      } catch {
        this.remove(c);
      }
    }
  }
}
