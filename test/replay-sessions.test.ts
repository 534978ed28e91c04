/**
 * Replay sessions of `depthwatch serve` (app/serve.ts) driven through the client SDK over loopback, on
 * the real Binance spot recording of 2024-08-08 (5.8 min):
 * - pause holds the replay clock (session position, books and metrics stop moving);
 * - seek back 5 minutes then forward gives the same book (sequence, every level of the top 1000) as an
 *   uninterrupted in-process replay up to that time, and so does the first seek (from a checkpoint);
 * - speed 10× plays 20 s of recorded time in about 2 s;
 * - step plays frames of a paused session; several sessions at once, each with its id; a session over
 *   instruments another one plays is refused (409);
 * - the recordings folder: listed, and paths outside it refused (absolute, `..`, a symlink out), 404 for
 *   a missing file;
 * - history queries default to the replay clock; the WS `replay` channel carries the session.
 */
import { mkdtempSync, symlinkSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import pino from 'pino';
import { WebSocket } from 'ws';
import { startServe, type ServeApp } from '../src/app/serve.ts';
import { loadConfig } from '../src/config/load.ts';
import { ApiError, createClient, type ReplayHandle, type SocketLike } from '../src/client/index.ts';
import { openRecording } from '../src/recording/open.ts';
import { Replay } from '../src/replay/replay.ts';
import { ReplaySessions } from '../src/replay/sessions.ts';
import { routes } from '../src/contract/routes.ts';
import { InProcessBus } from '../src/bus/in-process.ts';

const DATA = resolve('../shared/data/binance-hftbacktest');
const SPOT_FILE = 'spot/btcusdt_20240808.gz';
const CM_FILE = 'cm/btcusd_perp_20240808.gz';
const SPOT = 'binance:BTCUSDT';
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** A recordings folder holding a symlink that leads out of it. */
function escapeDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'dw-recs-'));
  mkdirSync(join(dir, 'spot'));
  symlinkSync('/etc/hostname', join(dir, 'escape.gz'));
  symlinkSync(join(DATA, SPOT_FILE), join(dir, SPOT_FILE));
  return dir;
}

/** The book of an uninterrupted replay up to `to`: sequence and every level as wire strings. */
async function referenceBook(to: number): Promise<{ sequence: number; bids: string[][]; asks: string[][] }> {
  const r = new Replay(await openRecording([join(DATA, SPOT_FILE)]), {
    to,
    engine: { computeMetrics: false },
  });
  await r.run();
  const b = r.engine.books.get(SPOT)!;
  const top = b.book.topStrings(1000);
  return { sequence: b.health.sequence, bids: top.bids, asks: top.asks };
}

describe('replay sessions through the SDK', () => {
  let app: ServeApp;
  let base: string;
  const dw = () =>
    createClient({
      baseUrl: base,
      createSocket: (u) => new WebSocket(u) as unknown as SocketLike,
      minBackoffMs: 20,
      maxBackoffMs: 100,
    });
  let s: ReplayHandle;

  beforeAll(async () => {
    const config = loadConfig(
      undefined,
      {
        api: { host: '127.0.0.1', port: 0, dashboard: false },
        store: { url: 'memory', flushIntervalMs: 100 },
        reference: false,
        news: { enabled: false },
        replay: { dir: DATA, checkpointEverySeconds: 10 },
      },
      {},
    );
    app = await startServe(config, pino({ level: 'silent' }));
    base = app.url;
    s = await dw().openReplay({ files: [SPOT_FILE], speed: 10 });
  }, 60_000);

  afterAll(async () => {
    await app?.close();
  });

  it('opens a session paused at the start, with its range, instruments and checkpoints', async () => {
    const v = s.view;
    expect(v.id).toMatch(/^r\d+$/);
    expect(v.state).toBe('paused');
    expect(v.files).toEqual([SPOT_FILE]);
    expect(v.instruments).toEqual([SPOT]);
    expect(v.end - v.start).toBeGreaterThan(5.5 * 60_000);
    expect(v.totalFrames).toBeGreaterThan(40_000);
    // One checkpoint per 10 s of recorded time.
    expect(v.checkpoints).toBeGreaterThanOrEqual(30);
    expect(v.position).toBeNull();
    const list = await dw().replayList();
    expect(list.items.map((x) => x.id)).toEqual([v.id]);
    // Real answers match the contract's response schemas.
    expect(() => routes.replayList.response.parse(list)).not.toThrow();
    expect(() => routes.replayGet.response.parse(v)).not.toThrow();
    const marks = await dw().replayMarks({ id: v.id });
    expect(() => routes.replayMarks.response.parse(marks)).not.toThrow();
    const files = await dw().replayFiles();
    expect(() => routes.replayFiles.response.parse(files)).not.toThrow();
  });

  it('pause holds the clock', async () => {
    const c = dw();
    await s.play();
    await sleep(600);
    const paused = await s.pause();
    expect(paused.state).toBe('paused');
    expect(paused.position).not.toBeNull();
    const book1 = await c.book({ instrument: SPOT, query: { depth: 5 } });
    const m1 = await c.metrics({ instrument: SPOT });
    await sleep(800);
    const later = await s.get();
    expect(later.state).toBe('paused');
    expect(later.position).toBe(paused.position);
    const book2 = await c.book({ instrument: SPOT, query: { depth: 5 } });
    expect(book2.sequence).toBe(book1.sequence);
    expect(book2.localTs).toBe(book1.localTs);
    expect((await c.metrics({ instrument: SPOT })).localTs).toBe(m1.localTs);
    // History ranges default to the replay clock, not the wall clock.
    const trades = await c.historyTrades({ query: { instrument: SPOT, limit: 5 } });
    expect(trades.items.length).toBeGreaterThan(0);
    for (const t of trades.items) expect(t.localTs).toBeLessThanOrEqual(paused.position!);
  });

  it('seek back 5 minutes then forward gives the same book as an uninterrupted run', async () => {
    const c = dw();
    const T = s.view.start + 5.5 * 60_000;
    const expected = await referenceBook(T);
    const compare = async (): Promise<void> => {
      const b = await c.book({ instrument: SPOT, query: { depth: 1000 } });
      expect(b.state).toBe('live');
      expect(b.sequence).toBe(expected.sequence);
      expect(b.bidsText).toEqual(expected.bids);
      expect(b.asksText).toEqual(expected.asks);
    };
    const first = await s.seek(T); // forward from the paused position (a checkpoint restore)
    expect(first.position).toBeLessThanOrEqual(T);
    expect(first.position).toBeGreaterThan(T - 1000);
    await compare();
    const back = await s.seek(T - 5 * 60_000);
    expect(back.position).toBeLessThanOrEqual(T - 5 * 60_000);
    const backBook = await c.book({ instrument: SPOT, query: { depth: 5 } });
    expect(backBook.sequence).toBeLessThan(expected.sequence);
    const t0 = performance.now();
    const again = await s.seek(T);
    // From the nearest checkpoint (≤ 10 s before T), not from the start.
    expect(performance.now() - t0).toBeLessThan(3000);
    expect(again.position).toBe(first.position);
    await compare();
    // Seeking forward without a checkpoint in between plays on from the position.
    await s.seek(T - 3000);
    await s.seek(T);
    await compare();
  });

  it('speed 10× takes about a tenth of the recorded time', async () => {
    const from = s.view.start + 60_000;
    await s.seek(from);
    await s.setSpeed(10);
    const slice = 20_000;
    const t0 = performance.now();
    await s.play();
    let v = s.view;
    while ((v.position ?? 0) < from + slice && performance.now() - t0 < 10_000) {
      await sleep(20);
      v = await s.get();
    }
    const wall = performance.now() - t0;
    await s.pause();
    expect(v.position).toBeGreaterThanOrEqual(from + slice);
    expect(wall).toBeGreaterThan(slice / 10 - 250);
    expect(wall).toBeLessThan(slice / 10 + 700);
  });

  it('steps frames of a paused session, and refuses a step while playing', async () => {
    const before = await s.pause();
    const after = await s.step(50);
    expect(after.frames).toBe(before.frames + 50);
    expect(after.position).toBeGreaterThanOrEqual(before.position!);
    await s.play();
    await expect(s.step(1)).rejects.toMatchObject({ status: 409 });
    await s.pause();
  });

  it('carries the session on the WS replay channel', async () => {
    const ac = new AbortController();
    const seen: string[] = [];
    const timer = setTimeout(() => ac.abort(), 5000);
    const updates = s.updates(ac.signal);
    await s.setLoop(true);
    for await (const v of updates) {
      seen.push(v.id);
      if (v.loop) break;
    }
    clearTimeout(timer);
    expect(seen[seen.length - 1]).toBe(s.id);
    expect(s.view.loop).toBe(true);
  });

  it('loops: at the end it starts over and keeps playing', async () => {
    const end = s.view.end;
    await s.seek(end - 2000);
    await s.setSpeed('max');
    await s.play();
    let v = await s.get();
    const t0 = performance.now();
    while (!(v.position !== null && v.position < end - 60_000) && performance.now() - t0 < 10_000) {
      await sleep(20);
      v = await s.get();
    }
    expect(v.state).toBe('playing');
    expect(v.position).toBeLessThan(end - 60_000);
    await s.pause();
    await s.setLoop(false);
  });

  it('runs several sessions at once and refuses one over instruments already played', async () => {
    const c = dw();
    const cm = await c.openReplay({ files: [CM_FILE], speed: 'max', play: true });
    expect(cm.id).not.toBe(s.id);
    expect(cm.view.instruments).toEqual(['binance-coinm:BTCUSD_PERP']);
    const ids = (await c.instruments()).items.map((i) => i.instrument);
    expect(ids).toEqual(expect.arrayContaining([SPOT, 'binance-coinm:BTCUSD_PERP']));
    await expect(c.openReplay({ files: [SPOT_FILE] })).rejects.toMatchObject({ status: 409 });
    const marks = await c.replayMarks({ id: cm.id });
    for (const m of marks.items) expect(['gap', 'resync', 'alert']).toContain(m.kind);
    await cm.close();
    await expect(c.replayGet({ id: cm.id })).rejects.toBeInstanceOf(ApiError);
    expect((await c.replayList()).items.map((x) => x.id)).toEqual([s.id]);
  });

  it('lists the recordings folder and refuses paths outside it', async () => {
    const c = dw();
    const files = (await c.replayFiles()).items.map((f) => f.path);
    expect(files).toEqual(expect.arrayContaining([SPOT_FILE, CM_FILE]));
    for (const bad of [
      '../' + SPOT_FILE,
      '/etc/passwd',
      'spot/../../x.gz',
      'spot/../spot/x.gz',
      '..\\x.gz',
    ]) {
      const err = await c.openReplay({ files: [bad] }).catch((e: unknown) => e);
      expect(err, bad).toBeInstanceOf(ApiError);
      expect((err as ApiError).status, bad).toBe(400);
      expect((err as ApiError).message, bad).toMatch(/outside the recordings folder/);
    }
    await expect(c.openReplay({ files: ['spot/nope.gz'] })).rejects.toMatchObject({ status: 404 });
    // A symlink inside the folder that leads out of it is outside too (and so is one to a file of it).
    const other = new ReplaySessions({ bus: new InProcessBus(), store: app.store, dir: escapeDir() });
    await expect(other.resolveFile('escape.gz')).rejects.toMatchObject({ statusCode: 400 });
    await expect(other.resolveFile(SPOT_FILE)).rejects.toMatchObject({ statusCode: 400 });
    // ...and not listed.
    expect(await other.recordings()).toEqual([]);
  });
});
