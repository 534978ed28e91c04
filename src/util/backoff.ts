/**
 * The one back-off of depthwatch: every reconnect, retry and penalty delay (live connectors, REST
 * snapshot retries and the REST weight limiter, the durable store spool, the NATS bus, webhooks, the
 * dashboard's and the client SDK's WebSocket) takes its delays from here, so there is one jitter policy,
 * configured per use by a {@link BackoffPolicy}.
 *
 * Built on cockatiel (maintained retry/back-off policies, runs in Node and the browser): its
 * `ExponentialBackoff` produces the delay sequence and its `retry` policy drives promise retries; the
 * jitter is ours only in that the random source can be injected (deterministic tests).
 *
 * Policy: delay cap of attempt n (0-based) = min(maxMs, baseMs × 2^n); with `full` jitter (default, per
 * the AWS Architecture Blog "Exponential Backoff And Jitter") the delay is uniform in [0, cap); `equal`
 * jitter is uniform in [cap/2, cap); `none` is the cap itself. Browser-safe: no Node imports.
 */
import {
  ExponentialBackoff,
  handleWhen,
  retry as cockatielRetry,
  type GeneratorFn,
  type IBackoff,
} from 'cockatiel';

/** How delays grow and how they are randomised. */
export interface BackoffPolicy {
  /** Cap of the first delay, ms (> 0). */
  baseMs: number;
  /** Largest cap, ms (>= baseMs). */
  maxMs: number;
  /** `full` (default): uniform [0, cap); `equal`: uniform [cap/2, cap); `none`: cap. */
  jitter?: 'full' | 'equal' | 'none';
  /** Uniform [0,1) source (default Math.random); tests inject a fixed one. */
  random?: () => number;
}

/** Largest exponent used (2^30 × baseMs is beyond any sane cap). */
const MAX_EXPONENT = 30;

/**
 * The delay of attempt `attempt` (0-based) under `policy`, ms (an integer).
 * Pure given `policy.random`.
 */
export function backoffDelay(attempt: number, policy: BackoffPolicy): number {
  const cap = Math.min(policy.maxMs, policy.baseMs * 2 ** Math.min(Math.max(0, attempt), MAX_EXPONENT));
  const r = (policy.random ?? Math.random)();
  switch (policy.jitter ?? 'full') {
    case 'none':
      return Math.floor(cap);
    case 'equal':
      return Math.floor(cap / 2 + (r * cap) / 2);
    default:
      return Math.floor(r * cap);
  }
}

/** cockatiel generator for `policy`: its state is the attempt number. */
function generator(policy: BackoffPolicy): GeneratorFn<number> {
  return (state) => {
    const attempt = state ?? 0;
    return [backoffDelay(attempt, policy), attempt + 1];
  };
}

/**
 * A delay sequence with state: `next()` gives the delay before the next attempt and advances,
 * `reset()` starts over after a success. One per reconnecting thing (a connection, a spool, a bus).
 */
export class Backoff {
  private readonly factory: ExponentialBackoff<number>;
  private current: IBackoff<unknown> | null = null;
  private attempts = 0;

  /** @throws {RangeError} when baseMs <= 0 or maxMs < baseMs */
  constructor(readonly policy: BackoffPolicy) {
    if (!(policy.baseMs > 0) || !(policy.maxMs >= policy.baseMs))
      throw new RangeError(`back-off needs 0 < baseMs <= maxMs, got ${policy.baseMs}/${policy.maxMs}`);
    this.factory = new ExponentialBackoff<number>({
      generator: generator(policy),
      initialDelay: policy.baseMs,
      maxDelay: policy.maxMs,
    });
  }

  /** Attempts made since the last reset (0 right after construction or reset). */
  get attempt(): number {
    return this.attempts;
  }

  /** The delay before the next attempt, ms; advances the sequence. */
  next(): number {
    // cockatiel's factory.next() is already the first delay; each IBackoff.next() the following one.
    this.current = this.current === null ? this.factory.next() : this.current.next(undefined);
    this.attempts++;
    return this.current.duration;
  }

  /** Start over (after a success). */
  reset(): void {
    this.current = null;
    this.attempts = 0;
  }
}

/** Options of {@link retry}. */
export interface RetryOptions extends BackoffPolicy {
  /** Most attempts in all (>= 1); the first is not delayed. */
  attempts: number;
  /** Whether an error is worth another attempt (default: every error). */
  retryIf?: (err: unknown) => boolean;
  /** Called before each delayed retry with the error and the delay chosen, ms. */
  onRetry?: (err: unknown, delayMs: number, attempt: number) => void;
  /** Abort the whole retry loop (the pending delay and the running attempt's signal). */
  signal?: AbortSignal;
}

/**
 * Run `fn` until it resolves, at most `opts.attempts` times, waiting the policy's delays between
 * attempts (cockatiel's retry policy).
 * @returns what `fn` resolved with
 * @throws the last error when every attempt failed or `retryIf` refused it; cockatiel's
 *   `TaskCancelledError` when `signal` aborted
 */
export async function retry<T>(fn: (signal: AbortSignal) => Promise<T>, opts: RetryOptions): Promise<T> {
  const policy = cockatielRetry(
    handleWhen((e) => (opts.retryIf ? opts.retryIf(e) : true)),
    {
      maxAttempts: Math.max(0, opts.attempts - 1),
      backoff: new ExponentialBackoff<number>({
        generator: generator(opts),
        initialDelay: opts.baseMs,
        maxDelay: opts.maxMs,
      }),
    },
  );
  if (opts.onRetry) {
    const onRetry = opts.onRetry;
    policy.onRetry((e) => {
      const err = 'error' in e ? e.error : e.value;
      onRetry(err, e.delay, e.attempt);
    });
  }
  return policy.execute(({ signal }) => fn(signal), opts.signal);
}
