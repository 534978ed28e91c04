/**
 * WebSocket client for `/ws` with automatic reconnect (the shared back-off, src/util/backoff.ts: equal
 * jitter under an exponential cap) and automatic
 * re-subscription: every active subscription is re-sent after each (re)connect, so callers subscribe once
 * and keep receiving across server restarts and network drops.
 *
 * Protocol (see api/types.ts): the client sends `{op:"subscribe"|"unsubscribe", channel, instrument,
 * throttleMs?}`; the server sends `{channel, instrument, data}`. Other frames (acks, errors, pings) are
 * counted in `ignoredFrames` and otherwise ignored.
 */
import type { Channel, ChannelPayload, ClientMessage, ServerMessage } from './types.ts';
import type { AlertsChannel, AlertsChannelPayload } from './alerts.ts';
import type { NewsChannel, NewsChannelPayload } from './news.ts';
import { Backoff } from '../../../src/util/backoff.ts';

/**
 * Every channel the socket can subscribe to: the api/types.ts channels plus `alerts` (api/alerts.ts)
 * and `news` (api/news.ts).
 */
export type SocketChannel = Channel | AlertsChannel | NewsChannel;

/** Payload type per socket channel. */
export type SocketPayload = ChannelPayload & AlertsChannelPayload & NewsChannelPayload;

/** A client → server control message on any socket channel. */
type SocketMessage = Omit<ClientMessage, 'channel'> & { channel: SocketChannel };

/** Connection status as shown in the header. */
export type SocketStatus = 'connecting' | 'connected' | 'reconnecting' | 'closed';

/** Snapshot of the connection, passed to status listeners. */
export interface SocketInfo {
  status: SocketStatus;
  /** Failed or dropped connections since the last successful open. */
  attempt: number;
  /** When the next connection attempt starts (ms since epoch), null when not waiting. */
  retryAt: number | null;
  /** Successful opens since construction (1 after the first connect). */
  opens: number;
}

/** Reconnect tuning, ms. */
export interface SocketOptions {
  minBackoffMs?: number;
  maxBackoffMs?: number;
  /** Injected for tests; defaults to the browser's WebSocket. */
  createSocket?: (url: string) => WebSocket;
}

type Handler<C extends SocketChannel> = (data: SocketPayload[C], instrument: string) => void;

interface Subscription {
  channel: SocketChannel;
  instrument: string;
  throttleMs: number | undefined;
  handlers: Set<Handler<SocketChannel>>;
}

/**
 * The default WebSocket URL: `ws` relative to the page (so `/ws` when the dashboard is served at `/`),
 * with ws: or wss: following the page's protocol.
 */
export function defaultSocketUrl(href: string = window.location.href): string {
  const u = new URL('ws', href);
  u.protocol = u.protocol === 'https:' ? 'wss:' : 'ws:';
  u.hash = '';
  u.search = '';
  return u.toString();
}

/** Auto-reconnecting, re-subscribing WebSocket client. */
export class DepthwatchSocket {
  /** Frames received that were not channel data (acks, errors, heartbeats). */
  ignoredFrames = 0;
  /** Channel data frames received. */
  dataFrames = 0;
  private ws: WebSocket | null = null;
  private readonly subs = new Map<string, Subscription>();
  private readonly statusListeners = new Set<(s: SocketInfo) => void>();
  private info: SocketInfo = { status: 'connecting', attempt: 0, retryAt: null, opens: 0 };
  private timer: ReturnType<typeof setTimeout> | null = null;
  private closed = false;
  private readonly backoff: Backoff;
  private readonly createSocket: (url: string) => WebSocket;

  constructor(
    private readonly url: string,
    opts: SocketOptions = {},
  ) {
    this.backoff = new Backoff({
      baseMs: opts.minBackoffMs ?? 500,
      maxMs: opts.maxBackoffMs ?? 10_000,
      jitter: 'equal',
    });
    this.createSocket = opts.createSocket ?? ((u) => new WebSocket(u));
    this.connect();
  }

  /** Current connection info. */
  get status(): SocketInfo {
    return this.info;
  }

  /**
   * Listen to connection status changes; the listener is called at once with the current status.
   * @returns a function that removes the listener
   */
  onStatus(listener: (s: SocketInfo) => void): () => void {
    this.statusListeners.add(listener);
    listener(this.info);
    return () => this.statusListeners.delete(listener);
  }

  /**
   * Subscribe a handler to a channel for one instrument (or `*`). Several handlers of the same
   * channel/instrument share one server subscription.
   * @param throttleMs server-side conflation interval, ms (omit for every message, e.g. trades)
   * @returns a function that removes this handler (and the server subscription when it was the last)
   */
  subscribe<C extends SocketChannel>(
    channel: C,
    instrument: string,
    handler: Handler<C>,
    throttleMs?: number,
  ): () => void {
    const key = `${channel}\u0000${instrument}`;
    let sub = this.subs.get(key);
    if (!sub) {
      sub = { channel, instrument, throttleMs, handlers: new Set() };
      this.subs.set(key, sub);
      this.send({
        op: 'subscribe',
        channel,
        instrument,
        ...(throttleMs !== undefined ? { throttleMs } : {}),
      });
    }
    const h = handler as Handler<SocketChannel>;
    sub.handlers.add(h);
    return () => {
      const s = this.subs.get(key);
      if (!s) return;
      s.handlers.delete(h);
      if (s.handlers.size === 0) {
        this.subs.delete(key);
        this.send({ op: 'unsubscribe', channel, instrument });
      }
    };
  }

  /** Close for good (no reconnect). */
  close(): void {
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.ws?.close();
    this.ws = null;
    this.setInfo({ ...this.info, status: 'closed', retryAt: null });
  }

  private connect(): void {
    if (this.closed) return;
    let ws: WebSocket;
    try {
      ws = this.createSocket(this.url);
    } catch {
      this.scheduleReconnect();
      return;
    }
    this.ws = ws;
    ws.onopen = () => {
      this.backoff.reset();
      this.setInfo({ status: 'connected', attempt: 0, retryAt: null, opens: this.info.opens + 1 });
      for (const s of this.subs.values()) {
        this.send({
          op: 'subscribe',
          channel: s.channel,
          instrument: s.instrument,
          ...(s.throttleMs !== undefined ? { throttleMs: s.throttleMs } : {}),
        });
      }
    };
    ws.onmessage = (ev: MessageEvent) => this.dispatch(ev.data);
    ws.onclose = () => {
      if (this.ws !== ws) return;
      this.ws = null;
      this.scheduleReconnect();
    };
    ws.onerror = () => {
      // onclose follows and schedules the reconnect.
    };
  }

  private scheduleReconnect(): void {
    if (this.closed) return;
    const delay = this.backoff.next();
    const attempt = this.backoff.attempt;
    this.setInfo({ ...this.info, status: 'reconnecting', attempt, retryAt: Date.now() + delay });
    this.timer = setTimeout(() => {
      this.timer = null;
      this.connect();
    }, delay);
  }

  private dispatch(raw: unknown): void {
    if (typeof raw !== 'string') {
      this.ignoredFrames++;
      return;
    }
    let msg: Partial<ServerMessage>;
    try {
      msg = JSON.parse(raw) as Partial<ServerMessage>;
    } catch {
      this.ignoredFrames++;
      return;
    }
    if (!msg || typeof msg.channel !== 'string' || typeof msg.instrument !== 'string' || msg.data == null) {
      this.ignoredFrames++;
      return;
    }
    this.dataFrames++;
    const exact = this.subs.get(`${msg.channel}\u0000${msg.instrument}`);
    const all = this.subs.get(`${msg.channel}\u0000*`);
    for (const s of exact === all ? [exact] : [exact, all]) {
      if (!s) continue;
      for (const h of s.handlers) {
        try {
          h(msg.data, msg.instrument);
        } catch (e) {
          console.error('depthwatch: handler failed for', msg.channel, e);
        }
      }
    }
  }

  private send(m: SocketMessage): void {
    if (this.ws && this.ws.readyState === WebSocket.OPEN) this.ws.send(JSON.stringify(m));
    // Otherwise it is sent on the next open (every active subscription is re-sent).
  }

  private setInfo(info: SocketInfo): void {
    this.info = info;
    for (const l of this.statusListeners) l(info);
  }
}
