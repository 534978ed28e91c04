/**
 * `npm run bench -- ssi [--symbols 500] [--rate 5000] [--seconds 10] [--seed 1]`
 *
 * The Vietnamese market path at SSI's peak rates: `--symbols` symbols (HOSE 3-level and HNX 10-level
 * quotes, about a third of the messages carrying a new print) of SSI `X` messages, wrapped as SignalR 2
 * `Broadcast` frames (synthetic framing, the payload shape of SSI's documented X sample), fed at `--rate`
 * messages per second through the exact receive path of the live client:
 *
 *   frame text → SignalR2Connection.receive (JSON) → broadcastEnvelope → SsiService.ingest (SSI parser,
 *   market state, classification, session aggregates, alert inputs) → bus → WsHub → socket.send
 *
 * with two real WebSocket clients on loopback: one subscribed to `market` `*` with throttle 0 (every
 * update sent: the latency figure), one with the default 500 ms throttle (conflation). Reported: p50 /
 * p99 / p99.9 / max of the time from the frame's arrival to the `send` of its update on the throttle-0
 * channel (same call stack: measured with performance.now around it), the process CPU time of the same
 * span (what the path costs, without the preemption a loaded machine adds), the rate achieved, the load
 * average, and what the throttled client received. Exit 1 when the p99 frame → send is ≥ 5 ms.
 */
import { createServer } from 'node:http';
import os from 'node:os';
import type { AddressInfo } from 'node:net';
import { performance } from 'node:perf_hooks';
import WebSocket, { WebSocketServer } from 'ws';
import { InProcessBus } from '../src/bus/in-process.ts';
import { createPipeline } from '../src/app/pipeline.ts';
import { engineView } from '../src/api/types.ts';
import { WsHub } from '../src/api/ws-hub.ts';
import { SsiService } from '../src/app/ssi-service.ts';
import { ssiConfigSchema } from '../src/config/ssi.ts';
import { alertsConfigSchema } from '../src/alerts/schema.ts';
import { SignalR2Connection } from '../src/live/ssi/signalr.ts';
import { broadcastEnvelope } from '../src/live/ssi/client.ts';
import { mulberry32 } from '../src/util/prng.ts';
import type { OutputTopics } from '../src/alerts/topics.ts';

const arg = (name: string, def: number): number => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : def;
};
const SYMBOLS = arg('symbols', 500);
const RATE = arg('rate', 5000);
const SECONDS = arg('seconds', 10);
const SEED = arg('seed', 1);
const N = Math.round(RATE * SECONDS);

// ---- synthetic X messages (documented X sample's fields), SignalR-framed ----
const rnd = mulberry32(SEED);
interface Sym {
  symbol: string;
  hnx: boolean;
  ref: number;
  tick: number;
  last: number;
  total: number;
}
const syms: Sym[] = Array.from({ length: SYMBOLS }, (_, i) => {
  const hnx = i % 5 === 0;
  const ref = [8_500, 21_750, 56_400][i % 3]!;
  const tick = hnx ? 100 : ref >= 50_000 ? 100 : ref >= 10_000 ? 50 : 10;
  return { symbol: `S${String(i).padStart(3, '0')}`, hnx, ref, tick, last: ref, total: 0 };
});
const frames: string[] = [];
for (let n = 0; n < N; n++) {
  const s = syms[Math.floor(rnd() * SYMBOLS)]!;
  const trade = rnd() < 0.35;
  if (trade) {
    s.last = Math.max(s.ref * 0.94, Math.min(s.ref * 1.06, s.last + (Math.floor(rnd() * 3) - 1) * s.tick));
    s.last = Math.round(s.last / s.tick) * s.tick;
    s.total += 100 * (1 + Math.floor(rnd() * 20));
  }
  const sec = 36_000 + Math.floor((n / N) * 3600);
  const time = `${String(Math.floor(sec / 3600)).padStart(2, '0')}:${String(Math.floor((sec % 3600) / 60)).padStart(2, '0')}:${String(sec % 60).padStart(2, '0')}`;
  const c: Record<string, unknown> = {
    RType: 'X',
    TradingDate: '20/07/2026',
    Time: time,
    Isin: s.symbol,
    Symbol: s.symbol,
    Ceiling: s.ref * (s.hnx ? 1.1 : 1.07),
    Floor: s.ref * (s.hnx ? 0.9 : 0.93),
    RefPrice: s.ref,
    Open: s.ref,
    High: s.last,
    Low: s.last,
    Close: s.last,
    AvgPrice: s.total ? s.last : 'NaN',
    PriorVal: s.ref,
    LastPrice: s.last,
    LastVol: 100,
    TotalVal: s.total * s.last,
    TotalVol: s.total,
    MarketId: s.hnx ? 'HNX' : 'HOSE',
    Exchange: s.hnx ? 'HNX' : 'HOSE',
    TradingSession: 'LO',
    TradingStatus: 'N',
    Change: s.last - s.ref,
    RatioChange: 0,
    EstMatchedPrice: 0,
  };
  const levels = s.hnx ? 10 : 3;
  for (let l = 1; l <= 10; l++) {
    c[`BidPrice${l}`] = l <= levels ? s.last - l * s.tick : 0;
    c[`BidVol${l}`] = l <= levels ? 100 * (1 + Math.floor(rnd() * 500)) : 0;
    c[`AskPrice${l}`] = l <= levels ? s.last + l * s.tick : 0;
    c[`AskVol${l}`] = l <= levels ? 100 * (1 + Math.floor(rnd() * 500)) : 0;
  }
  frames.push(
    JSON.stringify({
      C: `d-1,${n}`,
      M: [{ H: 'FcMarketDataV2Hub', M: 'Broadcast', A: [{ DataType: 'X', Content: JSON.stringify(c) }] }],
    }),
  );
}

// ---- the pipeline: service → bus → hub → two real WebSocket clients ----
const bus = new InProcessBus<OutputTopics>();
const { engine, analytics } = createPipeline({ bus });
const svc = new SsiService({
  config: ssiConfigSchema.parse({ enabled: true }),
  bus: bus as never,
  alerts: alertsConfigSchema.parse({}),
});
const hub = new WsHub(engineView(engine, analytics), bus, { market: svc.market, heartbeatMs: 60_000 });
const server = createServer();
const wss = new WebSocketServer({ server });
let frameT0 = NaN;
const lat: number[] = [];
let throttledSends = 0;
let accepted = 0;
wss.on('connection', (socket) => {
  const index = accepted++;
  const send = socket.send.bind(socket) as (...a: unknown[]) => void;
  (socket as unknown as { send: (...a: unknown[]) => void }).send = (...a: unknown[]) => {
    if (index === 0) {
      if (!Number.isNaN(frameT0)) lat.push(performance.now() - frameT0);
    } else throttledSends++;
    send(...a);
  };
  hub.add(socket, '127.0.0.1');
});
await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
const url = `ws://127.0.0.1:${(server.address() as AddressInfo).port}`;
const received = [0, 0];
const clients: WebSocket[] = [];
for (const [i, throttle] of [0, 500].entries()) {
  const ws = new WebSocket(url);
  await new Promise((r) => ws.once('open', r));
  ws.on('message', () => received[i]!++);
  ws.send(JSON.stringify({ op: 'subscribe', channel: 'market', instrument: '*', throttleMs: throttle }));
  clients.push(ws);
  await new Promise((r) => setTimeout(r, 50));
}
lat.length = 0;
throttledSends = 0;

const conn = new SignalR2Connection({
  url: 'http://127.0.0.1:1/',
  hub: 'FcMarketDataV2Hub',
  onInvoke: (m, args, at) => {
    if (m !== 'Broadcast') return;
    const env = broadcastEnvelope(args);
    if (!(env instanceof Error)) svc.ingest(env.dataType, env.content, at);
  },
  onClose: () => {},
});

// Warm-up (JIT), not measured: the first 2,000 frames of a separate pass are not in the figures.
for (let i = 0; i < Math.min(2000, frames.length); i++) conn.receive(frames[i]!);
lat.length = 0;

const start = performance.now();
let behindMax = 0;
/** Process CPU time of each frame's processing, ms (preemption by other processes excluded). */
const cpuLat: number[] = [];
for (let i = 0; i < frames.length; i++) {
  const due = start + (i * 1000) / RATE;
  let now = performance.now();
  if (now < due) {
    await new Promise((r) => setTimeout(r, Math.max(0, Math.floor(due - now))));
    now = performance.now();
  } else if (i % 200 === 0) await new Promise((r) => setImmediate(r)); // let the sockets drain
  behindMax = Math.max(behindMax, now - due);
  const cpu0 = process.cpuUsage();
  frameT0 = performance.now();
  conn.receive(frames[i]!);
  frameT0 = NaN;
  const cpu = process.cpuUsage(cpu0);
  cpuLat.push((cpu.user + cpu.system) / 1000);
}
const elapsed = (performance.now() - start) / 1000;
await new Promise((r) => setTimeout(r, 700));
lat.sort((a, b) => a - b);
const q = (p: number): number => lat[Math.min(lat.length - 1, Math.floor(p * lat.length))]!;
const f = (ms: number): string => `${(ms * 1000).toFixed(0)} µs`;
console.log(
  `ssi bench: ${SYMBOLS} symbols, ${N} X messages at ${RATE}/s target (${(N / elapsed).toFixed(0)}/s achieved over ${elapsed.toFixed(1)} s), seed ${SEED}`,
);
console.log(
  `frame → WS send (market, throttle 0): n=${lat.length}  p50 ${f(q(0.5))}  p99 ${f(q(0.99))}  p99.9 ${f(q(0.999))}  max ${f(lat[lat.length - 1]!)}`,
);
cpuLat.sort((a, b) => a - b);
const qc = (p: number): number => cpuLat[Math.min(cpuLat.length - 1, Math.floor(p * cpuLat.length))]!;
console.log(
  `CPU time per frame (process.cpuUsage, µs resolution): p50 ${f(qc(0.5))}  p99 ${f(qc(0.99))}  p99.9 ${f(qc(0.999))}  mean ${f(cpuLat.reduce((a, b) => a + b, 0) / cpuLat.length)}  (load average ${os.loadavg()[0]!.toFixed(1)} on ${os.cpus().length} cores)`,
);
console.log(
  `throttled client (market *, 500 ms): ${throttledSends} sends for ${N} updates (${hub.stats.conflated} conflated); received ${received[0]} / ${received[1]} messages`,
);
console.log(
  `service: ${svc.stats.messages} messages, dropped ${JSON.stringify(svc.stats.dropped)}, ${svc.market.counters.trades} prints classified; scheduler lag max ${behindMax.toFixed(1)} ms`,
);
for (const c of clients) c.close();
hub.close();
wss.close();
server.close();
process.exit(q(0.99) < 5 ? 0 : 1);
