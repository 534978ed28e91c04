/** The simulator over real sockets: subscriptions, byte-for-byte frames, determinism, pacing, REST faults. */
import { afterEach, describe, expect, it } from 'vitest';
import { createHash } from 'node:crypto';
import WebSocket from 'ws';
import { Simulator, type SimulatorOptions } from '../src/sim/simulator.ts';
import { simProtocol } from '../src/sim/protocols.ts';
import { loadRecording, waitFor } from './sim-fixtures.ts';

const USDM = '../shared/data/binance-hftbacktest/usdm/btcusdt_20240808.gz';
const frames = await loadRecording([USDM], 1500);
const ws = frames.filter((f) => f.kind === 'ws');

const sims: Simulator[] = [];
afterEach(async () => {
  await Promise.all(sims.splice(0).map((s) => s.close()));
});

async function sim(opts: Partial<SimulatorOptions> = {}): Promise<Simulator> {
  const s = await Simulator.start({ protocol: simProtocol('binance-usdm'), frames, ...opts });
  sims.push(s);
  return s;
}

/** Connect, collect every text frame until the socket closes or `until()` holds. */
function client(url: string): { received: string[]; socket: WebSocket; closed: Promise<void> } {
  const socket = new WebSocket(url);
  const received: string[] = [];
  socket.on('message', (d) => received.push(d.toString()));
  const closed = new Promise<void>((r) => socket.on('close', () => r()));
  socket.on('error', () => {});
  return { received, socket, closed };
}

describe('simulator server', () => {
  it('sends only the subscribed streams, byte for byte, in recorded order; SUBSCRIBE adds streams', async () => {
    const s = await sim();
    const c = client(`${s.wsUrl}/stream?streams=btcusdt@bookTicker`);
    await s.finished;
    const tickers = ws.filter((f) => f.text.startsWith('{"stream":"btcusdt@bookTicker"')).map((f) => f.text);
    await waitFor(() => c.received.length === tickers.length, 'all bookTicker frames');
    expect(c.received).toEqual(tickers);
    expect(s.stats.framesSent).toBe(tickers.length);
    c.socket.close();

    const s2 = await sim();
    const c2 = client(`${s2.wsUrl}/stream`);
    await new Promise((r) => c2.socket.once('open', r));
    c2.socket.send('{"method":"SUBSCRIBE","params":["btcusdt@trade"],"id":1}');
    await s2.finished;
    const trades = ws.filter((f) => f.text.startsWith('{"stream":"btcusdt@trade"')).map((f) => f.text);
    await waitFor(() => c2.received.length === trades.length + 1, 'ack + trades');
    expect(c2.received[0]).toBe('{"result":null,"id":1}');
    expect(c2.received.slice(1)).toEqual(trades);
    c2.socket.close();
  });

  it('injects the same faults for the same seed, and different ones for another seed', async () => {
    const run = async (seed: number): Promise<{ faults: Record<string, number>; digest: string }> => {
      const s = await sim({
        faults: { seed, drop: 0.05, duplicate: 0.05, reorder: 0.05, corrupt: 0.05, truncate: 0.05 },
      });
      const c = client(`${s.wsUrl}/stream?streams=btcusdt@depth@0ms`);
      await s.finished;
      await waitFor(() => c.received.length === s.stats.framesSent, 'all frames');
      c.socket.close();
      return {
        faults: { ...s.faults },
        digest: createHash('sha256').update(c.received.join('\n')).digest('hex'),
      };
    };
    const a = await run(11);
    const b = await run(11);
    const c = await run(12);
    expect(a).toEqual(b);
    expect(a.digest).not.toBe(c.digest);
    expect(
      a.faults.drop! + a.faults.duplicate! + a.faults.reorder! + a.faults.corrupt! + a.faults.truncate!,
    ).toBeGreaterThan(10);
  });

  it('paces frames on the recorded timestamps at N× and still delivers all of them in order', async () => {
    const short = frames.slice(0, 300);
    const span = short.at(-1)!.localTs - short[0]!.localTs;
    const s = await Simulator.start({
      protocol: simProtocol('binance-usdm'),
      frames: short,
      speed: span / 200,
    });
    sims.push(s);
    const c = client(`${s.wsUrl}/stream?streams=btcusdt@depth@0ms/btcusdt@trade/btcusdt@bookTicker`);
    await s.finished;
    const expected = short.filter((f) => f.kind === 'ws').map((f) => f.text);
    await waitFor(() => c.received.length === expected.length, 'all frames');
    expect(c.received).toEqual(expected);
    c.socket.close();
  });

  it('refuses unknown WebSocket paths with the HTTP status the protocol gives', async () => {
    const s = await sim();
    const c = new WebSocket(`${s.wsUrl}/ws/btcusdt@depth`);
    const err = await new Promise<Error>((r) => c.on('error', r));
    expect(err.message).toContain('404');
    expect(s.stats.refused).toBe(1);
  });

  it('fails snapshot requests with 429 + Retry-After or 5xx, and slows them, as configured', async () => {
    const s = await sim({
      faults: { failFirstSnapshots: 1, failSnapshot: { rate: 0, status: 429, retryAfterS: 3 } },
    });
    const u = `${s.restUrl}/fapi/v1/depth?symbol=BTCUSDT&limit=1000`;
    const r1 = await fetch(u);
    expect(r1.status).toBe(429);
    expect(r1.headers.get('retry-after')).toBe('3');
    const r2 = await fetch(u);
    expect(r2.status).toBe(200); // before the timeline reached it, the recorded snapshot is served
    expect(await r2.text()).toBe(frames.find((f) => f.kind === 'rest')!.text);
    expect(s.faults.failSnapshot).toBe(1);

    const slow = await sim({
      faults: { slowSnapshot: { rate: 1, ms: 30 }, failSnapshot: { rate: 1, status: 503 } },
    });
    expect((await fetch(`${slow.restUrl}/fapi/v1/depth?symbol=BTCUSDT&limit=5`)).status).toBe(503);
    expect(slow.faults.failSnapshot).toBe(1);
    const s3 = await sim({ faults: { slowSnapshot: { rate: 1, ms: 30 } } });
    expect((await fetch(`${s3.restUrl}/fapi/v1/depth?symbol=BTCUSDT&limit=1000`)).status).toBe(200);
    expect(s3.faults.slowSnapshot).toBe(1);
  });

  it('with hold, a snapshot asked before the recorded one is reached waits for it (503 on timeout)', async () => {
    const s = await sim({ hold: 'served', holdTimeoutMs: 300 });
    const early = await fetch(`${s.restUrl}/fapi/v1/depth?symbol=BTCUSDT&limit=1000`);
    expect(early.status).toBe(503); // no subscriber, so the timeline never reached the snapshot
    expect(s.stats.snapshotsUnavailable).toBe(1);
    const pending = fetch(`${s.restUrl}/fapi/v1/depth?symbol=BTCUSDT&limit=1000`);
    const c = client(`${s.wsUrl}/stream?streams=btcusdt@depth@0ms`);
    const r = await pending;
    expect(r.status).toBe(200);
    expect(((await r.json()) as { lastUpdateId: number }).lastUpdateId).toBeGreaterThan(0);
    expect(s.stats.snapshotsServed).toBe(1);
    c.socket.close();
  });

  it('with loop, starts over and disconnects clients at the end of each pass', async () => {
    const short = frames.slice(0, 200);
    const s = await Simulator.start({ protocol: simProtocol('binance-usdm'), frames: short, loop: true });
    sims.push(s);
    const c = client(`${s.wsUrl}/stream?streams=btcusdt@bookTicker`);
    await c.closed;
    expect(s.stats.loops).toBeGreaterThanOrEqual(1);
  });
});
