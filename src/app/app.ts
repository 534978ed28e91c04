/**
 * The running product: config → connectors (feeds) → engine (book, analytics) → bus → outputs
 * (history store, API + dashboard), plus the alert engine (roles `all` and `analyzer`): every alert is
 * published on the bus topic `alert`, stored, sent to the configured webhooks and logged; in a fleet the
 * analyzer also publishes it on the NATS bus and API nodes relay it to their WebSocket clients. News
 * (app/news.ts) is polled, stored and published on the bus topic `news` the same way.
 * `depthwatch run` and `depthwatch demo` start it; tests start it on port 0 against the simulator.
 */
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance } from 'fastify';
import type { AppConfig } from '../config/schema.ts';
import { splitInstrumentId, type VenueId } from '../core/model.ts';
import { venue as venueAdapter } from '../feeds/registry.ts';
import { Connector, SnapshotRouter } from '../live/connector.ts';
import { RestLimiter } from '../live/rest-limiter.ts';
import { loadVenueReferences } from '../live/reference.ts';
import { InstrumentCatalog } from '../core/instrument.ts';
import type { Engine } from '../pipeline/engine.ts';
import type { AnalyticsStage } from '../analytics/stage.ts';
import type { ConsolidationStage } from '../analytics/consolidated/stage.ts';
import { createPipeline } from './pipeline.ts';
import { LatencyHistograms } from '../pipeline/latency.ts';
import { consolidationOptions } from '../config/consolidation.ts';
import type { InstrumentBook } from '../book/instrument-book.ts';
import type { BookState } from '../book/health.ts';
import { InProcessBus } from '../bus/in-process.ts';
import type { Bus } from '../core/bus.ts';
import type { OutputTopics } from '../alerts/topics.ts';
import type { NewsTopics } from '../news/topics.ts';

/** Every topic of a running app's bus: what the core publishes, plus news. */
export type AppTopics = OutputTopics & NewsTopics & SsiTopics;
import type { HistoryStore } from '../store/types.ts';
import { RecordingWriter } from '../recording/index.ts';
import { createApiServer } from '../api/server.ts';
import { engineView } from '../api/types.ts';
import type { Logger } from '../util/logger.ts';
import { createStore } from '../store/store-factory.ts';
import { startBookHistory, type BookHistory } from './book-history.ts';
import { startEventHistory, startSsiHistory } from './event-history.ts';
import { startDownstreamStaleness, startSnapshotRepublisher, teeAdapter } from './fleet.ts';
import type { NatsBus } from '../bus/nats.ts';
import type { RedisCache } from '../cache/redis.ts';
import { AlertEngine } from '../alerts/engine.ts';
import { resolveRules } from '../alerts/schema.ts';
import type { Alert } from '../alerts/types.ts';
import { WebhookSink } from '../alerts/webhook.ts';
import { connectAlerts } from '../alerts/wire.ts';
import { parseAnalyticsConfig } from '../analytics/schema.ts';
import { NewsService } from './news.ts';
import { SsiService } from './ssi-service.ts';
import type { SsiTopics } from '../analytics/ssi/views.ts';
import { StartupError, apiSecurity, configProblems, readiness } from './startup.ts';
import { connectionAuth } from '../bus/nats-auth.ts';
import { limitedWarn } from '../util/log-limiter.ts';
import { redactUrl } from '../util/redact.ts';

/** Where the built dashboard lives (web/dist at the repository root). */
export const DASHBOARD_DIR = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'web', 'dist');

/**
 * The built dashboard to serve when `enabled`: DASHBOARD_DIR, or undefined (with one warning naming the
 * build command) when it is not built or not wanted.
 */
export function dashboardDir(enabled: boolean, logger: Pick<Logger, 'warn'>): string | undefined {
  if (!enabled) return undefined;
  if (existsSync(DASHBOARD_DIR)) return DASHBOARD_DIR;
  logger.warn({ dir: DASHBOARD_DIR }, 'dashboard not built: run `npm run build:web`');
  return undefined;
}

/** A started application; `close()` stops feeds, flushes the store and closes the server. */
export interface App {
  config: AppConfig;
  engine: Engine;
  /** Instrument specs loaded from the venues' reference endpoints at start (fallbacks for the rest). */
  instruments: InstrumentCatalog;
  /** Metrics and stateful analytics (null on collectors, which compute none). */
  analytics: AnalyticsStage | null;
  /** Consolidated groups and the watchlist (null on collectors). */
  consolidation: ConsolidationStage | null;
  bus: Bus<AppTopics>;
  store: HistoryStore;
  connectors: Connector[];
  /** The fleet bus when `config.bus` is set. */
  nats: NatsBus<AppTopics> | null;
  /** The Redis latest-state cache when `config.cache` is set. */
  cache: RedisCache | null;
  api: FastifyInstance;
  /** The alert engine (roles `all` and `analyzer`; null otherwise). */
  alerts: AlertEngine | null;
  /** Webhook sinks of the configured `alerts.webhooks` (empty when none or no alert engine). */
  webhooks: WebhookSink[];
  /** The news service (roles `all` and `analyzer` with `news.enabled`; null otherwise). */
  news: NewsService | null;
  /** The Vietnamese market service (roles `all` and `analyzer` with `ssi.enabled`; null otherwise). */
  ssi: SsiService | null;
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

/** Options of {@link startApp} beyond the config. */
export interface StartAppOptions {
  /**
   * The feeds replay recordings (`depthwatch demo`'s simulators): exchange times are the recordings'
   * clock, reported as `timeBase: 'recorded'` by `/healthz` so the dashboard labels them as such.
   */
  recordedTime?: boolean;
}

/**
 * Start everything the config asks for (`opts`: see StartAppOptions).
 * @throws {Error} when the store cannot be initialised or the port cannot be bound (nothing is left running)
 */
export async function startApp(config: AppConfig, logger: Logger, opts: StartAppOptions = {}): Promise<App> {
  const role = config.role;
  // Every config mistake at once, and the API's bind rule, before anything starts (app/startup.ts).
  const problems = configProblems(config);
  if (problems.length) throw new StartupError(`configuration problems:\n  ${problems.join('\n  ')}`);
  const apiSec = apiSecurity(config);
  if (apiSec.warning) logger.warn(apiSec.warning);
  const bus = new InProcessBus<AppTopics>();
  bus.onHandlerError = (topic, err) => logger.error({ topic, err }, 'bus handler failed');
  // Alerts are evaluated where history is written (the single process, analyzers); API nodes only
  // answer the rules. Built first: an invalid rule set fails before anything is started.
  const alertRules = resolveRules(config.alerts);
  const evaluatesAlerts = role === 'all' || role === 'analyzer';
  const alerts = evaluatesAlerts ? new AlertEngine(config.alerts, (a) => bus.publish('alert', a)) : null;
  const webhookFailed = limitedWarn(logger, 'webhook delivery failed (dead-lettered)');
  const webhooks = alerts
    ? config.alerts.webhooks.map(
        (w) =>
          new WebhookSink(w, (a, error) => webhookFailed(error, { webhook: redactUrl(w.url), alert: a.id })),
      )
    : [];
  // Collectors keep no history (their events go to the fleet bus): an in-memory store backs their API.
  const storeUrl = role === 'collector' ? 'memory' : config.store.url;
  const store = await createStore({
    url: storeUrl,
    flushIntervalMs: config.store.flushIntervalMs,
    retentionDays: config.store.retentionDays,
    bookSnapshotRetentionDays: config.store.bookSnapshotRetentionDays,
    heatmapRetentionDays: config.store.heatmapRetentionDays,
    newsRetentionDays: config.news.retentionDays,
    ...(config.store.analyticsEventsRetentionDays !== undefined
      ? { eventRetentionDays: config.store.analyticsEventsRetentionDays }
      : {}),
    onError: limitedWarn(logger, 'store write failed; rows kept for retry'),
  });
  await store.init();
  logger.info({ store: redactUrl(storeUrl), role }, 'store ready');

  let nats: NatsBus<AppTopics> | null = null;
  if (config.bus) {
    const { NatsBus } = await import('../bus/nats.ts');
    // Credentials from busAuth / DEPTHWATCH_BUS_* (or taken out of the URL): bus/nats-auth.ts.
    const conn = connectionAuth(config.bus, config.busAuth);
    if (conn.fromUrl)
      logger.warn('fleet bus credentials in the bus URL: prefer DEPTHWATCH_BUS_USER/PASSWORD or busAuth');
    try {
      nats = await NatsBus.connect<AppTopics>({
        servers: conn.servers,
        auth: conn.options,
        name: `depthwatch-${role}-${process.pid}`,
        onError: limitedWarn(logger, 'fleet bus error'),
      });
    } catch (e) {
      await store.close();
      throw e;
    }
    logger.info({ bus: redactUrl(config.bus), role }, 'fleet bus connected');
  } else if (role !== 'all') {
    await store.close();
    throw new Error(`role "${role}" needs a fleet bus: set bus: nats://... (or --bus)`);
  }

  // Reference data before the pipeline (the consolidated groups take their members' specs at start):
  // one REST limiter per venue, shared with its connector; one log line per venue.
  const feeds = role === 'all' || role === 'collector' ? symbolsByVenue(config.instruments) : new Map();
  const venueIds = [...symbolsByVenue(config.instruments).keys()];
  const limiters = new Map<VenueId, RestLimiter>();
  for (const v of venueIds) {
    const rest = venueAdapter(v).rest;
    if (rest) limiters.set(v, new RestLimiter({ weightPerMinute: rest.weightPerMinute }));
  }
  const recorders = new Map<VenueId, RecordingWriter>();
  if (config.recordDir)
    for (const v of feeds.keys())
      // One recording per venue (the format's header names the venue), rotated by the writer.
      recorders.set(v, new RecordingWriter({ dir: join(config.recordDir, v), venue: v }));
  const instruments = new InstrumentCatalog();
  if (config.reference && role !== 'collector')
    await loadVenueReferences({
      adapters: venueIds.map((v) => venueAdapter(v)),
      catalog: instruments,
      restUrl: (v) => config.venues[v]?.rest,
      limiter: (v) => limiters.get(v),
      recorder: (v) => recorders.get(v),
      logger,
    });
  else logger.info({ role }, 'reference data not loaded: instruments use the documented fallbacks');

  const router = new SnapshotRouter();
  const onStateChange = (b: InstrumentBook, previous: BookState): void => {
    logger.info(
      { instrument: b.instrument, from: previous, to: b.health.state, reason: b.health.reason },
      `book ${b.instrument} ${previous} -> ${b.health.state}`,
    );
  };
  // Latency of each step of the path per venue (pipeline/latency.ts): /metrics and the System view.
  const latency = new LatencyHistograms();
  const { engine, analytics, consolidation } = createPipeline({
    bus,
    latency,
    metrics: { ...config.metrics },
    sampleIntervalMs: config.metrics.sampleIntervalMs,
    computeMetrics: role !== 'collector',
    analytics: parseAnalyticsConfig(config.analytics),
    consolidation: consolidationOptions(config),
    instruments,
    onSnapshotNeeded: router.handle,
    onStateChange,
  });

  // Alerts: metrics/health/basis/staleness inputs from the bus, a 1 s wall-clock tick for staleness when
  // no frame arrives at all; each alert → store, webhooks, one log line (level by severity).
  let stopAlerts = (): void => {};
  if (alerts) {
    const disconnect = connectAlerts(bus, alerts);
    const logAlert = (a: Alert): void => {
      const line = {
        alert: a.id,
        rule: a.ruleId,
        instrument: a.instrument,
        severity: a.severity,
        value: a.value,
      };
      const text = `alert ${a.status} ${a.ruleId} ${a.instrument}: ${a.message}`;
      if (a.severity === 'critical') logger.error(line, text);
      else if (a.severity === 'warning') logger.warn(line, text);
      else logger.info(line, text);
    };
    const offAlert = bus.subscribe('alert', (a) => {
      store.appendAlerts?.([a]);
      for (const w of webhooks) w.send(a);
      logAlert(a);
    });
    const ticker = setInterval(() => alerts.tick(Date.now()), 1_000);
    ticker.unref();
    stopAlerts = () => {
      clearInterval(ticker);
      disconnect();
      offAlert();
    };
    if (!store.appendAlerts) logger.warn('the history store keeps no alerts: /api/v1/alerts answers 501');
  }

  // Outputs: 1 s metric samples and every trade go to the history store (batched by the store). API
  // nodes of a fleet only read history; analyzers (and the single process) write it.
  let bookHistory: BookHistory | null = null;
  if (role === 'all' || role === 'analyzer') {
    bus.subscribe('metrics.sample', (s) => store.appendMetrics([s]));
    bus.subscribe('trade', (t) => store.appendTrades([t]));
    startEventHistory(bus, store); // crossed-market and basis events → analytics_events
    if (config.ssi.enabled) startSsiHistory(bus, store); // SSI index and foreign flow → analytics_events
    bookHistory = startBookHistory({
      engine,
      analytics,
      groups: consolidation?.groups ?? null,
      store,
      intervalMs: config.store.bookSnapshotIntervalMs,
      depth: config.store.bookSnapshotDepth,
    });
  }
  let cache: RedisCache | null = null;
  if (config.cache && (role === 'all' || role === 'analyzer')) {
    const { RedisCache } = await import('../cache/redis.ts');
    cache = new RedisCache({
      url: config.cache,
      role,
      onError: limitedWarn(logger, 'cache write failed'),
    });
    cache.attach(bus, engine.books, analytics ?? undefined);
    logger.info({ cache: redactUrl(config.cache) }, 'latest state cached in Redis');
  }
  let stopRepublisher = (): void => {};
  let unsubscribeEvents = (): void => {};
  let stopAlertRelay = (): void => {};
  let stopNewsRelay = (): void => {};
  if (nats && (role === 'analyzer' || role === 'api')) {
    const fleet = nats;
    // Books fed by the bus go stale when it delivers nothing (no connector heartbeat watches them).
    const staleness = startDownstreamStaleness(engine);
    const offEvents = fleet.subscribeEvents((e) => {
      engine.handleEvent(e);
      staleness.seen(e.instrument);
    });
    // Alerts are evaluated once, on analyzers; API nodes relay them from the fleet bus to their own
    // bus so their WebSocket `alerts` channel carries them like the single process's does.
    stopAlertRelay =
      role === 'analyzer'
        ? bus.subscribe('alert', (a) => fleet.publish('alert', a))
        : fleet.subscribe('alert', (a) => bus.publish('alert', a));
    // News is polled on analyzers and relayed the same way.
    stopNewsRelay =
      role === 'analyzer'
        ? bus.subscribe('news', (n) => fleet.publish('news', n))
        : fleet.subscribe('news', (n) => bus.publish('news', n));
    unsubscribeEvents = () => {
      staleness.stop();
      offEvents();
    };
    await fleet.ready();
  }
  const publishEvent = nats && (role === 'collector' || role === 'all') ? nats.publishEvent.bind(nats) : null;
  if (publishEvent) stopRepublisher = startSnapshotRepublisher(engine, publishEvent, 10_000);

  const connectors: Connector[] = [];
  for (const [venueId, symbols] of feeds) {
    const base = venueAdapter(venueId);
    const adapter = publishEvent ? teeAdapter(base, publishEvent) : base;
    const endpoints = config.venues[venueId] ?? {};
    const recorder = recorders.get(venueId);
    const limiter = limiters.get(venueId);
    const c = new Connector({
      adapter,
      engine,
      symbols,
      ...(endpoints.ws ? { wsUrl: endpoints.ws } : {}),
      ...(endpoints.rest ? { restUrl: endpoints.rest } : {}),
      logger,
      ...(recorder ? { recorder } : {}),
      ...(limiter ? { limiter } : {}),
    });
    router.add(c);
    connectors.push(c);
  }

  const news =
    config.news.enabled && (role === 'all' || role === 'analyzer')
      ? new NewsService({ config: config.news, instruments: config.instruments, store, bus, logger })
      : null;

  const ssi =
    config.ssi.enabled && (role === 'all' || role === 'analyzer')
      ? new SsiService({
          config: config.ssi,
          bus,
          alerts: evaluatesAlerts ? config.alerts : null,
          logger,
          ...(config.recordDir ? { recordDir: join(config.recordDir, 'ssi') } : {}),
        })
      : null;

  const staticDir = dashboardDir(config.api.dashboard, logger);
  const apiEngine = engineView(engine, analytics, consolidation, instruments);
  const api = await createApiServer({
    engine: apiEngine,
    bus,
    store,
    ...(staticDir ? { staticDir } : {}),
    // Per-request logs would drown the one-line-per-state-change rule; the API logs its own errors.
    logger: false,
    info: { version: '0.1.0', startedAt: Date.now(), timeBase: opts.recordedTime ? 'recorded' : 'exchange' },
    ws: { maxConnectionsPerIp: config.api.maxConnectionsPerIp },
    alertRules,
    latency,
    ...(news ? { newsSources: () => news.status() } : {}),
    newsBurst: config.news.burst,
    ...(ssi ? { market: ssi.market } : {}),
    keys: apiSec.keys,
    security: apiSec.security,
    // Not ready while the store is not initialised or no configured book is live (app/startup.ts).
    ready: () => readiness(apiEngine, store, config.instruments),
  });
  let address: string;
  try {
    address = await api.listen({ host: config.api.host, port: config.api.port });
  } catch (e) {
    stopAlerts();
    bookHistory?.stop();
    await store.close();
    if (nats) await nats.close();
    throw e;
  }
  // The bound address as it is (0.0.0.0 is every interface), and a URL to open in a browser.
  const url = address.replace('[::]', '127.0.0.1').replace('0.0.0.0', '127.0.0.1');
  logger.info(
    { listen: address, url, instruments: config.instruments },
    `depthwatch listening on ${address}${url !== address ? ` (open ${url})` : ''}`,
  );
  // Configured instruments are listed from the start (`connecting`, then with the last connection error
  // while their venue is unreachable), not only once a first frame arrives.
  if (role === 'all' || role === 'collector') for (const id of config.instruments) engine.book(id);
  for (const c of connectors) c.start();
  await news?.start();
  // The SSI stream connects in the background (it retries with back-off; the API answers meanwhile).
  if (ssi)
    void ssi
      .start()
      .catch((e: Error) => logger.error({ venue: 'ssi', err: e.message }, 'SSI feed not started'));

  let closing: Promise<void> | null = null;
  const close = (): Promise<void> =>
    (closing ??= (async () => {
      logger.info('shutting down: stopping feeds, flushing store');
      await Promise.all([...connectors.map((c) => c.stop()), news?.stop(), ssi?.stop()]);
      stopRepublisher();
      unsubscribeEvents();
      engine.flush();
      bookHistory?.stop();
      stopAlerts();
      // After the alert engine's last evaluation, so alerts fired while stopping still reach API nodes.
      stopAlertRelay();
      stopNewsRelay();
      // Deliveries in flight finish (bounded by each webhook's timeout × retries).
      await Promise.all(webhooks.map((w) => w.flush()));
      await api.close();
      await store.close();
      if (cache) await cache.close();
      if (nats) await nats.close();
      await Promise.all([...recorders.values()].map((r) => r.close()));
      await bus.close();
      logger.info('stopped');
    })());
  return {
    config,
    engine,
    instruments,
    analytics,
    consolidation,
    bus,
    store,
    connectors,
    nats,
    cache,
    api,
    alerts,
    webhooks,
    news,
    ssi,
    url,
    close,
  };
}
