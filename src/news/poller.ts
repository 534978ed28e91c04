/**
 * The news poller: polls each source on its interval with conditional requests, in priority order when
 * several are due, one request at a time per host; backs a host off after failures; keeps per-source
 * status for `/api/v1/news/sources`. A failing source never stops the others.
 *
 * - 200: the body is parsed (RSS/Atom for `rss` sources, posts JSON for `cryptopanic`) and handed to
 *   `onDocument`; its ETag/Last-Modified are kept and sent with the next poll. A body that does not parse
 *   is counted as `malformed`, reported as the source's last error, and its validators are not kept.
 * - 304: counted as `notModified`; nothing else happens.
 * - network error, timeout, HTTP 5xx or 429: the host is backed off (util/backoff.ts `Backoff`, full
 *   jitter from `backoff.baseMs` doubling to `backoff.maxMs`, at least the server's `Retry-After`): every
 *   source on that host waits; the first success resets it. Other 4xx: the source's last error, retried on
 *   its interval.
 * Tokens (CryptoPanic `auth_token`) are added to the request URL only; statuses, errors and logs show the
 * configured URL, and any token text in an error message is replaced by `***`.
 */
import { Backoff } from '../util/backoff.ts';
import type { NewsSourceConfig } from './config.ts';
import { fetchDocument, FeedFetchError, type Validators } from './fetch.ts';
import { MalformedFeedError, parseCryptoPanic, parseXmlFeed, type ParsedFeed } from './parse.ts';
import type { NewsSourceStatus } from './types.ts';

/** A source to poll: its config, plus its token (from the environment) or why it cannot run. */
export interface PollSource extends NewsSourceConfig {
  /** API token (never reported). */
  token?: string;
  /** Set when the source cannot run (e.g. its token variable is unset). */
  disabledReason?: string;
}

/** Options of {@link NewsPoller}. */
export interface PollerOptions {
  sources: readonly PollSource[];
  /** Whole-request timeout, ms. */
  timeoutMs: number;
  /** Largest document, bytes. */
  maxBytes: number;
  userAgent: string;
  /** Per-host back-off policy. */
  backoff: { baseMs: number; maxMs: number };
  /**
   * A parsed 200 document of `source`, received at `receivedAt` (ms): returns how many of its items were
   * new (for the counters). May be async (store writes); the next poll of the source waits for it.
   */
  onDocument: (source: PollSource, feed: ParsedFeed, receivedAt: number) => number | Promise<number>;
  /** A source's state changed (one log line per change). */
  onStateChange?: (s: NewsSourceStatus, previous: NewsSourceStatus['state']) => void;
  /** After each poll round (e.g. to evaluate detectors). */
  onRound?: (now: number) => void;
  /** Clock (tests). */
  now?: () => number;
  /** Uniform [0,1) source for the back-off jitter (tests). */
  random?: () => number;
}

interface HostState {
  backoff: Backoff;
  blockedUntil: number;
}

interface SourceState {
  src: PollSource;
  status: NewsSourceStatus;
  validators: Validators | null;
  host: string;
}

/** The URL a source is fetched at (token added as `auth_token` for CryptoPanic). */
export function requestUrl(src: PollSource): string {
  if (!src.token) return src.url;
  const u = new URL(src.url);
  u.searchParams.set('auth_token', src.token);
  return u.toString();
}

/** Polls the configured sources; `start()` runs it on a timer, `pollDue()` once (tests, manual). */
export class NewsPoller {
  private readonly states: SourceState[];
  private readonly hosts = new Map<string, HostState>();
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<void> | null = null;
  private stopped = true;
  private readonly ac = new AbortController();
  private readonly now: () => number;

  constructor(private readonly o: PollerOptions) {
    this.now = o.now ?? Date.now;
    const seen = new Set<string>();
    this.states = [...o.sources]
      .sort((a, b) => a.priority - b.priority || a.id.localeCompare(b.id))
      .map((src) => {
        if (seen.has(src.id)) throw new RangeError(`duplicate news source id "${src.id}"`);
        seen.add(src.id);
        const host = new URL(src.url).host;
        if (!this.hosts.has(host))
          this.hosts.set(host, {
            backoff: new Backoff({
              baseMs: o.backoff.baseMs,
              maxMs: o.backoff.maxMs,
              ...(o.random ? { random: o.random } : {}),
            }),
            blockedUntil: 0,
          });
        const enabled = src.disabledReason === undefined;
        return {
          src,
          host,
          validators: null,
          status: {
            id: src.id,
            kind: src.kind,
            url: src.url,
            intervalMs: src.intervalMs,
            priority: src.priority,
            enabled,
            state: enabled ? 'idle' : 'disabled',
            lastPollAt: null,
            lastOkAt: null,
            lastError: src.disabledReason ?? null,
            lastErrorAt: null,
            nextPollAt: enabled ? 0 : null,
            counters: {
              polls: 0,
              fetched: 0,
              notModified: 0,
              errors: 0,
              malformed: 0,
              itemsSeen: 0,
              itemsNew: 0,
            },
          },
        };
      });
  }

  /** Every source's status, by priority (copies). */
  status(): NewsSourceStatus[] {
    return this.states.map((s) => ({ ...s.status, counters: { ...s.status.counters } }));
  }

  /** Poll every due source now, then keep polling on the sources' intervals until `stop()`. */
  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    this.schedule(0);
  }

  /** Stop the timer and abort a poll in flight; resolves when it has ended. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.ac.abort();
    await this.running?.catch(() => {});
  }

  /**
   * Poll the due sources once, in priority order (all enabled sources with `force`), skipping hosts in
   * back-off. Resolves when done (a round already running is awaited instead).
   */
  pollDue(force = false): Promise<void> {
    if (this.running) return this.running;
    const run = this.round(force).finally(() => {
      this.running = null;
    });
    this.running = run;
    return run;
  }

  private schedule(delayMs: number): void {
    if (this.stopped) return;
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(
      () => {
        this.timer = null;
        void this.pollDue().finally(() => {
          if (!this.stopped) this.schedule(this.nextDelay());
        });
      },
      Math.max(0, delayMs),
    );
    this.timer.unref();
  }

  /** ms until the earliest enabled source is due (at least 250 ms, at most 60 s). */
  private nextDelay(): number {
    const now = this.now();
    let next = Infinity;
    for (const s of this.states) {
      if (!s.status.enabled || s.status.nextPollAt === null) continue;
      next = Math.min(next, Math.max(s.status.nextPollAt, this.hosts.get(s.host)!.blockedUntil));
    }
    return Number.isFinite(next) ? Math.min(60_000, Math.max(250, next - now)) : 60_000;
  }

  private async round(force: boolean): Promise<void> {
    for (const s of this.states) {
      if (this.ac.signal.aborted) break;
      if (!s.status.enabled) continue;
      const now = this.now();
      const host = this.hosts.get(s.host)!;
      if (host.blockedUntil > now) continue;
      if (!force && (s.status.nextPollAt ?? Infinity) > now) continue;
      await this.pollOne(s, host);
    }
    this.o.onRound?.(this.now());
  }

  private setState(s: SourceState, state: NewsSourceStatus['state']): void {
    const prev = s.status.state;
    s.status.state = state;
    if (prev !== state) this.o.onStateChange?.({ ...s.status, counters: { ...s.status.counters } }, prev);
  }

  private redact(msg: string, src: PollSource): string {
    return src.token ? msg.split(src.token).join('***') : msg;
  }

  private async pollOne(s: SourceState, host: HostState): Promise<void> {
    const src = s.src;
    const st = s.status;
    const started = this.now();
    st.lastPollAt = started;
    st.counters.polls++;
    try {
      const r = await fetchDocument(requestUrl(src), {
        validators: s.validators,
        timeoutMs: this.o.timeoutMs,
        maxBytes: this.o.maxBytes,
        userAgent: this.o.userAgent,
        signal: this.ac.signal,
      });
      host.backoff.reset();
      host.blockedUntil = 0;
      if (r.status === 304) {
        st.counters.notModified++;
      } else {
        let feed: ParsedFeed;
        try {
          feed = src.kind === 'cryptopanic' ? parseCryptoPanic(r.body) : parseXmlFeed(r.body);
        } catch (e) {
          if (!(e instanceof MalformedFeedError)) throw e;
          st.counters.malformed++;
          s.validators = null;
          this.fail(s, `malformed feed (${e.code}): ${e.message}`, started + src.intervalMs);
          return;
        }
        st.counters.fetched++;
        st.counters.itemsSeen += feed.items.length;
        const fresh = await this.o.onDocument(src, feed, this.now());
        st.counters.itemsNew += fresh;
        s.validators = r.validators;
      }
      st.lastOkAt = this.now();
      st.lastError = null;
      st.nextPollAt = started + src.intervalMs;
      this.setState(s, 'ok');
    } catch (e) {
      if (this.ac.signal.aborted) return;
      st.counters.errors++;
      if (e instanceof FeedFetchError && e.hostTrouble) {
        const delay = Math.max(host.backoff.next(), e.retryAfterMs ?? 0);
        host.blockedUntil = this.now() + delay;
        st.nextPollAt = Math.max(started + src.intervalMs, host.blockedUntil);
        st.lastError = this.redact(
          `${e.message} (host ${s.host} backed off ${Math.round(delay / 1000)} s)`,
          src,
        );
        st.lastErrorAt = this.now();
        this.setState(s, 'backoff');
        return;
      }
      this.fail(s, (e as Error).message, started + src.intervalMs);
    }
  }

  private fail(s: SourceState, message: string, nextPollAt: number): void {
    s.status.lastError = this.redact(message, s.src);
    s.status.lastErrorAt = this.now();
    s.status.nextPollAt = nextPollAt;
    this.setState(s, 'error');
  }
}
