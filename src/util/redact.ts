/**
 * Secret redaction for everything that is logged or printed: URLs (userinfo and secret-looking query
 * parameters), headers (Authorization, cookies, API keys, tokens), API keys (`dwk_…`) and free text that
 * contains any of these. The logger (util/logger.ts) runs every log record through
 * {@link redactDeep}; CLI output that echoes a URL uses {@link redactUrl}.
 *
 * Rules:
 * - A URL's password is replaced by `***` and a user name kept (`postgres://app:***@db:5432/x`); a URL
 *   with a token as user name and no password (`redis://s3cret@host`) has it replaced too.
 * - Query parameters whose name looks secret (`password`, `pass`, `token`, `secret`, `key`, `apikey`,
 *   `auth`, `signature`, `sig`, `credentials`) get `***` as value.
 * - Object keys that look secret (`password`, `pass`, `token`, `secret`, `apiKey`, `authorization`,
 *   `cookie`, `nkey`, `seed`, `headers` values of a webhook, …) get `***` as value at any depth.
 * - API keys of depthwatch (`dwk_<id>_<secret>`) keep their id and lose the secret anywhere in text.
 */

/** Replacement text of a secret. */
export const REDACTED = '***';

const SECRET_PARAM =
  /^(pass(word)?|pwd|token|secret|key|api[_-]?key|auth|signature|sig|credentials?|access[_-]?token)$/i;
const SECRET_KEY =
  /^(pass(word)?|pwd|token|secret|api[_-]?key|authorization|proxy-authorization|cookie|set-cookie|x-api-key|nkey|seed|nkey[_-]?seed|creds|credentials?|private[_-]?key|client[_-]?secret|access[_-]?token|webhook[_-]?secret)$/i;
/** `scheme://user:password@` or `scheme://token@` (user info of any URL in text). */
const USERINFO = /\b([a-z][a-z0-9+.-]*:\/\/)([^\s/@:]*)(?::([^\s/@]*))?@/gi;
/** depthwatch API keys in text: `dwk_<id>_<secret>`. */
const API_KEY = /\b(dwk_[a-z0-9]{8})_[A-Za-z0-9_-]{16,}/g;
/** `Bearer <token>` in text. */
const BEARER = /\b(Bearer\s+)[A-Za-z0-9._~+/=-]{8,}/gi;
/** `?token=…` / `&password=…` in text. */
const QUERY_SECRET = /([?&])([A-Za-z_-]+)=([^&\s#"']*)/g;

/** Whether an object key names a secret (its value is redacted whatever it is). */
export function isSecretKey(key: string): boolean {
  return SECRET_KEY.test(key);
}

/** Redact the secrets of one URL or of any text holding URLs, keys or bearer tokens. */
export function redactText(text: string): string {
  return text
    .replace(USERINFO, (_m, scheme: string, user: string, pass: string | undefined) =>
      pass !== undefined ? `${scheme}${user}:${REDACTED}@` : `${scheme}${user ? REDACTED : ''}@`,
    )
    .replace(API_KEY, `$1_${REDACTED}`)
    .replace(BEARER, `$1${REDACTED}`)
    .replace(QUERY_SECRET, (m, sep: string, name: string) =>
      SECRET_PARAM.test(name) ? `${sep}${name}=${REDACTED}` : m,
    );
}

/** Redact a URL (same rules as {@link redactText}); a non-string is returned as it is. */
export function redactUrl<T>(url: T): T {
  return (typeof url === 'string' ? redactText(url) : url) as T;
}

/**
 * A copy of `value` with every secret redacted: strings through {@link redactText}, values under secret
 * keys replaced by `***`, Errors as `{type, message, stack, code}` with redacted text. Cycles and depth
 * beyond 8 are cut (`[Circular]`, `[…]`).
 */
export function redactDeep(value: unknown, depth = 0, seen = new WeakSet<object>()): unknown {
  if (typeof value === 'string') return redactText(value);
  if (value === null || typeof value !== 'object') return value;
  if (seen.has(value)) return '[Circular]';
  if (depth > 8) return '[…]';
  seen.add(value);
  if (value instanceof Error) {
    const e = value as Error & { code?: unknown; cause?: unknown };
    const out: Record<string, unknown> = {
      type: e.name,
      message: redactText(e.message),
      ...(e.stack ? { stack: redactText(e.stack) } : {}),
    };
    if (e.code !== undefined) out.code = e.code;
    for (const [k, v] of Object.entries(e))
      if (!(k in out)) out[k] = isSecretKey(k) ? REDACTED : redactDeep(v, depth + 1, seen);
    if (e.cause !== undefined) out.cause = redactDeep(e.cause, depth + 1, seen);
    return out;
  }
  if (Array.isArray(value)) return value.map((v) => redactDeep(v, depth + 1, seen));
  if (value instanceof Map || value instanceof Set || ArrayBuffer.isView(value)) return value;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) {
    if (k === 'headers' && v && typeof v === 'object') {
      out[k] = Object.fromEntries(Object.keys(v).map((h) => [h, REDACTED]));
      continue;
    }
    out[k] = isSecretKey(k) && v !== undefined && v !== null ? REDACTED : redactDeep(v, depth + 1, seen);
  }
  return out;
}
