/**
 * WebSocket client for `/ws` with automatic reconnect (the shared back-off, src/util/backoff.ts: equal
 * jitter under an exponential cap) and re-subscription: every active subscription is re-sent after each
 * (re)connect, so callers subscribe once and keep receiving across server restarts and network drops.
 * Protocol and payloads: src/contract/ws.ts. Runs in the browser (global WebSocket) and in Node (pass
 * `createSocket: (u) => new WebSocket(u)` from the `ws` package; Node 22+ has a global one).
 */
import { Backoff } from '../util/backoff.ts';
import type { WsChannel, WsClientMessage, WsPayload } from '../contract/ws.ts';

/** The part of a WebSocket the client uses (browser WebSocket and `ws` both fit). */
export interface SocketLike {
  readonly readyState: number;
  send(data: string): void;
  close(): void;
  onopen: ((ev: unknown) => void) | null;
  onmessage: ((ev: { data: unknown }) => void) | null;
  onclose: ((ev: unknown) => void) | null;
  onerror: ((ev: unknown) => void) | null;
}

/** Connection status. */
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

/** Reconnect tuning, ms, and the socket factory. */
export interface SocketOptions {
  minBackoffMs?: number;
  maxBackoffMs?: number;
  /** Default: the global WebSocket. */
  createSocket?: (url: string) => SocketLike;
  /**
   * Called before every (re)connect for a single-use token appended as `?token=` (browsers cannot send
   * an `Authorization` header on a WebSocket; a server with API keys issues tokens at
   * `POST /api/v1/auth/ws-token`). Null: connect without one. A rejection counts as a failed attempt.
   */
  connectToken?: () => Promise<string | null>;
}

/** A channel handler: the payload and the key (instrument, group, session) it is for. */
export type Handler<C extends WsChannel> = (data: WsPayload[C], instrument: string) => void;

interface Subscription {
  channel: WsChannel;
  instrument: string;
  throttleMs: number | undefined;
  handlers: Set<Handler<WsChannel>>;
}

const OPEN = 1;

/**
 * The WebSocket URL of a server: `ws` relative to `base` (e.g. the page, or `http://host:port/`), with
 * ws: or wss: following its protocol.
 */
export function socketUrl(base: string): string {
  const u = new URL('ws', base.endsWith('/') ? base : base + '/');
  u.protocol = u.protocol === 'https:' ? 'wss:' : 'ws:';
  u.hash = '';
  u.search = '';
  return u.toString();
}

function defaultSocket(url: string): SocketLike {
  const W = (globalThis as { WebSocket?: new (u: string) => SocketLike }).WebSocket;
  if (!W) throw new Error('no global WebSocket here: pass createSocket (e.g. from the ws package)');
  return new W(url);
}

/** Auto-reconnecting, re-subscribing WebSocket client. */
export class DepthwatchSocket {
  /** Frames received that were not channel data (acks, errors, pongs). */
  ignoredFrames = 0;
  /** Channel data frames received. */
  dataFrames = 0;
  /** The last `{error}` the server sent (a refused subscription), null when none. */
  lastError: string | null = null;
  private ws: SocketLike | null = null;
  private readonly subs = new Map<string, Subscription>();
  private readonly statusListeners = new Set<(s: SocketInfo) => void>();
  private info: SocketInfo = { status: 'connecting', attempt: 0, retryAt: null, opens: 0 };
  private timer: ReturnType<typeof setTimeout> | null = null;
  private closed = false;
  private readonly backoff: Backoff;
  private readonly createSocket: (url: string) => SocketLike;
  private readonly connectToken: (() => Promise<string | null>) | undefined;

  constructor(
    private readonly url: string,
    opts: SocketOptions = {},
  ) {
    this.backoff = new Backoff({
      baseMs: opts.minBackoffMs ?? 500,
      maxMs: opts.maxBackoffMs ?? 10_000,
      jitter: 'equal',
    });
    this.createSocket = opts.createSocket ?? defaultSocket;
    this.connectToken = opts.connectToken;
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
   * Subscribe a handler to a channel for one key (or `*`). Several handlers of the same channel/key
   * share one server subscription.
   * @param throttleMs server-side conflation interval, ms (omit for the server's default)
   * @returns a function that removes this handler (and the server subscription when it was the last)
   */
  subscribe<C extends WsChannel>(
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
    const h = handler as unknown as Handler<WsChannel>;
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
    const ws = this.ws;
    this.ws = null;
    ws?.close();
    this.setInfo({ ...this.info, status: 'closed', retryAt: null });
  }

  private connect(): void {
    if (this.closed) return;
    if (!this.connectToken) return this.open(this.url);
    this.connectToken().then(
      (token) =>
        this.open(
          token
            ? `${this.url}${this.url.includes('?') ? '&' : '?'}token=${encodeURIComponent(token)}`
            : this.url,
        ),
      () => this.scheduleReconnect(),
    );
  }

  private open(url: string): void {
    if (this.closed) return;
    let ws: SocketLike;
    try {
      ws = this.createSocket(url);
    } catch {
      this.scheduleReconnect();
      return;
    }
    this.ws = ws;
    ws.onopen = () => {
      this.backoff.reset();
      this.setInfo({ status: 'connected', attempt: 0, retryAt: null, opens: this.info.opens + 1 });
      for (const s of this.subs.values())
        this.send({
          op: 'subscribe',
          channel: s.channel,
          instrument: s.instrument,
          ...(s.throttleMs !== undefined ? { throttleMs: s.throttleMs } : {}),
        });
    };
    ws.onmessage = (ev) => this.dispatch(ev.data);
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
    let msg: { channel?: unknown; instrument?: unknown; data?: unknown; error?: unknown };
    try {
      msg = JSON.parse(raw) as typeof msg;
    } catch {
      this.ignoredFrames++;
      return;
    }
    if (typeof msg?.error === 'string') this.lastError = msg.error;
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
          h(msg.data as never, msg.instrument);
        } catch (e) {
          console.error('depthwatch: handler failed for', msg.channel, e);
        }
      }
    }
  }

  private send(m: WsClientMessage): void {
    if (this.ws && this.ws.readyState === OPEN) this.ws.send(JSON.stringify(m));
  }

  private setInfo(info: SocketInfo): void {
    this.info = info;
    for (const l of this.statusListeners) l(info);
  }
}
