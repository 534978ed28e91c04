/**
 * The client SDK (src/client) against a real API server over loopback: typed REST calls from the route
 * table (results, ApiError with the server's message), and a stream() that survives a server restart
 * on the same port (reconnect with the shared back-off, re-subscription) and ends on close().
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { WebSocket } from 'ws';
import { createApiServer } from '../src/api/server.ts';
import { ApiError, createClient, type SocketLike } from '../src/client/index.ts';
import { BTC, T0, makeFixture, type Fixture } from './api-fixtures.ts';

describe('client SDK against the API server', () => {
  let fx: Fixture;
  let app: FastifyInstance;
  let port: number;

  const start = async (p: number): Promise<FastifyInstance> => {
    const a = createApiServer({
      engine: fx.view,
      bus: fx.bus,
      store: fx.store,
      info: { version: '1.0.0', startedAt: T0 },
    });
    await a.listen({ host: '127.0.0.1', port: p });
    return a;
  };

  beforeAll(async () => {
    fx = await makeFixture();
    app = await start(0);
    port = (app.server.address() as { port: number }).port;
  });
  afterAll(async () => {
    await app.close();
    await fx.store.close();
  });

  const client = () =>
    createClient({
      baseUrl: `http://127.0.0.1:${port}`,
      createSocket: (u) => new WebSocket(u) as unknown as SocketLike,
      minBackoffMs: 20,
      maxBackoffMs: 100,
    });

  it('calls REST routes with typed inputs and results', async () => {
    const dw = client();
    const book = await dw.book({ instrument: BTC, query: { depth: 2 } });
    expect(book.bids).toEqual([
      [60000, 1.2],
      [59999.5, 2],
    ]);
    expect(book.bidsText[0]).toEqual(['60000.00', '1.20000000']);
    const list = await dw.instruments();
    expect(list.items.map((i) => i.instrument)).toContain(BTC);
    const trades = await dw.historyTrades({ query: { instrument: BTC, from: T0, to: T0 + 5000, limit: 2 } });
    expect(trades.items.map((t) => t.id)).toEqual(['9001', '9002']);
    const rest = await dw.historyTrades({
      query: { instrument: BTC, from: T0, to: T0 + 5000, limit: 2, cursor: trades.nextCursor! },
    });
    expect(rest.items.map((t) => t.id)).toEqual(['9003']);
    expect(rest.nextCursor).toBeNull();
    expect(await dw.prometheus()).toContain('depthwatch_info');
    expect((await dw.healthz()).version).toBe('1.0.0');
  });

  it('throws ApiError with the status and the server message', async () => {
    const dw = client();
    const err = await dw.book({ instrument: 'binance:NOPE' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ApiError);
    expect((err as ApiError).status).toBe(404);
    expect((err as ApiError).message).toContain('unknown instrument binance:NOPE');
    const bad = await dw.book({ instrument: BTC, query: { depth: 0 } }).catch((e: unknown) => e);
    expect((bad as ApiError).status).toBe(400);
    const down = createClient({ baseUrl: 'http://127.0.0.1:1' });
    expect(((await down.healthz().catch((e: unknown) => e)) as ApiError).status).toBe(0);
  });

  it('streams channel messages, reconnects and resubscribes across a server restart, ends on close', async () => {
    const dw = client();
    const opens: number[] = [];
    const s = dw.stream({
      channels: ['metrics', 'trades'],
      instruments: [BTC],
      throttleMs: 0,
      onStatus: (st) => opens.push(st.opens),
    });
    const first = await s.next();
    expect(first.value).toMatchObject({ channel: 'metrics', instrument: BTC });
    if (first.value?.channel === 'metrics') expect(first.value.data.sequence).toBe(104);

    await app.close();
    app = await start(port);
    // Wait for the second open, then a trade published on the new server's bus reaches the stream.
    for (let i = 0; i < 100 && Math.max(...opens) < 2; i++) await new Promise((r) => setTimeout(r, 20));
    expect(Math.max(...opens)).toBe(2);
    await new Promise((r) => setTimeout(r, 50));
    fx.bus.publish('trade', {
      type: 'trade',
      instrument: BTC,
      exchangeTs: T0 + 9000,
      localTs: T0 + 9001,
      id: 't-after-restart',
      price: '60010.25',
      size: '0.001',
      side: 'buy',
    });
    let got;
    do got = (await s.next()).value;
    while (got && got.channel !== 'trades');
    expect(got).toMatchObject({
      channel: 'trades',
      data: { id: 't-after-restart', price: 60010.25, priceText: '60010.25', sizeText: '0.001' },
    });
    s.close();
    expect((await s.next()).done).toBe(true);
    expect(s.socket.status.status).toBe('closed');
  });
});
