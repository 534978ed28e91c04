/**
 * The real offline run for browser tests: two local exchange simulators (Binance USD-M and spot, real
 * recordings, recorded pace) and the depthwatch app connected to them over loopback, serving the built
 * dashboard. Exactly what `depthwatch demo` runs, with two venues.
 */
import type { KeyRecord } from '../../src/api/security/keys.ts';
import { join } from 'node:path';
import { pino } from 'pino';
import { startApp } from '../../src/app/app.ts';
import { startSimulator, type RunningSimulator } from '../../src/app/simulator.ts';
import { loadConfig } from '../../src/config/load.ts';
import type { AlertsConfigInput } from '../../src/alerts/schema.ts';
import type { FaultConfig } from '../../src/sim/index.ts';
import { DEFAULT_DEMO_GROUP } from '../../src/cli/run.ts';
import { VENUE_RECORDINGS } from '../../src/app/venue-recordings.ts';
import { startNewsReplayServer, type NewsReplayServer } from '../../src/news/replay-server.ts';

/** Repository root. */
export const repoRoot = join(import.meta.dirname, '..', '..');
const DATA = join(repoRoot, '..', 'shared', 'data', 'binance-hftbacktest');
/** The shared feed documents the demo serves as replayed live news. */
export const NEWS_DIR = join(repoRoot, '..', 'shared', 'data', 'news');
export const NEWS_FILES = [
  'coindesk-2019-01-31.rss',
  'cointelegraph-2019-01-31.rss',
  'cointelegraph-2020-03-11.rss',
  'cryptopanic-posts-2023-05-20.json',
  'coindesk-2025-12-12.rss',
  'cointelegraph-2025-12-12.rss',
  'decrypt-2025-12-12.rss',
  'theblock-2025-12-12.rss',
  'coindesk-2026-08-11.xml',
];

/** A running offline app. */
export interface OfflineApp {
  /** Base URL with a trailing slash, e.g. `http://127.0.0.1:41234/`. */
  url: string;
  instruments: string[];
  close(): Promise<void>;
}

/** Options of {@link startOfflineApp}. */
export interface OfflineAppOptions {
  /** The app's `alerts` config section (default: the app's defaults, built-in rules). */
  alerts?: AlertsConfigInput;
  /** How often a book snapshot of every live book is stored, ms (the app's default: 10 s). */
  bookSnapshotIntervalMs?: number;
  /** Faults the Binance USD-M simulator injects (e.g. `dropNth` for a sequence gap and a resync). */
  usdmFaults?: FaultConfig;
  /**
   * Serve the shared feed documents as replayed news, as `depthwatch demo` does (news/replay-server.ts),
   * with this much recorded news out at start and the rest over `playMs`; news is off without it.
   */
  news?: { backfillMs: number; playMs: number };
  /**
   * Also replay the simultaneous Binance COIN-M recording and consolidate the three BTC books as the
   * demo's `BTC-USD` group (cli/run.ts DEFAULT_DEMO_GROUP), as `depthwatch demo` does.
   */
  consolidated?: boolean;
  /** More venues, each replaying its recordings of app/venue-recordings.ts (e.g. `hyperliquid`). */
  extraVenues?: string[];
  /** API keys the server requires (records with hashes, api/security/keys.ts); none: no keys. */
  apiKeys?: KeyRecord[];
}

/**
 * Alert rules that fire on the real recordings within seconds of a book going live, for browser tests:
 * a spread is never negative (`spreadBps >= 0` holds on every live sample: one info alert per instrument
 * after 1 s), the top-10 imbalance flips sign past ±0.3 (warning, at most every 1 s), and an extreme L1
 * imbalance (critical, at most every 2 s): dozens of alerts within half a minute (the engine's rate limit,
 * 20 then 60 a minute, caps them), enough for several pages. Built-in rules off, no dedup window.
 */
export const ALWAYS_FIRING_ALERTS: AlertsConfigInput = {
  builtins: false,
  dedupWindowMs: 0,
  rules: [
    {
      id: 'spread_seen',
      kind: 'metric',
      metric: 'spreadBps',
      comparator: '>=',
      threshold: 0,
      forMs: 1_000,
      severity: 'info',
    },
    {
      id: 'imbalance_flip',
      kind: 'metric',
      metric: 'imbalanceTopN',
      comparator: 'flip',
      threshold: 0.3,
      cooldownMs: 1_000,
      severity: 'warning',
    },
    {
      id: 'l1_extreme',
      kind: 'metric',
      metric: 'imbalanceL1',
      comparator: 'abs>',
      threshold: 0.9,
      clearThreshold: 0.5,
      cooldownMs: 2_000,
      severity: 'critical',
    },
  ],
};

/** Start both simulators and the app (port 0, in-memory store, dashboard from web/dist). */
export async function startOfflineApp(opts: OfflineAppOptions = {}): Promise<OfflineApp> {
  const sims: RunningSimulator[] = [
    await startSimulator({
      venue: 'binance-usdm',
      files: [join(DATA, 'usdm', 'btcusdt_20240808.gz')],
      speed: 1,
      loop: true,
      ...(opts.usdmFaults ? { faults: opts.usdmFaults } : {}),
    }),
    await startSimulator({
      venue: 'binance',
      files: [join(DATA, 'spot', 'btcusdt_20240808.gz'), join(DATA, 'spot', 'btcusdt_20240809.gz')],
      speed: 1,
      loop: true,
    }),
  ];
  const simVenues = ['binance-usdm', 'binance'];
  if (opts.consolidated) simVenues.push('binance-coinm');
  simVenues.push(...(opts.extraVenues ?? []));
  if (opts.consolidated)
    sims.push(
      await startSimulator({
        venue: 'binance-coinm',
        files: [join(DATA, 'cm', 'btcusd_perp_20240808.gz'), join(DATA, 'cm', 'btcusd_perp_20240809.gz')],
        speed: 1,
        loop: true,
      }),
    );
  for (const venue of opts.extraVenues ?? [])
    sims.push(
      await startSimulator({
        venue,
        files: (VENUE_RECORDINGS[venue] ?? []).map((f) => join(repoRoot, f)),
        speed: 1,
        loop: true,
      }),
    );
  const newsServer: NewsReplayServer | null = opts.news
    ? await startNewsReplayServer({ dir: NEWS_DIR, files: NEWS_FILES, ...opts.news, intervalMs: 10_000 })
    : null;
  const config = loadConfig(
    undefined,
    {
      news: newsServer
        ? { sources: newsServer.sources, cryptopanic: { enabled: false } }
        : { enabled: false },
      instruments: sims.flatMap((s) => s.instruments),
      venues: Object.fromEntries(sims.map((s, i) => [simVenues[i]!, { ws: s.wsUrl, rest: s.restUrl }])),
      ...(opts.consolidated ? { consolidated: DEFAULT_DEMO_GROUP } : {}),
      api: {
        host: '127.0.0.1',
        port: 0,
        dashboard: true,
        ...(opts.apiKeys ? { auth: { keys: opts.apiKeys } } : {}),
      },
      store: {
        url: 'memory',
        flushIntervalMs: 500,
        ...(opts.bookSnapshotIntervalMs ? { bookSnapshotIntervalMs: opts.bookSnapshotIntervalMs } : {}),
      },
      ...(opts.alerts ? { alerts: opts.alerts } : {}),
    },
    {},
  );
  // As `depthwatch demo` starts it: exchange times are the recordings' clock (header tag "recorded time").
  const app = await startApp(config, pino({ level: 'silent' }), { recordedTime: true });
  return {
    url: `${app.url}/`,
    instruments: config.instruments,
    close: async () => {
      await app.close();
      await Promise.all([...sims.map((s) => s.close()), newsServer?.close()]);
    },
  };
}
