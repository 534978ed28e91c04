/**
 * The news poller and service against local HTTP servers (loopback), with the API server and a real
 * WebSocket client: conditional requests answered 304 when a feed is unchanged, per-host back-off on 5xx
 * (other hosts go on), a malformed feed counted and reported in /api/v1/news/sources, a new item stored,
 * published and received by a WebSocket subscriber of the `news` channel, and a burst alert.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { pino } from 'pino';
import { InProcessBus } from '../src/bus/in-process.ts';
import { DuckDbStore } from '../src/store/duckdb.ts';
import { createApiServer } from '../src/api/server.ts';
import type { ApiEngine } from '../src/api/types.ts';
import type { NewsSourcesResponse, NewsResponse, NewsSentimentResponse } from '../src/api/news-routes.ts';
import { NewsService } from '../src/app/news.ts';
import type { AppTopics } from '../src/app/app.ts';
import { newsConfigSchema } from '../src/news/config.ts';
import type { NewsItem } from '../src/news/types.ts';
import type { Alert } from '../src/alerts/types.ts';

const T0 = Date.UTC(2026, 3, 1, 12, 0, 0);

/** An RSS 2.0 document with these items (title, link, date, description). */
function rss(items: { title: string; link: string; at: number; desc?: string }[]): string {
  const body = items
    .map(
      (i) => `<item><title>${i.title}</title><link>${i.link}</link><guid>${i.link}</guid>
        <pubDate>${new Date(i.at).toUTCString()}</pubDate><description><![CDATA[<p>${i.desc ?? ''}</p>]]></description></item>`,
    )
    .join('\n');
  return `<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel><title>Local Wire</title>
    <link>https://wire.example/</link><description>test</description>${body}</channel></rss>`;
}

interface Feeds {
  server: Server;
  url: string;
  /** Requests per path, and how many carried If-None-Match. */
  hits: Map<string, number>;
  conditional: Map<string, number>;
  /** Current body per path; `status` overrides per path. */
  bodies: Map<string, string>;
  status: Map<string, number>;
}

async function feedServer(): Promise<Feeds> {
  const f: Feeds = {
    server: null as unknown as Server,
    url: '',
    hits: new Map(),
    conditional: new Map(),
    bodies: new Map(),
    status: new Map(),
  };
  f.server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const path = req.url!.split('?')[0]!;
    f.hits.set(path, (f.hits.get(path) ?? 0) + 1);
    if (req.headers['if-none-match']) f.conditional.set(path, (f.conditional.get(path) ?? 0) + 1);
    const forced = f.status.get(path);
    if (forced) {
      res.writeHead(forced, { 'content-type': 'text/plain' }).end('unavailable');
      return;
    }
    const body = f.bodies.get(path);
    if (body === undefined) {
      res.writeHead(404).end();
      return;
    }
    const etag = `"${Buffer.from(body).length}-${body.length % 997}-${[...body].reduce((a, c) => (a * 31 + c.charCodeAt(0)) >>> 0, 7)}"`;
    if (req.headers['if-none-match'] === etag) {
      res.writeHead(304, { etag }).end();
      return;
    }
    res.writeHead(200, { etag, 'content-type': 'application/rss+xml; charset=utf-8' }).end(body);
  });
  await new Promise<void>((r) => f.server.listen(0, '127.0.0.1', r));
  f.url = `http://127.0.0.1:${(f.server.address() as AddressInfo).port}`;
  return f;
}

describe('news poller against local HTTP servers', () => {
  let good: Feeds;
  let bad: Feeds;
  let store: DuckDbStore;
  let bus: InProcessBus<AppTopics>;
  let service: NewsService;
  let api: ReturnType<typeof createApiServer>;
  let base: string;
  let clock = T0;
  const alerts: Alert[] = [];
  const published: NewsItem[] = [];

  beforeAll(async () => {
    good = await feedServer();
    bad = await feedServer();
    good.bodies.set(
      '/wire.rss',
      rss([
        {
          title: 'Bitcoin steadies after a volatile week',
          link: 'https://wire.example/a',
          at: T0 - 3_600_000,
        },
        { title: 'Ethereum developers set upgrade date', link: 'https://wire.example/b', at: T0 - 1_800_000 },
      ]),
    );
    good.bodies.set('/broken.rss', '<html><body>502 from an upstream proxy, served as 200</body></html>');
    bad.status.set('/down.rss', 503);
    store = new DuckDbStore({ path: ':memory:' });
    await store.init();
    bus = new InProcessBus<AppTopics>();
    bus.subscribe('alert', (a) => alerts.push(a));
    bus.subscribe('news', (n) => published.push(n));
    const config = newsConfigSchema.parse({
      sources: [
        { id: 'wire', url: `${good.url}/wire.rss`, intervalMs: 60_000, priority: 1 },
        { id: 'broken', url: `${good.url}/broken.rss`, intervalMs: 60_000, priority: 2 },
        { id: 'down', url: `${bad.url}/down.rss`, intervalMs: 60_000, priority: 0 },
        { id: 'down2', url: `${bad.url}/down2.rss`, intervalMs: 60_000, priority: 3 },
      ],
      cryptopanic: { tokenEnv: 'DW_TEST_CRYPTOPANIC_TOKEN' },
      backoff: { baseMs: 120_000, maxMs: 600_000 },
      burst: { windowMs: 900_000, minItems: 3, factor: 3 },
      watch: ['BTC'],
      timeoutMs: 5_000,
    });
    service = new NewsService({
      config,
      instruments: ['binance:BTCUSDT'],
      store,
      bus,
      logger: pino({ level: 'silent' }),
      env: {},
      now: () => clock,
    });
    const engine = { books: new Map(), latest: new Map(), dropped: {}, frames: {} } as unknown as ApiEngine;
    api = createApiServer({ engine, bus, store, newsSources: () => service.status() });
    base = (await api.listen({ host: '127.0.0.1', port: 0 })).replace('[::]', '127.0.0.1');
  });

  afterAll(async () => {
    await service?.stop();
    await api?.close();
    await store?.close();
    await new Promise((r) => good.server.close(r));
    await new Promise((r) => bad.server.close(r));
  });

  it('first poll: items stored and published; the 503 host backed off; the malformed feed counted and reported', async () => {
    await service.poller.pollDue();
    expect(published.map((n) => n.title)).toEqual([
      'Bitcoin steadies after a volatile week',
      'Ethereum developers set upgrade date',
    ]);
    expect(published[0]!.assets).toEqual(['BTC']);
    expect(published[0]!.instruments).toEqual(['binance:BTCUSDT']);
    const page = (await (await fetch(`${base}/api/v1/news?asset=ETH`)).json()) as NewsResponse;
    expect(page.items.map((i) => i.title)).toEqual(['Ethereum developers set upgrade date']);

    const res = (await (await fetch(`${base}/api/v1/news/sources`)).json()) as NewsSourcesResponse;
    expect(res.polling).toBe(true);
    const by = Object.fromEntries(res.items.map((s) => [s.id, s]));
    expect(res.items.map((s) => s.id)).toEqual(['cryptopanic', 'down', 'wire', 'broken', 'down2']);
    expect(by.wire!.state).toBe('ok');
    expect(by.wire!.counters).toMatchObject({ polls: 1, fetched: 1, itemsSeen: 2, itemsNew: 2, errors: 0 });
    expect(by.broken!.state).toBe('error');
    expect(by.broken!.counters.malformed).toBe(1);
    expect(by.broken!.lastError).toMatch(/^malformed feed \(not_a_feed\)/);
    expect(by.down!.state).toBe('backoff');
    expect(by.down!.lastError).toMatch(
      /^HTTP 503 Service Unavailable \(host 127\.0\.0\.1:\d+ backed off \d+ s\)/,
    );
    // The whole host waits: its second source was not even asked.
    expect(bad.hits.get('/down.rss')).toBe(1);
    expect(bad.hits.get('/down2.rss')).toBeUndefined();
    expect(by.down2!.counters.polls).toBe(0);
    // CryptoPanic without its token variable: listed, disabled, saying why; no token text anywhere.
    expect(by.cryptopanic!.enabled).toBe(false);
    expect(by.cryptopanic!.state).toBe('disabled');
    expect(by.cryptopanic!.lastError).toBe('set DW_TEST_CRYPTOPANIC_TOKEN to poll cryptopanic');
  });

  it('unchanged feeds answer 304 to the conditional request; the backed-off host is left alone until its delay', async () => {
    clock += 60_000; // every source due again (forced below)
    // The 503 host's delay is uniform in [0, 120 s) (full jitter): still waiting, or due again.
    const hostBlocked = service.status().find((s) => s.id === 'down')!.nextPollAt! > clock;
    await service.poller.pollDue(true);
    const wire = service.status().find((s) => s.id === 'wire')!;
    expect(good.conditional.get('/wire.rss')).toBe(1);
    expect(wire.counters).toMatchObject({ polls: 2, fetched: 1, notModified: 1 });
    expect(published).toHaveLength(2);
    // The broken feed is refetched in full (its validators were not kept) and counted again.
    expect(good.conditional.get('/broken.rss')).toBeUndefined();
    expect(service.status().find((s) => s.id === 'broken')!.counters.malformed).toBe(2);
    expect(bad.hits.get('/down.rss')).toBe(hostBlocked ? 1 : 2);
    clock += 700_000; // past the largest delay (maxMs 600 s)
    await service.poller.pollDue();
    expect(bad.hits.get('/down.rss')).toBeGreaterThanOrEqual(2);
    // Still 503: the host is backed off again before its other source's turn.
    expect(bad.hits.get('/down2.rss')).toBeUndefined();
    // The server recovers: the next poll succeeds and resets the host's back-off.
    bad.status.delete('/down.rss');
    bad.bodies.set(
      '/down.rss',
      rss([{ title: 'Solana validators vote', link: 'https://wire.example/s', at: clock - 60_000 }]),
    );
    clock += 700_000;
    await service.poller.pollDue();
    const after = service.status().find((s) => s.id === 'down')!;
    expect(after.state).toBe('ok');
    expect(after.lastError).toBeNull();
    // Its neighbour is asked at last; a 404 is that source's error only (no host back-off).
    const down2 = service.status().find((s) => s.id === 'down2')!;
    expect(bad.hits.get('/down2.rss')).toBe(1);
    expect(down2).toMatchObject({ state: 'error', lastError: 'HTTP 404 Not Found' });
    expect(published.map((n) => n.title)).toContain('Solana validators vote');
  });

  it('a new item in a feed reaches a WebSocket subscriber of the news channel, once, under its asset', async () => {
    const ws = new WebSocket(base.replace('http', 'ws') + '/ws');
    const got: { channel: string; instrument: string; data: NewsItem }[] = [];
    const acks: unknown[] = [];
    ws.on('message', (d) => {
      const m = JSON.parse(String(d)) as { channel?: string; op?: string };
      if (m.channel === 'news' && m.op === undefined) got.push(m as never);
      else acks.push(m);
    });
    await new Promise((r) => ws.once('open', r));
    ws.send(JSON.stringify({ op: 'subscribe', channel: 'news', instrument: '*' }));
    ws.send(JSON.stringify({ op: 'subscribe', channel: 'news', instrument: 'asset:BTC' }));
    ws.send(JSON.stringify({ op: 'subscribe', channel: 'news', instrument: 'binance:BTCUSDT' }));
    await new Promise((r) => setTimeout(r, 200));
    expect(acks).toContainEqual(
      expect.objectContaining({ op: 'subscribed', channel: 'news', instrument: '*' }),
    );
    expect(acks).toContainEqual(
      expect.objectContaining({ error: expect.stringMatching(/news subscriptions take/) }),
    );

    // Three Bitcoin headlines within minutes (and the two older items): a burst on a watched asset.
    const now = clock;
    good.bodies.set(
      '/wire.rss',
      rss([
        {
          title: 'Bitcoin breaks out above resistance',
          link: 'https://wire.example/c',
          at: now - 120_000,
          desc: 'Traders cheer a strong rally.',
        },
        { title: 'BTC funding rates jump', link: 'https://wire.example/d', at: now - 60_000 },
        { title: 'Bitcoin ETF inflows hit a record', link: 'https://wire.example/e', at: now - 30_000 },
        {
          title: 'Bitcoin steadies after a volatile week',
          link: 'https://wire.example/a',
          at: T0 - 3_600_000,
        },
        { title: 'Ethereum developers set upgrade date', link: 'https://wire.example/b', at: T0 - 1_800_000 },
      ]),
    );
    await service.poller.pollDue(true);
    const deadline = Date.now() + 5000;
    while (got.length < 3 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    ws.close();
    expect(got.map((m) => m.data.title)).toEqual([
      'Bitcoin breaks out above resistance',
      'BTC funding rates jump',
      'Bitcoin ETF inflows hit a record',
    ]);
    expect(got.every((m) => m.instrument === 'asset:BTC')).toBe(true);
    expect(got[0]!.data.sentiment.compound).toBeGreaterThan(0.05);
    // Stored once each.
    const stored = (await (await fetch(`${base}/api/v1/news?asset=BTC&limit=100`)).json()) as NewsResponse;
    expect(stored.items.map((i) => i.title).filter((t) => t.startsWith('Bitcoin breaks'))).toHaveLength(1);
    // The burst detector fired once for BTC.
    const burst = alerts.filter((a) => a.ruleId === 'news_burst');
    expect(burst).toHaveLength(1);
    expect(burst[0]).toMatchObject({
      instrument: 'news:BTC',
      kind: 'event',
      metric: 'news.burst',
      severity: 'warning',
    });
    const s = (await (
      await fetch(`${base}/api/v1/news/sentiment?asset=BTC&to=${clock}`)
    ).json()) as NewsSentimentResponse;
    expect(s.assets[0]!.asset).toBe('BTC');
    expect(s.assets[0]!.windows['1h'].count).toBe(3);
    expect(s.assets[0]!.burst.active).toBe(true);
    expect(s.assets[0]!.series!.length).toBe(97);
  });
});
