/**
 * The offline app on one running simulator, configured as test/app.test.ts and `depthwatch demo` do
 * (loopback API on port 0, no dashboard, a DuckDB file in a fresh temp folder, no news polling).
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { startApp, type App, type StartAppOptions } from '../src/app/app.ts';
import type { RunningSimulator } from '../src/app/simulator.ts';
import { loadConfig } from '../src/config/load.ts';

/** Start the app on `sim` (its venue and instruments). @param opts startApp options (e.g. recordedTime) */
export async function startAppOn(sim: RunningSimulator, opts: StartAppOptions = {}): Promise<App> {
  const dbPath = join(mkdtempSync(join(tmpdir(), 'dw-offline-')), 'history.duckdb');
  const config = loadConfig(
    undefined,
    {
      instruments: sim.instruments,
      venues: { [sim.venue]: { ws: sim.wsUrl, rest: sim.restUrl } },
      api: { host: '127.0.0.1', port: 0, dashboard: false },
      store: { url: `duckdb:${dbPath}`, flushIntervalMs: 500 },
      news: { enabled: false },
    },
    {},
  );
  return startApp(config, pino({ level: 'silent' }), opts);
}
