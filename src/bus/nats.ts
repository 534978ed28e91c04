/**
 * NATS JetStream bus for a fleet: the same `Bus` interface as the in-process bus (bus/in-process.ts), so
 * `depthwatch run --role collector|analyzer|api|all` picks either without other changes.
 *
 * Subjects: `<prefix>.<topic>.<venue>.<symbol>` with topic tokens `metrics`, `sample` (metrics.sample),
 * `book`, `trade`, `health`, `alert`, and `event` for normalized market events (below); news items go to
 * `<prefix>.news.<source>`. Venue and symbol are
 * encoded with {@link encodeToken} so any venue spelling (`BTC-USDT`, `BTCUSD_PERP`, `XBT/USD`, `ETH.P`)
 * is one safe subject token. Consumers can therefore shard by venue (`dw.event.okx.>`) or instrument.
 *
 * Stream: one stream (default `DEPTHWATCH`) over `<prefix>.>` with limits: max age (default 24 h), max
 * bytes (default 1 GiB, oldest discarded), a duplicate window (default 2 min) for publish retries.
 *
 * What a collector publishes: **normalized events** (`publishEvent`, the parser's MarketEvent output:
 * snapshots, deltas, trades, BBO with the venue's wire decimal strings untouched and NaN kept by the
 * codec), not raw frames. Parsing once at the edge keeps analyzers venue-neutral (no venue parsers, no
 * REST, no rate limits on that side) and the messages are smaller than raw frames; the wire strings keep
 * every checksum recomputable. An analyzer rebuilds books by feeding the events to its own Engine
 * (`engine.handleEvent`), which applies the same sync rules, so gaps are detected on the analyzer too.
 * Snapshots travel on the same subject as the instrument's deltas, so stream order keeps them spliced
 * correctly. A late-starting analyzer (deliver `new`) buffers deltas (`syncing`) until the next snapshot:
 * collectors publish one at every (re)sync and periodically (see {@link bookSnapshotEvent}).
 *
 * Publishing: `publish` never blocks. Messages queue (bounded by `maxQueued`, oldest dropped and counted)
 * and are sent with JetStream acks, at most `maxInFlight` outstanding. Each message carries a msg id, so
 * a retry after a lost ack is de-duplicated by the stream. Failed publishes (disconnect, timeout) are
 * retried with back-off; order is exact except around a connection loss, where a retried message can land
 * after later ones: the receiving book's sequence check turns that into a detected gap and a resync, never
 * a silent corruption.
 *
 * Consuming: subscriptions to a topic share one consumer per (topic, filter). Default: ordered consumers
 * (ephemeral, flow-controlled, recreated transparently after a reconnect or a missed heartbeat, starting
 * at `deliver`). With `durable` set: durable pull consumers `<durable>_<topic>[_<n>]` with explicit acks,
 * which resume where they left off after a restart (analyzers that must not miss events); delivery is
 * then at-least-once (see `ackWaitMs`).
 * NATS 2.9: one filter subject per consumer, so a multi-instrument shard uses one consumer per filter.
 */
import { randomBytes } from 'node:crypto';
import { connect, type ConnectionOptions, type NatsConnection } from '@nats-io/transport-node';
import {
  AckPolicy,
  DeliverPolicy,
  DiscardPolicy,
  RetentionPolicy,
  StorageType,
  jetstream,
  jetstreamManager,
  type ConsumerMessages,
  type JetStreamClient,
  type JetStreamManager,
} from '@nats-io/jetstream';
import { MalformedFrameError } from '../core/errors.ts';
import { splitInstrumentId, type BookSnapshot, type MarketEvent } from '../core/model.ts';
import type { InstrumentBook } from '../book/instrument-book.ts';
import type { Bus } from '../core/bus.ts';
import { decodeBytes, encodeBytes } from './codec.ts';
import { Backoff } from '../util/backoff.ts';
import { eventProblem } from './event-check.ts';

/** Life of one pull request of a consumer, ms (heartbeats every half of it). */
const PULL_EXPIRES_MS = 10_000;

/** A bus topic name, or `event` (normalized market events from collectors). */
export type NatsTopic = string;

/** Subject tokens of the topics whose name is not a valid token as it is. */
export const TOPIC_TOKENS: Readonly<Record<string, string>> = {
  'metrics.sample': 'sample',
};

/** The subject token of a topic: {@link TOPIC_TOKENS}, else the name with `.` as `_`. */
export function topicToken(topic: NatsTopic): string {
  return TOPIC_TOKENS[topic] ?? topic.replace(/\./g, '_');
}

/**
 * Encode a venue or symbol as one NATS subject token: `[A-Za-z0-9_-]` kept, every other UTF-8 byte as
 * `~XX` (upper-case hex). `BTC-USDT` → `BTC-USDT`, `XBT/USD` → `XBT~2FUSD`, `ETH.P` → `ETH~2EP`.
 * Reversible with {@link decodeToken}; never contains `.`, `*`, `>` or whitespace.
 */
export function encodeToken(s: string): string {
  let out = '';
  for (const b of Buffer.from(s, 'utf8')) {
    const c = String.fromCharCode(b);
    out += /[A-Za-z0-9_-]/.test(c) ? c : '~' + b.toString(16).toUpperCase().padStart(2, '0');
  }
  return out;
}

/** Inverse of {@link encodeToken}. */
export function decodeToken(t: string): string {
  const bytes: number[] = [];
  for (let i = 0; i < t.length; i++) {
    if (t[i] === '~') {
      bytes.push(parseInt(t.slice(i + 1, i + 3), 16));
      i += 2;
    } else bytes.push(t.charCodeAt(i));
  }
  return Buffer.from(bytes).toString('utf8');
}

/**
 * Subject of a message about `instrument` (`<venue>:<symbol>`) on `topic`.
 * @throws {MalformedFrameError} code `invalid_field` when the instrument id has no venue/symbol.
 */
export function subjectFor(prefix: string, topic: NatsTopic, instrument: unknown): string {
  if (typeof instrument !== 'string')
    throw new MalformedFrameError('invalid_field', 'bus message without instrument');
  let parts: { venue: string; symbol: string };
  try {
    parts = splitInstrumentId(instrument);
  } catch (e) {
    throw new MalformedFrameError('invalid_field', (e as Error).message);
  }
  return `${prefix}.${topicToken(topic)}.${encodeToken(parts.venue)}.${encodeToken(parts.symbol)}`;
}

/**
 * Subject of a news item: `<prefix>.news.<source>` (the source id as one token; news is not per
 * instrument, and consumers take every source).
 * @throws {MalformedFrameError} code `invalid_field` when the item has no source
 */
export function newsSubject(prefix: string, source: unknown): string {
  if (typeof source !== 'string' || source.length === 0)
    throw new MalformedFrameError('invalid_field', 'news item without source');
  return `${prefix}.news.${encodeToken(source)}`;
}

/**
 * A `book_snapshot` event from a collector's verified book, for periodic republishing so analyzers that
 * start late (or lost messages) can splice: all levels the book holds, wire strings, `sequence` = the
 * last applied venue sequence, `depthLimit` = the larger side's level count (coverage bounded by what the
 * collector knows), no checksum (the analyzer verifies continuity from the following deltas).
 */
export function bookSnapshotEvent(b: InstrumentBook, localTs: number): BookSnapshot {
  const top = b.book.topStrings(Number.MAX_SAFE_INTEGER);
  return {
    type: 'book_snapshot',
    instrument: b.instrument,
    exchangeTs: NaN,
    localTs,
    sequence: b.health.sequence,
    bids: top.bids,
    asks: top.asks,
    depthLimit: Math.max(top.bids.length, top.asks.length),
  };
}

/**
 * Read fleet options given as a query on the server URL, so one `--bus` URL configures a whole fleet:
 * `nats://host:4222?prefix=dw2&stream=DW2&durable=analyzer-1&deliver=all&storage=memory&maxBytes=67108864`.
 * Explicit options win over the query; the query is stripped from the server address.
 * @throws {TypeError} for an unknown `deliver` or `storage` value or a `maxBytes` that is not a positive integer.
 */
export function withUrlOptions(opts: NatsBusOptions): NatsBusOptions {
  const list = opts.servers === undefined ? [] : Array.isArray(opts.servers) ? opts.servers : [opts.servers];
  const q = new URLSearchParams();
  const servers = list.map((s) => {
    const i = s.indexOf('?');
    if (i < 0) return s;
    for (const [k, v] of new URLSearchParams(s.slice(i + 1))) q.set(k, v);
    return s.slice(0, i);
  });
  const out: NatsBusOptions = { ...opts };
  if (opts.servers !== undefined) out.servers = Array.isArray(opts.servers) ? servers : servers[0]!;
  const deliver = q.get('deliver');
  if (deliver !== null && deliver !== 'new' && deliver !== 'all')
    throw new TypeError(`deliver must be new or all, got "${deliver}"`);
  const storage = q.get('storage');
  if (storage !== null && storage !== 'file' && storage !== 'memory')
    throw new TypeError(`storage must be file or memory, got "${storage}"`);
  if (opts.prefix === undefined && q.get('prefix')) out.prefix = q.get('prefix')!;
  if (opts.stream === undefined && q.get('stream')) out.stream = q.get('stream')!;
  if (opts.durable === undefined && q.get('durable')) out.durable = q.get('durable')!;
  if (opts.deliver === undefined && deliver) out.deliver = deliver;
  if (opts.storage === undefined && storage) out.storage = storage;
  const maxBytes = q.get('maxBytes');
  if (maxBytes !== null) {
    const n = Number(maxBytes);
    if (!Number.isInteger(n) || n < 1)
      throw new TypeError(`maxBytes must be a positive integer, got "${maxBytes}"`);
    if (opts.maxBytes === undefined) out.maxBytes = n;
  }
  return out;
}

/** Where new consumers start. */
export type DeliverFrom = 'new' | 'all' | { startTimeMs: number };

/** Options of {@link NatsBus}. */
export interface NatsBusOptions {
  /** Server URL(s) (default `127.0.0.1:4222`); ignored when `nc` is given. */
  servers?: string | string[];
  /** An existing connection (not closed by `close()`). */
  nc?: NatsConnection;
  /** Connection name shown by the server (e.g. `depthwatch-collector-1`). */
  name?: string;
  /** Credentials and TLS of the connection (bus/nats-auth.ts connectionAuth). */
  auth?: Partial<ConnectionOptions>;
  /** Subject prefix (default `dw`). */
  prefix?: string;
  /** Stream name (default `DEPTHWATCH`). Created or updated with the limits below. */
  stream?: string;
  /** Stream max age, ms (default 24 h). */
  maxAgeMs?: number;
  /**
   * Stream max bytes (default 1 GiB on file storage, 256 MiB on memory storage). JetStream reserves
   * a memory stream's whole limit up front, so tests and small hosts keep it small (`?maxBytes=`).
   */
  maxBytes?: number;
  /** `file` (default) or `memory` stream storage. */
  storage?: 'file' | 'memory';
  /** Duplicate-detection window for publish retries, ms (default 120,000). */
  duplicateWindowMs?: number;
  /** Where consumers start (default `new`: live only). */
  deliver?: DeliverFrom;
  /** Durable consumer name prefix; unset = ordered (ephemeral) consumers. */
  durable?: string;
  /**
   * Durable consumers: redelivery delay of an unacknowledged message, ms (default 30,000). A message handed
   * to a pull request of a process that just stopped is redelivered after this delay (at-least-once:
   * handlers must tolerate a duplicate; the book's sequence rules drop a repeated delta as stale).
   */
  ackWaitMs?: number;
  /** Consume only these venues (subject filter per venue). */
  venues?: string[];
  /** Consume only these instruments (`venue:symbol`, one filter each); overrides `venues`. */
  instruments?: string[];
  /**
   * Wait for a publish acknowledgement, ms (default 2,000); a publish without an ack by then is retried
   * (same msg id, so the stream stores it once). Publishes caught by a connection loss are retried this
   * soon after the reconnect.
   */
  ackTimeoutMs?: number;
  /** Most unacknowledged publishes (default 1,024). */
  maxInFlight?: number;
  /** Most queued publishes; beyond, the oldest are dropped and counted (default 100,000). */
  maxQueued?: number;
  /** Called with errors (publish failures, consumer errors) for logging. */
  onError?: (err: unknown) => void;
}

/** Counters of a NatsBus (monotonic except the gauges). */
export interface NatsBusStats {
  published: number;
  /** Publishes acknowledged as duplicates (a retry of an already stored message). */
  duplicates: number;
  /** Failed publish attempts (each retried). */
  publishErrors: number;
  /** Messages refused before publishing (no valid instrument). */
  rejected: number;
  /** Queued messages dropped because the queue was full. */
  dropped: number;
  received: number;
  /** Received messages that did not decode (acked and skipped). */
  decodeErrors: number;
  /**
   * Received `event` messages that are not valid normalized events or came on another instrument's
   * subject (acked and skipped; bus/event-check.ts).
   */
  invalidEvents: number;
  /** Handler exceptions caught. */
  handlerErrors: number;
  /** Gauge: messages waiting to be published or awaiting an ack. */
  pending: number;
}

interface Outgoing {
  subject: string;
  data: Uint8Array;
  msgID: string;
}

interface ConsumerState {
  messages: ConsumerMessages | null;
  stopped: boolean;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** The fleet bus over NATS JetStream for the topic map `T` (see core/bus.ts); see the module comment. */
export class NatsBus<T extends object = Record<string, unknown>> implements Bus<T> {
  readonly prefix: string;
  readonly streamName: string;
  readonly stats: NatsBusStats = {
    published: 0,
    duplicates: 0,
    publishErrors: 0,
    rejected: 0,
    dropped: 0,
    received: 0,
    decodeErrors: 0,
    invalidEvents: 0,
    handlerErrors: 0,
    pending: 0,
  };
  private nc: NatsConnection | null = null;
  private js: JetStreamClient | null = null;
  private jsm: JetStreamManager | null = null;
  private readonly handlers = new Map<NatsTopic, Array<(p: never) => void>>();
  private readonly consumers = new Map<NatsTopic, ConsumerState[]>();
  private readonly pendingStarts = new Set<Promise<void>>();
  private queue: Outgoing[] = [];
  private inFlight = 0;
  private pausedUntil = 0;
  /** Pause after a failed publish, doubling from 50 ms to 2 s (util/backoff.ts, equal jitter). */
  private readonly publishBackoff = new Backoff({ baseMs: 50, maxMs: 2000, jitter: 'equal' });
  private pumpTimer: NodeJS.Timeout | null = null;
  private readonly idPrefix = randomBytes(6).toString('hex');
  private counter = 0;
  private closed = false;
  private idleWaiters: Array<() => void> = [];

  private constructor(private readonly opts: NatsBusOptions) {
    this.prefix = opts.prefix ?? 'dw';
    this.streamName = opts.stream ?? 'DEPTHWATCH';
    if (!/^[A-Za-z0-9_-]+$/.test(this.prefix)) throw new TypeError(`invalid subject prefix "${this.prefix}"`);
  }

  /**
   * Connect (unless `nc` is given) and create or update the stream.
   * @throws the client's error when the server is unreachable or JetStream is disabled.
   */
  static async connect<T extends object = Record<string, unknown>>(
    options: NatsBusOptions = {},
  ): Promise<NatsBus<T>> {
    const opts = withUrlOptions(options);
    const bus = new NatsBus<T>(opts);
    bus.nc =
      opts.nc ??
      (await connect({
        ...opts.auth,
        servers: opts.servers ?? '127.0.0.1:4222',
        name: opts.name ?? 'depthwatch',
        maxReconnectAttempts: -1,
        reconnectTimeWait: 250,
        pingInterval: 5000,
      }));
    bus.jsm = await jetstreamManager(bus.nc);
    bus.js = jetstream(bus.nc, { timeout: 10_000 });
    await bus.ensureStream();
    return bus;
  }

  private async ensureStream(): Promise<void> {
    const o = this.opts;
    const cfg = {
      name: this.streamName,
      subjects: [`${this.prefix}.>`],
      retention: RetentionPolicy.Limits,
      storage: o.storage === 'memory' ? StorageType.Memory : StorageType.File,
      max_age: (o.maxAgeMs ?? 86_400_000) * 1e6,
      max_bytes: o.maxBytes ?? (o.storage === 'memory' ? 256 : 1024) * 1024 * 1024,
      discard: DiscardPolicy.Old,
      duplicate_window: (o.duplicateWindowMs ?? 120_000) * 1e6,
    };
    const jsm = this.jsm!;
    try {
      await jsm.streams.info(this.streamName);
    } catch (e) {
      if (!/not found/i.test(String((e as Error).message))) throw e;
      await jsm.streams.add(cfg);
      return;
    }
    try {
      await jsm.streams.update(this.streamName, cfg);
    } catch (e) {
      // A role without the right to manage the stream (API nodes: deploy/nats/nats-server.conf) uses it as
      // it is.
      if (!/permission/i.test(String((e as Error).message))) throw e;
    }
  }

  /** The connection (for status and tests). */
  get connection(): NatsConnection {
    if (!this.nc) throw new Error('NatsBus not connected');
    return this.nc;
  }

  /** Publish a bus payload (never blocks; a payload without a valid instrument is refused and counted). */
  publish<K extends keyof T & string>(topic: K, payload: T[K]): void {
    this.send(topic, payload as { instrument?: unknown });
  }

  /** Publish a normalized market event (collectors). */
  publishEvent(e: MarketEvent): void {
    this.send('event', e);
  }

  private send(topic: NatsTopic, payload: { instrument?: unknown } | { source?: unknown }): void {
    if (this.closed) return;
    let subject: string;
    try {
      subject =
        topic === 'news'
          ? newsSubject(this.prefix, (payload as { source?: unknown }).source)
          : subjectFor(this.prefix, topic, (payload as { instrument?: unknown }).instrument);
    } catch (e) {
      this.stats.rejected++;
      this.opts.onError?.(e);
      return;
    }
    this.queue.push({ subject, data: encodeBytes(payload), msgID: `${this.idPrefix}-${this.counter++}` });
    const max = this.opts.maxQueued ?? 100_000;
    if (this.queue.length > max) {
      const n = this.queue.length - max;
      this.queue.splice(0, n);
      this.stats.dropped += n;
    }
    this.stats.pending = this.queue.length + this.inFlight;
    this.pump();
  }

  private pump(): void {
    const js = this.js;
    if (!js) return;
    const wait = this.pausedUntil - Date.now();
    if (wait > 0) {
      this.pumpTimer ??= setTimeout(() => {
        this.pumpTimer = null;
        this.pump();
      }, wait);
      return;
    }
    const max = this.opts.maxInFlight ?? 1024;
    const ackTimeout = this.opts.ackTimeoutMs ?? 2000;
    while (this.inFlight < max && this.queue.length > 0) {
      const m = this.queue.shift()!;
      this.inFlight++;
      js.publish(m.subject, m.data, { msgID: m.msgID, timeout: ackTimeout }).then(
        (ack) => {
          this.inFlight--;
          this.stats.published++;
          if (ack.duplicate) this.stats.duplicates++;
          this.publishBackoff.reset();
          this.afterAck();
        },
        (err: unknown) => {
          this.inFlight--;
          this.stats.publishErrors++;
          this.opts.onError?.(err);
          // Retry (same msg id: the stream drops it if the first attempt was stored after all).
          this.queue.unshift(m);
          this.pausedUntil = Date.now() + this.publishBackoff.next();
          this.afterAck();
        },
      );
    }
    this.stats.pending = this.queue.length + this.inFlight;
  }

  private afterAck(): void {
    this.stats.pending = this.queue.length + this.inFlight;
    if (this.queue.length > 0) this.pump();
    else if (this.inFlight === 0) {
      const w = this.idleWaiters;
      this.idleWaiters = [];
      for (const f of w) f();
    }
  }

  /** Resolves when every message published so far is acknowledged by the stream. */
  async flushPublishes(): Promise<void> {
    if (this.queue.length === 0 && this.inFlight === 0) return;
    await new Promise<void>((resolve) => this.idleWaiters.push(resolve));
  }

  /** Subscribe to a bus topic. The consumer starts asynchronously: await `ready()` before relying on it. */
  subscribe<K extends keyof T & string>(topic: K, handler: (payload: T[K]) => void): () => void {
    return this.on(topic, handler as (p: unknown) => void);
  }

  /** Subscribe to normalized market events (analyzers). */
  subscribeEvents(handler: (e: MarketEvent) => void): () => void {
    return this.on('event', handler as (p: unknown) => void);
  }

  private on(topic: NatsTopic, handler: (p: unknown) => void): () => void {
    let list = this.handlers.get(topic);
    if (!list) this.handlers.set(topic, (list = []));
    list.push(handler as (p: never) => void);
    if (!this.consumers.has(topic)) this.startConsumers(topic);
    return () => {
      const l = (this.handlers.get(topic) ?? []).filter((h) => h !== handler);
      this.handlers.set(topic, l);
      if (l.length === 0) this.stopConsumers(topic);
    };
  }

  /** Resolves when every consumer started so far is created on the server. */
  async ready(): Promise<void> {
    while (this.pendingStarts.size > 0) await Promise.all([...this.pendingStarts]);
  }

  private filters(topic: NatsTopic): string[] {
    const base = `${this.prefix}.${topicToken(topic)}`;
    if (topic === 'news') return [`${base}.>`];
    const o = this.opts;
    if (o.instruments && o.instruments.length > 0)
      return o.instruments.map((i) => subjectFor(this.prefix, topic, i));
    if (o.venues && o.venues.length > 0) return o.venues.map((v) => `${base}.${encodeToken(v)}.*`);
    return [`${base}.>`];
  }

  private deliverOpts(): { deliver_policy: DeliverPolicy; opt_start_time?: string } {
    const d = this.opts.deliver ?? 'new';
    if (d === 'new') return { deliver_policy: DeliverPolicy.New };
    if (d === 'all') return { deliver_policy: DeliverPolicy.All };
    return { deliver_policy: DeliverPolicy.StartTime, opt_start_time: new Date(d.startTimeMs).toISOString() };
  }

  private startConsumers(topic: NatsTopic): void {
    const states: ConsumerState[] = [];
    this.consumers.set(topic, states);
    this.filters(topic).forEach((filter, n) => {
      const st: ConsumerState = { messages: null, stopped: false };
      states.push(st);
      const start = this.runConsumer(topic, filter, n, st).catch((e: unknown) => this.opts.onError?.(e));
      const p = start.finally(() => this.pendingStarts.delete(p));
      this.pendingStarts.add(p);
    });
  }

  private async runConsumer(topic: NatsTopic, filter: string, n: number, st: ConsumerState): Promise<void> {
    const js = this.js!;
    const durable = this.opts.durable;
    let consumer;
    if (durable) {
      const name = `${durable}_${topicToken(topic)}${n > 0 ? '_' + n : ''}`;
      await this.jsm!.consumers.add(this.streamName, {
        durable_name: name,
        filter_subject: filter,
        ack_policy: AckPolicy.Explicit,
        ack_wait: (this.opts.ackWaitMs ?? 30_000) * 1e6,
        max_ack_pending: 10_000,
        ...this.deliverOpts(),
      });
      consumer = await js.consumers.get(this.streamName, name);
    } else {
      consumer = await js.consumers.get(this.streamName, { filter_subjects: filter, ...this.deliverOpts() });
    }
    if (st.stopped) return;
    // Pulls expire every 10 s (server heartbeats every 5 s): two missed heartbeats tell a consumer its
    // connection or pull was lost, so it re-pulls (an ordered one is recreated) ~10 s after a cut
    // instead of the client default's ~30 s.
    const messages = await consumer.consume({ max_messages: 1000, expires: PULL_EXPIRES_MS });
    st.messages = messages;
    // The consume loop runs for the life of the subscription.
    void (async () => {
      for await (const m of messages) {
        this.stats.received++;
        let payload: unknown;
        try {
          payload = decodeBytes<unknown>(m.data);
        } catch (e) {
          this.stats.decodeErrors++;
          this.opts.onError?.(e);
        }
        if (payload !== undefined && topic === 'event') {
          const problem = eventProblem(payload, {
            subject: m.subject,
            subjectOf: (i) => subjectFor(this.prefix, 'event', i),
          });
          if (problem !== null) {
            this.stats.invalidEvents++;
            this.opts.onError?.(new MalformedFrameError('invalid_field', `fleet event refused: ${problem}`));
            payload = undefined;
          }
        }
        if (payload !== undefined) this.dispatch(topic, payload);
        if (durable) m.ack();
      }
    })().catch((e: unknown) => this.opts.onError?.(e));
  }

  private dispatch(topic: NatsTopic, payload: unknown): void {
    const list = this.handlers.get(topic);
    if (!list) return;
    for (let i = 0; i < list.length; i++) {
      try {
        (list[i] as (p: unknown) => void)(payload);
      } catch (e) {
        this.stats.handlerErrors++;
        this.opts.onError?.(e);
      }
    }
  }

  private stopConsumers(topic: NatsTopic): void {
    const states = this.consumers.get(topic);
    this.consumers.delete(topic);
    for (const st of states ?? []) {
      st.stopped = true;
      void st.messages?.close();
    }
  }

  /**
   * Wait (up to `timeoutMs`, default 5,000) for pending publishes, stop consumers, and close the
   * connection when this bus opened it.
   */
  async close(timeoutMs = 5000): Promise<void> {
    if (this.closed) return;
    await Promise.race([this.flushPublishes(), sleep(timeoutMs)]);
    this.closed = true;
    if (this.pumpTimer) clearTimeout(this.pumpTimer);
    for (const topic of [...this.consumers.keys()]) this.stopConsumers(topic);
    this.handlers.clear();
    await this.ready().catch(() => {});
    if (!this.opts.nc && this.nc) await this.nc.close();
    this.nc = null;
    this.js = null;
  }

  /** Delete the stream (tests, resets). Irreversible. */
  async deleteStream(): Promise<void> {
    await this.jsm?.streams.delete(this.streamName);
  }
}
