/**
 * Authentication and request hardening of the API server, installed by {@link registerSecurity} in one
 * call before the routes (api/server.ts):
 *
 * - **API keys** (api/security/keys.ts) as `Authorization: Bearer dwk_…`. Authentication is on as soon as
 *   one key exists (then on every address, loopback included); without keys the server may only listen on
 *   loopback (policy.ts `checkBind`).
 *   Scopes: `GET`/`HEAD` of `/api/*` and the WebSocket need `read`; other methods need `admin`.
 *   Open: `/healthz`, `/readyz`, the dashboard's static files, and `/metrics` / `/docs` when configured
 *   `public`. Errors: 401 `{statusCode, error: 'Unauthorized', message}` with `WWW-Authenticate: Bearer`
 *   (no key, unknown or revoked key, expired token), 403 `Forbidden` (key without the scope, or a
 *   WebSocket Origin not allowed).
 * - **WebSocket**: the upgrade request authenticates with the same header, or — for browsers, which cannot
 *   set headers on a WebSocket — with `?token=` from `POST /api/v1/auth/ws-token` (answer
 *   `{token, expiresAt}`; single use, valid `wsTokenTtlMs`). A long-lived key in the URL is refused (401)
 *   so it never lands in proxy logs. The `Origin` of a browser upgrade must be the server's own origin or
 *   one of `api.cors.origins`.
 * - `GET /api/v1/auth/whoami` → `{authRequired, keyId, name, scopes}` (the dashboard asks it at start).
 * - **Rate limits** (`@fastify/rate-limit`): per key, or per IP without a key; `/api/v1/history/*` has its
 *   own, stricter bucket. 429 with `Retry-After` and `x-ratelimit-limit|remaining|reset`.
 * - **Headers**: `@fastify/helmet` (no CSP: the dashboard and the OpenAPI UI inline styles),
 *   `@fastify/cors` with the allow-list (same-origin only by default).
 */
import { randomBytes } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import fastifyCors from '@fastify/cors';
import fastifyHelmet from '@fastify/helmet';
import fastifyRateLimit from '@fastify/rate-limit';
import { grants, type KeyRing, type Principal, type Scope } from './keys.ts';
import { isLoopback, type SecurityOptions } from './policy.ts';
import type { JsonHandlers } from '../contract-routes.ts';

/** Error body of 401/403/413/429/503 answers (the API's usual error shape). */
export interface SecurityError {
  statusCode: number;
  error: string;
  message: string;
}

const REASON: Record<number, string> = {
  401: 'Unauthorized',
  403: 'Forbidden',
  413: 'Payload Too Large',
  429: 'Too Many Requests',
  503: 'Service Unavailable',
};

/** Send a security error (JSON `{statusCode, error, message}`). */
export function deny(reply: FastifyReply, statusCode: number, message: string): FastifyReply {
  const body: SecurityError = { statusCode, error: REASON[statusCode] ?? 'Error', message };
  return reply.code(statusCode).send(body);
}

const principals = new WeakMap<FastifyRequest, Principal>();

/** The key a request authenticated with (undefined when authentication is off or the route is open). */
export function principalOf(req: FastifyRequest): Principal | undefined {
  return principals.get(req);
}

/** Single-use, short-lived WebSocket connect tokens. */
export class WsTokens {
  private readonly tokens = new Map<string, { p: Principal; expiresAt: number }>();
  constructor(private readonly ttlMs: number) {}

  /** A new token for `p`, valid `ttlMs` from `now`. At most 10,000 live tokens (oldest forgotten). */
  issue(p: Principal, now = Date.now()): { token: string; expiresAt: number } {
    for (const [t, v] of this.tokens) if (v.expiresAt <= now) this.tokens.delete(t);
    if (this.tokens.size >= 10_000) this.tokens.delete(this.tokens.keys().next().value!);
    const token = 'wst_' + randomBytes(24).toString('base64url');
    const expiresAt = now + this.ttlMs;
    this.tokens.set(token, { p, expiresAt });
    return { token, expiresAt };
  }

  /** The principal of a token, consuming it; null when unknown, used or expired. */
  consume(token: string, now = Date.now()): Principal | null {
    const v = this.tokens.get(token);
    if (!v) return null;
    this.tokens.delete(token);
    return v.expiresAt > now ? v.p : null;
  }
}

/** Path of a request without its query. */
function pathOf(req: FastifyRequest): string {
  const u = req.url;
  const i = u.indexOf('?');
  return i < 0 ? u : u.slice(0, i);
}

/** Whether a path is a history route (stricter rate limit, concurrency gate). */
export function isHistoryPath(path: string): boolean {
  return path.startsWith('/api/v1/history/');
}

/**
 * The scope a request needs, or null when it is open.
 * @param path the URL path without query
 */
export function requiredScope(method: string, path: string, policy: SecurityOptions): Scope | null {
  if (path === '/healthz' || path === '/readyz') return null;
  if (path === '/metrics') return policy.auth.metrics === 'public' ? null : 'read';
  if (path === '/docs' || path.startsWith('/docs/')) return policy.auth.docs === 'public' ? null : 'read';
  if (path === '/ws') return 'read';
  if (path === '/api' || path.startsWith('/api/')) {
    if (method === 'GET' || method === 'HEAD' || method === 'OPTIONS') return 'read';
    if (path === '/api/v1/auth/ws-token') return 'read';
    return 'admin';
  }
  return null; // the dashboard's static files hold no data
}

/**
 * Whether a browser `Origin` may use the API: absent (not a browser), same host, allow-listed, or a
 * loopback page calling a loopback server.
 */
export function originAllowed(
  origin: string | undefined,
  host: string | undefined,
  allow: readonly string[],
): boolean {
  if (!origin) return true;
  if (allow.includes('*') || allow.includes(origin)) return true;
  try {
    const o = new URL(origin);
    if (host !== undefined && o.host === host) return true;
    // A page on this machine (e.g. the dashboard's dev server on another port) talking to a loopback
    // server: only pages served from loopback, never an arbitrary web site the user visits.
    return host !== undefined && isLoopback(o.hostname) && isLoopback(hostName(host));
  } catch {
    return false;
  }
}

function hostName(host: string): string {
  return host.startsWith('[') ? host.slice(0, host.indexOf(']') + 1) : host.replace(/:\d+$/, '');
}

/** Fastify server options implied by the policy (body limit, proxy trust, timeouts against slow clients). */
export function securityServerOptions(policy: SecurityOptions): {
  bodyLimit: number;
  trustProxy: SecurityOptions['trustProxy'];
  keepAliveTimeout: number;
  requestTimeout: number;
} {
  return {
    bodyLimit: policy.limits.bodyLimitBytes,
    trustProxy: policy.trustProxy,
    keepAliveTimeout: policy.limits.keepAliveTimeoutMs,
    requestTimeout: policy.limits.requestTimeoutMs,
  };
}

/**
 * Install authentication, rate limits, helmet and CORS on `app` (module comment). Call before the routes
 * are registered. The auth routes themselves are in the contract's table ({@link authHandlers}).
 * @param keys the accepted keys; authentication is on when it holds at least one active key
 */
export function registerSecurity(app: FastifyInstance, keys: KeyRing, policy: SecurityOptions): AuthState {
  const authOn = keys.size > 0;
  const tokens = new WsTokens(policy.auth.wsTokenTtlMs);
  const allow = policy.cors.origins;

  const authenticate = async (
    req: FastifyRequest,
    reply: FastifyReply,
  ): Promise<FastifyReply | undefined> => {
    const path = pathOf(req);
    if (path === '/ws' && !originAllowed(req.headers.origin, req.headers.host, allow))
      return deny(reply, 403, `WebSocket origin ${req.headers.origin} is not allowed (api.cors.origins)`);
    const need = requiredScope(req.method, path, policy);
    if (need === null || !authOn) return;
    let p: Principal | null = null;
    const header = req.headers.authorization;
    if (header !== undefined) {
      const m = /^Bearer\s+(\S+)\s*$/i.exec(header);
      if (!m) return unauthorized(reply, 'Authorization must be "Bearer <API key>"');
      p = keys.verify(m[1]!);
      if (!p) return unauthorized(reply, 'unknown or revoked API key');
    } else if (path === '/ws') {
      const token = (req.query as Record<string, unknown> | undefined)?.token;
      if (typeof token === 'string' && token.startsWith('dwk_'))
        return unauthorized(
          reply,
          'API keys are not accepted in URLs: send Authorization: Bearer, or get a token from POST /api/v1/auth/ws-token',
        );
      if (typeof token === 'string') {
        p = tokens.consume(token);
        if (!p) return unauthorized(reply, 'WebSocket token unknown, used or expired');
      }
    }
    if (!p) return unauthorized(reply, 'missing API key: send Authorization: Bearer <key>');
    if (!grants(p.scopes, need))
      return deny(reply, 403, `API key ${p.keyId} lacks scope "${need}" for ${req.method} ${path}`);
    principals.set(req, p);
  };
  // HTTP requests are checked first thing; WebSocket upgrades once @fastify/websocket has taken the
  // socket over (its own onRequest hook must run, or a refused upgrade leaves the socket unmanaged).
  app.addHook('onRequest', async (req, reply) => {
    if (pathOf(req) !== '/ws') return authenticate(req, reply);
  });
  app.addHook('preValidation', async (req, reply) => {
    if (pathOf(req) === '/ws') return authenticate(req, reply);
  });

  void app.register(fastifyHelmet, { contentSecurityPolicy: false, global: true });
  void app.register(fastifyCors, {
    origin: (origin, cb) => cb(null, origin === undefined || allow.includes('*') || allow.includes(origin)),
  });
  void app.register(fastifyRateLimit, {
    global: true,
    timeWindow: policy.limits.rateWindowMs,
    max: (req) => (isHistoryPath(pathOf(req)) ? policy.limits.historyRateMax : policy.limits.rateMax),
    keyGenerator: (req) => {
      const p = principals.get(req);
      const who = p ? 'key:' + p.keyId : 'ip:' + req.ip;
      return (isHistoryPath(pathOf(req)) ? 'history|' : 'all|') + who;
    },
    allowList: (req) => pathOf(req) === '/healthz',
    errorResponseBuilder: (_req, ctx) => ({
      statusCode: 429,
      error: 'Too Many Requests',
      message: `rate limit: ${ctx.max} requests per ${ctx.after} exceeded; retry in ${Math.ceil(ctx.ttl / 1000)} s`,
    }),
  });

  return { authOn, tokens };
}

/** What the auth routes need from {@link registerSecurity}. */
export interface AuthState {
  /** Whether keys are required (at least one active key). */
  authOn: boolean;
  tokens: WsTokens;
}

/**
 * Handlers of `POST /api/v1/auth/ws-token` and `GET /api/v1/auth/whoami` (contract route table). The
 * token is issued for the key the request authenticated with; without authentication it is null.
 */
export function authHandlers(state: AuthState): Pick<JsonHandlers, 'authWsToken' | 'authWhoami'> {
  return {
    authWsToken: async ({ raw }) => {
      const p = principals.get(raw);
      if (!state.authOn || !p) return { token: null, expiresAt: null, authRequired: false };
      return { ...state.tokens.issue(p), authRequired: true };
    },
    authWhoami: async ({ raw }) => {
      const p = principals.get(raw);
      return {
        authRequired: state.authOn,
        keyId: p?.keyId ?? null,
        name: p?.name ?? null,
        scopes: [...(p?.scopes ?? [])],
      };
    },
  };
}

function unauthorized(reply: FastifyReply, message: string): FastifyReply {
  void reply.header('WWW-Authenticate', 'Bearer realm="depthwatch"');
  return deny(reply, 401, message);
}
