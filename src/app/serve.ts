/**
 * `depthwatch serve`: the whole product — books, analytics, consolidation, alerts, history, API and
 * dashboard — over recordings instead of live feeds, on recorded time. The recordings given on the
 * command line open as the first replay session (playing); more sessions are opened, steered and closed
 * through `/api/v1/replay` (files of the recordings folder `replay.dir` only) and the dashboard's replay
 * bar. Every time-dependent piece follows each session's replay clock: candles, metric timestamps and
 * alert windows are computed from the frames' recorded times, book snapshots are taken every 10 s of
 * recorded time, and history queries without `to` end at the replay clock (the latest session position).
 */
import { resolve } from 'node:path';
import type { FastifyInstance } from 'fastify';
import type { AppConfig } from '../config/schema.ts';
import { consolidationOptions } from '../config/consolidation.ts';
import { parseAnalyticsConfig } from '../analytics/schema.ts';
import { resolveRules } from '../alerts/schema.ts';
import type { Alert } from '../alerts/types.ts';
import { InProcessBus } from '../bus/in-process.ts';
import { createApiServer } from '../api/server.ts';
import type { HistoryStore } from '../store/types.ts';
import { createStore } from '../store/store-factory.ts';
import type { Logger } from '../util/logger.ts';
import type { ReplaySpeed } from '../contract/replay.ts';
import type { ReplaySessionView } from '../api/replay-routes.ts';
import { ReplaySessions } from '../replay/sessions.ts';
import { dashboardDir, type AppTopics } from './app.ts';
import { apiSecurity } from './startup.ts';
import { redactUrl } from '../util/redact.ts';

/** What to open at start. */
export interface ServeOptions {
  /** Recordings of the first session (any readable path); none: start with no session. */
  files?: readonly string[];
  speed?: ReplaySpeed;
  loop?: boolean;
  /** Start playing at once (default true). */
  play?: boolean;
  /** Venue of files whose format does not tell it. */
  venue?: string;
}

/** A running serve process. */
export interface ServeApp {
  config: AppConfig;
  sessions: ReplaySessions;
  store: HistoryStore;
  api: FastifyInstance;
  /** The session opened from the command line (null without files). */
  first: ReplaySessionView | null;
  /** `http://host:port`. */
  url: string;
  close(): Promise<void>;
}

/**
 * Start the replay server.
 * @throws {Error} when the store cannot be initialised, the port cannot be bound or the recordings
 *   cannot be read (nothing is left running)
 */
export async function startServe(config: AppConfig, logger: Logger, o: ServeOptions = {}): Promise<ServeApp> {
  const bus = new InProcessBus<AppTopics>();
  bus.onHandlerError = (topic, err) => logger.error({ topic, err }, 'bus handler failed');
  const alertRules = resolveRules(config.alerts);
  // API keys, limits and the bind rule as for `run` (app/startup.ts): refuses before anything starts.
  const apiSec = apiSecurity(config);
  if (apiSec.warning) logger.warn(apiSec.warning);
  const store = await createStore({
    url: config.store.url,
    flushIntervalMs: config.store.flushIntervalMs,
    // Recorded time is in the past: retention would delete the history as it is written.
    retentionDays: 0,
    bookSnapshotRetentionDays: 0,
    heatmapRetentionDays: 0,
    onError: (err) => logger.warn({ err }, 'store write failed; rows kept for retry'),
  });
  await store.init();
  const sessions = new ReplaySessions({
    bus,
    store,
    ...(config.replay.dir !== undefined ? { dir: resolve(config.replay.dir) } : {}),
    maxSessions: config.replay.maxSessions,
    checkpointEveryMs: config.replay.checkpointEverySeconds * 1000,
    ...(o.venue ? { venue: o.venue } : {}),
    alerts: config.alerts,
    bookSnapshots: { intervalMs: config.store.bookSnapshotIntervalMs, depth: config.store.bookSnapshotDepth },
    engine: {
      metrics: { ...config.metrics },
      sampleIntervalMs: config.metrics.sampleIntervalMs,
      analytics: parseAnalyticsConfig(config.analytics),
      consolidation: consolidationOptions(config),
    },
  });
  const offAlerts = bus.subscribe('alert', (a: Alert) =>
    logger.info({ alert: a.id, rule: a.ruleId, instrument: a.instrument }, `alert ${a.status} ${a.ruleId}`),
  );
  const staticDir = dashboardDir(config.api.dashboard, logger);
  const api = createApiServer({
    engine: sessions.engineView(),
    bus,
    store,
    ...(staticDir ? { staticDir } : {}),
    logger: false,
    info: { version: '0.1.0', startedAt: Date.now(), timeBase: 'recorded' },
    ws: { maxConnectionsPerIp: config.api.maxConnectionsPerIp },
    alertRules,
    replay: sessions,
    now: () => sessions.clock(),
    keys: apiSec.keys,
    security: apiSec.security,
  });
  const cleanup = async (): Promise<void> => {
    offAlerts();
    await api.close(); // closes the sessions too (server onClose)
    await store.close();
    await bus.close();
  };
  let first: ReplaySessionView | null = null;
  let address: string;
  try {
    if (o.files && o.files.length > 0) {
      first = await sessions.openPaths(
        o.files,
        o.files.map((f) => resolve(f)),
        { speed: o.speed ?? 1, loop: o.loop ?? false, play: o.play ?? true },
      );
      logger.info(
        { session: first.id, files: o.files, instruments: first.instruments, speed: first.speed },
        `replay session ${first.id}: ${new Date(first.start).toISOString()} .. ${new Date(first.end).toISOString()}`,
      );
    }
    address = await api.listen({ host: config.api.host, port: config.api.port });
  } catch (e) {
    await cleanup();
    throw e;
  }
  const url = address.replace('[::]', '127.0.0.1').replace('0.0.0.0', '127.0.0.1');
  logger.info(
    { listen: address, url, recordings: config.replay.dir ?? null, store: redactUrl(config.store.url) },
    `depthwatch serve listening on ${address}${url !== address ? ` (open ${url})` : ''}`,
  );
  let closing: Promise<void> | null = null;
  return {
    config,
    sessions,
    store,
    api,
    first,
    url,
    close: () => (closing ??= cleanup().then(() => logger.info('stopped'))),
  };
}
