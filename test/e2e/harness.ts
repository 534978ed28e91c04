/**
 * Test server for the dashboard's browser test: serves `web/dist` and implements the API contract
 * (`/api/v1/instruments`, `/api/v1/books/:instrument`, `/api/v1/metrics/:instrument`,
 * `/api/v1/history/metrics`, WebSocket `/ws` with subscribe/unsubscribe and per-subscription throttling)
 * from a real data source: recorded Binance frames (../shared/data/binance-hftbacktest, lines
 * `<local_ts_ns> <raw JSON>`, the REST snapshot line starting `{"lastUpdateId"`) replayed through the
 * real Engine, paced by their recorded receive times so values change while the browser watches.
 *
 * Timestamps are the recording's own (August 2024): localTs = the recorded receive time in ms, so
 * latencies are the recorded ones. This harness stands in until the real app (src/app/) serves the
 * dashboard; the browser test's assertions do not depend on it.
 */
import { createReadStream, existsSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { createGunzip } from 'node:zlib';
import { fileURLToPath } from 'node:url';
import Fastify, { type FastifyInstance } from 'fastify';
import fastifyStatic from '@fastify/static';
import fastifyWebsocket from '@fastify/websocket';
import type { WebSocket } from 'ws';
import { Engine } from '../../src/pipeline/engine.ts';
import { venues } from '../../src/feeds/registry.ts';
import { parseBinanceSnapshot } from '../../src/feeds/binance/snapshot.ts';
import { BINANCE_SNAPSHOT_LIMIT } from '../../src/feeds/binance/descriptor.ts';
import { InProcessBus } from '../../src/bus/in-process.ts';
import { splitInstrumentId, type VenueId } from '../../src/core/model.ts';
import type { MetricsSample } from '../../src/analytics/types.ts';

/** Repository root (two levels above this file). */
export const repoRoot = fileURLToPath(new URL('../../', import.meta.url));

/** One recorded file to replay: its venue and the symbol its snapshot line belongs to. */
export interface ReplaySource {
  venue: VenueId;
  symbol: string;
  /** Path of the gzip recording. */
  file: string;
}

/** The recordings the harness replays by default (USD-M and spot BTCUSDT). */
export const defaultSources: ReplaySource[] = [
  {
    venue: 'binance-usdm',
    symbol: 'BTCUSDT',
    file: `${repoRoot}../shared/data/binance-hftbacktest/usdm/btcusdt_20240808.gz`,
  },
  {
    venue: 'binance',
    symbol: 'BTCUSDT',
    file: `${repoRoot}../shared/data/binance-hftbacktest/spot/btcusdt_20240808.gz`,
  },
];

/** Harness options. */
export interface HarnessOptions {
  sources?: ReplaySource[];
  /** Replay speed: 1 = recorded pace, 2 = twice as fast. Default 1. */
  speed?: number;
  /** Directory served at `/` (default web/dist). */
  staticDir?: string;
  /** Metric samples kept per instrument for the history endpoint. */
  historyLimit?: number;
}

/** A running harness. */
export interface Harness {
  /** Base URL, e.g. `http://127.0.0.1:41234/`. */
  url: string;
  engine: Engine;
  /** Lines that could not be used (bad timestamp or snapshot), per file. */
  badLines: Record<string, number>;
  close(): Promise<void>;
}

type ChannelName = 'metrics' | 'book' | 'trades' | 'health';
const CHANNELS: readonly ChannelName[] = ['metrics', 'book', 'trades', 'health'];

interface ClientSub {
  throttleMs: number;
  lastSent: number;
  pending: unknown;
  timer: ReturnType<typeof setTimeout> | null;
}

/** JSON with NaN/Infinity as null (JSON.stringify already does that for numbers). */
function send(ws: WebSocket, msg: unknown): void {
  if (ws.readyState === ws.OPEN) ws.send(JSON.stringify(msg));
}

/** Per-connection subscriptions with conflation: at most one message per throttleMs, latest wins. */
class Client {
  private readonly subs = new Map<string, ClientSub>();

  constructor(readonly ws: WebSocket) {}

  handle(text: string): void {
    let m: { op?: unknown; channel?: unknown; instrument?: unknown; throttleMs?: unknown };
    try {
      m = JSON.parse(text) as typeof m;
    } catch {
      send(this.ws, { error: 'malformed_json' });
      return;
    }
    if (
      (m.op !== 'subscribe' && m.op !== 'unsubscribe') ||
      !CHANNELS.includes(m.channel as ChannelName) ||
      typeof m.instrument !== 'string'
    ) {
      send(this.ws, { error: 'invalid_request' });
      return;
    }
    const key = `${m.channel as string}|${m.instrument}`;
    if (m.op === 'subscribe') {
      const throttleMs = typeof m.throttleMs === 'number' && m.throttleMs > 0 ? m.throttleMs : 0;
      const prev = this.subs.get(key);
      if (prev?.timer) clearTimeout(prev.timer);
      this.subs.set(key, { throttleMs, lastSent: 0, pending: undefined, timer: null });
    } else {
      const prev = this.subs.get(key);
      if (prev?.timer) clearTimeout(prev.timer);
      this.subs.delete(key);
    }
  }

  offer(channel: ChannelName, instrument: string, data: unknown): void {
    for (const key of [`${channel}|${instrument}`, `${channel}|*`]) {
      const s = this.subs.get(key);
      if (!s) continue;
      const msg = { channel, instrument, data };
      if (s.throttleMs === 0) {
        send(this.ws, msg);
        continue;
      }
      const now = Date.now();
      if (now - s.lastSent >= s.throttleMs && !s.timer) {
        s.lastSent = now;
        send(this.ws, msg);
      } else {
        s.pending = msg;
        s.timer ??= setTimeout(
          () => {
            s.timer = null;
            s.lastSent = Date.now();
            if (this.subs.get(key) === s) send(this.ws, s.pending);
          },
          Math.max(0, s.throttleMs - (now - s.lastSent)),
        );
      }
    }
  }

  close(): void {
    for (const s of this.subs.values()) if (s.timer) clearTimeout(s.timer);
    this.subs.clear();
  }
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/**
 * Replay one recording into the engine, paced by its recorded receive times divided by `speed`.
 * Stops when `stopped()` turns true.
 */
async function replayFile(
  engine: Engine,
  src: ReplaySource,
  speed: number,
  stopped: () => boolean,
  badLines: Record<string, number>,
): Promise<void> {
  const adapter = venues.get(src.venue);
  if (!adapter) throw new Error(`unknown venue ${src.venue}`);
  const parser = adapter.createParser();
  const instrument = `${src.venue}:${src.symbol}`;
  const rl = createInterface({ input: createReadStream(src.file).pipe(createGunzip()), crlfDelay: Infinity });
  let t0Rec = NaN;
  const t0Wall = Date.now();
  try {
    for await (const line of rl) {
      if (stopped()) break;
      const sp = line.indexOf(' ');
      const tsNs = sp > 0 ? Number(line.slice(0, sp)) : NaN;
      if (!Number.isFinite(tsNs)) {
        badLines[src.file] = (badLines[src.file] ?? 0) + 1;
        continue;
      }
      const localTs = tsNs / 1e6;
      if (Number.isNaN(t0Rec)) t0Rec = localTs;
      const due = t0Wall + (localTs - t0Rec) / speed;
      const wait = due - Date.now();
      if (wait > 2) await sleep(wait);
      if (stopped()) break;
      const json = line.slice(sp + 1);
      if (json.startsWith('{"lastUpdateId"')) {
        try {
          engine.handleEvent(parseBinanceSnapshot(json, instrument, localTs, BINANCE_SNAPSHOT_LIMIT));
        } catch (e) {
          engine.countDrop(src.venue, e);
        }
      } else engine.handleFrame(src.venue, parser, json, localTs);
    }
  } finally {
    rl.close();
  }
}

/** Start the harness on 127.0.0.1 with a random free port and begin replaying. */
export async function startHarness(opts: HarnessOptions = {}): Promise<Harness> {
  const sources = (opts.sources ?? defaultSources).filter((s) => existsSync(s.file));
  if (sources.length === 0) throw new Error('no recording found under ../shared/data/binance-hftbacktest');
  const staticDir = opts.staticDir ?? `${repoRoot}web/dist`;
  if (!existsSync(`${staticDir}/index.html`))
    throw new Error(`${staticDir}/index.html missing: run npm run build:web first`);
  const historyLimit = opts.historyLimit ?? 3600;

  const bus = new InProcessBus();
  const engine = new Engine({ venues, bus });
  const history = new Map<string, MetricsSample[]>();
  const clients = new Set<Client>();
  const fanout = (channel: ChannelName, instrument: string, data: unknown) => {
    for (const c of clients) c.offer(channel, instrument, data);
  };
  bus.subscribe('metrics', (s) => fanout('metrics', s.instrument, s));
  bus.subscribe('book', (b) => fanout('book', b.instrument, b));
  bus.subscribe('trade', (t) => {
    const { instrument, exchangeTs, localTs, id, price, size, side } = t;
    fanout('trades', instrument, { instrument, exchangeTs, localTs, id, price, size, side });
  });
  bus.subscribe('health', (h) => fanout('health', h.instrument, h));
  bus.subscribe('metrics.sample', (s) => {
    let h = history.get(s.instrument);
    if (!h) history.set(s.instrument, (h = []));
    h.push(s);
    if (h.length > historyLimit) h.splice(0, h.length - historyLimit);
  });

  const app: FastifyInstance = Fastify({ logger: false });
  await app.register(fastifyWebsocket);
  await app.register(fastifyStatic, { root: staticDir, prefix: '/' });

  app.get('/api/v1/instruments', async () => ({
    instruments: [...engine.books.values()].map((b) => {
      const { venue, symbol } = splitInstrumentId(b.instrument);
      const h = b.health;
      return {
        instrument: b.instrument,
        venue,
        symbol,
        state: h.state,
        reason: h.reason,
        since: h.since,
        counters: h.counters,
        lastResyncAt: h.lastResyncAt,
        sequence: h.sequence,
        latencyMs: h.latencyMs,
        coverage: h.coverage,
      };
    }),
    dropped: engine.dropped,
  }));

  app.get<{ Params: { instrument: string }; Querystring: { depth?: string } }>(
    '/api/v1/books/:instrument',
    async (req, reply) => {
      const b = engine.books.get(req.params.instrument);
      if (!b) return reply.code(404).send({ error: 'unknown_instrument' });
      const depth = Math.min(1000, Math.max(1, Number(req.query.depth ?? 20) || 20));
      const top = b.book.top(depth);
      return { instrument: b.instrument, state: b.health.state, sequence: b.health.sequence, ...top };
    },
  );

  app.get<{ Params: { instrument: string } }>('/api/v1/metrics/:instrument', async (req, reply) => {
    const s = engine.latest.get(req.params.instrument);
    if (!s) return reply.code(404).send({ error: 'no_metrics' });
    return s;
  });

  app.get<{ Querystring: { instrument?: string; from?: string; to?: string } }>(
    '/api/v1/history/metrics',
    async (req, reply) => {
      const { instrument } = req.query;
      const from = Number(req.query.from);
      const to = Number(req.query.to);
      if (!instrument || !Number.isFinite(from) || !Number.isFinite(to))
        return reply.code(400).send({ error: 'instrument, from and to (ms since epoch) are required' });
      return (history.get(instrument) ?? []).filter((s) => s.localTs >= from && s.localTs < to);
    },
  );

  app.get('/ws', { websocket: true }, (socket) => {
    const c = new Client(socket);
    clients.add(c);
    socket.on('message', (raw) => c.handle(String(raw)));
    socket.on('close', () => {
      c.close();
      clients.delete(c);
    });
  });

  await app.listen({ host: '127.0.0.1', port: 0 });
  const addr = app.server.address();
  if (!addr || typeof addr === 'string') throw new Error('harness: no TCP address');

  let stop = false;
  const badLines: Record<string, number> = {};
  const speed = opts.speed ?? 1;
  const replays = sources.map((s) =>
    replayFile(engine, s, speed, () => stop, badLines).catch((e: unknown) => {
      if (!stop) console.error('harness replay failed', s.file, e);
    }),
  );

  return {
    url: `http://127.0.0.1:${addr.port}/`,
    engine,
    badLines,
    async close() {
      stop = true;
      for (const c of clients) c.ws.terminate();
      await app.close();
      await Promise.all(replays);
      await bus.close();
    },
  };
}
