/**
 * Start-up checks and honest errors of `depthwatch run|demo` and `depthwatch config check`:
 *
 * - {@link apiSecurity}: the API's keys and limits from the config, and the bind rule (api/security/
 *   policy.ts): a non-loopback address without any key refuses to start unless `api.insecure`.
 * - {@link configProblems}: every mistake found in a validated config at once (unknown venues, store /
 *   cache / bus URLs that cannot work, the bind rule, an unreadable key file), for `config check` and
 *   before starting.
 * - {@link describeStartupError}: one line naming the problem and the fix for the usual failures (port in
 *   use, store unreachable or locked by another process, bus refused our credentials), instead of a stack
 *   trace.
 * - {@link readiness}: what `/readyz` answers: not ready while the store is not initialised, or while no
 *   configured book is live (the reason names the states and the last error).
 */
import type { AppConfig } from '../config/schema.ts';
import { splitInstrumentId } from '../core/model.ts';
import { venue as venueAdapter } from '../feeds/registry.ts';
import { KeyError, loadKeyRing, type KeyRing } from '../api/security/keys.ts';
import { InsecureBindError, checkBind, type SecurityOptions } from '../api/security/policy.ts';
import { BusAuthError, connectionAuth } from '../bus/nats-auth.ts';
import type { ApiEngine } from '../api/types.ts';
import type { HistoryStore } from '../store/types.ts';
import { redactText } from '../util/redact.ts';

/** A start-up failure with a message fit to print as it is (one line, names the fix). */
export class StartupError extends Error {
  override readonly name = 'StartupError';
}

/**
 * Keys and limits of the API, with the bind rule applied.
 * @returns `warning` set when the API runs open beyond loopback on purpose (`insecure`)
 * @throws {StartupError} on the bind rule or an unusable key source
 */
export function apiSecurity(
  config: AppConfig,
  env: NodeJS.ProcessEnv = process.env,
): { keys: KeyRing; security: SecurityOptions; warning: string | null } {
  const api = config.api;
  let keys: KeyRing;
  try {
    keys = loadKeyRing({ file: api.auth.keysFile, records: api.auth.keys, env });
  } catch (e) {
    if (e instanceof KeyError) throw new StartupError(e.message);
    throw e;
  }
  let warning: string | null;
  try {
    warning = checkBind(api.host, keys.size, api.insecure);
  } catch (e) {
    if (e instanceof InsecureBindError) throw new StartupError(e.message);
    throw e;
  }
  return {
    keys,
    warning,
    security: { auth: api.auth, limits: api.limits, cors: api.cors, trustProxy: api.trustProxy },
  };
}

const STORE_URL = /^(duckdb:.+|memory|none|postgres(ql)?:\/\/.+)$/;

/** Every problem of a validated config (empty when none). */
export function configProblems(config: AppConfig, env: NodeJS.ProcessEnv = process.env): string[] {
  const out: string[] = [];
  for (const id of config.instruments) {
    try {
      venueAdapter(splitInstrumentId(id).venue);
    } catch (e) {
      out.push(`instruments: ${id}: ${(e as Error).message}`);
    }
  }
  for (const v of Object.keys(config.venues)) {
    try {
      venueAdapter(v);
    } catch (e) {
      out.push(`venues.${v}: ${(e as Error).message}`);
    }
  }
  if (!STORE_URL.test(config.store.url))
    out.push(
      `store.url: "${redactText(config.store.url)}" is not a store URL: use duckdb:<path>, postgres://host:5432/db, or memory`,
    );
  if (config.cache !== undefined && !/^rediss?:\/\/.+/.test(config.cache))
    out.push(`cache: "${redactText(config.cache)}" is not a Redis URL (redis://host:6379)`);
  if (config.bus !== undefined) {
    if (!/^((nats|tls):\/\/)?[^\s/]+/.test(config.bus))
      out.push(`bus: "${redactText(config.bus)}" is not a NATS URL (nats://host:4222)`);
    try {
      connectionAuth(config.bus, config.busAuth, env);
    } catch (e) {
      if (e instanceof BusAuthError) out.push(`busAuth: ${e.message}`);
      else throw e;
    }
  }
  if (config.role !== 'all' && config.bus === undefined)
    out.push(`role: "${config.role}" needs a fleet bus: set bus: nats://... (or --bus)`);
  try {
    apiSecurity(config, env);
  } catch (e) {
    if (e instanceof StartupError) out.push(`api: ${e.message}`);
    else throw e;
  }
  return out;
}

/** One line for a start-up failure (module comment); the error's own message, redacted, otherwise. */
export function describeStartupError(e: unknown, config?: AppConfig): string {
  const err = e as NodeJS.ErrnoException & { syscall?: string; address?: string; port?: number };
  const msg = redactText(err?.message ?? String(e));
  if (e instanceof StartupError) return msg;
  if (err?.code === 'EADDRINUSE')
    return `port ${config?.api.port ?? err.port} on ${config?.api.host ?? err.address} is already in use: stop the other process or choose another port with --port`;
  if (err?.code === 'EACCES' && err.syscall === 'listen')
    return `not allowed to listen on port ${config?.api.port ?? err.port}: use a port above 1023 (--port 8080)`;
  if (err?.code === 'EADDRNOTAVAIL')
    return `cannot listen on ${config?.api.host}: no such address on this machine (--host 127.0.0.1)`;
  if (/Could not set lock on file|Conflicting lock/i.test(msg))
    return `the DuckDB file ${config?.store.url ?? ''} is in use by another depthwatch process: stop it, or give this one another --store duckdb:<path>`;
  if (/unknown venue/.test(msg)) return `${msg} (fix --instruments or the config's instruments)`;
  if (/unsupported store URL/.test(msg)) return msg;
  if (err?.name === 'AuthorizationError' || /Authorization Violation|authorization/i.test(msg))
    return `the fleet bus refused our credentials (${msg}): set DEPTHWATCH_BUS_USER/PASSWORD, TOKEN, NKEY_SEED or CREDS (README "Security")`;
  if (err?.code === 'ECONNREFUSED' || /ECONNREFUSED|ENOTFOUND|EAI_AGAIN|ETIMEDOUT/.test(msg)) {
    const where = /(\d+\.\d+\.\d+\.\d+|[a-z0-9.-]+):(\d+)/i.exec(msg)?.[0] ?? err.address ?? 'a service';
    return `cannot reach ${where} (${err.code ?? msg}): is the store / cache / bus running, and is its URL right? (depthwatch config check)`;
  }
  return msg;
}

/**
 * What `/readyz` answers (module comment): true, or why not.
 * @param instruments the configured instruments (books the process should have live)
 */
export async function readiness(
  engine: ApiEngine,
  store: HistoryStore,
  instruments: readonly string[],
): Promise<true | string> {
  let storeReady: boolean;
  try {
    const r = (store as { isReady?: unknown }).isReady;
    storeReady = typeof r === 'boolean' ? r : (await store.counts()) !== undefined;
  } catch {
    storeReady = false;
  }
  if (!storeReady) return 'history store not initialised';
  if (instruments.length === 0) return true;
  let live = 0;
  const reasons: string[] = [];
  for (const id of instruments) {
    const b = engine.books.get(id);
    if (b?.health.state === 'live') live++;
    else if (reasons.length < 3)
      reasons.push(
        `${id} ${b?.health.state ?? 'connecting'}${b?.health.reason ? ` (${b.health.reason})` : ''}`,
      );
  }
  if (live > 0) return true;
  return `no configured book is live (0/${instruments.length}): ${reasons.join('; ')}`;
}
