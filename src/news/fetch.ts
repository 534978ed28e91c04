/**
 * One conditional HTTP GET of a feed document (Node's fetch): `If-None-Match` / `If-Modified-Since` from
 * the previous answer's `ETag` / `Last-Modified` (RFC 9110 §13.1), a timeout covering connect and body, a
 * body size limit, and the charset from the `Content-Type` header or the XML declaration.
 */

/** Validators of the last 200 answer, sent back to ask "changed since?". */
export interface Validators {
  etag: string | null;
  lastModified: string | null;
}

/** A 200 answer. */
export interface FetchedDocument {
  status: 200;
  body: string;
  validators: Validators;
  /** Content-Type header, or null. */
  contentType: string | null;
}

/** A 304 answer: unchanged since the validators sent. */
export interface NotModified {
  status: 304;
}

/** Why a fetch failed. */
export type FetchErrorKind = 'http' | 'network' | 'timeout' | 'too_large';

/** A failed fetch: HTTP status ≥ 400 (or an unexpected one), network error, timeout, too large a body. */
export class FeedFetchError extends Error {
  override readonly name = 'FeedFetchError';
  constructor(
    readonly kind: FetchErrorKind,
    message: string,
    /** HTTP status for `http` errors. */
    readonly status?: number,
    /** Delay the server asked for (`Retry-After` of a 429/503), ms. */
    readonly retryAfterMs?: number,
  ) {
    super(message);
  }

  /** Whether the host should be backed off (server/network trouble, rate limiting), not only this source. */
  get hostTrouble(): boolean {
    return this.kind !== 'http' || this.status === undefined || this.status >= 500 || this.status === 429;
  }
}

/** Options of {@link fetchDocument}. */
export interface FetchOptions {
  validators?: Validators | null;
  /** Whole request (connect, headers, body), ms. */
  timeoutMs: number;
  /** Largest body accepted, bytes. */
  maxBytes: number;
  userAgent: string;
  /** Extra abort (shutdown). */
  signal?: AbortSignal;
}

/**
 * `Retry-After` as ms: delta-seconds or an HTTP date (RFC 9110 §10.2.3); undefined when absent or invalid.
 */
export function parseRetryAfter(v: string | null, now = Date.now()): number | undefined {
  if (!v) return undefined;
  if (/^\d+$/.test(v.trim())) return Number(v.trim()) * 1000;
  const t = Date.parse(v);
  return Number.isFinite(t) ? Math.max(0, t - now) : undefined;
}

/** The charset of a document: Content-Type `charset=`, else an XML declaration's `encoding`, else utf-8. */
export function charsetOf(contentType: string | null, head: Uint8Array): string {
  const m = /charset\s*=\s*"?([\w.:-]+)/i.exec(contentType ?? '');
  if (m) return m[1]!.toLowerCase();
  const prolog = new TextDecoder('latin1').decode(head.subarray(0, 200));
  const x = /<\?xml[^>]*encoding\s*=\s*["']([\w.:-]+)["']/i.exec(prolog);
  return x ? x[1]!.toLowerCase() : 'utf-8';
}

function decode(bytes: Uint8Array, charset: string): string {
  try {
    return new TextDecoder(charset).decode(bytes);
  } catch {
    return new TextDecoder('utf-8').decode(bytes);
  }
}

/**
 * GET `url` conditionally.
 * @returns the document (200) or NotModified (304)
 * @throws {FeedFetchError} on an HTTP status other than 200/304, a network error, the timeout, or a body
 *   larger than `maxBytes`
 */
export async function fetchDocument(url: string, o: FetchOptions): Promise<FetchedDocument | NotModified> {
  const ac = new AbortController();
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    ac.abort();
  }, o.timeoutMs);
  const onAbort = (): void => ac.abort();
  o.signal?.addEventListener('abort', onAbort, { once: true });
  const headers: Record<string, string> = {
    'user-agent': o.userAgent,
    accept:
      'application/rss+xml, application/atom+xml, application/xml;q=0.9, text/xml;q=0.9, application/json;q=0.8, */*;q=0.5',
  };
  if (o.validators?.etag) headers['if-none-match'] = o.validators.etag;
  if (o.validators?.lastModified) headers['if-modified-since'] = o.validators.lastModified;
  try {
    let res: Response;
    try {
      res = await fetch(url, { headers, signal: ac.signal, redirect: 'follow' });
    } catch (e) {
      throw timedOut
        ? new FeedFetchError('timeout', `timed out after ${o.timeoutMs} ms`)
        : new FeedFetchError('network', networkMessage(e));
    }
    if (res.status === 304) {
      await res.body?.cancel().catch(() => {});
      return { status: 304 };
    }
    if (res.status !== 200) {
      await res.body?.cancel().catch(() => {});
      const retryAfterMs = parseRetryAfter(res.headers.get('retry-after'));
      throw new FeedFetchError(
        'http',
        `HTTP ${res.status}${res.statusText ? ' ' + res.statusText : ''}`,
        res.status,
        retryAfterMs,
      );
    }
    const declared = Number(res.headers.get('content-length') ?? NaN);
    if (declared > o.maxBytes) {
      await res.body?.cancel().catch(() => {});
      throw new FeedFetchError(
        'too_large',
        `document of ${declared} bytes exceeds the ${o.maxBytes}-byte limit`,
      );
    }
    const chunks: Uint8Array[] = [];
    let size = 0;
    try {
      if (res.body) {
        for await (const chunk of res.body) {
          size += chunk.byteLength;
          if (size > o.maxBytes) {
            ac.abort();
            throw new FeedFetchError('too_large', `document exceeds the ${o.maxBytes}-byte limit`);
          }
          chunks.push(chunk);
        }
      }
    } catch (e) {
      if (e instanceof FeedFetchError) throw e;
      throw timedOut
        ? new FeedFetchError('timeout', `timed out after ${o.timeoutMs} ms reading the body`)
        : new FeedFetchError('network', networkMessage(e));
    }
    const bytes = Buffer.concat(chunks);
    const contentType = res.headers.get('content-type');
    return {
      status: 200,
      body: decode(bytes, charsetOf(contentType, bytes)),
      validators: { etag: res.headers.get('etag'), lastModified: res.headers.get('last-modified') },
      contentType,
    };
  } finally {
    clearTimeout(timer);
    o.signal?.removeEventListener('abort', onAbort);
  }
}

/** A network error's message with its cause (`fetch failed: connect ECONNREFUSED 127.0.0.1:9`). */
function networkMessage(e: unknown): string {
  const err = e as Error & { cause?: { message?: string; code?: string } };
  const cause = err.cause?.message ?? err.cause?.code;
  return cause ? `${err.message}: ${cause}` : err.message;
}
