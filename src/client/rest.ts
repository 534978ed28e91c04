/**
 * Typed REST calls of the depthwatch API, one method per route of the contract table
 * (src/contract/routes.ts): `await api.book({ instrument: 'binance:BTCUSDT', query: { depth: 5 } })`.
 * Path parameters are top-level fields of the input, `query` and `body` are the route's schemas' inputs;
 * the result is the route's response type. Runs in Node (>= 20, global fetch) and the browser.
 */
import {
  routeUrl,
  routes,
  type RouteDef,
  type RouteInput,
  type RouteName,
  type RouteOutput,
} from '../contract/routes.ts';

/** A failed call: HTTP status (0 for a network error), the URL, and the server's error message. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly url: string,
    message: string,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

/** Options of {@link createRestClient}. */
export interface RestClientOptions {
  /**
   * Base URL of the server, e.g. `http://127.0.0.1:8080/` (a replay server or a live one alike). Omitted
   * in a browser: URLs relative to the page (the dashboard is served by the API process itself).
   */
  baseUrl?: string;
  /** Extra headers on every request (e.g. `authorization`). */
  headers?: Record<string, string>;
  /**
   * The API key (`dwk_…`, README "Security"), or a function read before every request (e.g. from a
   * browser's storage): sent as `Authorization: Bearer`. Absent or null: no header.
   */
  apiKey?: string | (() => string | null);
  /** fetch implementation (default: the global one). */
  fetch?: typeof fetch;
}

/** Per-call options. */
export interface CallOptions {
  signal?: AbortSignal;
}

/** The REST client: one method per route (WebSocket route excluded; see stream()). */
export type RestClient = {
  [K in RouteName as (typeof routes)[K]['kind'] extends 'ws' ? never : K]: Record<
    never,
    never
  > extends RouteInput<K>
    ? (input?: RouteInput<K>, opts?: CallOptions) => Promise<RouteOutput<K>>
    : (input: RouteInput<K>, opts?: CallOptions) => Promise<RouteOutput<K>>;
};

/** The URL of a route call, relative to `baseUrl` (or to the page when absent). */
export function callUrl(r: RouteDef, input: Record<string, unknown>, baseUrl?: string): string {
  const params: Record<string, unknown> = {};
  for (const k of Object.keys(r.params?.shape ?? {})) params[k] = input[k];
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries((input.query as Record<string, unknown> | undefined) ?? {}))
    if (v !== undefined && v !== null) q.set(k, String(v));
  const path = routeUrl(r.path, params).slice(1) + (q.size > 0 ? `?${q.toString()}` : '');
  if (baseUrl === undefined) return path;
  return new URL(path, baseUrl.endsWith('/') ? baseUrl : baseUrl + '/').toString();
}

/** Create the REST client. */
export function createRestClient(opts: RestClientOptions = {}): RestClient {
  const doFetch = opts.fetch ?? ((...a: Parameters<typeof fetch>) => fetch(...a));
  const key = (): string | null =>
    typeof opts.apiKey === 'function' ? opts.apiKey() : (opts.apiKey ?? null);
  const client: Record<string, unknown> = {};
  for (const [name, r] of Object.entries(routes as Record<string, RouteDef>)) {
    if (r.kind === 'ws') continue;
    client[name] = async (input: Record<string, unknown> = {}, call: CallOptions = {}): Promise<unknown> => {
      const url = callUrl(r, input, opts.baseUrl);
      const accept = r.kind === 'text' ? 'text/plain' : 'application/json';
      const body = input.body !== undefined ? JSON.stringify(input.body) : r.body ? '{}' : undefined;
      let res: Response;
      const k = key();
      try {
        res = await doFetch(url, {
          method: r.method,
          headers: {
            accept,
            ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
            ...(k ? { authorization: `Bearer ${k}` } : {}),
            ...opts.headers,
          },
          ...(body !== undefined ? { body } : {}),
          ...(call.signal ? { signal: call.signal } : {}),
        });
      } catch (e) {
        throw new ApiError(0, url, `network error: ${(e as Error).message}`);
      }
      if (!res.ok) {
        let message = `HTTP ${res.status} for ${url}`;
        try {
          const err = (await res.json()) as { message?: unknown };
          if (typeof err.message === 'string') message = `${message}: ${err.message}`;
        } catch {
          // not a JSON error body
        }
        throw new ApiError(res.status, url, message);
      }
      return r.kind === 'text' ? res.text() : res.json();
    };
  }
  return client as RestClient;
}
