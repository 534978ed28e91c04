/**
 * `depthwatch serve REC… [--speed N|max] [--loop] [--paused] [--consolidate …] [--dir DIR]`: the whole
 * product over recordings on recorded time (app/serve.ts). The recordings open as replay session `r1`;
 * the API (`/api/v1/replay`), the WebSocket `replay` channel and the dashboard's replay bar steer it and
 * open more sessions from the recordings folder (`--dir`, config `replay.dir`).
 */
import type { Command } from 'commander';
import { loadConfig, ConfigError } from '../config/load.ts';
import { parseConsolidateArgs } from '../config/consolidation.ts';
import { createLogger } from '../util/logger.ts';
import { resolveVenueId } from '../util/venue-ids.ts';
import { ReplaySpeed } from '../contract/replay.ts';

interface ServeFlags {
  config?: string;
  port?: string;
  host?: string;
  store: string;
  dir?: string;
  speed: string;
  loop?: boolean;
  paused?: boolean;
  venue?: string;
  checkpointEvery?: string;
  logLevel?: string;
  consolidate?: string[];
  insecure?: boolean;
}

function usage(msg: string): never {
  process.stderr.write(`depthwatch serve: ${msg}\n`);
  process.exit(2);
}

/**
 * A `--speed` value: `max` or a factor of recorded time in [0.25, 100].
 * @throws {Error} for anything else
 */
export function parseServeSpeed(v: string): ReplaySpeed {
  const parsed = ReplaySpeed.safeParse(v === 'max' ? 'max' : Number(v));
  if (!parsed.success) throw new Error(`--speed must be max or a factor in [0.25, 100], got "${v}"`);
  return parsed.data;
}

/** Register `serve`. */
export function register(program: Command): void {
  program
    .command('serve')
    .description(
      'run the whole product (books, analytics, alerts, API, dashboard) over recordings, on recorded time',
    )
    .argument('[recordings...]', 'recording files or folders of the first replay session (optional)')
    .option('-c, --config <file>', 'YAML config file (or DEPTHWATCH_CONFIG)')
    .option('-p, --port <port>', 'API/dashboard port (default 8080)')
    .option('--host <host>', 'listen address (default 127.0.0.1; others need an API key or --insecure)')
    .option('--insecure', 'allow listening beyond loopback without any API key (README "Security")')
    .option(
      '--store <url>',
      'history store of the replayed time: memory, duckdb:<path>, postgres://...',
      'memory',
    )
    .option('--dir <dir>', 'recordings folder the API and dashboard may open (config replay.dir)')
    .option('--speed <speed>', 'max or a factor of recorded time, 0.25-100', '1')
    .option('--loop', 'start over at the end')
    .option('--paused', 'open paused at the start')
    .option('--venue <id>', 'venue (or alias) of files whose format does not tell it', resolveVenueId)
    .option('--checkpoint-every <seconds>', 'recorded seconds between book checkpoints (seek targets)')
    .option('--log-level <level>', 'trace | debug | info | warn | error')
    .option(
      '--consolidate <NAME=members...>',
      'consolidate instruments into one book, e.g. BTC-USD=binance:BTCUSDT,binance-usdm:BTCUSDT (repeatable)',
      (v: string, prev: string[] = []) => [...prev, v],
    )
    .action(async (files: string[], f: ServeFlags) => {
      let speed: ReplaySpeed;
      try {
        speed = parseServeSpeed(f.speed);
      } catch (e) {
        usage((e as Error).message);
      }
      const o: Record<string, unknown> = { store: { url: f.store }, reference: false };
      const api: Record<string, unknown> = {};
      if (f.port !== undefined) api.port = Number(f.port);
      if (f.host) api.host = f.host;
      if (f.insecure) api.insecure = true;
      if (Object.keys(api).length) o.api = api;
      if (f.logLevel) o.log = { level: f.logLevel };
      const replay: Record<string, unknown> = {};
      if (f.dir) replay.dir = f.dir;
      if (f.checkpointEvery !== undefined) replay.checkpointEverySeconds = Number(f.checkpointEvery);
      if (Object.keys(replay).length) o.replay = replay;
      if (f.consolidate?.length) {
        try {
          o.consolidated = parseConsolidateArgs(f.consolidate);
        } catch (e) {
          usage((e as Error).message);
        }
      }
      let config;
      try {
        config = loadConfig(f.config, o);
      } catch (e) {
        if (e instanceof ConfigError) usage(e.message);
        throw e;
      }
      if (files.length === 0 && config.replay.dir === undefined)
        usage('give recordings, or a recordings folder (--dir) to open them from the dashboard');
      const logger = createLogger(config.log.level);
      const { startServe } = await import('../app/serve.ts');
      const { RecordingError } = await import('../recording/lines.ts');
      let app;
      try {
        app = await startServe(config, logger, {
          files,
          speed,
          loop: f.loop ?? false,
          play: !f.paused,
          ...(f.venue ? { venue: f.venue } : {}),
        });
      } catch (e) {
        if (e instanceof RecordingError || (e as { statusCode?: number }).statusCode !== undefined) {
          process.stderr.write(`depthwatch serve: ${(e as Error).message}\n`);
          process.exitCode = (e as { code?: string }).code === 'usage' ? 2 : 1;
          return;
        }
        // Port in use, the bind rule, an unreachable store...: one line naming the fix (app/startup.ts).
        const { describeStartupError } = await import('../app/startup.ts');
        process.stderr.write(`depthwatch serve: ${describeStartupError(e, config)}\n`);
        process.exitCode = 1;
        return;
      }
      const running = app;
      await new Promise<void>((done) => {
        const stop = (signal: string): void => {
          logger.info({ signal }, 'signal received');
          void running.close().finally(done);
        };
        process.once('SIGINT', () => stop('SIGINT'));
        process.once('SIGTERM', () => stop('SIGTERM'));
      });
    });
}
