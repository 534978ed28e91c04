/**
 * Issue 14 findings "the fleet bus takes no credentials" (`nats://user:pass@…` crashed the collector) and
 * "anyone who reaches NATS can inject data" (a forged trade reached history, a forged alert reached
 * dashboards). Against a second, real nats-server started here on a free loopback port with the sample
 * config deploy/nats/nats-server.conf (per-role users and permissions): a client without credentials is
 * refused; a collector with credentials in the URL connects and its events reach the analyzer; a
 * forged event from an API-role client is refused by the server and never reaches the analyzer; a
 * malformed or mis-addressed event from a collector is counted and dropped by the analyzer.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, connect as tcpConnect } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { NatsBus } from '../../src/bus/nats.ts';
import { connectionAuth } from '../../src/bus/nats-auth.ts';
import { encodeBytes } from '../../src/bus/codec.ts';
import { describeStartupError } from '../../src/app/startup.ts';
import type { MarketEvent, Trade } from '../../src/core/model.ts';

const PASSWORDS = {
  DW_NATS_COLLECTOR_PASSWORD: 'collector-' + Math.random().toString(36).slice(2),
  DW_NATS_ANALYZER_PASSWORD: 'analyzer-' + Math.random().toString(36).slice(2),
  DW_NATS_API_PASSWORD: 'api-' + Math.random().toString(36).slice(2),
};

async function freePort(): Promise<number> {
  const srv = createServer();
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', () => r()));
  const port = (srv.address() as { port: number }).port;
  await new Promise<void>((r) => srv.close(() => r()));
  return port;
}

async function waitForPort(port: number): Promise<void> {
  for (let i = 0; i < 100; i++) {
    const ok = await new Promise<boolean>((r) => {
      const s = tcpConnect(port, '127.0.0.1');
      s.once('connect', () => {
        s.destroy();
        r(true);
      });
      s.once('error', () => r(false));
    });
    if (ok) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`nats-server did not listen on ${port}`);
}

const trade = (id: string, price: string, instrument = 'binance:BTCUSDT'): Trade => ({
  type: 'trade',
  instrument,
  exchangeTs: Date.now(),
  localTs: Date.now(),
  id,
  price,
  size: '0.5',
  side: 'buy',
});

describe('fleet bus with per-role NATS credentials (real nats-server, sample config)', () => {
  let server: ChildProcess;
  let port: number;
  let dir: string;
  const buses: NatsBus[] = [];
  const raw: NatsConnection[] = [];

  beforeAll(async () => {
    port = await freePort();
    dir = mkdtempSync(join(tmpdir(), 'dw-nats-auth-'));
    server = spawn(
      '/usr/sbin/nats-server',
      ['-c', resolve('deploy/nats/nats-server.conf'), '-a', '127.0.0.1', '-p', String(port), '-sd', dir],
      { env: { ...process.env, ...PASSWORDS }, stdio: 'ignore' },
    );
    await waitForPort(port);
  });
  afterAll(async () => {
    for (const b of buses) await b.close();
    for (const c of raw) await c.close();
    server?.kill('SIGTERM');
    await new Promise((r) => server?.once('exit', r));
    rmSync(dir, { recursive: true, force: true });
  });

  const url = (user?: keyof typeof PASSWORDS, name?: string) =>
    `nats://${user ? `${name}:${PASSWORDS[user]}@` : ''}127.0.0.1:${port}?storage=memory&maxBytes=${16 << 20}`;

  it('refuses a client without credentials, with a one-line message naming the fix', async () => {
    const err = await connect({ servers: `127.0.0.1:${port}`, maxReconnectAttempts: 0 }).then(
      () => null,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(Error);
    expect(describeStartupError(err)).toMatch(/fleet bus refused our credentials.*DEPTHWATCH_BUS_USER/);
    const wrong = await connect({
      servers: `127.0.0.1:${port}`,
      user: 'collector',
      pass: 'nope',
      maxReconnectAttempts: 0,
    }).then(
      () => null,
      (e: unknown) => e,
    );
    expect(wrong).toBeInstanceOf(Error);
  });

  it('delivers collector events to the analyzer; refuses a forged event from an API-role client', async () => {
    // Credentials in the URL are taken out of it (the crash of the finding).
    const c = connectionAuth(url('DW_NATS_COLLECTOR_PASSWORD', 'collector'), undefined, {});
    expect(c.servers).not.toContain(PASSWORDS.DW_NATS_COLLECTOR_PASSWORD);
    const collector = await NatsBus.connect({ servers: c.servers, auth: c.options });
    buses.push(collector as NatsBus);
    const a = connectionAuth(url(), undefined, {
      DEPTHWATCH_BUS_USER: 'analyzer',
      DEPTHWATCH_BUS_PASSWORD: PASSWORDS.DW_NATS_ANALYZER_PASSWORD,
    });
    const analyzer = await NatsBus.connect({ servers: a.servers, auth: a.options, deliver: 'all' });
    buses.push(analyzer as NatsBus);
    const got: MarketEvent[] = [];
    analyzer.subscribeEvents((e) => got.push(e));
    await analyzer.ready();

    // The API role: subscribe-only. Its forged trade (price 1.0) is refused by the server.
    const apiErrors: string[] = [];
    const api = await connect({
      servers: `127.0.0.1:${port}`,
      user: 'api',
      pass: PASSWORDS.DW_NATS_API_PASSWORD,
    });
    raw.push(api);
    void (async () => {
      for await (const s of api.status()) if (s.type === 'error') apiErrors.push(String(s.error));
    })();
    api.publish('dw.event.binance.BTCUSDT', encodeBytes(trade('forged', '1.0')));
    await api.flush();

    collector.publishEvent(trade('real-1', '60000.5'));
    await collector.flushPublishes();
    await vi.waitFor(() => expect(got.map((e) => (e as Trade).id)).toContain('real-1'), { timeout: 10_000 });
    await vi.waitFor(() => expect(apiErrors.join(' ')).toMatch(/Permissions Violation for Publish/i), {
      timeout: 5_000,
    });
    await new Promise((r) => setTimeout(r, 300));
    expect(got.map((e) => (e as Trade).id)).toEqual(['real-1']);
  });

  it('counts and drops malformed or mis-addressed events at the analyzer', async () => {
    const collectorNc = await connect({
      servers: `127.0.0.1:${port}`,
      user: 'collector',
      pass: PASSWORDS.DW_NATS_COLLECTOR_PASSWORD,
    });
    raw.push(collectorNc);
    const a = connectionAuth(url('DW_NATS_ANALYZER_PASSWORD', 'analyzer'), undefined, {});
    const analyzer = await NatsBus.connect({ servers: a.servers, auth: a.options, deliver: 'new' });
    buses.push(analyzer as NatsBus);
    const got: MarketEvent[] = [];
    analyzer.subscribeEvents((e) => got.push(e));
    await analyzer.ready();
    collectorNc.publish('dw.event.binance.BTCUSDT', encodeBytes({ ...trade('bad-price', 'abc') }));
    collectorNc.publish('dw.event.binance.BTCUSDT', encodeBytes(trade('elsewhere', '1.0', 'okx:BTC-USDT')));
    collectorNc.publish('dw.event.binance.BTCUSDT', encodeBytes(trade('ok', '60001')));
    await collectorNc.flush();
    await vi.waitFor(() => expect(got.map((e) => (e as Trade).id)).toEqual(['ok']), { timeout: 10_000 });
    expect(analyzer.stats.invalidEvents).toBe(2);
  });
});

describe('a forged alert from a collector', () => {
  it('is refused by the server: collectors may publish only dw.event.>', async () => {
    const port = await freePort();
    const dir = mkdtempSync(join(tmpdir(), 'dw-nats-alert-'));
    const server = spawn(
      '/usr/sbin/nats-server',
      ['-c', resolve('deploy/nats/nats-server.conf'), '-a', '127.0.0.1', '-p', String(port), '-sd', dir],
      { env: { ...process.env, ...PASSWORDS }, stdio: 'ignore' },
    );
    try {
      await waitForPort(port);
      const nc = await connect({
        servers: `127.0.0.1:${port}`,
        user: 'collector',
        pass: PASSWORDS.DW_NATS_COLLECTOR_PASSWORD,
      });
      const errors: string[] = [];
      void (async () => {
        for await (const s of nc.status()) if (s.type === 'error') errors.push(String(s.error));
      })();
      nc.publish('dw.alert.binance.BTCUSDT', encodeBytes({ id: 'forged', severity: 'critical' }));
      await nc.flush().catch(() => undefined);
      await vi.waitFor(
        () => expect(errors.join(' ')).toMatch(/Permissions Violation for Publish to "dw\.alert/i),
        {
          timeout: 5_000,
        },
      );
      await nc.close().catch(() => undefined);
    } finally {
      server.kill('SIGTERM');
      await new Promise((r) => server.once('exit', r));
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
