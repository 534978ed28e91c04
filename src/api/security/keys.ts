/**
 * API keys: creation, hashing at rest, verification, revocation.
 *
 * A key is `dwk_<id>_<secret>`: `id` 8 lower-case hex characters (public, shown by `keys list`, used in
 * logs and rate-limit buckets), `secret` 43 base64url characters (32 random bytes). Only
 * `sha256(secret)` is kept (a 256-bit random secret needs no slow hash); the full key is shown once, when
 * created. Verification compares hashes in constant time.
 *
 * Sources, merged (`loadKeyRing`):
 * - the key file (JSON `{version: 1, keys: KeyRecord[]}`, written with mode 0600 by
 *   `depthwatch keys create|revoke`; default `./data/api-keys.json`);
 * - `api.auth.keys` in the config (KeyRecord[] with hashes, never plaintext);
 * - the environment variable `DEPTHWATCH_API_KEYS`: comma-separated `[scope+scope:]dwk_…` plaintext keys
 *   (default scope `read`), hashed in memory when loaded.
 *
 * Scopes: `read` (every GET of the API, the WebSocket, /metrics and /docs when they need a key) and
 * `admin` (everything `read` may, plus state-changing routes). `admin` implies `read`.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { z } from 'zod';

/** Scopes of a key. */
export const SCOPES = ['read', 'admin'] as const;
/** One scope. */
export type Scope = (typeof SCOPES)[number];

/** Default key file (relative to the working directory). */
export const DEFAULT_KEYS_FILE = './data/api-keys.json';

const KEY_RE = /^dwk_([0-9a-f]{8})_([A-Za-z0-9_-]{43})$/;

/** A stored key: no secret, only its hash. */
export const keyRecordSchema = z
  .object({
    id: z.string().regex(/^[0-9a-f]{8}$/, '8 hex characters'),
    name: z.string().max(200).default(''),
    scopes: z.array(z.enum(SCOPES)).min(1),
    /** `sha256:<64 hex>` of the secret part. */
    hash: z.string().regex(/^sha256:[0-9a-f]{64}$/, 'sha256:<64 hex>'),
    /** ms since epoch UTC. */
    createdAt: z.number().int().default(0),
    /** ms since epoch UTC; a revoked key is refused. */
    revokedAt: z.number().int().optional(),
  })
  .strict();
/** A stored key (see {@link keyRecordSchema}). */
export type KeyRecord = z.infer<typeof keyRecordSchema>;

const keyFileSchema = z.object({ version: z.literal(1), keys: z.array(keyRecordSchema) }).strict();

/** A key that failed to parse or a key file that cannot be read. */
export class KeyError extends Error {
  override readonly name = 'KeyError';
}

/** Who a verified request is. */
export interface Principal {
  keyId: string;
  name: string;
  scopes: readonly Scope[];
}

function hashSecret(secret: string): string {
  return 'sha256:' + createHash('sha256').update(secret, 'utf8').digest('hex');
}

/** Split `dwk_<id>_<secret>`; null when the text is not a key. */
export function parseKey(text: string): { id: string; secret: string } | null {
  const m = KEY_RE.exec(text.trim());
  return m ? { id: m[1]!, secret: m[2]! } : null;
}

/** Make a new key: the plaintext (show once) and its record (store). */
export function generateKey(
  name: string,
  scopes: readonly Scope[],
  now = Date.now(),
): { key: string; record: KeyRecord } {
  const id = randomBytes(4).toString('hex');
  const secret = randomBytes(32).toString('base64url');
  return {
    key: `dwk_${id}_${secret}`,
    record: { id, name, scopes: [...new Set(scopes)], hash: hashSecret(secret), createdAt: now },
  };
}

/** Whether `scopes` grant `needed` (`admin` implies `read`). */
export function grants(scopes: readonly Scope[], needed: Scope): boolean {
  return scopes.includes('admin') || scopes.includes(needed);
}

/** The set of keys a server accepts. */
export class KeyRing {
  private readonly byId = new Map<string, KeyRecord>();
  constructor(records: readonly KeyRecord[] = []) {
    for (const r of records) this.byId.set(r.id, r);
  }

  /** Active (not revoked) keys. */
  get size(): number {
    let n = 0;
    for (const r of this.byId.values()) if (r.revokedAt === undefined) n++;
    return n;
  }

  /** The principal of a presented key, or null (malformed, unknown, revoked, wrong secret). */
  verify(presented: string): Principal | null {
    const k = parseKey(presented);
    if (!k) return null;
    const r = this.byId.get(k.id);
    if (!r || r.revokedAt !== undefined) return null;
    const a = Buffer.from(hashSecret(k.secret));
    const b = Buffer.from(r.hash);
    if (a.length !== b.length || !timingSafeEqual(a, b)) return null;
    return { keyId: r.id, name: r.name, scopes: r.scopes };
  }
}

/**
 * Parse `DEPTHWATCH_API_KEYS`: comma-separated `[scopes:]key` with scopes joined by `+`
 * (`admin:dwk_…,read:dwk_…`; no prefix = `read`).
 * @throws {KeyError} naming the position of an entry that is not a depthwatch key or has an unknown scope
 */
export function parseEnvKeys(value: string | undefined): KeyRecord[] {
  if (!value) return [];
  return value
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)
    .map((entry, i) => {
      const at = entry.startsWith('dwk_') ? -1 : entry.indexOf(':');
      const scopeText = at < 0 ? 'read' : entry.slice(0, at);
      const keyText = at < 0 ? entry : entry.slice(at + 1);
      const k = parseKey(keyText);
      if (!k)
        throw new KeyError(
          `DEPTHWATCH_API_KEYS entry ${i + 1} is not a depthwatch key (dwk_<8 hex>_<43 chars>; make one with \`depthwatch keys create\`)`,
        );
      const scopes = scopeText.split('+');
      for (const s of scopes)
        if (!(SCOPES as readonly string[]).includes(s))
          throw new KeyError(`DEPTHWATCH_API_KEYS entry ${i + 1}: unknown scope "${s}" (read, admin)`);
      return { id: k.id, name: 'env', scopes: scopes as Scope[], hash: hashSecret(k.secret), createdAt: 0 };
    });
}

/**
 * Read a key file; a missing file is an empty list.
 * @throws {KeyError} when the file is unreadable or not a valid key file
 */
export function readKeyFile(path: string): KeyRecord[] {
  if (!existsSync(path)) return [];
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(path, 'utf8'));
  } catch (e) {
    throw new KeyError(`cannot read API key file ${path}: ${(e as Error).message}`);
  }
  const r = keyFileSchema.safeParse(raw);
  if (!r.success) throw new KeyError(`API key file ${path} is not valid: ${r.error.issues[0]?.message}`);
  return r.data.keys;
}

/** Write a key file atomically with mode 0600 (owner read/write only). */
export function writeKeyFile(path: string, keys: readonly KeyRecord[]): void {
  mkdirSync(dirname(path), { recursive: true });
  const tmp = `${path}.${process.pid}.tmp`;
  writeFileSync(tmp, JSON.stringify({ version: 1, keys }, null, 2) + '\n', { mode: 0o600 });
  chmodSync(tmp, 0o600);
  renameSync(tmp, path);
}

/**
 * The key ring of a server: key file + configured records + environment keys.
 * @throws {KeyError} on an unreadable key file or a malformed `DEPTHWATCH_API_KEYS`
 */
export function loadKeyRing(opts: {
  file?: string;
  records?: readonly KeyRecord[];
  env?: NodeJS.ProcessEnv;
}): KeyRing {
  const env = opts.env ?? process.env;
  return new KeyRing([
    ...(opts.file ? readKeyFile(opts.file) : []),
    ...(opts.records ?? []),
    ...parseEnvKeys(env.DEPTHWATCH_API_KEYS),
  ]);
}
