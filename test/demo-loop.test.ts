/**
 * The demo's replay loop shows as feed restarts, not as resync faults: the simulator loops the first
 * 1,000 frames (~5 s) of the real Binance USD-M BTCUSDT recording at 2× and the app consumes it as
 * `depthwatch demo` wires it (app/simulator.ts linkReplayLoops). Without the link, the same loop counts
 * as reconnect resyncs (the control).
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { App } from '../src/app/app.ts';
import { startAppOn } from './offline-app.ts';
import { linkReplayLoops, startSimulator, type RunningSimulator } from '../src/app/simulator.ts';
import type { BookHealth } from '../src/book/health.ts';

const REC = '../shared/data/binance-hftbacktest/usdm/btcusdt_20240808.gz';
const ID = 'binance-usdm:BTCUSDT';

/** The simulator (short loop) and the app on it; `link` wires the loop as the demo does. */
async function start(link: boolean): Promise<{ sim: RunningSimulator; app: App; health: BookHealth[] }> {
  const sim = await startSimulator({
    venue: 'binance-usdm',
    files: [REC],
    speed: 2,
    loop: true,
    maxFrames: 1000,
  });
  // As `depthwatch demo` starts it: exchange times are the recording's clock.
  const app = await startAppOn(sim, { recordedTime: true });
  if (link) linkReplayLoops([sim], app.connectors);
  const health: BookHealth[] = [];
  app.bus.subscribe('health', (h) => {
    if (h.instrument === ID) health.push(structuredClone(h));
  });
  return { sim, app, health };
}

/** Wait until the recording looped twice and the book is live again after the last pass began. */
async function twoLoopsLive(sim: RunningSimulator, app: App): Promise<void> {
  await vi.waitFor(() => expect(sim.sim.stats.loops).toBeGreaterThanOrEqual(2), {
    timeout: 30_000,
    interval: 100,
  });
  await vi.waitFor(() => expect(app.engine.books.get(ID)!.state).toBe('live'), {
    timeout: 15_000,
    interval: 100,
  });
}

/** A Prometheus sample value of the instrument, e.g. `depthwatch_book_resyncs_total`. */
async function promValue(app: App, name: string): Promise<number> {
  const text = await (await fetch(`${app.url}/metrics`)).text();
  const line = text.split('\n').find((l) => l.startsWith(`${name}{instrument="${ID}"}`));
  expect(line, name).toBeDefined();
  return Number(line!.split(' ').pop());
}

describe('demo replay loop (real recording, short loop)', () => {
  let running: { sim: RunningSimulator; app: App } | null = null;
  afterEach(async () => {
    await running?.app.close();
    await running?.sim.close();
    running = null;
  });

  it('counts each loop as a feed restart (replay_restart), never as a resync', async () => {
    const r = (running = await start(true));
    await twoLoopsLive(r.sim, r.app);
    const c = r.app.engine.books.get(ID)!.health.counters;
    expect(c.resyncs).toBe(0);
    expect(c.restarts).toBeGreaterThanOrEqual(1);
    expect(r.app.connectors[0]!.stats.restarts).toBeGreaterThanOrEqual(1);
    // The transition: live → syncing with reason replay_restart, then live again; never resyncing.
    expect(r.health.some((h) => h.state === 'syncing' && h.reasonCode === 'replay_restart')).toBe(true);
    expect(r.health.filter((h) => h.state === 'resyncing')).toEqual([]);
    expect(await promValue(r.app, 'depthwatch_book_resyncs_total')).toBe(0);
    expect(await promValue(r.app, 'depthwatch_book_restarts_total')).toBe(c.restarts);
    const api = (await (await fetch(`${r.app.url}/api/v1/instruments`)).json()) as {
      items: { instrument: string; counters: { resyncs: number; restarts: number } }[];
    };
    // One time base: the server says exchange times are recorded time (the dashboard's header tag).
    const hz = (await (await fetch(`${r.app.url}/healthz`)).json()) as { timeBase: string };
    expect(hz.timeBase).toBe('recorded');
    expect(api.items.find((i) => i.instrument === ID)!.counters).toMatchObject({
      resyncs: 0,
      restarts: c.restarts,
    });
  }, 60_000);

  it('without the link (a plain disconnect) the same loop counts as resyncs', async () => {
    const r = (running = await start(false));
    await twoLoopsLive(r.sim, r.app);
    const c = r.app.engine.books.get(ID)!.health.counters;
    expect(c.restarts).toBe(0);
    expect(c.resyncs).toBeGreaterThanOrEqual(1);
    expect(r.health.some((h) => h.state === 'resyncing' && h.reasonCode === 'reconnect')).toBe(true);
  }, 60_000);
});
