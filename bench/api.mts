/**
 * `npm run bench -- api [--clients 1000] [--rest 50] [--instruments 4] [--rate 2] [--throttle 0]
 * [--seconds 20]`:
 * the API under load on loopback.
 *
 * The server process runs the real API server (api/server.ts, default security limits except the
 * per-IP ones, raised because every client shares 127.0.0.1) with its WebSocket hub on an in-process bus;
 * it publishes `metrics` and `book` updates for `--instruments` instruments at `--rate` updates per second
 * each (stamped with their publish time). A second process opens `--clients` WebSocket clients, each
 * subscribed to `metrics` and `book` for every instrument (`*`, `--throttle` ms conflation, default 0 so
 * the fan-out latency is the hub's own, not a conflation window),
 * plus `--rest` REST clients polling `/api/v1/instruments` and `/api/v1/metrics/:id` back to back.
 *
 * Reported: WebSocket messages delivered per second (all clients), fan-out latency p50/p99 (publish →
 * client receive, same clock), the server's event-loop lag p50/p99 (perf_hooks monitorEventLoopDelay),
 * REST requests per second and their p99, server RSS, and slow-consumer drops. Bounded: `--seconds` of
 * measurement after the clients connect (default 20 s), everything on 127.0.0.1.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import WebSocket from 'ws';

type Args = {
  clients: number;
  rest: number;
  instruments: number;
  rate: number;
  seconds: number;
  throttle: number;
};

function parseArgs(argv: string[]): Args & { role: string; url: string } {
  const get = (name: string, d: string): string => {
    const i = argv.indexOf(`--${name}`);
    return i >= 0 && argv[i + 1] ? argv[i + 1]! : d;
  };
  return {
    role: get('role', 'server'),
    url: get('url', ''),
    clients: Number(get('clients', '1000')),
    rest: Number(get('rest', '50')),
    instruments: Number(get('instruments', '4')),
    rate: Number(get('rate', '2')),
    throttle: Number(get('throttle', '0')),
    seconds: Number(get('seconds', '20')),
  };
}

function pct(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

/** The load process: WebSocket and REST clients; prints one JSON line of results. */
async function runClients(a: ReturnType<typeof parseArgs>): Promise<void> {
  const wsUrl = a.url.replace(/^http/, 'ws') + '/ws';
  const sockets: WebSocket[] = [];
  let received = 0;
  let measuring = false;
  const lat: number[] = [];
  for (let i = 0; i < a.clients; i++) {
    const ws = new WebSocket(wsUrl, { perMessageDeflate: false });
    ws.on('message', (d) => {
      if (!measuring) return;
      const text = String(d);
      if (!text.startsWith('{"channel"')) return;
      received++;
      // Sample 1 in 16 messages for latency (parsing every one would load this process, not the server).
      if ((received & 15) === 0) {
        const m = JSON.parse(text) as { data?: { localTs?: number } };
        if (typeof m.data?.localTs === 'number') lat.push(Date.now() - m.data.localTs);
      }
    });
    await new Promise<void>((resolve, reject) => {
      ws.once('open', () => resolve());
      ws.once('error', reject);
    });
    ws.send(JSON.stringify({ op: 'subscribe', channel: 'metrics', instrument: '*', throttleMs: a.throttle }));
    ws.send(JSON.stringify({ op: 'subscribe', channel: 'book', instrument: '*', throttleMs: a.throttle }));
    sockets.push(ws);
  }
  process.send!({ connected: sockets.length });
  await new Promise((r) => setTimeout(r, 1000));
  measuring = true;
  const started = Date.now();
  const end = started + a.seconds * 1000;
  const restLat: number[] = [];
  let restErrors = 0;
  const rest = Array.from({ length: a.rest }, async (_, i) => {
    while (Date.now() < end) {
      const t = performance.now();
      const path = i % 2 ? '/api/v1/instruments' : '/api/v1/alert-rules';
      const r = await fetch(a.url + path).catch(() => null);
      if (!r || !r.ok) restErrors++;
      await r?.arrayBuffer();
      restLat.push(performance.now() - t);
    }
  });
  await Promise.all(rest);
  measuring = false;
  const secs = (Date.now() - started) / 1000;
  const closedEarly = sockets.filter((s) => s.readyState !== WebSocket.OPEN).length;
  for (const s of sockets) s.terminate();
  lat.sort((x, y) => x - y);
  restLat.sort((x, y) => x - y);
  process.send!({
    result: {
      wsMsgsPerS: Math.round(received / secs),
      fanoutP50Ms: pct(lat, 50),
      fanoutP99Ms: pct(lat, 99),
      restReqPerS: Math.round(restLat.length / secs),
      restP99Ms: Math.round(pct(restLat, 99) * 10) / 10,
      restErrors,
      clientsClosedEarly: closedEarly,
    },
  });
}

/** The server process: API + hub + publisher; forks the load process and prints the report. */
async function runServer(a: ReturnType<typeof parseArgs>): Promise<void> {
  const { createApiServer } = await import('../src/api/server.ts');
  const { defaultSecurity } = await import('../src/api/security/policy.ts');
  const { InProcessBus } = await import('../src/bus/in-process.ts');
  const { createPipeline } = await import('../src/app/pipeline.ts');
  const { engineView } = await import('../src/api/types.ts');
  const { DuckDbStore } = await import('../src/store/duckdb.ts');
  type Topics = import('../src/alerts/topics.ts').OutputTopics;

  const bus = new InProcessBus<Topics>();
  const { engine, analytics } = createPipeline({ bus });
  const store = new DuckDbStore({ path: ':memory:', flushIntervalMs: 60_000, retentionDays: {} });
  await store.init();
  const security = defaultSecurity();
  // Every bench client shares 127.0.0.1: the per-IP limits would measure themselves.
  security.limits = { ...security.limits, rateMax: 10_000_000, historyRateMax: 10_000_000 };
  const app = createApiServer({
    engine: engineView(engine, analytics),
    bus,
    store,
    security,
    ws: { maxConnectionsPerIp: a.clients + 10, maxConnectionsPerKey: a.clients + 10 },
  });
  const address = await app.listen({ host: '127.0.0.1', port: 0 });

  const ids = Array.from({ length: a.instruments }, (_, i) => `bench:I${i}`);
  const metricsSample = (id: string, n: number) => ({
    instrument: id,
    localTs: Date.now(),
    exchangeTs: Date.now(),
    state: 'live',
    sequence: n,
    metrics: { bestBid: 60000 + (n % 10), bestAsk: 60001 + (n % 10), spreadBps: 0.16, imbalanceTopN: 0.1 },
  });
  const bookView = (id: string, n: number) => ({
    instrument: id,
    localTs: Date.now(),
    exchangeTs: Date.now(),
    sequence: n,
    state: 'live',
    bids: Array.from({ length: 20 }, (_, k) => [60000 - k, 1 + k]),
    asks: Array.from({ length: 20 }, (_, k) => [60001 + k, 1 + k]),
  });
  let n = 0;
  const pub = setInterval(() => {
    n++;
    for (const id of ids) {
      bus.publish('metrics', metricsSample(id, n) as never);
      bus.publish('book', bookView(id, n) as never);
    }
  }, 1000 / a.rate);

  const child: ChildProcess = fork(
    fileURLToPath(import.meta.url),
    [
      '--role',
      'clients',
      '--url',
      address,
      ...['clients', 'rest', 'instruments', 'rate', 'seconds', 'throttle'].flatMap((k) => [
        `--${k}`,
        String(a[k as keyof Args]),
      ]),
    ],
    { execArgv: ['--import', 'tsx'] },
  );
  const lag = monitorEventLoopDelay({ resolution: 10 });
  let rssMax = 0;
  const rssTimer = setInterval(() => (rssMax = Math.max(rssMax, process.memoryUsage().rss)), 500);
  const result = await new Promise<Record<string, number>>((resolve, reject) => {
    child.on('message', (m: { connected?: number; result?: Record<string, number> }) => {
      if (m.connected !== undefined) {
        console.error(`bench api: ${m.connected} WebSocket clients connected; measuring ${a.seconds} s`);
        lag.enable();
      }
      if (m.result) resolve(m.result);
    });
    child.on('exit', (code) => reject(new Error(`load process exited ${code}`)));
  });
  lag.disable();
  clearInterval(pub);
  clearInterval(rssTimer);
  const hub = await (await fetch(`${address}/metrics`)).text();
  const dropped = hub
    .split('\n')
    .filter((l) => l.startsWith('depthwatch_ws_clients_dropped_total'))
    .reduce((s, l) => s + Number(l.split(' ').pop()), 0);
  const report = {
    clients: a.clients,
    restClients: a.rest,
    instruments: a.instruments,
    updatesPerS: a.rate * a.instruments * 2,
    ...result,
    eventLoopLagP50Ms: Math.round(lag.percentile(50) / 1e4) / 100,
    eventLoopLagP99Ms: Math.round(lag.percentile(99) / 1e4) / 100,
    serverRssMiB: Math.round(rssMax / 2 ** 20),
    slowConsumerDrops: dropped,
  };
  console.log(JSON.stringify(report, null, 2));
  child.kill();
  await app.close();
  await store.close();
}

const args = parseArgs(process.argv.slice(2));
if (args.role === 'clients') await runClients(args);
else await runServer(args);
