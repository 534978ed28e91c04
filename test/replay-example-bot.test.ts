/**
 * The example bot (examples/imbalance-flips.ts, on the client SDK) runs unchanged against the two kinds
 * of server: the offline demo (simulators serving the Binance BTC recordings of 2024-08-08 → connectors
 * → the live app, as `npm run demo` assembles it) and `depthwatch serve` on the same recordings (a
 * replay session on recorded time). Only the URL differs; both runs must watch the three instruments
 * with the consolidated group and end cleanly with their flip count.
 */
import { execFile } from 'node:child_process';
import { resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import pino from 'pino';
import { startServe, type ServeApp } from '../src/app/serve.ts';
import { startApp, type App } from '../src/app/app.ts';
import { startSimulator, type RunningSimulator } from '../src/app/simulator.ts';
import { loadConfig } from '../src/config/load.ts';
import { DEFAULT_DEMO, DEFAULT_DEMO_GROUP } from '../src/cli/run.ts';

const run = promisify(execFile);
const MEMBERS = DEFAULT_DEMO_GROUP['BTC-USD'].members;
/** One recording per venue (the 2024-08-08 files), so the demo and serve play the same minutes. */
const FILES = DEFAULT_DEMO.map((p) => p.files[0]!);

/** Run the example bot against `url` for `seconds`; its stdout. */
async function bot(url: string, seconds: number): Promise<string> {
  const { stdout } = await run(
    process.execPath,
    ['--import', 'tsx', 'examples/imbalance-flips.ts', url, '--seconds', String(seconds)],
    { timeout: 40_000 },
  );
  return stdout;
}

function checkOutput(out: string, url: string): void {
  const lines = out.trim().split('\n');
  expect(lines[0]).toBe(`watching 3 instruments on ${url} for imbalance flips past ±0.3 (groups: BTC-USD)`);
  const flips = Number(/^(\d+) flips$/.exec(lines[lines.length - 1]!)?.[1]);
  expect(flips).toBe(lines.length - 2);
  for (const l of lines.slice(1, -1))
    expect(l).toMatch(/^\d{4}-\d\d-\d\dT\S+Z \S+ imbalance (bid|ask)-heavy -?\d\.\d{3} {2}BTC-USD BBO /);
}

describe('the example bot against the demo and against serve', () => {
  const closers: (() => Promise<unknown>)[] = [];
  afterAll(async () => {
    for (const c of closers.reverse()) await c();
  });

  it('runs against depthwatch serve on the recordings', async () => {
    const config = loadConfig(
      undefined,
      {
        api: { host: '127.0.0.1', port: 0, dashboard: false },
        store: { url: 'memory' },
        reference: false,
        news: { enabled: false },
        consolidated: { 'BTC-USD': MEMBERS },
      },
      {},
    );
    const app: ServeApp = await startServe(config, pino({ level: 'silent' }), {
      files: FILES.map((f) => resolve(f)),
      speed: 10,
    });
    closers.push(() => app.close());
    expect(app.first?.instruments).toEqual([...MEMBERS].sort());
    const url = app.url + '/';
    const out = await bot(url, 5);
    checkOutput(out, url);
    // On recorded time: at 10x, 5 s of wall time is well under the 5.8 min of the recording.
    expect(Number(/^(\d+) flips$/m.exec(out)?.[1])).toBeGreaterThan(0);
  }, 60_000);

  it('runs against the demo (simulators -> connectors -> app)', async () => {
    const sims: RunningSimulator[] = [];
    for (const [i, p] of DEFAULT_DEMO.entries())
      sims.push(await startSimulator({ venue: p.venue, files: [resolve(FILES[i]!)], speed: 10, loop: true }));
    closers.push(() => Promise.all(sims.map((s) => s.close())));
    const config = loadConfig(
      undefined,
      {
        instruments: sims.flatMap((s) => s.instruments),
        venues: Object.fromEntries(
          DEFAULT_DEMO.map((p, i) => [p.venue, { ws: sims[i]!.wsUrl, rest: sims[i]!.restUrl }]),
        ),
        api: { host: '127.0.0.1', port: 0, dashboard: false },
        store: { url: 'memory' },
        news: { enabled: false },
        consolidated: DEFAULT_DEMO_GROUP,
      },
      {},
    );
    const app: App = await startApp(config, pino({ level: 'silent' }));
    closers.push(() => app.close());
    const url = app.url + '/';
    // The connectors need their snapshots before the instruments are listed.
    for (let i = 0; i < 100 && app.engine.books.size < 3; i++) await new Promise((r) => setTimeout(r, 100));
    checkOutput(await bot(url, 5), url);
  }, 60_000);
});
