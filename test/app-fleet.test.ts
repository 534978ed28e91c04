/**
 * Fleet roles over the real NATS JetStream server: a collector (connector on the simulator) publishes
 * normalized events; an analyzer and an API node rebuild the same books from them, the analyzer stores
 * history, the API node serves live metrics. In one test process for speed (roles are plain startApp
 * configurations; `depthwatch run --role ...` starts the same thing in separate processes).
 */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { pino } from 'pino';
import WebSocket from 'ws';
import type { Alert } from '../src/alerts/types.ts';
import { connect } from '@nats-io/transport-node';
import { jetstreamManager } from '@nats-io/jetstream';
import { startApp, type App } from '../src/app/app.ts';
import { startSimulator, type RunningSimulator } from '../src/app/simulator.ts';
import { loadConfig } from '../src/config/load.ts';

const REC = '../shared/data/binance-hftbacktest/usdm/btcusdt_20240808.gz';
const ID = 'binance-usdm:BTCUSDT';

describe('fleet roles over NATS JetStream', () => {
  let sim: RunningSimulator;
  const apps: Record<string, App> = {};
  let streamName = '';
  let ws: WebSocket;
  const apiAlerts: Alert[] = [];
  const analyzerAlerts: Alert[] = [];

  beforeAll(async () => {
    const tag = `dwt${process.pid}x${Date.now().toString(36)}`;
    streamName = tag.toUpperCase();
    sim = await startSimulator({ venue: 'binance-usdm', files: [REC], speed: 2, loop: false });
    const base = {
      instruments: sim.instruments,
      venues: { 'binance-usdm': { ws: sim.wsUrl, rest: sim.restUrl } },
      api: { host: '127.0.0.1', port: 0, dashboard: false },
      // Own subjects and an in-memory stream: no collision with other runs on the shared server.
      bus: `nats://127.0.0.1:4222?prefix=${tag}&stream=${tag.toUpperCase()}&storage=memory&maxBytes=67108864`,
      store: { url: 'memory', flushIntervalMs: 200 },
      // Offline: no polling of the default (internet) news feeds.
      news: { enabled: false },
      // Evaluated on the analyzer only; the API node must relay what it fires. A spread is never
      // negative, so the rule holds on every live sample and fires once the book has been live 1 s.
      alerts: {
        builtins: false,
        rules: [
          {
            id: 'spread_seen',
            kind: 'metric',
            metric: 'spreadBps',
            comparator: '>=',
            threshold: 0,
            forMs: 1_000,
            severity: 'info',
          },
        ],
      },
    };
    const log = pino({ level: 'silent' });
    // Consumers first (they deliver new messages only), then the collector.
    apps.api = await startApp(loadConfig(undefined, { ...base, role: 'api' }, {}), log);
    apps.analyzer = await startApp(loadConfig(undefined, { ...base, role: 'analyzer' }, {}), log);
    apps.analyzer.bus.subscribe('alert', (a) => void analyzerAlerts.push(a));
    ws = new WebSocket(apps.api.url.replace('http', 'ws') + '/ws');
    ws.on('message', (d) => {
      const m = JSON.parse(String(d)) as { channel?: string; data?: Alert };
      if (m.channel === 'alerts' && m.data) apiAlerts.push(m.data);
    });
    await new Promise<void>((res, rej) => {
      ws.once('open', () => res());
      ws.once('error', rej);
    });
    ws.send(JSON.stringify({ op: 'subscribe', channel: 'alerts', instrument: '*' }));
    apps.collector = await startApp(loadConfig(undefined, { ...base, role: 'collector' }, {}), log);
  }, 60_000);

  afterAll(async () => {
    ws?.close();
    for (const a of [apps.collector, apps.analyzer, apps.api]) await a?.close();
    await sim?.close();
    // Remove this run's stream from the shared server.
    const nc = await connect({ servers: '127.0.0.1:4222' });
    try {
      await (await jetstreamManager(nc)).streams.delete(streamName);
    } finally {
      await nc.close();
    }
  });

  it('rebuilds identical live books on every role and serves live metrics from the API node', async () => {
    const deadline = Date.now() + 30_000;
    const books = () => ['collector', 'analyzer', 'api'].map((r) => apps[r]!.engine.books.get(ID));
    while (Date.now() < deadline) {
      const b = books();
      if (b.every((x) => x?.health.state === 'live' && x.health.counters.deltasApplied > 200)) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    // Let the consumers catch up with the collector, then compare at a quiet instant.
    await apps.collector!.nats!.flushPublishes();
    await new Promise((r) => setTimeout(r, 300));
    // Same sequence on all three at some instant (the stream keeps flowing): then the books must be equal.
    let same = false;
    for (let i = 0; i < 200 && !same; i++) {
      const [c0, a0, p0] = books();
      const seq = c0!.health.sequence;
      if (a0!.health.sequence === seq && p0!.health.sequence === seq) {
        expect(a0!.book.topStrings(50)).toEqual(c0!.book.topStrings(50));
        expect(p0!.book.topStrings(50)).toEqual(c0!.book.topStrings(50));
        same = true;
      } else await new Promise((r) => setTimeout(r, 5));
    }
    expect(same).toBe(true);
    const [c, a, p] = books();
    expect(c?.health.state).toBe('live');
    for (const x of [a, p]) {
      expect(x?.health.state).toBe('live');
      expect(x?.health.counters.gaps).toBe(0);
    }
    expect(apps.collector!.connectors).toHaveLength(1);
    expect(apps.analyzer!.connectors).toHaveLength(0);
    const m = (await (await fetch(`${apps.api!.url}/api/v1/metrics/${ID}`)).json()) as {
      state: string;
      metrics: { mid: number };
    };
    expect(m.state).toBe('live');
    expect(m.metrics.mid).toBeGreaterThan(0);
    await apps.analyzer!.store.flush();
    const counts = await apps.analyzer!.store.counts();
    expect(counts.trades).toBeGreaterThan(0);
    expect((await apps.api!.store.counts()).trades ?? 0).toBe(0);
  }, 60_000);

  it('relays the alerts the analyzer fires to WebSocket clients of the API node (which evaluates none)', async () => {
    await vi.waitFor(() => expect(apiAlerts.length).toBeGreaterThan(0), { timeout: 15_000, interval: 50 });
    expect(apiAlerts[0]).toMatchObject({ ruleId: 'spread_seen', instrument: ID, severity: 'info' });
    expect(apps.api!.alerts).toBeNull();
    expect(apps.analyzer!.alerts!.stats.emitted).toBeGreaterThanOrEqual(1);
    // The very alerts the analyzer emitted (same ids), not a re-evaluation.
    const emitted = analyzerAlerts.map((a) => a.id);
    for (const a of apiAlerts) expect(emitted).toContain(a.id);
  }, 20_000);
});
