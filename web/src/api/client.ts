/**
 * The dashboard's API client: the SDK (src/client) with URLs relative to the page, since the dashboard
 * is served by the API process itself. Every REST call of the dashboard goes through `api`. On a server
 * with API keys (README "Security") the key saved in this browser (`localStorage["depthwatch.apiKey"]`)
 * is sent as `Authorization: Bearer`, and the WebSocket connects with a single-use token
 * ({@link wsConnectToken}); the user is asked for a key once when the server answers 401.
 */
import { ApiError, createRestClient } from '../../../src/client/rest.ts';

export { ApiError } from '../../../src/client/rest.ts';

/** localStorage entry of the API key the dashboard sends. */
export const API_KEY_STORAGE = 'depthwatch.apiKey';

/** The API key saved in this browser, or null. */
export function savedApiKey(): string | null {
  try {
    return globalThis.localStorage?.getItem(API_KEY_STORAGE) ?? null;
  } catch {
    return null;
  }
}

/** REST methods of the contract's route table. */
export const api = createRestClient({ apiKey: savedApiKey });

let asked = false;
/** Whether the server requires keys, once known (a server without keys is asked once only). */
let authRequired: boolean | null = null;

/**
 * A single-use WebSocket token for the saved key (null when the server needs none). On a 401 the user is
 * asked once for a key, which is saved in this browser.
 */
export async function wsConnectToken(): Promise<string | null> {
  if (authRequired === false) return null;
  try {
    const t = await api.authWsToken();
    authRequired = t.authRequired;
    return t.token;
  } catch (e) {
    if (!(e instanceof ApiError) || e.status !== 401 || asked) throw e;
    asked = true;
    const w = globalThis as { prompt?: (m: string) => string | null };
    const key = w.prompt?.('This depthwatch server needs an API key (depthwatch keys create):')?.trim();
    if (!key) throw e;
    globalThis.localStorage?.setItem(API_KEY_STORAGE, key);
    return (await api.authWsToken()).token;
  }
}
