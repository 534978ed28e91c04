/**
 * The real offline run for browser tests: two local exchange simulators (Binance USD-M and spot, real
 * recordings, recorded pace) and the depthwatch app connected to them over loopback, serving the built
 * dashboard. Exactly what `depthwatch demo` runs, with two venues.
 */
import { join } from 'node:path';
import { pino } from 'pino';
import { startApp } from '../../src/app/app.ts';
import { startSimulator, type RunningSimulator } from '../../src/app/simulator.ts';
import { loadConfig } from '../../src/config/load.ts';

/** Repository root. */
export const repoRoot = join(import.meta.dirname, '..', '..');
const DATA = join(repoRoot, '..', 'shared', 'data', 'binance-hftbacktest');

/** A running offline app. */
export interface OfflineApp {
  /** Base URL with a trailing slash, e.g. `http://127.0.0.1:41234/`. */
  url: string;
  instruments: string[];
  close(): Promise<void>;
}

/** Start both simulators and the app (port 0, in-memory store, dashboard from web/dist). */
export async function startOfflineApp(): Promise<OfflineApp> {
  const sims: RunningSimulator[] = [
    await startSimulator({
      venue: 'binance-usdm',
      files: [join(DATA, 'usdm', 'btcusdt_20240808.gz')],
      speed: 1,
      loop: true,
    }),
    await startSimulator({
      venue: 'binance',
      files: [join(DATA, 'spot', 'btcusdt_20240808.gz'), join(DATA, 'spot', 'btcusdt_20240809.gz')],
      speed: 1,
      loop: true,
    }),
  ];
  const config = loadConfig(
    undefined,
    {
      instruments: sims.flatMap((s) => s.instruments),
      venues: {
        'binance-usdm': { ws: sims[0]!.wsUrl, rest: sims[0]!.restUrl },
        binance: { ws: sims[1]!.wsUrl, rest: sims[1]!.restUrl },
      },
      api: { host: '127.0.0.1', port: 0, dashboard: true },
      store: { url: 'memory', flushIntervalMs: 500 },
    },
    {},
  );
  const app = await startApp(config, pino({ level: 'silent' }));
  return {
    url: `${app.url}/`,
    instruments: config.instruments,
    close: async () => {
      await app.close();
      await Promise.all(sims.map((s) => s.close()));
    },
  };
}
