/**
 * Issue 14 findings "passwords appear in log lines", "webhooks follow redirects to other hosts with their
 * secret headers and accept any URL scheme": a real app started on loopback with secrets in its store,
 * cache, bus and webhook settings writes none of them in its captured log; webhook URLs are http(s) only,
 * a redirect to another host is refused (the other host never sees the secret header), same-origin 307s
 * are followed, private addresses can be denied; config strings take secrets from the environment.
 */
import { createServer, type IncomingMessage, type Server } from 'node:http';
import { Writable } from 'node:stream';
import { afterAll, describe, expect, it } from 'vitest';
import { WebhookSink, isPrivateAddress } from '../../src/alerts/webhook.ts';
import { webhookSchema } from '../../src/alerts/schema.ts';
import type { Alert } from '../../src/alerts/types.ts';
import { createLogger } from '../../src/util/logger.ts';
import { loadConfig, ConfigError } from '../../src/config/load.ts';
import { startApp } from '../../src/app/app.ts';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';

const alert = {
  id: 'a1',
  ruleId: 'spread_wide',
  instrument: 'binance:BTCUSDT',
  severity: 'critical',
  status: 'firing',
  message: 'spread wide',
  metric: 'spreadBps',
  value: 12,
  threshold: 10,
  ts: Date.now(),
  exchangeTs: Date.now(),
  state: 'live',
} as unknown as Alert;

async function listen(
  handler: (req: IncomingMessage, body: string) => [number, Record<string, string>],
): Promise<{
  server: Server;
  url: string;
  seen: { url: string; headers: IncomingMessage['headers'] }[];
}> {
  const seen: { url: string; headers: IncomingMessage['headers'] }[] = [];
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (d) => (body += d));
    req.on('end', () => {
      seen.push({ url: req.url!, headers: req.headers });
      const [status, headers] = handler(req, body);
      res.writeHead(status, headers).end();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  return { server, url: `http://127.0.0.1:${(server.address() as { port: number }).port}`, seen };
}

describe('webhook hardening', () => {
  const servers: Server[] = [];
  afterAll(() => servers.forEach((s) => s.close()));

  it('accepts only http(s) URLs', () => {
    expect(webhookSchema.safeParse({ url: 'file:///etc/passwd' }).success).toBe(false);
    expect(webhookSchema.safeParse({ url: 'gopher://x.test/' }).success).toBe(false);
    expect(webhookSchema.safeParse({ url: 'https://hooks.test/x' }).success).toBe(true);
  });

  it('refuses a redirect to another host: the secret header never reaches it', async () => {
    const other = await listen(() => [200, {}]);
    const hook = await listen(() => [302, { location: `${other.url}/steal` }]);
    servers.push(other.server, hook.server);
    const dead: string[] = [];
    const sink = new WebhookSink(
      { url: `${hook.url}/hook`, headers: { 'x-secret': 's3cr3t' }, retries: 0 },
      (_a, e) => dead.push(e),
    );
    expect(await sink.deliver(alert)).toBe(false);
    expect(other.seen).toHaveLength(0);
    expect(sink.stats.deadLetter).toBe(1);
    expect(dead[0]).toMatch(/redirect to another host refused/);
  });

  it('follows a same-origin 307 and delivers', async () => {
    const hook = await listen((req) => (req.url === '/old' ? [307, { location: '/new' }] : [204, {}]));
    servers.push(hook.server);
    const sink = new WebhookSink({ url: `${hook.url}/old`, retries: 0 });
    expect(await sink.deliver(alert)).toBe(true);
    expect(hook.seen.map((s) => s.url)).toEqual(['/old', '/new']);
  });

  it('denies private addresses when asked (SSRF)', async () => {
    const hook = await listen(() => [204, {}]);
    servers.push(hook.server);
    const sink = new WebhookSink({ url: `${hook.url}/x`, retries: 0, denyPrivate: true });
    expect(await sink.deliver(alert)).toBe(false);
    expect(hook.seen).toHaveLength(0);
    expect(sink.deadLetters[0]!.error).toMatch(/private address 127.0.0.1/);
    expect(
      ['10.1.2.3', '192.168.0.1', '172.20.0.1', '169.254.169.254', '::1', 'fd00::1'].every(isPrivateAddress),
    ).toBe(true);
    expect(isPrivateAddress('93.184.216.34')).toBe(false);
  });
});

describe('secrets from the environment, never in the logs', () => {
  const schema = `dw_sec_${process.pid}`;
  afterAll(async () => {
    const c = new pg.Client({ connectionString: 'postgres://postgres@127.0.0.1:5432/test' });
    await c.connect();
    await c.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
    await c.end();
  });

  it('expands ${VAR} in config strings and names a missing one', () => {
    const dir = mkdtempSync(join(tmpdir(), 'dw-sec-'));
    const file = join(dir, 'c.yaml');
    writeFileSync(file, 'store: { url: "postgres://app:${DW_TEST_PG_PW}@127.0.0.1:5432/test" }\n');
    expect(loadConfig(file, {}, { DW_TEST_PG_PW: 'pw1' }).store.url).toBe(
      'postgres://app:pw1@127.0.0.1:5432/test',
    );
    expect(() => loadConfig(file, {}, {})).toThrow(ConfigError);
    expect(() => loadConfig(file, {}, {})).toThrow(
      /store.url: environment variable DW_TEST_PG_PW is not set/,
    );
  });

  it('a started app logs no password, token or header of its store, cache and webhooks', async () => {
    const secrets = ['pg-Secret-42', 'redis-Secret-42', 'hook-Secret-42', 'hdr-Secret-42'];
    const lines: string[] = [];
    const sink = new Writable({
      write(chunk: Buffer, _e, cb) {
        lines.push(chunk.toString());
        cb();
      },
    });
    const logger = createLogger('debug', false, sink);
    const dir = mkdtempSync(join(tmpdir(), 'dw-sec-app-'));
    // PostgreSQL on loopback trusts any password: the store starts with it, and logs its URL.
    const config = loadConfig(
      undefined,
      {
        instruments: ['binance:BTCUSDT'],
        venues: { binance: { ws: 'ws://127.0.0.1:9', rest: 'http://127.0.0.1:9' } },
        store: { url: `postgres://postgres:${secrets[0]}@127.0.0.1:5432/test?schema=${schema}` },
        cache: `redis://:${secrets[1]}@127.0.0.1:1`,
        api: { host: '127.0.0.1', port: 0, dashboard: false, auth: { keysFile: join(dir, 'keys.json') } },
        news: { enabled: false },
        alerts: {
          webhooks: [
            { url: `http://127.0.0.1:9/hook?token=${secrets[2]}`, headers: { authorization: secrets[3] } },
          ],
        },
      },
      {},
    );
    logger.info({ config }, 'effective config'); // what a debugging user might log
    const app = await startApp(config, logger).catch((e: unknown) => {
      logger.error({ err: e }, 'start failed');
      return null;
    });
    await new Promise((r) => setTimeout(r, 500));
    await app?.close();
    const all = lines.join('');
    expect(lines.length).toBeGreaterThan(3);
    expect(all).toMatch(/store ready|start failed/);
    if (process.env.DW_SHOW_LOG) console.log(all);
    for (const s of secrets) expect(all, s).not.toContain(s);
  }, 60_000);
});
