/**
 * Authentication routes of the API contract and the statuses every route may answer because of the
 * server's security layer (api/security/*, README "Security"): 401 without a valid key once keys exist,
 * 403 for a key without the scope (or a WebSocket Origin not allowed), 413 for a body over the limit,
 * 429 over a rate limit (with `Retry-After`), 503 beyond the concurrent history queries. Browser-safe:
 * imports zod only.
 */
import { z } from 'zod';

/** `POST /api/v1/auth/ws-token`: a single-use token for the WebSocket URL (`/ws?token=`). */
export const WsTokenResponse = z.object({
  token: z.string().nullable().describe('single-use token for `/ws?token=`; null when no key is required'),
  expiresAt: z.number().nullable().describe('ms since epoch UTC; null when no key is required'),
  authRequired: z.boolean(),
});
export type WsTokenResponse = z.infer<typeof WsTokenResponse>;

/** `GET /api/v1/auth/whoami`: whether keys are required, and the key this request used. */
export const WhoamiResponse = z.object({
  authRequired: z.boolean(),
  keyId: z.string().nullable().describe('public id of the key (`dwk_<id>_…`), null without one'),
  name: z.string().nullable(),
  scopes: z.array(z.enum(['read', 'admin'])),
});
export type WhoamiResponse = z.infer<typeof WhoamiResponse>;

/** Paths that never need a key (liveness and readiness probes). */
export const OPEN_PATHS: readonly string[] = ['/healthz', '/readyz'];

/**
 * Statuses the security layer may add to a route's own errors: 401/403 unless the path is open, 429 for
 * every route but `/healthz`, 413 for routes that take a body, 503 for the history routes (concurrency cap).
 */
export function securityErrors(r: { method: string; path: string }): number[] {
  const out: number[] = [];
  if (!OPEN_PATHS.includes(r.path)) out.push(401, 403);
  if (r.method !== 'GET') out.push(413);
  if (r.path !== '/healthz') out.push(429);
  if (r.path.startsWith('/api/v1/history/')) out.push(503);
  return out;
}
