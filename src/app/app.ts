/**
 * The running product: config → connectors (feeds) → engine (book, analytics) → bus → outputs
 * (history store, API + dashboard). `depthwatch run` and `depthwatch demo` start it; tests start it on
 * port 0 against the simulator.
 */
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance } from 'fastify';
import type { AppConfig } from '../config/schema.ts';
import { splitInstrumentId, type VenueId } from '../core/model.ts';
import { venues, venue as venueAdapter } from '../feeds/registry.ts';
import { Connector, SnapshotRouter } from '../feeds/connector.ts';
import { Engine } from '../pipeline/engine.ts';
import { InProcessBus } from '../bus/in-process.ts';
import type { Bus } from '../bus/types.ts';
import type { HistoryStore } from '../store/types.ts';
import { RecordingWriter } from '../recording/index.ts';
import { createApiServer } from '../api/server.ts';
import type { Logger } from '../util/logger.ts';
import { createStore } from './store-factory.ts';

/** Where the built dashboard lives (web/dist at the repository root). */
export const DASHBOARD_DIR = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'web', 'dist');

/** A started application; `close()` stops feeds, flushes the store and closes the server. */
export interface App {
  config: AppConfig;
  engine: Engine;
  bus: Bus;
  store: HistoryStore;
  connectors: Connector[];
  api: FastifyInstance;
  /** `http://host:port` the API listens on. */
  url: string;
  close(): Promise<void>;
}

/** Group `<venue>:<symbol>` ids by venue. @throws {Error} for an unknown venue */
export function symbolsByVenue(instruments: readonly string[]): Map<VenueId, string[]> {
  const out = new Map<VenueId, string[]>();
  for (const id of instruments) {
    const { venue, symbol } = splitInstrumentId(id);
    venueAdapter(venue); // throws with the list of known venues
    const list = out.get(venue) ?? [];
    if (!list.includes(symbol)) list.push(symbol);
    out.set(venue, list);
  }
  return out;
}

/**
 * Start everything the config asks for.
 * @throws {Error} when the store cannot be initialised or the port cannot be bound (nothing is left running)
 */
export async function startApp(config: AppConfig, logger: Logger): Promise<App> {
  const bus = new InProcessBus();
  bus.onHandlerError = (topic, err) => logger.error({ topic, err }, 'bus handler failed');
  const store = await createStore({
    url: config.store.url,
    flushIntervalMs: config.store.flushIntervalMs,
    retentionDays: config.store.retentionDays,
    onError: (err) => logger.warn({ err }, 'store write failed; rows kept for retry'),
  });
  await store.init();
  logger.info({ store: config.store.url }, 'store ready');

  const router = new SnapshotRouter();
  const engine = new Engine({
    venues,
    bus,
    metrics: { ...config.metrics },
    sampleIntervalMs: config.metrics.sampleIntervalMs,
    onSnapshotNeeded: router.handle,
    onStateChange: (b, previous) =>
      logger.info(
        { instrument: b.instrument, from: previous, to: b.health.state, reason: b.health.reason },
        `book ${b.instrument} ${previous} -> ${b.health.state}`,
      ),
  });

  // Outputs: 1 s metric samples and every trade go to the history store (batched by the store).
  bus.subscribe('metrics.sample', (s) => store.appendMetrics([s]));
  bus.subscribe('trade', (t) => store.appendTrades([t]));

  const recorders: RecordingWriter[] = [];
  const connectors: Connector[] = [];
  for (const [venueId, symbols] of symbolsByVenue(config.instruments)) {
    const adapter = venueAdapter(venueId);
    const endpoints = config.venues[venueId] ?? {};
    // One recording per venue (the format's header names the venue), rotated by the writer.
    const recorder = config.recordDir
      ? new RecordingWriter({ dir: join(config.recordDir, venueId), venue: venueId })
      : undefined;
    if (recorder) recorders.push(recorder);
    const c = new Connector({
      adapter,
      engine,
      symbols,
      ...(endpoints.ws ? { wsUrl: endpoints.ws } : {}),
      ...(endpoints.rest ? { restUrl: endpoints.rest } : {}),
      logger,
      ...(recorder ? { recorder } : {}),
    });
    router.add(c);
    connectors.push(c);
  }

  const staticDir = config.api.dashboard && existsSync(DASHBOARD_DIR) ? DASHBOARD_DIR : undefined;
  if (config.api.dashboard && !staticDir)
    logger.warn({ dir: DASHBOARD_DIR }, 'dashboard not built: run `npm run build:web`');
  const api = await createApiServer({
    engine,
    bus,
    store,
    ...(staticDir ? { staticDir } : {}),
    // Per-request logs would drown the one-line-per-state-change rule; the API logs its own errors.
    logger: false,
    info: { version: '0.1.0', startedAt: Date.now() },
    ws: { maxConnectionsPerIp: config.api.maxConnectionsPerIp },
  });
  let address: string;
  try {
    address = await api.listen({ host: config.api.host, port: config.api.port });
  } catch (e) {
    await store.close();
    throw e;
  }
  const url = address.replace('[::]', '127.0.0.1').replace('0.0.0.0', '127.0.0.1');
  logger.info({ url, instruments: config.instruments }, `depthwatch listening on ${url}`);
  for (const c of connectors) c.start();

  let closing: Promise<void> | null = null;
  const close = (): Promise<void> =>
    (closing ??= (async () => {
      logger.info('shutting down: stopping feeds, flushing store');
      await Promise.all(connectors.map((c) => c.stop()));
      engine.flushSamples();
      await api.close();
      await store.close();
      await Promise.all(recorders.map((r) => r.close()));
      await bus.close();
      logger.info('stopped');
    })());
  return { config, engine, bus, store, connectors, api, url, close };
}
