import { describe, expect, it } from 'vitest';
import { Backoff, backoffDelay, retry } from './backoff.ts';

describe('back-off policy', () => {
  it('caps attempt n at min(max, base·2^n) and draws full jitter below the cap', () => {
    const p = { baseMs: 100, maxMs: 5000 };
    expect(backoffDelay(0, { ...p, random: () => 0 })).toBe(0);
    expect(backoffDelay(0, { ...p, random: () => 0.999 })).toBe(99);
    expect(backoffDelay(3, { ...p, random: () => 0.999 })).toBe(799);
    expect(backoffDelay(40, { ...p, random: () => 0.999 })).toBe(4995);
  });

  it('equal jitter stays in [cap/2, cap) and none gives the cap', () => {
    expect(backoffDelay(2, { baseMs: 100, maxMs: 1000, jitter: 'equal', random: () => 0 })).toBe(200);
    expect(backoffDelay(2, { baseMs: 100, maxMs: 1000, jitter: 'equal', random: () => 0.999 })).toBe(399);
    expect(backoffDelay(5, { baseMs: 100, maxMs: 1000, jitter: 'none' })).toBe(1000);
  });

  it('a Backoff grows attempt by attempt and starts over after reset', () => {
    const b = new Backoff({ baseMs: 10, maxMs: 100, jitter: 'none' });
    expect([b.next(), b.next(), b.next(), b.next(), b.next()]).toEqual([10, 20, 40, 80, 100]);
    expect(b.attempt).toBe(5);
    b.reset();
    expect(b.attempt).toBe(0);
    expect(b.next()).toBe(10);
  });

  it('refuses a policy with a non-positive base or a max below the base', () => {
    expect(() => new Backoff({ baseMs: 0, maxMs: 10 })).toThrow(RangeError);
    expect(() => new Backoff({ baseMs: 10, maxMs: 5 })).toThrow(RangeError);
  });
});

describe('retry', () => {
  it('retries a failing task with the policy delays until it succeeds', async () => {
    let calls = 0;
    const delays: number[] = [];
    const v = await retry(
      async () => {
        if (++calls < 3) throw new Error(`fail ${calls}`);
        return 'ok';
      },
      { attempts: 5, baseMs: 1, maxMs: 4, jitter: 'none', onRetry: (_e, d) => delays.push(d) },
    );
    expect(v).toBe('ok');
    expect(calls).toBe(3);
    expect(delays).toEqual([1, 2]);
  });

  it('gives up after the last attempt with the last error, and at once when retryIf refuses', async () => {
    let calls = 0;
    await expect(
      retry(
        async () => {
          throw new Error(`fail ${++calls}`);
        },
        { attempts: 3, baseMs: 1, maxMs: 1, jitter: 'none' },
      ),
    ).rejects.toThrow('fail 3');
    calls = 0;
    await expect(
      retry(
        async () => {
          throw new Error(`fatal ${++calls}`);
        },
        { attempts: 3, baseMs: 1, maxMs: 1, retryIf: () => false },
      ),
    ).rejects.toThrow('fatal 1');
  });
});
