/**
 * Load the configuration: YAML file (optional) → environment overrides → CLI overrides → zod validation.
 *
 * Environment variables (all optional): DEPTHWATCH_CONFIG (file path), DEPTHWATCH_INSTRUMENTS
 * (comma-separated ids), DEPTHWATCH_PORT, DEPTHWATCH_HOST, DEPTHWATCH_STORE (store URL),
 * DEPTHWATCH_CACHE (redis URL), DEPTHWATCH_BUS (nats URL), DEPTHWATCH_ROLE, DEPTHWATCH_LOG_LEVEL,
 * DEPTHWATCH_RECORD_DIR, DEPTHWATCH_INSECURE (`1`/`true`), DEPTHWATCH_API_KEYS (api/security/keys.ts),
 * DEPTHWATCH_BUS_* (bus credentials, bus/nats-auth.ts).
 *
 * Secrets from the environment anywhere: every string of the YAML file may hold `${NAME}`, replaced by the
 * environment variable NAME when loading (an unset one is a ConfigError naming it), e.g.
 * `store: { url: "postgres://app:${PGPASSWORD}@db/dw" }` or webhook `headers: { Authorization:
 * "Bearer ${SLACK_TOKEN}" }`; `$${` keeps a literal `${`.
 */
import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import { configSchema, type AppConfig } from './schema.ts';

/** A configuration that failed validation; `message` lists every problem with its path. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

type Obj = Record<string, unknown>;

function setPath(o: Obj, path: string[], value: unknown): void {
  let cur = o;
  for (let i = 0; i < path.length - 1; i++) {
    const k = path[i]!;
    if (typeof cur[k] !== 'object' || cur[k] === null) cur[k] = {};
    cur = cur[k] as Obj;
  }
  cur[path[path.length - 1]!] = value;
}

/** Apply DEPTHWATCH_* environment variables onto a raw (unvalidated) config object. */
export function applyEnv(raw: Obj, env: NodeJS.ProcessEnv): Obj {
  const out: Obj = structuredClone(raw);
  if (env.DEPTHWATCH_INSTRUMENTS)
    out.instruments = env.DEPTHWATCH_INSTRUMENTS.split(',').map((s) => s.trim());
  if (env.DEPTHWATCH_PORT) setPath(out, ['api', 'port'], Number(env.DEPTHWATCH_PORT));
  if (env.DEPTHWATCH_HOST) setPath(out, ['api', 'host'], env.DEPTHWATCH_HOST);
  if (env.DEPTHWATCH_STORE) setPath(out, ['store', 'url'], env.DEPTHWATCH_STORE);
  if (env.DEPTHWATCH_CACHE) out.cache = env.DEPTHWATCH_CACHE;
  if (env.DEPTHWATCH_BUS) out.bus = env.DEPTHWATCH_BUS;
  if (env.DEPTHWATCH_ROLE) out.role = env.DEPTHWATCH_ROLE;
  if (env.DEPTHWATCH_LOG_LEVEL) setPath(out, ['log', 'level'], env.DEPTHWATCH_LOG_LEVEL);
  if (env.DEPTHWATCH_RECORD_DIR) out.recordDir = env.DEPTHWATCH_RECORD_DIR;
  if (env.DEPTHWATCH_INSECURE && /^(1|true|yes)$/i.test(env.DEPTHWATCH_INSECURE))
    setPath(out, ['api', 'insecure'], true);
  return out;
}

/**
 * Replace `${NAME}` in every string of a raw config with the environment variable (module comment).
 * @throws {ConfigError} naming the path and the variable when one is not set
 */
export function expandEnv(raw: unknown, env: NodeJS.ProcessEnv, path: string[] = []): unknown {
  if (typeof raw === 'string')
    return raw.replace(/\$?\$\{([A-Za-z_][A-Za-z0-9_]*)\}/g, (m, name: string) => {
      if (m.startsWith('$$')) return m.slice(1);
      const v = env[name];
      if (v === undefined)
        throw new ConfigError(`${path.join('.') || '(root)'}: environment variable ${name} is not set`);
      return v;
    });
  if (Array.isArray(raw)) return raw.map((v, i) => expandEnv(v, env, [...path, String(i)]));
  if (raw !== null && typeof raw === 'object')
    return Object.fromEntries(Object.entries(raw).map(([k, v]) => [k, expandEnv(v, env, [...path, k])]));
  return raw;
}

/**
 * Validate a raw config object.
 * @throws {ConfigError} listing each invalid field as `path: problem`
 */
export function validateConfig(raw: unknown): AppConfig {
  const r = configSchema.safeParse(raw ?? {});
  if (!r.success) {
    const lines = r.error.issues.map((i) => `  ${i.path.join('.') || '(root)'}: ${i.message}`);
    throw new ConfigError(`invalid configuration:\n${lines.join('\n')}`);
  }
  return r.data;
}

/**
 * Load and validate the configuration.
 * @param file YAML file path (or DEPTHWATCH_CONFIG), optional
 * @param overrides values from CLI flags, applied last (same shape as the YAML)
 * @throws {ConfigError} on an unreadable file, invalid YAML or invalid values
 */
export function loadConfig(
  file?: string,
  overrides: Obj = {},
  env: NodeJS.ProcessEnv = process.env,
): AppConfig {
  const path = file ?? env.DEPTHWATCH_CONFIG;
  let raw: Obj = {};
  if (path) {
    let text: string;
    try {
      text = readFileSync(path, 'utf8');
    } catch (e) {
      throw new ConfigError(`cannot read config file ${path}: ${(e as Error).message}`);
    }
    try {
      raw = (parseYaml(text) as Obj | null) ?? {};
    } catch (e) {
      throw new ConfigError(`config file ${path} is not valid YAML: ${(e as Error).message}`);
    }
    if (typeof raw !== 'object' || Array.isArray(raw))
      throw new ConfigError(`config file ${path} must hold a mapping`);
  }
  const merged = applyEnv(expandEnv(raw, env) as Obj, env);
  for (const [k, v] of Object.entries(overrides)) {
    if (v === undefined) continue;
    if (
      typeof v === 'object' &&
      v !== null &&
      !Array.isArray(v) &&
      typeof merged[k] === 'object' &&
      merged[k] !== null
    )
      merged[k] = { ...(merged[k] as Obj), ...(v as Obj) };
    else merged[k] = v;
  }
  return validateConfig(merged);
}
