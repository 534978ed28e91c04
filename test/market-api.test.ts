/**
 * The Vietnamese market through the API: the SSI service fed recorded SSI messages (and hand-made ones
 * for the alerts) → REST `/api/v1/market/…` and the WS channels `market`, `foreign`, `index` with a real
 * client, payloads checked against the contract; the recorder writes what `replay --venue ssi` reads.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import WebSocket from 'ws';
import type { FastifyInstance } from 'fastify';
import { createApiServer } from '../src/api/server.ts';
import { SsiService } from '../src/app/ssi-service.ts';
import { ssiConfigSchema } from '../src/config/ssi.ts';
import { alertsConfigSchema } from '../src/alerts/schema.ts';
import type { Alert } from '../src/alerts/types.ts';
import { ForeignFlowView, IndexView, MarketRow, MarketRowsResponse } from '../src/contract/market.ts';
import { replaySsi } from '../src/replay/ssi.ts';
import { makeFixture, type Fixture } from './api-fixtures.ts';

const DIR = '../shared/data/ssi/stream';
const lines = (f: string): { DataType: string; Content: string }[] =>
  readFileSync(`${DIR}/${f}`, 'utf8')
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => JSON.parse(l) as { DataType: string; Content: string });
const B = [...lines('ssi_b_messages.first72.jsonl'), ...lines('ssi_b_messages.last36.jsonl')];
const MI = lines('ssi_mi_messages.jsonl');
const DOC = lines('ssi_doc_samples.jsonl');

type Msg = { channel?: string; instrument?: string; data?: unknown; op?: string };

describe('market API and WS channels over recorded SSI messages', () => {
  let fx: Fixture;
  let app: FastifyInstance;
  let base: string;
  let svc: SsiService;
  const alerts: Alert[] = [];
  const dir = mkdtempSync(join(tmpdir(), 'dw-ssi-'));

  beforeAll(async () => {
    fx = await makeFixture();
    fx.bus.subscribe('alert', (a) => alerts.push(a));
    svc = new SsiService({
      config: ssiConfigSchema.parse({ enabled: true }),
      bus: fx.bus as never,
      alerts: alertsConfigSchema.parse({ dedupWindowMs: 0 }),
      recordDir: dir,
    });
    app = createApiServer({ engine: fx.view, bus: fx.bus, store: fx.store, market: svc.market });
    await app.listen({ port: 0, host: '127.0.0.1' });
    base = `127.0.0.1:${(app.server.address() as { port: number }).port}`;
    // Half of the prints before the clients connect.
    for (const m of B.slice(0, 60)) svc.ingest(m.DataType, m.Content, 1);
  });
  afterAll(async () => {
    await app.close();
    await svc.stop();
    await fx.store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('WS: current value on subscribe, then conflated updates (500 ms default throttle), contract-shaped', async () => {
    const ws = new WebSocket(`ws://${base}/ws`);
    const msgs: Msg[] = [];
    ws.on('message', (d) => msgs.push(JSON.parse(String(d)) as Msg));
    await new Promise((r) => ws.once('open', r));
    ws.send(JSON.stringify({ op: 'subscribe', channel: 'market', instrument: 'ssi:HPG' }));
    ws.send(JSON.stringify({ op: 'subscribe', channel: 'index', instrument: '*' }));
    ws.send(JSON.stringify({ op: 'subscribe', channel: 'foreign', instrument: '*', throttleMs: 0 }));
    await vi.waitFor(() => expect(msgs.filter((m) => m.op === 'subscribed')).toHaveLength(3));
    expect(msgs.find((m) => m.op === 'subscribed' && m.channel === 'market')).toMatchObject({
      throttleMs: 500,
      known: true,
    });
    const hpg = () => msgs.filter((m) => m.channel === 'market' && m.instrument === 'ssi:HPG' && m.data);
    await vi.waitFor(() => expect(hpg()).toHaveLength(1));
    MarketRow.parse(hpg()[0]!.data);
    // The rest of the prints and the index at once: one HPG message now (the window's first) and one
    // more at the end of the window with the latest row; the index likewise.
    for (const m of [...B.slice(60), ...MI]) svc.ingest(m.DataType, m.Content, 2);
    await vi.waitFor(() => expect(hpg().length).toBeGreaterThanOrEqual(2), { timeout: 3000 });
    await new Promise((r) => setTimeout(r, 700));
    const last = MarketRow.parse(hpg()[hpg().length - 1]!.data);
    expect(hpg().length).toBeLessThanOrEqual(3);
    const today = B.map((m) => JSON.parse(m.Content) as Record<string, unknown>).filter(
      (c) => c.Symbol === 'HPG' && c.TradingDate === '20/07/2026',
    );
    expect(last.aggregate?.volume).toBe(today.reduce((a, c) => a + (c.Volume as number), 0));
    const idx = msgs.filter((m) => m.channel === 'index' && m.data);
    expect(idx.length).toBeLessThanOrEqual(3);
    expect(IndexView.parse(idx[idx.length - 1]!.data)).toMatchObject({
      instrument: 'ssi:VNINDEX',
      value: 1746.55,
    });
    // Foreign (throttle 0): one message per symbol and one for the total per R message.
    const r = DOC.find((m) => m.DataType === 'R')!;
    svc.ingest(r.DataType, r.Content, 3);
    await vi.waitFor(() => expect(msgs.filter((m) => m.channel === 'foreign' && m.data)).toHaveLength(2));
    for (const m of msgs.filter((x) => x.channel === 'foreign' && x.data)) ForeignFlowView.parse(m.data);
    expect(msgs.filter((m) => m.channel === 'foreign' && m.data).map((m) => m.instrument)).toEqual([
      'ssi:SSI',
      'ssi:ALL',
    ]);
    ws.close();
  });

  it('REST: symbols, one symbol (404 unknown), indices with series, foreign, basis', async () => {
    const get = async (p: string) => {
      const r = await fetch(`http://${base}${p}`);
      return { status: r.status, body: (await r.json()) as Record<string, unknown> };
    };
    const all = await get('/api/v1/market/symbols');
    expect(all.status).toBe(200);
    const rows = MarketRowsResponse.parse(all.body);
    expect(rows.items.map((i) => i.symbol)).toEqual(expect.arrayContaining(['HPG', 'TCB', 'VCB']));
    expect((await get('/api/v1/market/symbols/VCB')).body).toMatchObject({
      instrument: 'ssi:VCB',
      exchange: 'HOSE',
    });
    expect((await get('/api/v1/market/symbols/NOPE')).status).toBe(404);
    const vni = await get('/api/v1/market/indices/VNINDEX');
    expect((vni.body.series as unknown[]).length).toBe(26);
    expect(((await get('/api/v1/market/indices')).body.items as unknown[]).length).toBe(1);
    expect((await get('/api/v1/market/indices/NOPE')).status).toBe(404);
    const f = await get('/api/v1/market/foreign');
    expect(f.body).toMatchObject({ total: { instrument: 'ssi:ALL', netVol: 863352 - 825308 } });
    expect((await get('/api/v1/market/basis')).body).toEqual({ index: 'VN30', items: [] });
    // A node without an SSI feed answers 501 on every market route.
    const bare = createApiServer({ engine: fx.view, bus: fx.bus, store: fx.store });
    for (const p of ['/api/v1/market/symbols', '/api/v1/market/foreign', '/api/v1/market/indices/VNINDEX'])
      expect((await bare.inject({ method: 'GET', url: p })).statusCode).toBe(501);
    await bare.close();
  });

  it('alerts: ceiling lock, VN30F basis beyond 1 %, foreign flow spike', async () => {
    const x = (sym: string, ex: string, o: Record<string, unknown>) =>
      svc.ingest(
        'X',
        JSON.stringify({ Symbol: sym, Exchange: ex, TradingDate: '20/07/2026', Time: '10:00:00', ...o }),
        5,
      );
    x('ABC', 'HOSE', {
      RefPrice: 10000,
      Ceiling: 10700,
      Floor: 9300,
      LastPrice: 10700,
      LastVol: 100,
      TotalVol: 100,
      BidPrice1: 10700,
      BidVol1: 5000,
    });
    svc.ingest(
      'MI',
      JSON.stringify({ IndexId: 'VN30', IndexValue: 1300, TradingDate: '20/07/2026', Time: '10:00:01' }),
      5,
    );
    x('VN30F2608', 'DERIVATIVES', { LastPrice: 1320, LastVol: 5, TotalVol: 5 });
    const r = (time: string, buyVal: number) =>
      svc.ingest(
        'R',
        JSON.stringify({
          Symbol: 'FPT',
          Exchange: 'HOSE',
          TradingDate: '20/07/2026',
          Time: time,
          BuyVol: buyVal / 100_000,
          SellVol: 0,
          BuyVal: buyVal,
          SellVal: 0,
          TotalRoom: 1e9,
          CurrentRoom: 5e8,
        }),
        5,
      );
    r('10:00:00', 0);
    r('10:01:00', 20_000_000_000); // 20 bn VND in a minute
    const ids = alerts.map((a) => `${a.ruleId}@${a.instrument}`);
    expect(ids).toContain('ssi_limit_lock@ssi:ABC');
    expect(ids).toContain('ssi_basis@ssi:VN30F2608');
    expect(ids).toContain('ssi_foreign_flow_spike@ssi:FPT');
    expect(alerts.find((a) => a.ruleId === 'ssi_basis')!.value).toBeCloseTo((20 / 1300) * 100, 9);
  });

  it('classified prints are trades: the trade history of the store (DuckDB) through the API, with their sides', async () => {
    await fx.store.flush();
    const r = await fetch(`http://${base}/api/v1/history/trades?instrument=ssi:HPG&from=0&to=100&limit=1000`);
    expect(r.status).toBe(200);
    const items = ((await r.json()) as { items: { price: number; size: number; side: string }[] }).items;
    const prints = B.map((m) => JSON.parse(m.Content) as Record<string, unknown>).filter(
      (c) => c.Symbol === 'HPG' && c.TradingDate === '20/07/2026',
    );
    // Every print of the session, the previous session's one too (history keeps it), with its side.
    expect(items.length).toBe(prints.length + 1);
    expect(items.reduce((a, t) => a + t.size, 0)).toBe(
      prints.reduce((a, c) => a + (c.Volume as number), 0) + 100,
    );
    expect(new Set(items.map((t) => t.side))).toEqual(new Set(['buy', 'sell', 'unknown']));
  });

  it('the recorder writes what replay --venue ssi reads, with the same final state', async () => {
    await svc.stop();
    const { summary } = await replaySsi([svc.recordPath!]);
    expect(summary.dropped).toBe(0);
    expect(summary.instruments['ssi:HPG']!.final.session!.volume).toBe(
      svc.market.row('HPG')!.aggregate!.volume,
    );
    expect(summary.instruments['ssi:VNINDEX']!.final.index!.value).toBe(1746.55);
  });
});
