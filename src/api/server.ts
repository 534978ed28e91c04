/**
 * The HTTP + WebSocket API server (fastify). `createApiServer(deps)` returns the instance, not yet
 * listening: the caller does `await app.listen({ port, host })` and `await app.close()` at shutdown
 * (which also stops the WebSocket hub and closes its clients).
 *
 * Every route is in the contract's route table (src/contract/routes.ts: paths, parameters, response
 * and error schemas); JSON handlers are in api/handlers.ts, api/news-routes.ts and api/replay-routes.ts.
 * Conventions (README "API"): JSON, lists `{items, nextCursor}`, times ms since epoch UTC (`localTs`,
 * `exchangeTs`), unknown numbers null, errors `{statusCode, error, message}` (400 naming the bad
 * parameter, 404 for an unknown instrument/group/session or route, 501 when a feature or the store's
 * support is off, 503 when not ready). Besides the JSON routes: `GET /metrics` (Prometheus text),
 * `GET /ws` (WebSocket, protocol in src/contract/ws.ts), `GET /docs` (OpenAPI UI), `GET
 * /docs/openapi.json` and `GET /docs/asyncapi.json` (generated from the contract), and the built
 * dashboard from `staticDir` at `/` (SPA fallback to index.html) when given.
 *
 * Plugins and hooks (auth, rate limits, headers, CORS, the history gate, docs UI, WebSocket) are
 * registered in one place, {@link registerPlugins}, before the routes. Security (README "Security"):
 * API keys once any exists (401/403), rate limits (429), body limit (413), history pages capped in rows
 * and bytes and at most `historyConcurrency` history queries at once (503).
 */
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import Fastify, { type FastifyBaseLogger, type FastifyInstance, type FastifyReply } from 'fastify';
import fastifyStatic from '@fastify/static';
import fastifySwagger from '@fastify/swagger';
import fastifySwaggerUi from '@fastify/swagger-ui';
import fastifyWebsocket from '@fastify/websocket';
import type { Bus } from '../core/bus.ts';
import type { OutputTopics } from '../alerts/topics.ts';
import type { HistoryStore } from '../store/types.ts';
import type { AlertRule } from '../alerts/schema.ts';
import { routes } from '../contract/routes.ts';
import { asyncApiDocument, openApiDocument } from '../contract/openapi.ts';
import type { ErrorBody } from '../contract/common.ts';
import { zodValidatorCompiler } from './params.ts';
import { countAlerts, createMetricsRegistry } from './prometheus.ts';
import type { LatencyHistograms } from '../pipeline/latency.ts';
import type { ApiEngine } from './types.ts';
import { WsHub, type WsOptions } from './ws-hub.ts';
import { newsHandlers, type NewsApiDeps } from './news-routes.ts';
import { ApiError, fastifySchema, registerJsonRoutes } from './contract-routes.ts';
import { coreHandlers } from './handlers.ts';
import { replayHandlers, type ReplayApi } from './replay-routes.ts';
import { marketHandlers } from './market-routes.ts';
import type { SsiMarket } from '../analytics/ssi/market.ts';
import { KeyRing } from './security/keys.ts';
import { defaultSecurity, type SecurityOptions } from './security/policy.ts';
import {
  authHandlers,
  principalOf,
  registerSecurity,
  securityServerOptions,
  type AuthState,
} from './security/auth.ts';
import { historyGateMetrics, registerHistoryGate, type HistoryGateStats } from './security/limits.ts';

/** What the API server needs (the news routes' options: api/news-routes.ts). */
export interface ApiDeps extends Omit<NewsApiDeps, 'store'> {
  /** The running engine (a real Engine): books, latest metrics, drop counters, consolidation. */
  engine: ApiEngine;
  /** The bus the engine publishes on (the WebSocket hub subscribes to its output topics). */
  bus: Bus<OutputTopics>;
  store: HistoryStore;
  /** Directory of the built dashboard (index.html + assets), served at `/`; skipped when absent. */
  staticDir?: string;
  /** A pino logger for fastify, or false/absent for none. */
  logger?: FastifyBaseLogger | false;
  /**
   * Version, start time and time base (`recorded`: exchange times are the recordings' clock, e.g. the
   * demo; default `exchange`) answered by `/healthz`.
   */
  info?: { version: string; startedAt: number; timeBase?: 'exchange' | 'recorded' };
  /** WebSocket limits and throttles. */
  ws?: WsOptions;
  /** Effective alert rules, answered by `GET /api/v1/alert-rules` (default: none). */
  alertRules?: readonly AlertRule[];
  /**
   * Readiness probe; default: the store's `isReady` when it has one, else `store.counts()` succeeds. A
   * string answer means not ready and says why (app/startup.ts readiness: no configured book live).
   */
  ready?: () => boolean | string | Promise<boolean | string>;
  /** Replay sessions (`/api/v1/replay`); absent: those routes answer 501. */
  replay?: ReplayApi;
  /** Latency histograms of the pipeline (pipeline/latency.ts), exposed in `/metrics`. */
  latency?: LatencyHistograms;
  /** The SSI market state (`/api/v1/market/…`, WS `market`/`foreign`/`index`); absent: 501 / no data. */
  market?: SsiMarket;
  /** Accepted API keys (api/security/keys.ts); none = authentication off (loopback only, policy.ts). */
  keys?: KeyRing;
  /** Auth, rate, size, history and WebSocket limits (api/security/policy.ts; default: their defaults). */
  security?: SecurityOptions;
  /** Clock of history ranges' defaults (a replay server: its replay clock); default Date.now. */
  now?: () => number;
}

const STATUS_TEXT: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  409: 'Conflict',
  413: 'Payload Too Large',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
  501: 'Not Implemented',
  503: 'Service Unavailable',
};

/** A 4xx/5xx answer with the contract's error body. */
export function fail(reply: FastifyReply, statusCode: number, message: string): FastifyReply {
  const body: ErrorBody = { statusCode, error: STATUS_TEXT[statusCode] ?? 'Error', message };
  return reply.code(statusCode).send(body);
}

/**
 * The one place where plugins and cross-cutting hooks are registered, before any route: authentication,
 * rate limits, helmet headers and CORS (api/security/auth.ts), the history concurrency gate
 * (api/security/limits.ts), the OpenAPI UI at `/docs` (over the document generated from the contract)
 * and the WebSocket server.
 * @returns the auth state (for the auth routes) and the history gate's counters
 */
export function registerPlugins(
  app: FastifyInstance,
  deps: ApiDeps,
  ctx: { hub: WsHub; version: string; security: SecurityOptions },
): { auth: AuthState; historyGate: HistoryGateStats } {
  const auth = registerSecurity(app, deps.keys ?? new KeyRing(), ctx.security);
  const historyGate = registerHistoryGate(app, ctx.security.limits.historyConcurrency);
  void app.register(fastifySwagger, {
    mode: 'static',
    specification: { document: openApiDocument({ version: ctx.version }) as never },
  });
  void app.register(fastifySwaggerUi, { routePrefix: '/docs' });
  void app.register(fastifyWebsocket, { options: { maxPayload: ctx.hub.maxPayloadBytes } });
  return { auth, historyGate };
}

/** Create the API server (plugins and routes registered, not listening). */
export function createApiServer(deps: ApiDeps): FastifyInstance {
  const { engine, bus, store } = deps;
  const info = deps.info ?? { version: '0.0.0', startedAt: Date.now() };
  const security = deps.security ?? defaultSecurity();
  const limits = security.limits;
  // Body limit, proxy trust and timeouts against slow clients (api/security/auth.ts).
  const serverOptions = securityServerOptions(security);
  const app: FastifyInstance = deps.logger
    ? Fastify({ loggerInstance: deps.logger, disableRequestLogging: true, ...serverOptions })
    : Fastify({ logger: false, ...serverOptions });
  app.setValidatorCompiler(zodValidatorCompiler);
  const hub = new WsHub(engine, bus, {
    maxConnectionsPerKey: limits.wsConnectionsPerKey,
    messagesPerSecond: limits.wsMessagesPerSecond,
    messageBurst: limits.wsMessageBurst,
    maxBadMessages: limits.wsMaxBadMessages,
    ...deps.ws,
    ...(deps.replay ? { replay: deps.replay } : {}),
    ...(deps.latency ? { latency: deps.latency } : {}),
    ...(deps.market ? { market: deps.market } : {}),
  });
  const registry = createMetricsRegistry({
    engine,
    hub,
    store,
    version: info.version,
    ...(deps.latency ? { latency: deps.latency } : {}),
  });
  const stopCountingAlerts = countAlerts(registry, bus);
  app.addHook('onClose', async () => {
    stopCountingAlerts();
    hub.close();
    await deps.replay?.close();
  });

  app.setErrorHandler((err: Error & { statusCode?: number; validation?: unknown }, req, reply) => {
    if (err instanceof ApiError) return fail(reply, err.statusCode, err.message);
    if (err.validation !== undefined || err.statusCode === 400) return fail(reply, 400, err.message);
    // Before RangeError: fastify's 413 (body too large) is a RangeError too.
    if (err.statusCode !== undefined && err.statusCode >= 400 && err.statusCode < 500)
      return fail(reply, err.statusCode, err.message);
    if (err instanceof RangeError) return fail(reply, 400, err.message);
    req.log.error({ err }, 'request failed');
    return fail(reply, 500, err.message);
  });

  const { auth, historyGate } = registerPlugins(app, deps, { hub, version: info.version, security });
  historyGateMetrics(registry, historyGate);

  // Routes live in a plugin registered after the plugins above, so their hooks see them.
  void app.register(async (api) => {
    registerJsonRoutes(api, {
      ...coreHandlers({
        ...deps,
        info,
        historyCaps: { maxRows: limits.historyMaxRows, maxBytes: limits.historyMaxBytes },
      }),
      ...authHandlers(auth),
      ...newsHandlers(deps),
      ...replayHandlers(deps.replay),
      ...marketHandlers(deps.market),
    });

    api.get(routes.prometheus.path, { schema: fastifySchema(routes.prometheus) }, async (_r, reply) => {
      const text = await registry.metrics();
      return reply.type(registry.contentType).send(text);
    });

    const openapi = openApiDocument({ version: info.version });
    api.get(routes.openapi.path, { schema: fastifySchema(routes.openapi) }, async () => openapi);
    const asyncapi = asyncApiDocument({ version: info.version });
    api.get(routes.asyncapi.path, { schema: fastifySchema(routes.asyncapi) }, async () => asyncapi);

    api.get(
      routes.ws.path,
      {
        websocket: true,
        schema: fastifySchema(routes.ws),
        preValidation: async (req, reply) => {
          if (!hub.admits(req.ip, principalOf(req)?.keyId)) {
            hub.countRejected();
            return fail(reply, 429, 'too many WebSocket connections from this address or API key');
          }
        },
      },
      (socket, req) => hub.add(socket, req.ip, principalOf(req)?.keyId),
    );
  });

  const dir = deps.staticDir ? resolve(deps.staticDir) : null;
  const staticDir = dir && existsSync(resolve(dir, 'index.html')) ? dir : null;
  if (staticDir) {
    void app.register(fastifyStatic, { root: staticDir, prefix: '/', wildcard: true });
  }
  app.setNotFoundHandler((req, reply) => {
    const path = req.url.split('?')[0]!;
    const isApi = /^\/(api|ws|docs|metrics|healthz|readyz)(\/|$)/.test(path);
    if (staticDir && !isApi && req.method === 'GET' && (req.headers.accept ?? '').includes('text/html'))
      return reply.sendFile('index.html', staticDir);
    return fail(reply, 404, `no route ${req.method} ${path}`);
  });
  return app;
}
