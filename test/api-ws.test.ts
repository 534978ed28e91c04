import { EventEmitter } from 'node:events';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import WebSocket from 'ws';
import type { FastifyInstance } from 'fastify';
import { createApiServer } from '../src/api/server.ts';
import { WsHub } from '../src/api/ws-hub.ts';
import type { WsServerMessage } from '../src/api/types.ts';
import type { BookView } from '../src/pipeline/topics.ts';
import type { MetricsSample } from '../src/analytics/types.ts';
import type { Trade } from '../src/core/model.ts';
import { InProcessBus } from '../src/bus/in-process.ts';
import { BTC, T0, depthFrame, makeFixture, tradeFrame, type Fixture } from './api-fixtures.ts';
import type { OutputTopics } from '../src/alerts/topics.ts';
import { LatencyHistograms } from '../src/pipeline/latency.ts';

type Msg = WsServerMessage & Record<string, unknown>;

/** A ws client that records every message it receives. */
async function connect(url: string): Promise<{ ws: WebSocket; msgs: Msg[]; send: (o: unknown) => void }> {
  const ws = new WebSocket(url);
  const msgs: Msg[] = [];
  ws.on('message', (d) => msgs.push(JSON.parse(String(d)) as Msg));
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('error', reject);
  });
  return { ws, msgs, send: (o) => ws.send(typeof o === 'string' ? o : JSON.stringify(o)) };
}

const until = (cond: () => boolean) =>
  vi.waitFor(() => expect(cond()).toBe(true), { timeout: 5000, interval: 10 });

describe('WebSocket /ws with a real client', () => {
  let fx: Fixture;
  let app: FastifyInstance;
  let url: string;

  beforeAll(async () => {
    fx = await makeFixture();
    app = createApiServer({
      engine: fx.view,
      bus: fx.bus,
      store: fx.store,
      ws: { maxConnectionsPerIp: 2 },
    });
    await app.listen({ port: 0, host: '127.0.0.1' });
    const addr = app.server.address() as { port: number };
    url = `ws://127.0.0.1:${addr.port}/ws`;
  });
  afterAll(async () => {
    await app.close();
    await fx.store.close();
  });

  it('sends the current value on subscribe, then throttled and conflated updates', async () => {
    const c = await connect(url);
    c.send({ op: 'subscribe', channel: 'metrics', instrument: BTC, throttleMs: 50 });
    c.send({ op: 'subscribe', channel: 'book', instrument: '*' });
    await until(() => c.msgs.filter((m) => 'data' in m).length >= 2);
    expect(c.msgs[0]).toEqual({
      op: 'subscribed',
      channel: 'metrics',
      instrument: BTC,
      throttleMs: 50,
      known: true,
    });
    const firstMetrics = c.msgs.find((m) => 'data' in m && m.channel === 'metrics')!;
    expect((firstMetrics.data as MetricsSample).sequence).toBe(104);
    const firstBook = c.msgs.find((m) => 'data' in m && m.channel === 'book' && m.instrument === BTC)!;
    expect((firstBook.data as BookView).bids[0]).toEqual([60000, 1.2]);
    expect(c.msgs.find((m) => m.op === 'subscribed' && m.channel === 'book')).toMatchObject({
      throttleMs: 250,
    });

    // Five book updates in one synchronous burst: at most the leading one plus the latest go out.
    const before = c.msgs.length;
    for (let i = 0; i < 5; i++) {
      const u = 105 + 2 * i;
      fx.feed(
        depthFrame('BTCUSDT', u, u + 1, [['60000.00', `${2 + i}.00000000`]], [], T0 + 400 + i),
        T0 + 405 + i,
      );
    }
    await until(() =>
      c.msgs.some(
        (m) => 'data' in m && m.channel === 'metrics' && (m.data as MetricsSample).sequence === 114,
      ),
    );
    await until(() =>
      c.msgs.some((m) => 'data' in m && m.channel === 'book' && (m.data as BookView).sequence === 114),
    );
    const after = c.msgs.slice(before);
    const metrics = after.filter((m) => 'data' in m && m.channel === 'metrics');
    const books = after.filter((m) => 'data' in m && m.channel === 'book');
    expect(metrics.length).toBeGreaterThanOrEqual(1);
    expect(metrics.length).toBeLessThanOrEqual(2);
    expect(books.length).toBeLessThanOrEqual(2);
    expect((metrics.at(-1)!.data as MetricsSample).metrics.bestBidSize).toBe(6);
    expect((books.at(-1)!.data as BookView).bids[0]).toEqual([60000, 6]);
    c.ws.close();
  });

  it('streams every trade unconflated and answers ping, unsubscribe and bad messages', async () => {
    const c = await connect(url);
    c.send({ op: 'subscribe', channel: 'trades', instrument: BTC });
    await until(() => c.msgs.some((m) => m.op === 'subscribed'));
    for (let i = 0; i < 4; i++)
      fx.feed(tradeFrame('BTCUSDT', 9100 + i, '60000.00', '0.01', i % 2 === 0, T0 + 2000 + i), T0 + 2001 + i);
    await until(() => c.msgs.filter((m) => 'data' in m && m.channel === 'trades').length === 4);
    expect(
      c.msgs.filter((m) => 'data' in m && m.channel === 'trades').map((m) => (m.data as Trade).id),
    ).toEqual(['9100', '9101', '9102', '9103']);
    c.send({ op: 'ping' });
    await until(() => c.msgs.some((m) => m.op === 'pong'));
    c.send({ op: 'unsubscribe', channel: 'trades', instrument: BTC });
    await until(() => c.msgs.some((m) => m.op === 'unsubscribed'));
    fx.feed(tradeFrame('BTCUSDT', 9200, '60000.00', '0.01', true, T0 + 3000), T0 + 3001);
    c.send('not json');
    c.send({ op: 'subscribe', channel: 'klines', instrument: BTC });
    c.send({ op: 'subscribe', channel: 'book', instrument: 'BTCUSDT' });
    await until(() => c.msgs.filter((m) => 'error' in m).length === 3);
    const errors = c.msgs.filter((m) => 'error' in m).map((m) => m.error as string);
    expect(errors[0]).toMatch(/JSON/);
    expect(errors[1]).toMatch(/channel/);
    expect(errors[2]).toMatch(/instrument/);
    expect(c.msgs.filter((m) => 'data' in m && m.channel === 'trades')).toHaveLength(4);
    c.ws.close();
  });

  it('refuses connections beyond the per-IP limit with 429 and counts clients in /metrics', async () => {
    const a = await connect(url);
    const b = await connect(url);
    const status = await new Promise<number>((resolve) => {
      const ws = new WebSocket(url);
      ws.on('error', () => {});
      ws.on('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
      ws.on('open', () => resolve(101));
    });
    expect(status).toBe(429);
    const m = await app.inject({ method: 'GET', url: '/metrics' });
    expect(m.body).toContain('depthwatch_ws_clients 2');
    expect(m.body).toContain('depthwatch_ws_connections_rejected_total 1');
    a.ws.close();
    b.ws.close();
    await vi.waitFor(
      async () =>
        expect((await app.inject({ method: 'GET', url: '/metrics' })).body).toContain(
          'depthwatch_ws_clients 0',
        ),
      { timeout: 5000 },
    );
  });
});

/** A socket double whose send buffer the test controls. */
class FakeSocket extends EventEmitter {
  readyState = 1;
  bufferedAmount = 0;
  sent: Msg[] = [];
  closedWith: number | null = null;
  send(text: string): void {
    this.sent.push(JSON.parse(text) as Msg);
  }
  close(code: number): void {
    this.closedWith = code;
    this.readyState = 3;
  }
  terminate(): void {
    this.readyState = 3;
  }
  ping(): void {}
}

describe('WsHub slow-consumer handling', () => {
  const top = (sequence: number): BookView => ({
    instrument: BTC,
    exchangeTs: T0,
    localTs: T0,
    sequence,
    state: 'live',
    bids: [[60000, sequence]],
    asks: [[60001, 1]],
  });

  it('conflates a slow client to the latest value, drops its trades, then closes it with 1013', async () => {
    const bus = new InProcessBus<OutputTopics>();
    const engine = { books: new Map(), latest: new Map(), dropped: {}, frames: {} };
    const hub = new WsHub(engine, bus, { slowBufferBytes: 1000, dropBufferBytes: 5000 });
    const s = new FakeSocket();
    hub.add(s as unknown as WebSocket, '10.0.0.1');
    s.emit(
      'message',
      Buffer.from(JSON.stringify({ op: 'subscribe', channel: 'book', instrument: BTC, throttleMs: 0 })),
      false,
    );
    s.emit(
      'message',
      Buffer.from(JSON.stringify({ op: 'subscribe', channel: 'trades', instrument: '*' })),
      false,
    );
    expect(s.sent.filter((m) => m.op === 'subscribed')).toHaveLength(2);

    bus.publish('book', top(1));
    expect(s.sent.filter((m) => 'data' in m && m.channel === 'book')).toHaveLength(1); // fast client: immediate

    s.bufferedAmount = 2000; // slow: conflate
    bus.publish('book', top(2));
    bus.publish('book', top(3));
    bus.publish('trade', {
      type: 'trade',
      instrument: BTC,
      exchangeTs: T0,
      localTs: T0,
      id: '1',
      price: '60000',
      size: '1',
      side: 'buy',
    });
    expect(s.sent.filter((m) => 'data' in m && m.channel === 'book')).toHaveLength(1);
    expect(s.sent.filter((m) => 'data' in m && m.channel === 'trades')).toHaveLength(0);
    expect(hub.stats.conflated).toBe(2); // book 2 replaced by 3, trade dropped

    s.bufferedAmount = 0; // drained: the latest value goes out on the retry
    await vi.waitFor(
      () => expect(s.sent.filter((m) => 'data' in m && m.channel === 'book')).toHaveLength(2),
      { timeout: 5000 },
    );
    expect((s.sent.filter((m) => 'data' in m && m.channel === 'book')[1]!.data as BookView).sequence).toBe(3);

    s.bufferedAmount = 6000; // beyond the hard limit
    bus.publish('book', top(4));
    expect(s.closedWith).toBe(1013);
    expect(hub.stats.dropped).toEqual({ slow: 1 });
    expect(hub.stats.clients).toBe(0);
    bus.publish('book', top(5));
    expect(s.sent.filter((m) => 'data' in m && m.channel === 'book')).toHaveLength(2);
    hub.close();
  });

  it('terminates a client that misses a heartbeat and keeps one that answers', () => {
    vi.useFakeTimers();
    try {
      const bus = new InProcessBus<OutputTopics>();
      const engine = { books: new Map(), latest: new Map(), dropped: {}, frames: {} };
      const hub = new WsHub(engine, bus, { heartbeatMs: 1000 });
      const silent = new FakeSocket();
      const answering = new FakeSocket();
      let pings = 0;
      answering.ping = () => {
        pings++;
        answering.emit('pong');
      };
      hub.add(silent as unknown as WebSocket, '10.0.0.3');
      hub.add(answering as unknown as WebSocket, '10.0.0.4');
      vi.advanceTimersByTime(1000);
      expect(silent.readyState).toBe(1);
      vi.advanceTimersByTime(1000);
      expect(silent.readyState).toBe(3);
      expect(hub.stats.dropped).toEqual({ heartbeat: 1 });
      vi.advanceTimersByTime(3000);
      expect(answering.readyState).toBe(1);
      expect(pings).toBe(5);
      expect(hub.stats.clients).toBe(1);
      hub.close();
    } finally {
      vi.useRealTimers();
    }
  });

  it('queues trades of a throttled subscription and sends them all, in order, once per window', () => {
    vi.useFakeTimers();
    try {
      const bus = new InProcessBus<OutputTopics>();
      const engine = { books: new Map(), latest: new Map(), dropped: {}, frames: {} };
      const hub = new WsHub(engine, bus);
      const s = new FakeSocket();
      hub.add(s as unknown as WebSocket, '10.0.0.5');
      s.emit(
        'message',
        Buffer.from(JSON.stringify({ op: 'subscribe', channel: 'trades', instrument: BTC, throttleMs: 100 })),
        false,
      );
      const trade = (id: string): Trade => ({
        type: 'trade',
        instrument: BTC,
        exchangeTs: T0,
        localTs: T0,
        id,
        price: '60000',
        size: '1',
        side: 'sell',
      });
      bus.publish('trade', trade('a'));
      bus.publish('trade', trade('b'));
      bus.publish('trade', { ...trade('x'), instrument: 'binance:ETHUSDT' });
      bus.publish('trade', trade('c'));
      const trades = () => s.sent.filter((m) => 'data' in m).map((m) => (m.data as Trade).id);
      expect(trades()).toEqual([]);
      vi.advanceTimersByTime(100);
      expect(trades()).toEqual(['a', 'b', 'c']);
      bus.publish('trade', trade('d'));
      vi.advanceTimersByTime(99);
      expect(trades()).toEqual(['a', 'b', 'c']);
      vi.advanceTimersByTime(1);
      expect(trades()).toEqual(['a', 'b', 'c', 'd']);
      expect(hub.stats.conflated).toBe(0);
      hub.close();
    } finally {
      vi.useRealTimers();
    }
  });

  it('counts one metrics_send latency per metrics message written, immediate and throttled alike', async () => {
    const bus = new InProcessBus<OutputTopics>();
    const engine = { books: new Map(), latest: new Map(), dropped: {}, frames: {} };
    const latency = new LatencyHistograms();
    const hub = new WsHub(engine, bus, { latency });
    const fast = new FakeSocket();
    const slow = new FakeSocket();
    hub.add(fast as unknown as WebSocket, '10.0.0.7');
    hub.add(slow as unknown as WebSocket, '10.0.0.8');
    const sub = (s: FakeSocket, throttleMs: number) =>
      s.emit(
        'message',
        Buffer.from(JSON.stringify({ op: 'subscribe', channel: 'metrics', instrument: BTC, throttleMs })),
        false,
      );
    sub(fast, 0);
    sub(slow, 40);
    const sample = (sequence: number): MetricsSample => ({
      instrument: BTC,
      exchangeTs: T0,
      localTs: T0,
      state: 'live',
      sequence,
      metrics: {} as MetricsSample['metrics'],
    });
    for (let i = 1; i <= 5; i++) bus.publish('metrics', sample(i));
    const data = (s: FakeSocket) => s.sent.filter((m) => 'data' in m && m.channel === 'metrics').length;
    // The throttled client gets the first at once and the latest after its window (3 conflated away).
    await vi.waitFor(() => expect(data(slow)).toBe(2), { timeout: 2000 });
    expect(data(fast)).toBe(5);
    expect(latency.count('metrics_send', 'binance')).toBe(7);
    expect(latency.count('metrics_send')).toBe(data(fast) + data(slow));
    const h = latency.summaries().find((x) => x.step === 'metrics_send')!;
    // The conflated one waited for its window: at least ~40 ms, the rest were written at once.
    expect(h.maxMs).toBeGreaterThanOrEqual(30);
    hub.close();
  });

  it('listens to the bus book topic only while some client subscribes to books (the engine skips the views otherwise)', () => {
    const bus = new InProcessBus<OutputTopics>();
    const engine = { books: new Map(), latest: new Map(), dropped: {}, frames: {} };
    const hub = new WsHub(engine, bus);
    const say = (s: FakeSocket, o: unknown): boolean =>
      s.emit('message', Buffer.from(JSON.stringify(o)), false);
    const a = new FakeSocket();
    const b = new FakeSocket();
    hub.add(a as unknown as WebSocket, '10.0.0.6');
    hub.add(b as unknown as WebSocket, '10.0.0.6');
    say(a, { op: 'subscribe', channel: 'metrics', instrument: '*' });
    expect(bus.hasSubscribers('book')).toBe(false);
    say(a, { op: 'subscribe', channel: 'book', instrument: BTC });
    say(b, { op: 'subscribe', channel: 'book', instrument: '*' });
    expect(bus.hasSubscribers('book')).toBe(true);
    say(a, { op: 'unsubscribe', channel: 'book', instrument: BTC });
    expect(bus.hasSubscribers('book')).toBe(true); // b still watches
    const top: BookView = {
      instrument: BTC,
      exchangeTs: T0,
      localTs: T0,
      sequence: 1,
      state: 'live',
      bids: [[1, 1]],
      asks: [[2, 1]],
    };
    bus.publish('book', top);
    expect(
      b.sent.some((m) => m.channel === 'book' && 'data' in m && (m.data as BookView).sequence === 1),
    ).toBe(true);
    expect(a.sent.some((m) => m.channel === 'book' && 'data' in m)).toBe(false);
    b.emit('close');
    expect(bus.hasSubscribers('book')).toBe(false);
    say(a, { op: 'subscribe', channel: 'book', instrument: '*' });
    expect(bus.hasSubscribers('book')).toBe(true);
    hub.close();
    expect(bus.hasSubscribers('book')).toBe(false);
  });

  it('closes a client beyond the per-IP limit with 1008 and frees the slot on close', () => {
    const bus = new InProcessBus<OutputTopics>();
    const engine = { books: new Map(), latest: new Map(), dropped: {}, frames: {} };
    const hub = new WsHub(engine, bus, { maxConnectionsPerIp: 1 });
    const a = new FakeSocket();
    const b = new FakeSocket();
    hub.add(a as unknown as WebSocket, '10.0.0.2');
    hub.add(b as unknown as WebSocket, '10.0.0.2');
    expect(b.closedWith).toBe(1008);
    expect(hub.stats.rejected).toBe(1);
    a.emit('close');
    expect(hub.admits('10.0.0.2')).toBe(true);
    hub.close();
  });
});
