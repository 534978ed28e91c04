/**
 * Rate-limited warnings for outages: the first occurrence of a kind is logged in full (with its error),
 * later ones within `intervalMs` are only counted, and one summary line per interval says how many there
 * were (`… (37 more in the last 10 s)`, no stack). A NATS or store outage writes a handful of lines instead
 * of thousands of stack traces.
 */
import type { Logger } from './logger.ts';

/** A warning function for one kind of failure. */
export type LimitedWarn = (err: unknown, extra?: Record<string, unknown>) => void;

/**
 * Make a rate-limited warning for `message`.
 * @param intervalMs summary interval (default 10,000 ms)
 * @param now clock (tests)
 */
export function limitedWarn(
  logger: Pick<Logger, 'warn'>,
  message: string,
  intervalMs = 10_000,
  now: () => number = Date.now,
): LimitedWarn {
  let windowStart = -Infinity;
  let suppressed = 0;
  let lastError = '';
  return (err, extra = {}) => {
    const t = now();
    if (t - windowStart >= intervalMs) {
      if (suppressed > 0)
        logger.warn(
          { ...extra, suppressed, lastError },
          `${message} (${suppressed} more in the last ${Math.round((t - windowStart) / 1000)} s)`,
        );
      else logger.warn({ ...extra, err }, message);
      windowStart = t;
      suppressed = 0;
      return;
    }
    suppressed++;
    lastError = err instanceof Error ? err.message : String(err);
  };
}
