/**
 * The API's security policy: configuration schema (the `api.auth`, `api.limits`, `api.cors`,
 * `api.trustProxy`, `api.insecure` fields of the YAML config), defaults, and the bind-address rule.
 *
 * Bind rule ({@link checkBind}): the API listens on 127.0.0.1 by default. Listening on any other address
 * (0.0.0.0, ::, a LAN address) needs at least one API key, or `--insecure` / `api.insecure: true`, which
 * is then logged as a warning at every start. Keys, once configured, are required on every address,
 * loopback included.
 */
import { z } from 'zod';
import { keyRecordSchema } from './keys.ts';

/** Who may read `/metrics` or `/docs`: anyone, or a key with scope `read`. */
const accessSchema = z.enum(['public', 'key']);

/** `api.auth`: where keys come from and what needs one. */
export const authConfigSchema = z
  .object({
    /** Key file written by `depthwatch keys create` (hashes only). */
    keysFile: z.string().default('./data/api-keys.json'),
    /** Key records (hashes, never plaintext), e.g. for a config-managed deployment. */
    keys: z.array(keyRecordSchema).default([]),
    /** `/metrics` (Prometheus): `key` (default) or `public`. */
    metrics: accessSchema.default('key'),
    /** `/docs` (OpenAPI UI and document): `key` (default) or `public`. */
    docs: accessSchema.default('key'),
    /** Life of a WebSocket connect token from `POST /api/v1/auth/ws-token`, ms (single use). */
    wsTokenTtlMs: z.number().int().min(1000).max(600_000).default(60_000),
  })
  .strict();

/** `api.limits`: request, response and WebSocket limits. */
export const limitsConfigSchema = z
  .object({
    /** Requests per window per key (or per IP without a key), every route but /healthz. */
    rateMax: z.number().int().positive().default(1200),
    /** Requests per window per key/IP on `/api/v1/history/*`. */
    historyRateMax: z.number().int().positive().default(300),
    /** Rate-limit window, ms. */
    rateWindowMs: z.number().int().positive().default(60_000),
    /** History queries running at once (beyond: 503 with Retry-After). */
    historyConcurrency: z.number().int().positive().default(4),
    /** Most rows in one history page (a larger `limit` is capped; `nextCursor` continues). */
    historyMaxRows: z.number().int().positive().default(10_000),
    /** Most JSON bytes in one history page (rows beyond are left to the next page). */
    historyMaxBytes: z
      .number()
      .int()
      .min(4096)
      .default(4 << 20),
    /** Largest request body, bytes (beyond: 413). */
    bodyLimitBytes: z
      .number()
      .int()
      .min(1024)
      .default(64 * 1024),
    /** Idle keep-alive HTTP connections are closed after this, ms. */
    keepAliveTimeoutMs: z.number().int().positive().default(5_000),
    /** A request (headers and body) must arrive within this, ms (slow clients are cut). */
    requestTimeoutMs: z.number().int().positive().default(15_000),
    /** WebSocket connections per API key. */
    wsConnectionsPerKey: z.number().int().positive().default(50),
    /** WebSocket client messages per second per connection (sustained; bursts up to `wsMessageBurst`). */
    wsMessagesPerSecond: z.number().positive().default(20),
    /** WebSocket message burst per connection (above the 256 subscriptions a client may re-send on reconnect). */
    wsMessageBurst: z.number().int().positive().default(300),
    /** Bad messages after which a WebSocket connection is closed (1008). */
    wsMaxBadMessages: z.number().int().positive().default(20),
  })
  .strict();

/** `api.cors`: browser origins allowed to call the API and open the WebSocket (besides the same origin). */
export const corsConfigSchema = z
  .object({ origins: z.array(z.string().url().or(z.literal('*'))).default([]) })
  .strict();

/**
 * `api.trustProxy`: whether `X-Forwarded-For` is believed (fastify's trustProxy): false (default), true
 * (any hop: only behind a proxy that overwrites the header), or addresses/CIDRs of the proxies
 * (`"10.0.0.1,10.0.0.2"` or a list).
 */
export const trustProxySchema = z.union([z.boolean(), z.string(), z.array(z.string())]).default(false);

/** Effective security options of the API server (config sections resolved, keys loaded). */
export interface SecurityOptions {
  auth: z.infer<typeof authConfigSchema>;
  limits: z.infer<typeof limitsConfigSchema>;
  cors: z.infer<typeof corsConfigSchema>;
  trustProxy: z.infer<typeof trustProxySchema>;
}

/** Defaults of every security option (what a test server gets without configuration). */
export function defaultSecurity(): SecurityOptions {
  return {
    auth: authConfigSchema.parse({}),
    limits: limitsConfigSchema.parse({}),
    cors: corsConfigSchema.parse({}),
    trustProxy: false,
  };
}

/** Whether `host` is a loopback address or name (127.0.0.0/8, ::1, localhost). */
export function isLoopback(host: string): boolean {
  const h = host.replace(/^\[|\]$/g, '').toLowerCase();
  return h === 'localhost' || h === '::1' || /^127\.\d+\.\d+\.\d+$/.test(h) || h === '::ffff:127.0.0.1';
}

/** A configuration the server refuses to start with. */
export class InsecureBindError extends Error {
  override readonly name = 'InsecureBindError';
}

/**
 * The bind rule (module comment).
 * @returns a warning to log when the server starts insecurely on purpose, else null
 * @throws {InsecureBindError} when `host` is not loopback, no key exists and `insecure` is not set
 */
export function checkBind(host: string, keyCount: number, insecure: boolean): string | null {
  if (isLoopback(host) || keyCount > 0) return null;
  if (insecure)
    return `API listening on ${host} WITHOUT authentication (--insecure): anyone who reaches this port can read everything`;
  throw new InsecureBindError(
    `refusing to listen on ${host} without API keys: create one with \`depthwatch keys create --scope read\` ` +
      `(or set DEPTHWATCH_API_KEYS), listen on 127.0.0.1, or pass --insecure to run open on purpose`,
  );
}
