import { describe, expect, it } from 'vitest';
import { limitedWarn } from './log-limiter.ts';

describe('limitedWarn', () => {
  it('logs the first failure in full, then one count per interval instead of every failure', () => {
    const lines: { obj: Record<string, unknown>; msg: string }[] = [];
    const logger = { warn: (obj: Record<string, unknown>, msg: string) => lines.push({ obj, msg }) };
    let now = 0;
    const warn = limitedWarn(logger as never, 'fleet bus error', 10_000, () => now);
    // An outage: 4,500 errors in 18 s (one every 4 ms), as the collector wrote stack traces for.
    for (let i = 0; i < 4_500; i++) {
      warn(new Error(`connection refused #${i}`));
      now += 4;
    }
    warn(new Error('last'));
    expect(lines.length).toBeLessThanOrEqual(3);
    expect(lines[0]!.msg).toBe('fleet bus error');
    expect(lines[0]!.obj.err).toBeInstanceOf(Error);
    expect(lines[1]!.msg).toMatch(/^fleet bus error \(\d+ more in the last 10 s\)$/);
    expect(lines[1]!.obj.err).toBeUndefined(); // a count, no stack
    // The first 10 s window: every failure after the first is in the count (the rest wait for the next).
    expect(lines[1]!.obj.suppressed).toBe(2_499);
    expect(lines[1]!.obj.lastError).toBe('connection refused #2499');
  });
});
