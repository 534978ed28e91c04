/**
 * Issue 14 finding "no REST rate or size limits" (`history/metrics?from=0&limit=100000` answered 84.5 MB):
 * rate limits per key/IP with 429 + Retry-After + x-ratelimit-*, a stricter history bucket, body limit
 * 413, a cap on concurrent history queries (503 + Retry-After), and a 100k-row history request answered
 * in pages under the byte cap, oldest-first or newest-first, each row exactly once.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { createApiServer } from '../../src/api/server.ts';
import { defaultSecurity } from '../../src/api/security/policy.ts';
import type { Trade } from '../../src/core/model.ts';
import type { HistoryStore } from '../../src/store/types.ts';
import type { HistoryTradesResponse } from '../../src/api/types.ts';
import { makeFixture, type Fixture } from '../api-fixtures.ts';

const INSTR = 'binance:LIMITUSDT';
const ROWS = 100_000;
const T = Date.UTC(2024, 0, 1);

describe('REST limits', () => {
  let fx: Fixture;
  let app: FastifyInstance;
  let base: string;
  let gate: { wait: Promise<void>; open: () => void } | null = null;

  beforeAll(async () => {
    fx = await makeFixture();
    // 100k trades, 4 per millisecond (ties across page boundaries on purpose).
    const trades: Trade[] = [];
    for (let i = 0; i < ROWS; i++)
      trades.push({
        type: 'trade',
        instrument: INSTR,
        exchangeTs: T + Math.floor(i / 4),
        localTs: T + Math.floor(i / 4),
        id: String(i),
        price: '42000.5',
        size: '0.001',
        side: i % 2 ? 'buy' : 'sell',
      });
    fx.store.appendTrades(trades);
    await fx.store.flush();
    // The real store, with a test-controlled pause before trade queries (concurrency test only).
    const store = Object.create(fx.store) as HistoryStore;
    store.queryTrades = async (q) => {
      if (gate) await gate.wait;
      return fx.store.queryTrades(q);
    };
    const security = defaultSecurity();
    security.limits = {
      ...security.limits,
      rateMax: 30,
      historyRateMax: 1000,
      historyConcurrency: 1,
      historyMaxRows: 10_000,
      historyMaxBytes: 1 << 20,
    };
    app = createApiServer({ engine: fx.view, bus: fx.bus, store, security });
    await app.listen({ port: 0, host: '127.0.0.1' });
    base = `http://127.0.0.1:${(app.server.address() as { port: number }).port}`;
  });
  afterAll(async () => {
    await app.close();
    await fx.store.close();
  });

  it('pages a 100k-row history request under the byte cap, every row once, in both orders', async () => {
    for (const order of ['asc', 'desc'] as const) {
      const seen = new Set<string>();
      let cursor: string | null = null;
      let pages = 0;
      let first: string | undefined;
      do {
        const url = `${base}/api/v1/history/trades?instrument=${INSTR}&from=0&limit=50000&order=${order}${cursor ? `&cursor=${cursor}` : ''}`;
        const r = await fetch(url);
        expect(r.status).toBe(200);
        const text = await r.text();
        expect(text.length).toBeLessThanOrEqual(1 << 20);
        const page = JSON.parse(text) as HistoryTradesResponse;
        first ??= page.items[0]!.id;
        for (const t of page.items) {
          expect(seen.has(t.id)).toBe(false);
          seen.add(t.id);
        }
        cursor = page.nextCursor;
        pages++;
      } while (cursor !== null && pages < 100);
      expect(seen.size).toBe(ROWS);
      expect(pages).toBeGreaterThan(5);
      // A reload asking newest-first gets the latest trade first.
      expect(first).toBe(order === 'asc' ? '0' : String(ROWS - 1));
    }
  }, 120_000);

  it('refuses a bad cursor with 400', async () => {
    const r = await fetch(`${base}/api/v1/history/trades?instrument=${INSTR}&cursor=bm9wZQ`);
    expect(r.status).toBe(400);
  });

  it('answers 503 with Retry-After beyond the concurrent history queries', async () => {
    let open!: () => void;
    gate = { wait: new Promise<void>((r) => (open = r)), open: () => open() };
    const slow = fetch(`${base}/api/v1/history/trades?instrument=${INSTR}&from=0&limit=10`);
    await new Promise((r) => setTimeout(r, 100));
    const refused = await fetch(`${base}/api/v1/history/trades?instrument=${INSTR}&from=0&limit=10`);
    expect(refused.status).toBe(503);
    expect(refused.headers.get('retry-after')).toBe('1');
    expect(((await refused.json()) as { message: string }).message).toMatch(/too many history queries/);
    gate.open();
    gate = null;
    expect((await slow).status).toBe(200);
    expect((await fetch(`${base}/api/v1/history/trades?instrument=${INSTR}&from=0&limit=10`)).status).toBe(
      200,
    );
  });

  it('refuses a body over the limit with 413', async () => {
    const r = await fetch(`${base}/api/v1/auth/ws-token`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ pad: 'x'.repeat(100 * 1024) }),
    });
    expect(r.status).toBe(413);
  });

  it('rate-limits per IP with 429, Retry-After and x-ratelimit-* headers (health exempt)', async () => {
    const codes: number[] = [];
    let last: Response | null = null;
    for (let i = 0; i < 40; i++) {
      last = await fetch(`${base}/api/v1/instruments`);
      codes.push(last.status);
      if (last.status === 429) break;
    }
    expect(codes.filter((c) => c === 200).length).toBeLessThanOrEqual(30);
    expect(last!.status).toBe(429);
    expect(Number(last!.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(last!.headers.get('x-ratelimit-limit')).toBe('30');
    expect(last!.headers.get('x-ratelimit-remaining')).toBe('0');
    const body = (await last!.json()) as { error: string; message: string };
    expect(body.error).toBe('Too Many Requests');
    expect((await fetch(`${base}/healthz`)).status).toBe(200);
    // History has its own bucket: still open.
    expect((await fetch(`${base}/api/v1/history/trades?instrument=${INSTR}&from=0&limit=1`)).status).toBe(
      200,
    );
  });
});
