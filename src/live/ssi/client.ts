/**
 * SSI FastConnect Data live client: the access token, the SignalR 2 stream with its channels, and
 * reconnects.
 *
 * Follows: SSI FastConnect Data API Specs v2.2, 4.1 "Auth" (`POST {rest}/api/v2/Market/AccessToken`
 * with `{consumerID, consumerSecret}` → `{status, message, data: {accessToken}}`; the spec's example
 * answers `{token}`: both read; the token is a Bearer JWT valid ~8 h) and section 3 (streaming through
 * the hub `FcMarketDataV2Hub`: `SwitchChannels("TYPE:SYM1-SYM2" | "TYPE:ALL")` per channel; data as
 * the hub method `Broadcast` with one argument `{DataType, Content}` (an object, or its JSON text) whose
 * `Content` is a JSON string; errors as the hub method `Error`).
 *
 * Rules:
 * - Credentials come from the caller (env `SSI_CONSUMER_ID` / `SSI_CONSUMER_SECRET` or config, see
 *   {@link ssiCredentialsFromEnv}); they are sent only in the AccessToken request body and never appear
 *   in a log line, an error message or the stats. The token is never logged either.
 * - The token's expiry is its JWT `exp` claim (else 8 h from issue); it is refreshed `refreshMarginMs`
 *   (5 min) before expiry by a timer, and on demand when the hub answers 401. Token requests go through
 *   the REST limiter (live/rest-limiter.ts) shared with the reference requests: a 429 pauses every
 *   request for `Retry-After`.
 * - A connection that fails or ends is re-opened after the shared back-off (util/backoff.ts), and every
 *   channel is subscribed again on the new connection (SignalR 2 keeps no subscriptions across
 *   connections).
 */
import type { Logger } from '../../util/logger.ts';
import { Backoff, type BackoffPolicy } from '../../util/backoff.ts';
import { RestLimiter } from '../rest-limiter.ts';
import { SignalR2Connection, SignalRError } from './signalr.ts';

/** SSI's hub name. */
export const SSI_HUB = 'FcMarketDataV2Hub';
/** Production endpoints (spec v2.2 section 2, 4.1). */
export const SSI_STREAM_URL = 'https://fc-datahub.ssi.com.vn/';
export const SSI_REST_URL = 'https://fc-data.ssi.com.vn/';
/** Default token lifetime when the token tells none (SSI: about 8 hours). */
const DEFAULT_TOKEN_TTL_MS = 8 * 3_600_000;

/** The consumer credentials of FastConnect Data. */
export interface SsiCredentials {
  readonly consumerID: string;
  readonly consumerSecret: string;
}

/**
 * Credentials from `SSI_CONSUMER_ID` / `SSI_CONSUMER_SECRET`, or null when either is unset.
 */
export function ssiCredentialsFromEnv(env: NodeJS.ProcessEnv = process.env): SsiCredentials | null {
  const id = env.SSI_CONSUMER_ID;
  const secret = env.SSI_CONSUMER_SECRET;
  return id && secret ? { consumerID: id, consumerSecret: secret } : null;
}

/** The expiry (`exp`, s) of a JWT as ms since epoch, or NaN when the token is not a readable JWT. */
export function jwtExpiry(token: string): number {
  const part = token.split('.')[1];
  if (!part) return NaN;
  try {
    const claims = JSON.parse(Buffer.from(part, 'base64url').toString('utf8')) as { exp?: unknown };
    return typeof claims.exp === 'number' ? claims.exp * 1000 : NaN;
  } catch {
    return NaN;
  }
}

/** A token request that failed; never carries the credentials or a token. */
export class SsiAuthError extends Error {
  override readonly name = 'SsiAuthError';
  constructor(
    message: string,
    readonly status?: number,
  ) {
    super(message);
  }
}

/** The access token of one consumer, refreshed before expiry (see module comment). */
export class SsiAuth {
  private token: string | null = null;
  private expiresAt = 0;
  private inflight: Promise<string> | null = null;
  private timer: NodeJS.Timeout | null = null;
  /** Token requests made, answered, refused with 429. */
  readonly stats = { requests: 0, issued: 0, rateLimited: 0 };

  constructor(
    private readonly opts: {
      readonly restUrl: string;
      readonly credentials: SsiCredentials;
      readonly limiter: RestLimiter;
      readonly refreshMarginMs?: number;
      readonly now?: () => number;
      /** Called with each new token's expiry (ms); the client uses it to know a refresh happened. */
      readonly onToken?: (expiresAt: number) => void;
    },
  ) {}

  private now(): number {
    return (this.opts.now ?? Date.now)();
  }

  /** A valid token: the cached one unless it is within the refresh margin of expiry. */
  async get(): Promise<string> {
    const margin = this.opts.refreshMarginMs ?? 300_000;
    if (this.token && this.now() < this.expiresAt - margin) return this.token;
    return this.refresh();
  }

  /** The current token without a request (null before the first), for request headers. */
  current(): string | null {
    return this.token;
  }

  /**
   * Ask for a new token now (one request at a time; concurrent callers share it). Retries 429 answers
   * after the limiter's pause, at most 5 times.
   * @throws {SsiAuthError} on a refused or malformed answer
   */
  refresh(): Promise<string> {
    this.inflight ??= this.request().finally(() => (this.inflight = null));
    return this.inflight;
  }

  private async request(): Promise<string> {
    const url = `${this.opts.restUrl.replace(/\/$/, '')}/api/v2/Market/AccessToken`;
    for (let attempt = 0; ; attempt++) {
      await this.opts.limiter.acquire(1);
      this.stats.requests++;
      let res: Response;
      try {
        res = await fetch(url, {
          method: 'POST',
          headers: { 'content-type': 'application/json', accept: 'application/json' },
          body: JSON.stringify({
            consumerID: this.opts.credentials.consumerID,
            consumerSecret: this.opts.credentials.consumerSecret,
          }),
        });
      } catch (e) {
        throw new SsiAuthError(`AccessToken request failed: ${(e as Error).message}`);
      }
      this.opts.limiter.report(res.status, res.headers.get('retry-after'));
      if (res.status === 429 && attempt < 5) {
        this.stats.rateLimited++;
        await res.body?.cancel();
        continue;
      }
      if (!res.ok) {
        await res.body?.cancel();
        throw new SsiAuthError(`AccessToken answered HTTP ${res.status}`, res.status);
      }
      let body: Record<string, unknown>;
      try {
        body = (await res.json()) as Record<string, unknown>;
      } catch {
        throw new SsiAuthError('AccessToken answer is not JSON', res.status);
      }
      const data = body.data as Record<string, unknown> | undefined;
      const token = typeof data?.accessToken === 'string' ? data.accessToken : body.token;
      if (typeof token !== 'string' || token === '')
        throw new SsiAuthError(
          `AccessToken answer has no token (message ${JSON.stringify(body.message ?? null)})`,
          res.status,
        );
      const exp = jwtExpiry(token);
      this.token = token;
      this.expiresAt = Number.isFinite(exp) ? exp : this.now() + DEFAULT_TOKEN_TTL_MS;
      this.stats.issued++;
      this.schedule();
      this.opts.onToken?.(this.expiresAt);
      return token;
    }
  }

  /** Refresh `refreshMarginMs` before expiry (timer unref'd: it never keeps the process alive). */
  private schedule(): void {
    if (this.timer) clearTimeout(this.timer);
    const margin = this.opts.refreshMarginMs ?? 300_000;
    const delay = Math.max(0, this.expiresAt - margin - this.now());
    this.timer = setTimeout(() => void this.refresh().catch(() => {}), Math.min(delay, 2_147_000_000));
    this.timer.unref();
  }

  /** Stop the refresh timer. */
  stop(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }
}

/** Options of {@link SsiStreamClient}. */
export interface SsiStreamOptions {
  readonly streamUrl?: string;
  readonly restUrl?: string;
  readonly credentials: SsiCredentials;
  /** Channels as SSI spells them: `X-QUOTE:ALL`, `MI:VNINDEX-VN30`, `R:VCB-TCB`. */
  readonly channels: readonly string[];
  /**
   * One `Broadcast` message: its DataType, its Content (the JSON string as received) and the receive
   * time (ms since epoch UTC).
   */
  readonly onMessage: (dataType: string, content: string, receivedAt: number) => void;
  /** A hub `Error`, a failed subscription or a failed connection attempt (the client goes on). */
  readonly onError?: (err: Error) => void;
  readonly logger?: Logger;
  /** Reconnect back-off (default 500 ms doubling to 30 s, full jitter). */
  readonly backoff?: BackoffPolicy;
  /** REST limiter shared with the reference requests (default: 60 requests a minute). */
  readonly limiter?: RestLimiter;
  readonly refreshMarginMs?: number;
}

/** The live SSI stream (see module comment). */
export class SsiStreamClient {
  readonly auth: SsiAuth;
  /** Counters an operator reads (never a secret). */
  readonly stats = {
    connects: 0,
    reconnects: 0,
    subscriptions: 0,
    messages: 0,
    hubErrors: 0,
    failedAttempts: 0,
    unauthorized: 0,
  };
  private conn: SignalR2Connection | null = null;
  private stopped = true;
  private readonly backoff: Backoff;
  private retryTimer: NodeJS.Timeout | null = null;
  private connected: (() => void) | null = null;

  constructor(private readonly opts: SsiStreamOptions) {
    this.auth = new SsiAuth({
      restUrl: opts.restUrl ?? SSI_REST_URL,
      credentials: opts.credentials,
      limiter: opts.limiter ?? new RestLimiter({ weightPerMinute: 60 }),
      ...(opts.refreshMarginMs !== undefined ? { refreshMarginMs: opts.refreshMarginMs } : {}),
    });
    this.backoff = new Backoff(opts.backoff ?? { baseMs: 500, maxMs: 30_000 });
  }

  /** Connect and subscribe; resolves after the first connection has subscribed every channel. */
  start(): Promise<void> {
    this.stopped = false;
    const first = new Promise<void>((r) => (this.connected = r));
    void this.attempt();
    return first;
  }

  private async attempt(): Promise<void> {
    if (this.stopped) return;
    const log = this.opts.logger;
    try {
      await this.auth.get();
      let opened = false;
      const conn = new SignalR2Connection({
        url: this.opts.streamUrl ?? SSI_STREAM_URL,
        hub: SSI_HUB,
        headers: () => ({ authorization: `Bearer ${this.auth.current() ?? ''}` }),
        onInvoke: (m, args, at) => this.onInvoke(m, args, at),
        onClose: (reason) => {
          if (this.conn !== conn || !opened) return;
          this.conn = null;
          if (this.stopped) return;
          log?.warn({ venue: 'ssi', reason }, 'SSI stream closed; reconnecting');
          this.stats.reconnects++;
          this.retry();
        },
      });
      this.conn = conn;
      await conn.open();
      opened = true;
      this.stats.connects++;
      for (const ch of this.opts.channels) {
        try {
          await conn.invoke('SwitchChannels', ch);
          this.stats.subscriptions++;
        } catch (e) {
          this.opts.onError?.(e as Error);
        }
      }
      this.backoff.reset();
      log?.info({ venue: 'ssi', channels: this.opts.channels.length }, 'SSI stream subscribed');
      this.connected?.();
      this.connected = null;
    } catch (e) {
      this.stats.failedAttempts++;
      if (e instanceof SignalRError && e.status === 401) {
        // The hub refused the token (expired or revoked): get a new one before the next attempt.
        this.stats.unauthorized++;
        await this.auth.refresh().catch((err: Error) => this.opts.onError?.(err));
      }
      this.opts.onError?.(e as Error);
      log?.warn({ venue: 'ssi', err: (e as Error).message }, 'SSI stream attempt failed');
      const c = this.conn;
      this.conn = null;
      c?.close('attempt failed');
      this.retry();
    }
  }

  private retry(): void {
    if (this.stopped || this.retryTimer) return;
    this.retryTimer = setTimeout(() => {
      this.retryTimer = null;
      void this.attempt();
    }, this.backoff.next());
  }

  private onInvoke(method: string, args: readonly unknown[], at: number): void {
    const m = method.toLowerCase();
    if (m === 'broadcast') {
      const env = broadcastEnvelope(args);
      if (env instanceof Error) {
        this.opts.onError?.(env);
        return;
      }
      this.stats.messages++;
      this.opts.onMessage(env.dataType, env.content, at);
    } else if (m === 'error') {
      this.stats.hubErrors++;
      this.opts.onError?.(new Error(`SSI hub Error: ${String(args[0])}`));
    }
  }

  /** Drop the current connection as if the network failed (tests, operators): the client reconnects. */
  dropConnection(): void {
    this.conn?.close('dropped');
  }

  /** Stop: close the connection and the timers. */
  stop(): void {
    this.stopped = true;
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.retryTimer = null;
    this.auth.stop();
    const c = this.conn;
    this.conn = null;
    c?.close('stopped');
  }
}

/**
 * The `{DataType, Content}` of a `Broadcast` call's arguments: the first argument is the envelope object
 * (or its JSON text); `Content` is returned as the JSON string received (an object is re-serialised).
 * @returns the envelope, or an Error naming what is wrong (the caller counts and reports it)
 */
export function broadcastEnvelope(args: readonly unknown[]): { dataType: string; content: string } | Error {
  const a = args[0];
  const env = typeof a === 'string' ? safeParse(a) : a;
  if (env === null || typeof env !== 'object')
    return new Error('Broadcast argument is not a {DataType, Content} envelope');
  const e = env as Record<string, unknown>;
  const dataType = e.DataType ?? e.datatype;
  const content = e.Content ?? e.content;
  if (typeof dataType !== 'string') return new Error('Broadcast envelope without DataType');
  return { dataType, content: typeof content === 'string' ? content : JSON.stringify(content) };
}

function safeParse(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
}
