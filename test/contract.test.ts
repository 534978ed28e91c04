/**
 * Contract conformance on real recordings: the three simultaneous Binance BTC recordings of 2024-08-08
 * (spot, USD-M, COIN-M) replayed through the whole product (books, analytics, consolidation group and
 * watchlist, alerts, book snapshots, heatmap runs, a DuckDB history store, imported news), then the API
 * server over that state. Every route of the contract table is called with good and bad inputs and each
 * answer is checked against the route's response schema or the error body with a declared status;
 * every WebSocket channel's messages are checked against the channel schemas; the server registers
 * no route missing from the table, and the generated OpenAPI/AsyncAPI documents cover every route and
 * channel.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { WebSocket } from 'ws';
import { z } from 'zod';
import { createApiServer } from '../src/api/server.ts';
import { engineView } from '../src/api/types.ts';
import {
  ErrorBody,
  UNTABLED_PREFIXES,
  WS_CHANNELS,
  WsControlMessage,
  WsDataMessage,
  routeErrors,
  routeUrl,
  routes,
  type RouteDef,
  type RouteName,
  type WsChannel,
} from '../src/contract/index.ts';
import { openRecording } from '../src/recording/index.ts';
import { Replay } from '../src/replay/replay.ts';
import { DuckDbStore } from '../src/store/duckdb.ts';
import { AlertEngine } from '../src/alerts/engine.ts';
import { connectAlerts } from '../src/alerts/wire.ts';
import { startBookHistory } from '../src/app/book-history.ts';
import { importNewsFiles } from '../src/app/news-import.ts';
import { AssetTagger } from '../src/news/assets.ts';
import type { Trade } from '../src/core/model.ts';
import type { Alert } from '../src/alerts/types.ts';
import type { AnalyticsEvent } from '../src/analytics/instrument.ts';
import type { Bus } from '../src/core/bus.ts';
import type { NewsTopics } from '../src/news/topics.ts';
import type { NewsItem } from '../src/news/types.ts';
import { SsiService } from '../src/app/ssi-service.ts';
import { ssiConfigSchema } from '../src/config/ssi.ts';

const D = '../shared/data/binance-hftbacktest';
const FILES = [
  `${D}/spot/btcusdt_20240808.gz`,
  `${D}/usdm/btcusdt_20240808.gz`,
  `${D}/cm/btcusd_perp_20240808.gz`,
];
const SPOT = 'binance:BTCUSDT';
const MEMBERS = [SPOT, 'binance-usdm:BTCUSDT', 'binance-coinm:BTCUSD_PERP'];
const START = Date.UTC(2024, 7, 8, 23, 54, 0);
const END = START + 60_000;
const NEWS = join('..', 'shared', 'data', 'news', 'coindesk-2025-12-12.rss');
const SSI_FILES = ['ssi_b_messages.first72.jsonl', 'ssi_mi_messages.jsonl', 'ssi_doc_samples.jsonl'].map(
  (f) => join('..', 'shared', 'data', 'ssi', 'stream', f),
);

/** One request of the walk: route, inputs, and the statuses it may answer. */
interface Call {
  params?: Record<string, string>;
  query?: Record<string, string | number>;
  body?: unknown;
  /** Expected status (the route's success status when omitted). */
  status?: number;
}

const range = { from: START - 60_000, to: END + 60_000 };
/**
 * Calls per route: a typed record, so a route added to the table without calls here fails to compile.
 * Each route gets at least one success (where this node can answer one) and its declared errors.
 */
const CALLS: Record<RouteName, Call[]> = {
  instruments: [{}, { query: { limit: 1 } }, { query: { limit: 0 }, status: 400 }],
  funding: [{}, { query: { venue: 'binance-usdm', limit: 5 } }, { query: { limit: 0 }, status: 400 }],
  book: [
    { params: { instrument: SPOT }, query: { depth: 5 } },
    { params: { instrument: 'binance:NOPE' }, status: 404 },
    { params: { instrument: 'nocolon' }, status: 400 },
  ],
  metrics: [{ params: { instrument: SPOT } }, { params: { instrument: 'binance:NOPE' }, status: 404 }],
  analytics: [
    { params: { instrument: SPOT }, query: { candles: 5 } },
    { params: { instrument: 'binance:NOPE' }, status: 404 },
  ],
  historyMetrics: [
    { query: { instrument: SPOT, ...range, limit: 10 } },
    { query: { instrument: SPOT, ...range, interval: '10s' } },
    { query: { instrument: 'consolidated:BTC-USD', ...range } },
    { query: { instrument: 'binance:NOPE', ...range }, status: 404 },
    { query: { instrument: SPOT, from: 'yesterday' }, status: 400 },
  ],
  historyTrades: [
    { query: { instrument: SPOT, ...range, limit: 50 } },
    { query: { instrument: 'binance:NOPE', ...range }, status: 404 },
  ],
  historyOrderbook: [
    { query: { instrument: SPOT, ...range, depth: 5 } },
    { query: { instrument: SPOT, at: END } },
    { query: { instrument: 'binance:NOPE', ...range }, status: 404 },
  ],
  historyCandles: [
    { query: { instrument: SPOT, ...range, interval: '1s', limit: 30 } },
    { query: { instrument: SPOT, interval: '3m' }, status: 400 },
  ],
  historyHeatmap: [
    { query: { instrument: SPOT, ...range, limit: 100 } },
    { query: { instrument: 'consolidated:BTC-USD', ...range, limit: 100 } },
    { query: { instrument: 'binance:NOPE', ...range }, status: 404 },
  ],
  historyEvents: [
    { query: { group: 'BTC-USD', limit: 5 } },
    { query: { kind: 'crossed', instrument: SPOT } },
    { query: { from: '2024-08-09T00:00:00Z', to: '2024-08-08T00:00:00Z' }, status: 400 },
    { query: { kind: 'funding' }, status: 400 },
  ],
  alerts: [
    { query: { limit: 5 } },
    { query: { instrument: SPOT, severity: 'warning' } },
    { query: { instrument: 'binance:NOPE' }, status: 404 },
    { query: { cursor: '!!' }, status: 400 },
  ],
  alertRules: [{}],
  news: [{ query: { asset: 'BTC', limit: 5 } }, {}, { query: { limit: 5000 }, status: 400 }],
  newsSentiment: [{}, { query: { asset: 'BTC', to: '2025-12-12T12:00:00Z' } }],
  newsSources: [{}],
  consolidatedList: [{}],
  consolidated: [
    { params: { group: 'BTC-USD' } },
    { params: { group: 'BTC-USD' }, query: { depth: 5, bucket: 10 } },
    { params: { group: 'BTC-USD' }, query: { bucket: -1 }, status: 400 },
    { params: { group: 'NOPE' }, status: 404 },
  ],
  consolidatedHeatmap: [
    { params: { group: 'BTC-USD' }, query: { ...range, limit: 100 } },
    { params: { group: 'BTC-USD' }, query: { ...range, bucket: 50 } },
    { params: { group: 'BTC-USD' }, query: { bucket: 15 }, status: 400 },
    { params: { group: 'NOPE' }, status: 404 },
  ],
  watchlist: [{}, { query: { limit: 2 } }],
  replayList: [{ status: 501 }],
  replayCreate: [
    { body: { files: ['x.gz'] }, status: 501 },
    { body: { files: [] }, status: 400 },
  ],
  replayGet: [{ params: { id: 'nope' }, status: 501 }],
  replayControl: [{ params: { id: 'nope' }, body: { speed: 2 }, status: 501 }],
  replayStep: [{ params: { id: 'nope' }, body: {}, status: 501 }],
  replayDelete: [{ params: { id: 'nope' }, status: 501 }],
  // The SSI market of this node: the recorded SSI messages (the 501 of a node without one: test/market-api.test.ts).
  marketSymbols: [{}],
  marketSymbol: [{ params: { symbol: 'VCB' } }, { params: { symbol: 'NOPE' }, status: 404 }],
  marketForeign: [{}],
  marketIndices: [{}],
  marketIndex: [{ params: { id: 'VNINDEX' } }, { params: { id: 'NOPE' }, status: 404 }],
  marketBasis: [{}],
  authWsToken: [{}],
  authWhoami: [{}],
  replayMarks: [{ params: { id: 'nope' }, status: 501 }],
  replayFiles: [{ status: 501 }],
  healthz: [{}],
  readyz: [{}],
  prometheus: [{}],
  ws: [],
  openapi: [{}],
  asyncapi: [{}],
};

describe('API contract conformance over the recorded Binance BTC market', () => {
  let app: FastifyInstance;
  let store: DuckDbStore;
  let replay: Replay;
  let url: string;
  const registered: { method: string; url: string }[] = [];
  let lastTrade: Trade | undefined;
  let lastAlert: Alert | undefined;
  let lastWall: AnalyticsEvent | undefined;
  let newsItem: NewsItem | undefined;

  beforeAll(async () => {
    store = new DuckDbStore({ path: ':memory:', flushIntervalMs: 60_000, retentionDays: {} });
    await store.init();
    replay = new Replay(await openRecording(FILES), {
      from: START,
      to: END,
      progressEvery: 500,
      engine: {
        consolidation: {
          groups: [{ name: 'BTC-USD', members: MEMBERS }],
          watchlist: { lists: { majors: MEMBERS } },
        },
      },
      onProgress: (p) => {
        if (p.localTs >= START) history.snapshot();
      },
    });
    const bus = replay.bus;
    let clock = START;
    const history = startBookHistory({
      engine: replay.engine,
      analytics: replay.analytics,
      store,
      intervalMs: 1000,
      depth: 10,
      timers: false,
      now: () => clock,
    });
    bus.subscribe('metrics', (s) => {
      clock = s.localTs;
    });
    bus.subscribe('metrics.sample', (s) => store.appendMetrics([s]));
    bus.subscribe('trade', (t) => {
      store.appendTrades([t]);
      lastTrade = t;
    });
    bus.subscribe('analytics', (e) => {
      lastWall = e;
    });
    const alerts = new AlertEngine(
      {
        builtins: true,
        dedupWindowMs: 0,
        rules: [
          {
            id: 'imbalance_flip',
            kind: 'metric',
            metric: 'imbalanceTopN',
            comparator: 'flip',
            threshold: 0.3,
            severity: 'warning',
          },
        ],
      },
      (a) => bus.publish('alert', a),
    );
    connectAlerts(bus, alerts);
    bus.subscribe('alert', (a) => {
      store.appendAlerts?.([a]);
      lastAlert = a;
    });
    history.attachHeatmaps();
    await replay.run();
    history.snapshot();
    history.stop(clock);
    const imported = await importNewsFiles([NEWS], {
      store,
      tagger: new AssetTagger(),
      instruments: MEMBERS,
      now: Date.UTC(2025, 11, 12, 12),
    });
    newsItem = imported.items[0];
    await store.flush();

    // The Vietnamese market: every recorded SSI message, plus a VN30 index and a VN30F print (basis).
    const ssi = new SsiService({
      config: ssiConfigSchema.parse({ enabled: true }),
      bus: bus as never,
      alerts: null,
    });
    for (const f of SSI_FILES)
      for (const l of readFileSync(f, 'utf8')
        .split('\n')
        .filter((x) => x.trim() !== '')) {
        const e = JSON.parse(l) as { DataType: string; Content: string };
        ssi.ingest(e.DataType, e.Content, START);
      }
    ssi.ingest(
      'MI',
      '{"IndexId":"VN30","IndexValue":1300.5,"TradingDate":"20/07/2026","Time":"13:40:00"}',
      START,
    );
    ssi.ingest(
      'B',
      '{"Symbol":"VN30F2608","TradingDate":"20/07/2026","Time":"13:40:01","Close":1310.2,"Volume":3}',
      START,
    );
    app = createApiServer({
      engine: engineView(replay.engine, replay.analytics, replay.consolidation),
      bus,
      store,
      market: ssi.market,
      alertRules: alerts.rules,
      newsSources: () => [],
      info: { version: '1.2.3', startedAt: START },
    });
    app.addHook('onRoute', (r) => {
      for (const m of [r.method].flat()) registered.push({ method: m, url: r.url });
    });
    url = (await app.listen({ host: '127.0.0.1', port: 0 })).replace('localhost', '127.0.0.1');
  }, 120_000);

  afterAll(async () => {
    await app?.close();
    await store?.close();
  });

  it('replayed a live market into every part the API reads', () => {
    for (const id of MEMBERS) expect(replay.engine.books.get(id)!.state, id).toBe('live');
    expect(lastTrade).toBeDefined();
    expect(lastAlert).toBeDefined();
    expect(lastWall).toBeDefined();
    expect(newsItem).toBeDefined();
  });

  it('answers every route of the table as its schemas say, with good and bad inputs', async () => {
    const table = routes as Record<RouteName, RouteDef>;
    const counted = { routes: 0, answers: 0, success: 0, errors: 0 };
    for (const [name, calls] of Object.entries(CALLS) as [RouteName, Call[]][]) {
      const r = table[name];
      if (r.kind === 'ws') continue;
      expect(calls.length, `${name} has calls`).toBeGreaterThan(0);
      counted.routes++;
      for (const c of calls) {
        const qs = new URLSearchParams(
          Object.entries(c.query ?? {}).map(([k, v]) => [k, String(v)] as [string, string]),
        ).toString();
        const path = routeUrl(r.path, c.params) + (qs ? `?${qs}` : '');
        const res = await app.inject({
          method: r.method,
          url: path,
          ...(c.body !== undefined ? { payload: c.body as object } : {}),
        });
        const want = c.status ?? r.status ?? 200;
        const what = `${r.method} ${path} → ${res.statusCode}: ${res.body.slice(0, 300)}`;
        expect(res.statusCode, what).toBe(want);
        counted.answers++;
        if (res.statusCode < 400) {
          counted.success++;
          if (r.kind === 'text') {
            expect(res.headers['content-type'], what).toMatch(/^text\/plain/);
            continue;
          }
          const parsed = r.response.safeParse(res.json());
          expect(parsed.success ? '' : z.prettifyError(parsed.error), what).toBe('');
        } else {
          counted.errors++;
          expect(routeErrors(r), what).toContain(res.statusCode);
          const parsed = ErrorBody.safeParse(res.json());
          expect(parsed.success, what).toBe(true);
          expect(res.json().statusCode).toBe(res.statusCode);
        }
      }
    }
    // Every JSON, text and doc route was called, with at least as many answers as routes.
    const callable = Object.values(table).filter((r) => r.kind !== 'ws').length;
    expect(counted.routes).toBe(callable);
    expect(counted.answers).toBeGreaterThan(callable + 20);
    console.info(
      `contract: ${counted.routes} routes, ${counted.answers} answers checked (${counted.success} 2xx, ${counted.errors} errors)`,
    );
  });

  it('answers with non-empty real data where the recording has it', async () => {
    const json = async (u: string): Promise<Record<string, unknown> & { items: unknown[] }> =>
      (await app.inject({ method: 'GET', url: u })).json();
    const q = `instrument=${SPOT}&from=${range.from}&to=${range.to}`;
    expect((await json(`/api/v1/history/metrics?${q}`)).items.length, 'metrics').toBeGreaterThan(10);
    expect((await json(`/api/v1/history/trades?${q}`)).items.length, 'trades').toBeGreaterThan(10);
    expect((await json(`/api/v1/history/orderbook?${q}`)).items.length, 'orderbook').toBeGreaterThan(10);
    expect((await json(`/api/v1/history/candles?${q}&interval=1s`)).items.length, 'candles').toBeGreaterThan(
      10,
    );
    expect(((await json(`/api/v1/history/heatmap?${q}`)).runs as unknown[]).length).toBeGreaterThan(10);
    expect((await json('/api/v1/alerts')).items.length).toBeGreaterThan(0);
    expect((await json('/api/v1/news?limit=5')).items.length).toBe(5);
    expect((await json('/api/v1/consolidated')).items).toHaveLength(1);
    expect((await json('/api/v1/watchlist')).items.length).toBeGreaterThanOrEqual(4);
  });

  it("serves the group's heatmap summed and per member: the members' runs add up to the sum in every bucket", async () => {
    const json = async (u: string): Promise<Record<string, unknown>> =>
      (await app.inject({ method: 'GET', url: u })).json();
    const r = `from=${range.from}&to=${range.to}`;
    type Run = { side: string; price: number; from: number; to: number; size: number };
    const hm = (await json(`/api/v1/consolidated/BTC-USD/heatmap?${r}&bucket=50`)) as {
      runs: Run[];
      members: { instrument: string; runs: Run[] }[];
      binMs: number;
      bucketSize: number;
    };
    expect(hm.bucketSize).toBe(50);
    expect(hm.members.map((m) => m.instrument)).toHaveLength(3);
    expect(hm.runs.length).toBeGreaterThan(10);
    // Pick bins spread over the range and compare bucket by bucket (sizes rounded to 4 digits per run).
    const bins = [...new Set(hm.runs.map((x) => x.from))].sort((a, b) => a - b);
    const at = (runs: Run[], t: number): Map<string, number> => {
      const m = new Map<string, number>();
      for (const x of runs) if (x.from <= t && t <= x.to) m.set(`${x.side}${x.price}`, x.size);
      return m;
    };
    let compared = 0;
    for (const t of [bins[1]!, bins[Math.floor(bins.length / 2)]!, bins[bins.length - 2]!]) {
      const sum = at(hm.runs, t);
      const per = hm.members.map((m) => at(m.runs, t));
      for (const [k, size] of sum) {
        const total = per.reduce((a, m) => a + (m.get(k) ?? 0), 0);
        // every series is rounded to 4 significant digits: at most 0.05 % off each
        expect(Math.abs(total - size)).toBeLessThanOrEqual(size * 1.5e-3);
        compared++;
      }
    }
    expect(compared).toBeGreaterThan(20);
    // The summed heatmap answers on the history route too, as instrument consolidated:BTC-USD.
    const h = (await json(`/api/v1/history/heatmap?instrument=consolidated:BTC-USD&${r}&bucket=50`)) as {
      runs: Run[];
    };
    expect(h.runs.length).toBeGreaterThanOrEqual(hm.runs.length);
    // Bucketed levels: the best bucket holds the best exact level.
    const v = (await json('/api/v1/consolidated/BTC-USD?bucket=10&depth=5')) as {
      bids: [number, number, number[]][];
      bestBid: number;
    };
    expect(v.bids).toHaveLength(5);
    expect(v.bids[0]![0]).toBe(Math.floor(v.bestBid / 10 + 1e-9) * 10);
  });

  it('registers no route missing from the table', () => {
    const table = new Set(
      Object.values(routes as Record<string, RouteDef>).map((r) => `${r.method} ${r.path}`),
    );
    const extra = registered
      .filter((r) => r.method !== 'HEAD')
      .filter((r) => !table.has(`${r.method} ${r.url}`))
      .filter((r) => !UNTABLED_PREFIXES.some((p) => r.url === p || r.url.startsWith(p + '/')));
    expect(extra).toEqual([]);
    for (const key of table) {
      const [method, path] = key.split(' ');
      expect(
        registered.some((r) => r.method === method && r.url === path),
        key,
      ).toBe(true);
    }
  });

  it('documents every route in the OpenAPI document and every channel in the AsyncAPI document', async () => {
    const oa = (await app.inject({ method: 'GET', url: '/docs/openapi.json' })).json();
    for (const r of Object.values(routes as Record<string, RouteDef>)) {
      const op = oa.paths[r.path.replace(/:(\w+)/g, '{$1}')]?.[r.method.toLowerCase()];
      expect(op, r.path).toBeDefined();
      if (r.kind === 'json')
        expect(op.responses[String(r.status ?? 200)].content['application/json'].schema).toBeDefined();
    }
    const aa = (await app.inject({ method: 'GET', url: '/docs/asyncapi.json' })).json();
    expect(aa.asyncapi).toBe('3.0.0');
    for (const c of WS_CHANNELS) expect(aa.components.messages[c], c).toBeDefined();
  });

  it('sends on every WebSocket channel messages that match the channel schemas', async () => {
    const ws = new WebSocket(url.replace('http', 'ws') + '/ws');
    const got = new Map<WsChannel, unknown[]>();
    const bad: string[] = [];
    ws.on('message', (raw) => {
      const m = JSON.parse(String(raw)) as { channel?: WsChannel; op?: string; error?: string };
      if (m.op !== undefined || m.error !== undefined) {
        const r = WsControlMessage.safeParse(m);
        if (!r.success) bad.push(String(raw).slice(0, 200));
        return;
      }
      const r = WsDataMessage.safeParse(m);
      if (!r.success) {
        bad.push(`${String(m.channel)}: ${z.prettifyError(r.error)}`);
        return;
      }
      got.set(r.data.channel, [...(got.get(r.data.channel) ?? []), m]);
    });
    await new Promise((res) => ws.once('open', res));
    const sub = (channel: WsChannel, instrument: string): void =>
      ws.send(JSON.stringify({ op: 'subscribe', channel, instrument, throttleMs: 0 }));
    for (const c of ['metrics', 'book', 'trades', 'health', 'alerts', 'analytics', 'candles'] as const)
      sub(c, '*');
    sub('news', '*');
    sub('consolidated', 'BTC-USD');
    sub('watchlist', '*');
    sub('replay', '*');
    for (const c of ['market', 'foreign', 'index'] as const) sub(c, '*');
    ws.send(JSON.stringify({ op: 'ping' }));
    ws.send(JSON.stringify({ op: 'subscribe', channel: 'watchlist', instrument: 'x' })); // an {error}
    await new Promise((res) => setTimeout(res, 300));
    // Live events of the recording, published again now that the client listens.
    const bus = replay.bus as unknown as Bus<NewsTopics>;
    replay.bus.publish('trade', lastTrade!);
    replay.bus.publish('alert', lastAlert!);
    replay.bus.publish('analytics', lastWall!);
    bus.publish('news', newsItem!);
    await new Promise((res) => setTimeout(res, 300));
    ws.close();
    expect(bad).toEqual([]);
    for (const c of WS_CHANNELS.filter((x) => x !== 'replay'))
      expect(got.get(c)?.length ?? 0, c).toBeGreaterThan(0);
    const t = (got.get('trades')![0] as { data: { price: number; priceText: string } }).data;
    expect(t.price).toBe(Number(lastTrade!.price));
    expect(t.priceText).toBe(lastTrade!.price);
  });
});
