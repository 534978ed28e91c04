/**
 * Alerts through the whole running product: simulator (real USD-M recording) → connector → book →
 * metrics → alert engine (connectAlerts) → bus topic `alert` → DuckDB store, `/api/v1/alerts`, the
 * WebSocket `alerts` channel, a JSON webhook and the log.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { pino } from 'pino';
import WebSocket from 'ws';
import { startApp, type App } from '../src/app/app.ts';
import { startSimulator, type RunningSimulator } from '../src/app/simulator.ts';
import { loadConfig } from '../src/config/load.ts';
import { DuckDbStore } from '../src/store/duckdb.ts';
import type { Alert } from '../src/alerts/types.ts';
import type { AlertRulesResponse, AlertsResponse } from '../src/api/types.ts';

const REC = '../shared/data/binance-hftbacktest/usdm/btcusdt_20240808.gz';
const ID = 'binance-usdm:BTCUSDT';

describe('alerts in the running app on the simulator', () => {
  let sim: RunningSimulator;
  let app: App;
  let dir: string;
  let hook: Server;
  const hooked: { alert: Alert }[] = [];
  const logLines: { level: number; msg: string; rule?: string }[] = [];
  const wsAlerts: Alert[] = [];
  let ws: WebSocket;

  beforeAll(async () => {
    hook = createServer((req, res) => {
      let body = '';
      req.on('data', (d: Buffer) => (body += d.toString()));
      req.on('end', () => {
        hooked.push(JSON.parse(body) as { alert: Alert });
        res.writeHead(204).end();
      });
    });
    await new Promise<void>((r) => hook.listen(0, '127.0.0.1', r));
    const hookPort = (hook.address() as { port: number }).port;

    sim = await startSimulator({ venue: 'binance-usdm', files: [REC], speed: 1, loop: false });
    dir = mkdtempSync(join(tmpdir(), 'dw-app-alerts-'));
    const config = loadConfig(
      undefined,
      {
        instruments: sim.instruments,
        venues: { 'binance-usdm': { ws: sim.wsUrl, rest: sim.restUrl } },
        api: { host: '127.0.0.1', port: 0, dashboard: false },
        store: { url: `duckdb:${join(dir, 'h.duckdb')}`, flushIntervalMs: 200 },
        // Offline: no polling of the default (internet) news feeds.
        news: { enabled: false },
        alerts: {
          builtins: false,
          dedupWindowMs: 0,
          // A spread is never negative: this rule holds on every live sample. It fires once 1.5 s after the
          // book goes live (well after the WebSocket subscription below) and stays active (no clear).
          rules: [
            {
              id: 'spread_seen',
              kind: 'metric',
              metric: 'spreadBps',
              comparator: '>=',
              threshold: 0,
              forMs: 1_500,
              severity: 'critical',
            },
          ],
          webhooks: [{ url: `http://127.0.0.1:${hookPort}/hook`, format: 'json', retries: 0 }],
        },
      },
      {},
    );
    const logger = pino(
      { level: 'info' },
      { write: (s: string) => void logLines.push(JSON.parse(s) as (typeof logLines)[number]) },
    );
    app = await startApp(config, logger);
    ws = new WebSocket(app.url.replace('http', 'ws') + '/ws');
    ws.on('message', (d) => {
      const m = JSON.parse(String(d)) as { channel?: string; data?: Alert };
      if (m.channel === 'alerts' && m.data) wsAlerts.push(m.data);
    });
    await new Promise<void>((res, rej) => {
      ws.once('open', () => res());
      ws.once('error', rej);
    });
    ws.send(JSON.stringify({ op: 'subscribe', channel: 'alerts', instrument: ID }));
  }, 60_000);

  afterAll(async () => {
    ws?.close();
    await app?.close();
    await sim?.close();
    await new Promise((r) => hook?.close(r));
    rmSync(dir, { recursive: true, force: true });
  });

  it('fires the rule on the live book and delivers the alert to WS subscribers, the webhook and the log', async () => {
    await vi.waitFor(() => expect(wsAlerts.length).toBe(1), { timeout: 15_000, interval: 50 });
    const a = wsAlerts[0]!;
    expect(a).toMatchObject({ ruleId: 'spread_seen', instrument: ID, severity: 'critical', state: 'live' });
    expect(a.value).toBeGreaterThanOrEqual(0);
    expect(a.comparator).toBe('>=');
    await vi.waitFor(() => expect(hooked.some((h) => h.alert.id === a.id)).toBe(true), { timeout: 5_000 });
    const line = logLines.find((l) => l.msg.includes(a.message));
    expect(line).toMatchObject({ level: 50, rule: 'spread_seen' });
    expect(app.alerts!.stats.emitted).toBe(1);
  }, 20_000);

  it('stores the alerts and lists them newest first on /api/v1/alerts, with the rule on /api/v1/alert-rules', async () => {
    await app.store.flush();
    const r = (await (
      await fetch(`${app.url}/api/v1/alerts?instrument=${ID}&rule=spread_seen&limit=1000`)
    ).json()) as AlertsResponse;
    const ids = r.items.map((x) => x.id);
    expect(ids).toEqual([wsAlerts[0]!.id]);
    expect(r.nextCursor).toBeNull();
    const rules = (await (await fetch(`${app.url}/api/v1/alert-rules`)).json()) as AlertRulesResponse;
    expect(rules.items.map((x) => x.id)).toEqual(['spread_seen']);
    const prom = await (await fetch(`${app.url}/metrics`)).text();
    expect(prom).toContain('depthwatch_alerts_total{rule="spread_seen",severity="critical"} 1');
  });

  it('keeps the alerts in the DuckDB file after a clean shutdown', async () => {
    const fired = app.alerts!.stats.emitted;
    await app.close();
    const store = new DuckDbStore({ path: join(dir, 'h.duckdb') });
    await store.init();
    const page = await store.queryAlerts({ limit: 1000 });
    await store.close();
    expect(fired).toBe(1);
    expect(page.alerts).toEqual([JSON.parse(JSON.stringify(wsAlerts[0]))]);
  });
});
