/**
 * `depthwatch run`: the main job (feeds → books → analytics → store → API + dashboard), and
 * `depthwatch demo`: the same, fed offline by the local simulator replaying a real recording.
 */
import type { Command } from 'commander';
import { resolveVenueId } from '../util/venue-ids.ts';
import { resolve } from 'node:path';
import { loadConfig, ConfigError } from '../config/load.ts';
import type { AppConfig } from '../config/schema.ts';
import { createLogger, type Logger } from '../util/logger.ts';
import type { RunningSimulator } from '../app/simulator.ts';
import { parseConsolidateArgs } from '../config/consolidation.ts';

/** Feed documents the offline demo serves as live news (relative to the repository root). */
export const DEMO_NEWS_DIR = '../shared/data/news';

/** Recordings of `demo --venue ssi` (SSI FastConnect Data messages; relative to the repository root). */
export const DEMO_SSI_FILES = [
  '../shared/data/ssi/stream/ssi_b_messages.first72.jsonl',
  '../shared/data/ssi/stream/ssi_mi_messages.jsonl',
  '../shared/data/ssi/stream/ssi_b_messages.last36.jsonl',
];

/** Default recording of the offline demo (relative to the repository root). */
export const DEMO_RECORDING = '../shared/data/binance-hftbacktest/usdm/btcusdt_20240808.gz';

const HFT = '../shared/data/binance-hftbacktest';
/**
 * The default offline demo: the simultaneous Binance BTC recordings of 2024-08-08 (spot, USD-M, COIN-M;
 * the same minutes), one simulator each, consolidated as one `BTC-USD` group.
 */
export const DEFAULT_DEMO: readonly { venue: string; files: string[] }[] = [
  { venue: 'binance', files: [`${HFT}/spot/btcusdt_20240808.gz`, `${HFT}/spot/btcusdt_20240809.gz`] },
  { venue: 'binance-usdm', files: [DEMO_RECORDING] },
  {
    venue: 'binance-coinm',
    files: [`${HFT}/cm/btcusd_perp_20240808.gz`, `${HFT}/cm/btcusd_perp_20240809.gz`],
  },
];

/**
 * The demo's consolidated group over DEFAULT_DEMO, with Binance's base-tier taker fees (spot 0.1 %,
 * futures 0.05 %; Binance "Fee Rate", VIP 0, without BNB discount) so crossed markets are net of fees.
 */
export const DEFAULT_DEMO_GROUP = {
  'BTC-USD': {
    members: ['binance:BTCUSDT', 'binance-usdm:BTCUSDT', 'binance-coinm:BTCUSD_PERP'],
    fees: { binance: 0.001, 'binance-usdm': 0.0005, 'binance-coinm': 0.0005 },
  },
};

interface RunFlags {
  config?: string;
  port?: string;
  host?: string;
  instruments?: string;
  store?: string;
  cache?: string;
  bus?: string;
  role?: string;
  record?: string;
  logLevel?: string;
  consolidate?: string[];
  insecure?: boolean;
}

/** CLI flags → config overrides (same shape as the YAML). */
function overrides(f: RunFlags): Record<string, unknown> {
  const o: Record<string, unknown> = {};
  if (f.instruments) o.instruments = f.instruments.split(',').map((s) => s.trim());
  const api: Record<string, unknown> = {};
  if (f.port !== undefined) api.port = Number(f.port);
  if (f.host) api.host = f.host;
  if (f.insecure) api.insecure = true;
  if (Object.keys(api).length) o.api = api;
  if (f.store) o.store = { url: f.store };
  if (f.cache) o.cache = f.cache;
  if (f.bus) o.bus = f.bus;
  if (f.role) o.role = f.role;
  if (f.record) o.recordDir = f.record;
  if (f.logLevel) o.log = { level: f.logLevel };
  if (f.consolidate?.length) {
    try {
      o.consolidated = parseConsolidateArgs(f.consolidate);
    } catch (e) {
      console.error((e as Error).message);
      process.exit(2);
    }
  }
  return o;
}

/** Start the app and keep it running until SIGINT/SIGTERM, then shut down gracefully (flushing). */
async function runUntilSignal(
  config: AppConfig,
  logger: Logger,
  onClose?: () => Promise<void>,
  onStarted?: (app: import('../app/app.ts').App) => void,
  appOpts: import('../app/app.ts').StartAppOptions = {},
): Promise<void> {
  const { startApp } = await import('../app/app.ts');
  const { describeStartupError } = await import('../app/startup.ts');
  let app: Awaited<ReturnType<typeof startApp>>;
  try {
    app = await startApp(config, logger, appOpts);
  } catch (e) {
    // One line naming the problem and the fix (app/startup.ts), no stack trace; exit code 1.
    console.error(`depthwatch: ${describeStartupError(e, config)}`);
    await onClose?.();
    process.exit(1);
  }
  onStarted?.(app);
  await new Promise<void>((done) => {
    const stop = (signal: string): void => {
      logger.info({ signal }, 'signal received');
      void app
        .close()
        .then(() => onClose?.())
        .finally(done);
    };
    process.once('SIGINT', () => stop('SIGINT'));
    process.once('SIGTERM', () => stop('SIGTERM'));
  });
}

function loadOrExit(file: string | undefined, o: Record<string, unknown>): AppConfig {
  try {
    return loadConfig(file, o);
  } catch (e) {
    if (e instanceof ConfigError) {
      console.error(e.message);
      process.exit(2);
    }
    throw e;
  }
}

function addRunFlags(cmd: Command): Command {
  return cmd
    .option('-c, --config <file>', 'YAML config file (or DEPTHWATCH_CONFIG)')
    .option('-p, --port <port>', 'API/dashboard port (default 8080)')
    .option('--host <host>', 'listen address (default 127.0.0.1; others need an API key or --insecure)')
    .option('--insecure', 'allow listening beyond loopback without any API key (README "Security")')
    .option('-i, --instruments <ids>', 'comma-separated instrument ids, e.g. binance:BTCUSDT,okx:BTC-USDT')
    .option('--store <url>', 'history store: duckdb:<path> (default), postgres://..., memory')
    .option('--cache <url>', 'Redis URL for latest state')
    .option('--bus <url>', 'NATS URL for the fleet bus')
    .option('--role <role>', 'fleet role: all | collector | analyzer | api')
    .option('--record <dir>', 'record raw frames to this directory')
    .option('--log-level <level>', 'trace | debug | info | warn | error')
    .option(
      '--consolidate <NAME=members...>',
      'consolidate instruments into one book, e.g. BTC-USD=binance:BTCUSDT,okx:BTC-USDT (repeatable)',
      (v: string, prev: string[] = []) => [...prev, v],
    );
}

/**
 * `demo --venue ssi [--file X.jsonl…]`: the Vietnamese market path offline: the local SSI server
 * (sim/venues/ssi.ts: AccessToken + SignalR 2 hub serving the recorded messages) → the SSI service (live
 * client, parser, market analytics, alerts) → API (`/api/v1/market/…`) and WS (`market`, `foreign`,
 * `index`). Demo credentials are set in the environment variables the config names when they are unset
 * (the local server accepts any).
 */
async function runSsiDemo(flags: RunFlags & { file?: string[] }): Promise<void> {
  const { SsiSimulator, readSsiLines } = await import('../sim/venues/ssi.ts');
  const lines = await readSsiLines((flags.file ?? DEMO_SSI_FILES).map((f) => resolve(f)));
  const sim = new SsiSimulator({ lines });
  const base = await sim.listen(0);
  const o = overrides(flags);
  o.instruments ??= [];
  o.store ??= { url: 'duckdb:./data/demo.duckdb' };
  o.news = { enabled: false };
  o.ssi = { enabled: true, streamUrl: base, restUrl: base, channels: ['B:ALL', 'MI:ALL', 'X:ALL', 'R:ALL'] };
  const config = loadOrExit(flags.config, o);
  process.env[config.ssi.consumerIdEnv] ??= 'demo';
  process.env[config.ssi.consumerSecretEnv] ??= 'demo';
  const logger = createLogger(config.log.level);
  logger.info(
    { url: base, messages: lines.length },
    'SSI simulator serving recorded messages (synthetic SignalR framing)',
  );
  await runUntilSignal(config, logger, () => sim.close());
}

/** Register `run` and `demo`. */
export function register(program: Command): void {
  addRunFlags(program.command('run'))
    .description('run the main job: live feeds, verified books, analytics, store, API and dashboard')
    .action(async (flags: RunFlags) => {
      const config = loadOrExit(flags.config, overrides(flags));
      await runUntilSignal(config, createLogger(config.log.level));
    });

  addRunFlags(program.command('demo'))
    .description(
      'run the whole path offline: simulator (real recording) -> connector -> book -> store -> API -> dashboard',
    )
    .option(
      '-f, --file <rec...>',
      'recording(s) to serve (default: the Binance spot, USD-M and COIN-M BTC recordings, consolidated as BTC-USD)',
    )
    .option('--venue <id>', 'venue (or alias) of the --file recording', resolveVenueId, 'binance-usdm')
    .option(
      '--all-venues',
      'serve every venue that has a recording at once, one simulator each (table: src/app/venue-recordings.ts)',
    )
    .option('--speed <speed>', 'max or a factor on recorded time', '1')
    .option('--no-loop', 'stop at the end of the recording instead of looping')
    .option('--news-dir <dir>', 'feed documents served as replayed live news', DEMO_NEWS_DIR)
    .option('--no-news', 'no replayed news')
    .action(
      async (
        flags: RunFlags & {
          file?: string[];
          venue: string;
          allVenues?: boolean;
          speed: string;
          loop: boolean;
          newsDir: string;
          news: boolean;
        },
      ) => {
        if (flags.venue === 'ssi') {
          await runSsiDemo(flags);
          return;
        }
        const { startSimulator } = await import('../app/simulator.ts');
        const { recordedVenues } = await import('../app/venue-recordings.ts');
        const plan = flags.allVenues
          ? recordedVenues()
          : flags.file
            ? [{ venue: flags.venue, files: flags.file }]
            : DEFAULT_DEMO;
        const sims: RunningSimulator[] = [];
        for (const p of plan) {
          sims.push(
            await startSimulator({
              venue: p.venue,
              files: p.files.map((f) => resolve(f)),
              speed: flags.speed === 'max' ? 'max' : Number(flags.speed),
              loop: flags.loop,
            }),
          );
        }
        const o = overrides(flags);
        o.instruments ??= sims.flatMap((s) => s.instruments);
        o.venues = Object.fromEntries(
          plan.map((p, i) => [p.venue, { ws: sims[i]!.wsUrl, rest: sims[i]!.restUrl }]),
        );
        o.store ??= { url: 'duckdb:./data/demo.duckdb' };
        if (!flags.file && !flags.allVenues) o.consolidated ??= DEFAULT_DEMO_GROUP;
        // News: the saved feed documents served from loopback, re-timed to now and marked replayed.
        const { existsSync, readdirSync } = await import('node:fs');
        let newsServer: import('../news/replay-server.ts').NewsReplayServer | null = null;
        if (flags.news && existsSync(flags.newsDir)) {
          const { startNewsReplayServer } = await import('../news/replay-server.ts');
          const files = readdirSync(flags.newsDir)
            .filter((f) => /\.(rss|xml|atom|json)$/.test(f))
            .sort();
          newsServer = await startNewsReplayServer({ dir: resolve(flags.newsDir), files });
          o.news = { sources: newsServer.sources, cryptopanic: { enabled: false } };
        } else o.news = { enabled: false };
        const config = loadOrExit(flags.config, o);
        const logger = createLogger(config.log.level);
        if (newsServer)
          logger.info(
            { url: newsServer.url, feeds: newsServer.stats() },
            `news replay serving ${newsServer.sources.length} recorded feeds (items re-timed to now, marked replayed)`,
          );
        for (const [i, p] of plan.entries())
          logger.info(
            { venue: p.venue, ws: sims[i]!.wsUrl, files: p.files },
            'simulator serving a recording',
          );
        const { linkReplayLoops } = await import('../app/simulator.ts');
        await runUntilSignal(
          config,
          logger,
          async () => {
            await Promise.all([...sims.map((s) => s.close()), newsServer?.close()]);
          },
          // Each pass of a looping recording shows as a feed restart, not as resync faults.
          (app) => linkReplayLoops(sims, app.connectors),
          // Exchange times are the recordings' clock: the dashboard labels them "recorded time".
          { recordedTime: true },
        );
      },
    );
}
