/**
 * Issue 14 findings on honest state: `/api/v1/metrics/:id` kept serving the last sample as `live` during a
 * resync; `/readyz` said ready while no configured book was live.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { startApp } from '../../src/app/app.ts';
import { loadConfig } from '../../src/config/load.ts';
import type { FastifyInstance } from 'fastify';
import { createApiServer } from '../../src/api/server.ts';
import { readiness } from '../../src/app/startup.ts';
import { startDownstreamStaleness } from '../../src/app/fleet.ts';
import type { BookHealth } from '../../src/book/health.ts';
import { BTC, ETH, T0, depthFrame, makeFixture, type Fixture } from '../api-fixtures.ts';

describe('honest state', () => {
  let fx: Fixture;
  let app: FastifyInstance;

  beforeAll(async () => {
    fx = await makeFixture();
    app = createApiServer({
      engine: fx.view,
      bus: fx.bus,
      store: fx.store,
      ready: () => readiness(fx.view, fx.store, [BTC, ETH]),
    });
    await app.ready();
  });
  afterAll(async () => {
    await app.close();
    await fx.store.close();
  });

  it('marks bus-fed books stale when nothing arrives for N seconds, and says so on the bus', async () => {
    const f = await makeFixture();
    const health: BookHealth[] = [];
    const off = f.bus.subscribe('health', (h) => health.push(h));
    const b = f.engine.books.get(BTC)!;
    expect(b.health.state).toBe('live');
    let now = b.health.lastUpdateLocalTs + 10_000;
    const s = startDownstreamStaleness(f.engine, 15_000, () => now);
    s.check();
    expect(b.health.state).toBe('live');
    now += 6_000;
    s.check();
    expect(b.health.state).toBe('stale');
    expect(b.health.reason).toMatch(/fleet bus delivered nothing for 16000 ms/);
    expect(health.at(-1)).toMatchObject({ instrument: BTC, state: 'stale' });
    // The next event from the bus (e.g. a collector's periodic snapshot) makes it live again, and keeps
    // it live while events keep coming, even when they do not move the book.
    s.seen(BTC);
    expect(b.health.state).toBe('live');
    expect(health.at(-1)).toMatchObject({ instrument: BTC, state: 'live' });
    now += 10_000;
    s.seen(BTC);
    now += 10_000;
    s.check();
    expect(b.health.state).toBe('live');
    s.stop();
    off();
    await f.store.close();
  });

  it('readyz: ready while a configured book is live, 503 naming the states when none is', async () => {
    expect((await app.inject({ url: '/readyz' })).statusCode).toBe(200);
    const none = await readiness(fx.view, fx.store, [ETH, 'okx:BTC-USDT']);
    expect(none).toMatch(
      /no configured book is live \(0\/2\): binance:ETHUSDT syncing.*okx:BTC-USDT connecting/,
    );
  });

  it('metrics served during a resync carry the current state', async () => {
    expect((await app.inject({ url: `/api/v1/metrics/${BTC}` })).json()).toMatchObject({ state: 'live' });
    // A gap (last applied 104, next starts at 200): the book resyncs.
    fx.feed(depthFrame('BTCUSDT', 200, 201, [['59990', '1']], [], T0 + 9_000), T0 + 9_000);
    expect(fx.view.books.get(BTC)!.health.state).not.toBe('live');
    const m = (await app.inject({ url: `/api/v1/metrics/${BTC}` })).json() as { state: string };
    expect(m.state).toBe(fx.view.books.get(BTC)!.health.state);
    const r = await app.inject({ url: '/readyz' });
    expect(r.statusCode).toBe(503);
    expect((r.json() as { message: string }).message).toMatch(/no configured book is live/);
  });
});

describe('an unreachable venue at start (npm start with no network)', () => {
  it('lists the configured instrument as connecting with the last error, and /readyz says not ready', async () => {
    const config = loadConfig(
      undefined,
      {
        instruments: [BTC],
        // Nothing listens on port 9: every connection attempt is refused.
        venues: { binance: { ws: 'ws://127.0.0.1:9', rest: 'http://127.0.0.1:9' } },
        api: {
          host: '127.0.0.1',
          port: 0,
          dashboard: false,
          auth: { keysFile: join(mkdtempSync(join(tmpdir(), 'dw-honest-')), 'k.json') },
        },
        store: { url: 'memory' },
        news: { enabled: false },
        reference: false,
      },
      {},
    );
    const app = await startApp(config, pino({ level: 'silent' }));
    try {
      await vi.waitFor(
        async () => {
          const body = (await (await fetch(`${app.url}/api/v1/instruments`)).json()) as {
            items: { instrument: string; state: string; reason: string | null }[];
          };
          expect(body.items).toHaveLength(1);
          expect(body.items[0]).toMatchObject({ instrument: BTC, state: 'connecting' });
          expect(body.items[0]!.reason).toMatch(/connect failed: .*ECONNREFUSED/);
        },
        { timeout: 15_000, interval: 200 },
      );
      const r = await fetch(`${app.url}/readyz`);
      expect(r.status).toBe(503);
      expect(((await r.json()) as { message: string }).message).toMatch(
        /no configured book is live \(0\/1\): binance:BTCUSDT connecting \(connect failed/,
      );
    } finally {
      await app.close();
    }
  }, 60_000);
});
