/**
 * Issue 14 findings "no authentication anywhere" and "listens on 0.0.0.0": REST, WebSocket, /metrics and
 * /docs refuse requests without a valid key once keys exist; scopes; WebSocket tokens; Origin check; the
 * bind rule at start-up; keys hashed at rest and revocable.
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import type { FastifyInstance } from 'fastify';
import { createApiServer } from '../../src/api/server.ts';
import {
  KeyRing,
  generateKey,
  parseEnvKeys,
  readKeyFile,
  writeKeyFile,
} from '../../src/api/security/keys.ts';
import { checkBind, defaultSecurity } from '../../src/api/security/policy.ts';
import { apiSecurity } from '../../src/app/startup.ts';
import { loadConfig } from '../../src/config/load.ts';
import { createClient, ApiError } from '../../src/client/index.ts';
import { BTC, makeFixture, type Fixture } from '../api-fixtures.ts';

/** Open a WebSocket; resolves with the HTTP status of a refused upgrade, or 101 when it opened. */
function wsStatus(
  url: string,
  headers: Record<string, string> = {},
): Promise<{ status: number; ws?: WebSocket }> {
  return new Promise((resolve) => {
    const ws = new WebSocket(url, { headers });
    ws.once('open', () => resolve({ status: 101, ws }));
    ws.once('unexpected-response', (_req, res) => {
      resolve({ status: res.statusCode ?? 0 });
      ws.terminate();
    });
    ws.once('error', () => resolve({ status: 0 }));
  });
}

describe('API authentication with keys', () => {
  let fx: Fixture;
  let app: FastifyInstance;
  let base: string;
  const reader = generateKey('reader', ['read']);
  const admin = generateKey('admin', ['admin']);
  const revoked = generateKey('old', ['read']);

  beforeAll(async () => {
    fx = await makeFixture();
    app = createApiServer({
      engine: fx.view,
      bus: fx.bus,
      store: fx.store,
      keys: new KeyRing([reader.record, admin.record, { ...revoked.record, revokedAt: 1 }]),
      security: defaultSecurity(),
    });
    await app.listen({ port: 0, host: '127.0.0.1' });
    base = `127.0.0.1:${(app.server.address() as { port: number }).port}`;
  });
  afterAll(async () => {
    await app.close();
    await fx.store.close();
  });

  const get = (path: string, key?: string) =>
    fetch(`http://${base}${path}`, key ? { headers: { authorization: `Bearer ${key}` } } : {});

  it('refuses REST, /metrics and /docs without a key (401, WWW-Authenticate), keeps /healthz open', async () => {
    for (const path of ['/api/v1/instruments', `/api/v1/books/${BTC}`, '/metrics', '/docs/json']) {
      const r = await get(path);
      expect(r.status, path).toBe(401);
      expect(r.headers.get('www-authenticate')).toMatch(/^Bearer/);
      const body = (await r.json()) as { error: string; message: string };
      expect(body.error).toBe('Unauthorized');
      expect(body.message).toMatch(/missing API key/);
    }
    expect((await get('/healthz')).status).toBe(200);
    expect((await get('/readyz')).status).toBe(200);
  });

  it('accepts a valid key, refuses unknown, malformed and revoked keys', async () => {
    expect((await get('/api/v1/instruments', reader.key)).status).toBe(200);
    expect((await get('/metrics', reader.key)).status).toBe(200);
    expect((await get('/api/v1/instruments', revoked.key)).status).toBe(401);
    const forged = reader.key.slice(0, -4) + 'AAAA';
    expect((await get('/api/v1/instruments', forged)).status).toBe(401);
    const basic = await fetch(`http://${base}/api/v1/instruments`, {
      headers: { authorization: 'Basic eDp5' },
    });
    expect(basic.status).toBe(401);
  });

  it('needs scope admin for state-changing routes (403 for a read key)', async () => {
    // Replay sessions are off on this server (501 once past the auth check).
    const post = (key: string) =>
      fetch(`http://${base}/api/v1/replay`, {
        method: 'POST',
        headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
        body: JSON.stringify({ files: ['x'] }),
      });
    const r = await post(reader.key);
    expect(r.status).toBe(403);
    expect(((await r.json()) as { message: string }).message).toMatch(/lacks scope "admin"/);
    expect([400, 501]).toContain((await post(admin.key)).status);
  });

  it('authenticates the WebSocket by header or single-use token, never by a key in the URL', async () => {
    expect((await wsStatus(`ws://${base}/ws`)).status).toBe(401);
    expect((await wsStatus(`ws://${base}/ws?token=${reader.key}`)).status).toBe(401);
    const byHeader = await wsStatus(`ws://${base}/ws`, { authorization: `Bearer ${reader.key}` });
    expect(byHeader.status).toBe(101);
    byHeader.ws!.close();

    const t = await fetch(`http://${base}/api/v1/auth/ws-token`, {
      method: 'POST',
      headers: { authorization: `Bearer ${reader.key}` },
    });
    const { token, expiresAt } = (await t.json()) as { token: string; expiresAt: number };
    expect(expiresAt).toBeGreaterThan(Date.now());
    const byToken = await wsStatus(`ws://${base}/ws?token=${token}`);
    expect(byToken.status).toBe(101);
    byToken.ws!.close();
    expect((await wsStatus(`ws://${base}/ws?token=${token}`)).status).toBe(401); // used
  });

  it('refuses a WebSocket from a foreign browser Origin (403)', async () => {
    const auth = { authorization: `Bearer ${reader.key}` };
    expect((await wsStatus(`ws://${base}/ws`, { ...auth, origin: 'http://evil.test' })).status).toBe(403);
    const same = await wsStatus(`ws://${base}/ws`, { ...auth, origin: `http://${base}` });
    expect(same.status).toBe(101);
    same.ws!.close();
  });

  it('the SDK sends its API key on REST calls and streams with a single-use token', async () => {
    const socket = (u: string) => new WebSocket(u) as never;
    const anon = createClient({ baseUrl: `http://${base}/`, createSocket: socket });
    const err = await anon.instruments().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ApiError);
    expect((err as ApiError).status).toBe(401);
    const dw = createClient({ baseUrl: `http://${base}/`, apiKey: reader.key, createSocket: socket });
    expect((await dw.instruments()).items.map((i) => i.instrument)).toContain(BTC);
    const stream = dw.stream({ channels: ['health'], instruments: [BTC] });
    const first = await stream.next();
    expect(first.value).toMatchObject({ channel: 'health', instrument: BTC });
    stream.close();
  });

  it('answers whoami with the key id and scopes', async () => {
    const r = (await (await get('/api/v1/auth/whoami', admin.key)).json()) as Record<string, unknown>;
    expect(r).toEqual({ authRequired: true, keyId: admin.record.id, name: 'admin', scopes: ['admin'] });
  });
});

describe('bind rule and key storage', () => {
  it('defaults to 127.0.0.1 and refuses 0.0.0.0 without keys unless insecure', () => {
    const c = loadConfig(undefined, {}, {});
    expect(c.api.host).toBe('127.0.0.1');
    expect(checkBind('127.0.0.1', 0, false)).toBeNull();
    expect(() => checkBind('0.0.0.0', 0, false)).toThrow(
      /refusing to listen on 0.0.0.0 without API keys.*--insecure/,
    );
    expect(checkBind('0.0.0.0', 0, true)).toMatch(/WITHOUT authentication/);
    expect(checkBind('::', 1, false)).toBeNull();
    const dir = mkdtempSync(join(tmpdir(), 'dw-keys-'));
    const open = loadConfig(
      undefined,
      { api: { host: '0.0.0.0', auth: { keysFile: join(dir, 'none.json') } } },
      {},
    );
    expect(() => apiSecurity(open, {})).toThrow(/refusing to listen/);
    const { key } = generateKey('env', ['read']);
    expect(apiSecurity(open, { DEPTHWATCH_API_KEYS: key }).keys.size).toBe(1);
  });

  it('keeps only hashes at rest (file mode 0600) and parses env keys with scopes', () => {
    const dir = mkdtempSync(join(tmpdir(), 'dw-keys-'));
    const file = join(dir, 'keys.json');
    const k = generateKey('ci', ['read', 'admin']);
    writeKeyFile(file, [k.record]);
    const text = readFileSync(file, 'utf8');
    expect(text).not.toContain(k.key.split('_')[2]);
    expect(text).toContain('sha256:');
    expect(readKeyFile(file)[0]!.id).toBe(k.record.id);
    const ring = new KeyRing(readKeyFile(file));
    expect(ring.verify(k.key)?.scopes).toEqual(['read', 'admin']);
    const env = parseEnvKeys(`admin:${k.key},${generateKey('x', ['read']).key}`);
    expect(env.map((r) => r.scopes)).toEqual([['admin'], ['read']]);
    expect(() => parseEnvKeys('not-a-key')).toThrow(/entry 1 is not a depthwatch key/);
  });
});
