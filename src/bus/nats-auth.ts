/**
 * Fleet bus credentials: user/password, token, NKey seed, creds file (JWT + NKey) and TLS, from the config
 * (`busAuth`) or the environment, never from a URL that gets logged.
 *
 * Environment (each optional, winning over the config file): `DEPTHWATCH_BUS_USER`,
 * `DEPTHWATCH_BUS_PASSWORD`, `DEPTHWATCH_BUS_TOKEN`, `DEPTHWATCH_BUS_NKEY_SEED` (the `SU…` seed text),
 * `DEPTHWATCH_BUS_NKEY_SEED_FILE`, `DEPTHWATCH_BUS_CREDS` (creds file path), `DEPTHWATCH_BUS_TLS_CA`,
 * `DEPTHWATCH_BUS_TLS_CERT`, `DEPTHWATCH_BUS_TLS_KEY` (PEM file paths; any of them turns TLS on).
 *
 * A bus URL with credentials (`nats://user:pass@host:4222`, `nats://token@host`) still works: the user
 * info is taken out of the URL into the connection options (so the NATS client never sees it in a server
 * address and it is never logged: util/redact.ts), with a warning to move it to the environment.
 *
 * Per-role subject permissions are the server's job: see deploy/nats/nats-server.conf and README
 * "Security" (collectors publish only `dw.event.>`, analyzers only alerts and derived topics, API nodes
 * only subscribe).
 */
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import {
  credsAuthenticator,
  nkeyAuthenticator,
  type ConnectionOptions,
  type TlsOptions,
} from '@nats-io/transport-node';

/** `busAuth` config section (all optional; secrets better from the environment). */
export const busAuthSchema = z
  .object({
    user: z.string().min(1).optional(),
    password: z.string().optional(),
    token: z.string().min(1).optional(),
    /** NKey user seed (`SU…`). */
    nkeySeed: z.string().min(1).optional(),
    /** File holding the NKey seed. */
    nkeySeedFile: z.string().min(1).optional(),
    /** NATS creds file (user JWT + NKey seed), e.g. from `nsc`. */
    credsFile: z.string().min(1).optional(),
    /** TLS: CA, client certificate and key (PEM file paths); `{}` = TLS with the system CAs. */
    tls: z
      .object({
        ca: z.string().min(1).optional(),
        cert: z.string().min(1).optional(),
        key: z.string().min(1).optional(),
      })
      .strict()
      .optional(),
  })
  .strict();

/** Fleet bus credentials (see {@link busAuthSchema}). */
export type BusAuth = z.infer<typeof busAuthSchema>;

/** A bus credential that cannot be used (unreadable file, conflicting methods). */
export class BusAuthError extends Error {
  override readonly name = 'BusAuthError';
}

/** The `busAuth` fields set in the environment (module comment). */
export function busAuthFromEnv(env: NodeJS.ProcessEnv): BusAuth {
  const out: BusAuth = {};
  if (env.DEPTHWATCH_BUS_USER) out.user = env.DEPTHWATCH_BUS_USER;
  if (env.DEPTHWATCH_BUS_PASSWORD) out.password = env.DEPTHWATCH_BUS_PASSWORD;
  if (env.DEPTHWATCH_BUS_TOKEN) out.token = env.DEPTHWATCH_BUS_TOKEN;
  if (env.DEPTHWATCH_BUS_NKEY_SEED) out.nkeySeed = env.DEPTHWATCH_BUS_NKEY_SEED;
  if (env.DEPTHWATCH_BUS_NKEY_SEED_FILE) out.nkeySeedFile = env.DEPTHWATCH_BUS_NKEY_SEED_FILE;
  if (env.DEPTHWATCH_BUS_CREDS) out.credsFile = env.DEPTHWATCH_BUS_CREDS;
  const tls = {
    ...(env.DEPTHWATCH_BUS_TLS_CA ? { ca: env.DEPTHWATCH_BUS_TLS_CA } : {}),
    ...(env.DEPTHWATCH_BUS_TLS_CERT ? { cert: env.DEPTHWATCH_BUS_TLS_CERT } : {}),
    ...(env.DEPTHWATCH_BUS_TLS_KEY ? { key: env.DEPTHWATCH_BUS_TLS_KEY } : {}),
  };
  if (Object.keys(tls).length) out.tls = tls;
  return out;
}

/**
 * Split a bus URL into the server address (no scheme for `nats://`, no user info) and the credentials it
 * carried. `nats://u:p@h:4222?prefix=x` → servers `h:4222?prefix=x`, `{user: u, password: p}`;
 * `nats://tok@h` → `{token: tok}`. Percent-escapes in the user info are decoded.
 */
export function splitBusUrl(url: string): { servers: string; auth: BusAuth } {
  const m = /^([a-z][a-z0-9+.-]*:\/\/)?(?:([^@/?#]*)@)?(.*)$/i.exec(url)!;
  const scheme = m[1] ?? '';
  const userinfo = m[2];
  const rest = m[3]!;
  const servers = (scheme.toLowerCase() === 'nats://' ? '' : scheme) + rest;
  if (userinfo === undefined || userinfo === '') return { servers, auth: {} };
  const i = userinfo.indexOf(':');
  if (i < 0) return { servers, auth: { token: decodeURIComponent(userinfo) } };
  return {
    servers,
    auth: {
      user: decodeURIComponent(userinfo.slice(0, i)),
      password: decodeURIComponent(userinfo.slice(i + 1)),
    },
  };
}

/**
 * NATS connection options for the credentials: explicit ones (env over config) win over the URL's.
 * @throws {BusAuthError} when a seed/creds file cannot be read or two methods are given at once
 */
export function connectionAuth(
  url: string,
  config: BusAuth | undefined,
  env: NodeJS.ProcessEnv = process.env,
): { servers: string; options: Partial<ConnectionOptions>; fromUrl: boolean } {
  const split = splitBusUrl(url);
  const explicit = { ...config, ...busAuthFromEnv(env) };
  const a: BusAuth = Object.keys(explicit).some((k) => k !== 'tls')
    ? explicit
    : { ...split.auth, ...explicit };
  const fromUrl = Object.keys(split.auth).length > 0;
  const methods = [
    a.user !== undefined,
    a.token !== undefined,
    !!(a.nkeySeed ?? a.nkeySeedFile),
    !!a.credsFile,
  ];
  if (methods.filter(Boolean).length > 1)
    throw new BusAuthError('busAuth: give one of user/password, token, nkeySeed(File) or credsFile');
  const options: Partial<ConnectionOptions> = {};
  if (a.user !== undefined) {
    options.user = a.user;
    if (a.password !== undefined) options.pass = a.password;
  }
  if (a.token !== undefined) options.token = a.token;
  const seed = a.nkeySeed ?? (a.nkeySeedFile ? readSecretFile(a.nkeySeedFile, 'NKey seed') : undefined);
  if (seed !== undefined) options.authenticator = nkeyAuthenticator(new TextEncoder().encode(seed.trim()));
  if (a.credsFile)
    options.authenticator = credsAuthenticator(
      new TextEncoder().encode(readSecretFile(a.credsFile, 'creds')),
    );
  if (a.tls) {
    const tls: TlsOptions = {};
    if (a.tls.ca) tls.caFile = a.tls.ca;
    if (a.tls.cert) tls.certFile = a.tls.cert;
    if (a.tls.key) tls.keyFile = a.tls.key;
    options.tls = tls;
  }
  return { servers: split.servers, options, fromUrl };
}

function readSecretFile(path: string, what: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (e) {
    throw new BusAuthError(
      `cannot read the fleet bus ${what} file ${path}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`,
    );
  }
}
