/**
 * REST request-weight limiter: a token bucket holding at most `weightPerMinute` weight, refilled
 * continuously at `weightPerMinute / 60 000` per ms, with FIFO waiting and venue-imposed pauses.
 *
 * Follows Binance "LIMITS" (Spot API and Derivatives docs): each request costs a weight; exceeding the
 * per-minute budget returns HTTP 429 with `Retry-After` (seconds); repeated violations return 418 (IP
 * ban) with `Retry-After`. A 429/418 pauses every request until the venue's deadline (or a doubling
 * back-off when the header is missing).
 */

/** Limiter options. */
import { Backoff } from '../util/backoff.ts';

export interface RestLimiterOptions {
  /** Budget per minute (Binance spot 6000, futures 2400). */
  weightPerMinute: number;
  /** Clock, ms (default `Date.now`); tests inject a fake one. */
  now?: () => number;
  /** Sleep for `ms` (default setTimeout-based). */
  sleep?: (ms: number) => Promise<void>;
  /** Pause after a 429/418 without `Retry-After`: first value, doubling to the cap (default 1 s, 60 s). */
  backoffBaseMs?: number;
  backoffMaxMs?: number;
}

const defaultSleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** A token bucket over request weight. */
export class RestLimiter {
  /** Requests admitted and their total weight; 429/418 answers seen. */
  readonly stats = { requests: 0, weight: 0, rateLimited: 0, banned: 0, waitedMs: 0 };
  private tokens: number;
  private last: number;
  private blockedUntil = 0;
  /** Pauses after 429/418 without Retry-After: doubling, no jitter (the venue set the limit; waiting longer gains nothing). */
  private readonly penalty: Backoff;
  private queue: Promise<void> = Promise.resolve();
  private readonly rate: number;
  private readonly capacity: number;
  private readonly now: () => number;
  private readonly sleep: (ms: number) => Promise<void>;

  /** @throws {RangeError} when `weightPerMinute` is not positive */
  constructor(opts: RestLimiterOptions) {
    if (!(opts.weightPerMinute > 0)) throw new RangeError('weightPerMinute must be > 0');
    this.capacity = opts.weightPerMinute;
    this.rate = opts.weightPerMinute / 60_000;
    this.now = opts.now ?? Date.now;
    this.sleep = opts.sleep ?? defaultSleep;
    this.tokens = this.capacity;
    this.last = this.now();
    this.penalty = new Backoff({
      baseMs: opts.backoffBaseMs ?? 1000,
      maxMs: opts.backoffMaxMs ?? 60_000,
      jitter: 'none',
    });
  }

  /** Weight available right now (after refill). */
  available(): number {
    this.refill();
    return this.tokens;
  }

  private refill(): void {
    const t = this.now();
    if (t > this.last) {
      this.tokens = Math.min(this.capacity, this.tokens + (t - this.last) * this.rate);
      this.last = t;
    }
  }

  /**
   * Wait until `weight` can be spent (FIFO among callers), then spend it.
   * @throws {RangeError} when `weight` exceeds the whole per-minute budget
   */
  acquire(weight: number): Promise<void> {
    if (weight > this.capacity)
      return Promise.reject(new RangeError(`weight ${weight} > budget ${this.capacity}`));
    const turn = this.queue.then(() => this.take(weight));
    this.queue = turn.catch(() => {});
    return turn;
  }

  private async take(weight: number): Promise<void> {
    const start = this.now();
    for (;;) {
      const t = this.now();
      if (t < this.blockedUntil) {
        await this.sleep(this.blockedUntil - t);
        continue;
      }
      this.refill();
      if (this.tokens >= weight) {
        this.tokens -= weight;
        this.stats.requests++;
        this.stats.weight += weight;
        this.stats.waitedMs += this.now() - start;
        return;
      }
      await this.sleep(Math.ceil((weight - this.tokens) / this.rate));
    }
  }

  /**
   * Report the venue's answer to a request. A 429/418 blocks every request until `Retry-After` (seconds)
   * has passed, or for a doubling back-off when the header is absent; a success resets the back-off.
   * @returns the pause imposed, ms (0 when none)
   */
  report(status: number, retryAfter?: string | null): number {
    if (status !== 429 && status !== 418) {
      if (status < 400) this.penalty.reset();
      return 0;
    }
    if (status === 429) this.stats.rateLimited++;
    else this.stats.banned++;
    this.tokens = 0;
    const secs = retryAfter == null ? NaN : Number(retryAfter);
    const ms = Number.isFinite(secs) && secs >= 0 ? secs * 1000 : this.penalty.next();
    this.blockedUntil = Math.max(this.blockedUntil, this.now() + ms);
    return ms;
  }
}
