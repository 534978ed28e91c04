/**
 * The replay driver on small synthetic recordings: snapshot/instrument resolution, buffering of diffs
 * before the snapshot, end states, time range, pause/resume, paced speed, errors.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { openRecording, RecordingError, RecordingWriter } from '../src/recording/index.ts';
import { Replay, summarize, symbolFromUrl, type ReplayProgress } from '../src/replay/index.ts';
import { parseSpeedArg, parseTimeArg } from '../src/cli/replay.ts';

const root = mkdtempSync(join(tmpdir(), 'dw-replay-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
let n = 0;
/** A new empty directory under the test's temp root. */
const freshDir = (): string => {
  const d = join(root, `d${n++}`);
  mkdirSync(d);
  return d;
};

/** USD-M diff frame (combined stream). */
const diff = (U: number, u: number, pu: number, bid = '100.0', size = '1') =>
  JSON.stringify({
    stream: 'btcusdt@depth@0ms',
    data: { e: 'depthUpdate', E: 1, T: 1, s: 'BTCUSDT', U, u, pu, b: [[bid, size]], a: [] },
  });
const snapshot = (id: number) => `{"lastUpdateId":${id},"bids":[["99.0","2"]],"asks":[["101.0","3"]]}`;
const ns = (ms: number) => `${1_723_161_000_000 + ms}000000`;

/** An hftbacktest-style file of [ms, frame] lines. */
function hft(lines: [number, string][]): string {
  const dir = freshDir();
  writeFileSync(
    join(dir, 'btcusdt_20240808.gz'),
    gzipSync(lines.map(([t, f]) => `${ns(t)} ${f}`).join('\n') + '\n'),
  );
  return dir;
}

describe('Replay', () => {
  it('buffers diffs that precede the snapshot and takes the instrument of a URL-less snapshot from the ws frames', async () => {
    const dir = hft([
      [1000, diff(8, 9, 7)],
      [1001, diff(10, 12, 9)],
      [1002, snapshot(11)],
      [1003, diff(13, 14, 12, '100.5', '4')],
    ]);
    const r = new Replay(await openRecording([dir]));
    const res = await r.run();
    expect(res).toMatchObject({ frames: 4, snapshots: 1, restUnresolved: 0 });
    const s = summarize(r.engine, r.analytics).instruments['binance-usdm:BTCUSDT']!;
    expect(s.state).toBe('live');
    expect(s.diffsApplied).toBe(2);
    expect(s.gaps).toBe(0);
    expect(s.final.bids).toEqual([
      [100.5, 4],
      [100, 1],
      [99, 2],
    ]);
  });

  it('holds a snapshot that arrives before any diff until a frame names the instrument', async () => {
    const dir = hft([
      [1000, snapshot(11)],
      [1001, diff(10, 12, 9)],
      [1002, diff(13, 14, 12)],
    ]);
    const r = new Replay(await openRecording([dir]));
    await r.run();
    const s = summarize(r.engine, r.analytics).instruments['binance-usdm:BTCUSDT']!;
    expect(s).toMatchObject({ state: 'live', diffsApplied: 2, gaps: 0 });
  });

  it('ends a book that lost continuity and got no later snapshot as invalid, with the gap counted', async () => {
    const dir = hft([
      [1000, snapshot(11)],
      [1001, diff(10, 12, 9)],
      [1002, diff(20, 21, 19)],
    ]);
    const r = new Replay(await openRecording([dir]));
    await r.run();
    const s = summarize(r.engine, r.analytics).instruments['binance-usdm:BTCUSDT']!;
    expect(s).toMatchObject({ state: 'invalid', gaps: 1, resyncs: 1 });
    expect(s.reasonCode).toBe('gap');
    expect(s.reason).toMatch(/replay ended before a fresh snapshot/);
  });

  it('counts a malformed snapshot against its instrument and a malformed frame against the venue', async () => {
    const dir = hft([
      [1000, diff(10, 12, 9)],
      [1001, '{"lastUpdateId":"x"}'],
      [1002, '{"stream":"btcusdt@depth@0ms","data":'],
    ]);
    const r = new Replay(await openRecording([dir]));
    await r.run();
    const sum = summarize(r.engine, r.analytics);
    expect(sum.instruments['binance-usdm:BTCUSDT']).toMatchObject({ state: 'syncing', dropped: 1 });
    expect(sum.dropped['binance-usdm']).toEqual({ invalid_field: 1, malformed_json: 1 });
  });

  it('replays native recordings: instrument from the frame, REST bodies without a symbol ignored', async () => {
    const dir = freshDir();
    const w = new RecordingWriter({ dir, venue: 'binance-usdm', flushIntervalMs: 0 });
    w.write({ localTs: 1, kind: 'ws', connection: 'a', text: diff(10, 12, 9) });
    w.write({
      localTs: 2,
      kind: 'rest',
      connection: 'r',
      instrument: 'binance-usdm:BTCUSDT',
      text: snapshot(11),
    });
    w.write({
      localTs: 3,
      kind: 'rest',
      connection: 'r',
      url: 'https://fapi.binance.com/fapi/v1/time',
      text: '{"serverTime":1}',
    });
    // A reference body (the venue's instrument list) goes to the catalog; this one does not parse.
    w.write({
      localTs: 3.5,
      kind: 'rest',
      connection: 'r',
      url: 'https://fapi.binance.com/fapi/v1/exchangeInfo',
      text: '{}',
    });
    w.write({ localTs: 4, kind: 'ws', connection: 'a', text: diff(13, 14, 12) });
    await w.close();
    const r = new Replay(await openRecording([dir]));
    const res = await r.run();
    expect(res).toMatchObject({ snapshots: 1, restIgnored: 1, referenceBodies: 1 });
    expect(r.referenceCounts.get('binance-usdm')).toEqual({ bodies: 0, specs: 0, skipped: 0, failed: 1 });
    expect(summarize(r.engine, r.analytics).instruments['binance-usdm:BTCUSDT']).toMatchObject({
      state: 'live',
      diffsApplied: 2,
    });
  });

  it('applies frames before `from` as a warm-up and stops after `to`', async () => {
    const dir = hft([
      [1000, diff(10, 12, 9)],
      [1001, snapshot(11)],
      [2000, diff(13, 14, 12)],
      [3000, diff(15, 16, 14)],
      [4000, diff(17, 18, 16)],
    ]);
    const t0 = 1_723_161_000_000;
    const r = new Replay(await openRecording([dir]), { from: t0 + 2000, to: t0 + 3000 });
    const res = await r.run();
    expect(res).toMatchObject({ frames: 4, warmupFrames: 2 });
    expect(summarize(r.engine, r.analytics).instruments['binance-usdm:BTCUSDT']).toMatchObject({
      state: 'live',
      diffsApplied: 3,
    });
  });

  it('pauses and resumes, and reports progress up to a final call', async () => {
    const lines: [number, string][] = [[1000, snapshot(11)]];
    for (let i = 0; i < 20; i++) lines.push([1001 + i, diff(11 + i, 12 + i, 11 + i)]);
    const dir = hft(lines);
    const seen: ReplayProgress[] = [];
    let pausedSeen = 0;
    const r: Replay = new Replay(await openRecording([dir]), {
      progressEvery: 5,
      onProgress: (p) => {
        seen.push(p);
        if (p.frames === 10) {
          r.pause();
          pausedSeen = r.paused ? 1 : 0;
          setTimeout(() => r.resume(), 5);
        }
      },
    });
    const res = await r.run();
    expect(pausedSeen).toBe(1);
    expect(r.paused).toBe(false);
    expect(res.frames).toBe(21);
    expect(seen.map((p) => p.frames)).toEqual([5, 10, 15, 20, 21]);
    expect(seen.at(-1)).toMatchObject({ done: true, bytesRead: seen.at(-1)!.totalBytes });
    expect(summarize(r.engine, r.analytics).instruments['binance-usdm:BTCUSDT']).toMatchObject({
      state: 'live',
      diffsApplied: 20,
    });
  });

  it('paces by local time at N× and reaches the same end state as max speed', async () => {
    const lines: [number, string][] = [[1000, snapshot(11)]];
    for (let i = 0; i < 5; i++) lines.push([1000 + 10 * (i + 1), diff(11 + i, 12 + i, 11 + i)]);
    const dir = hft(lines);
    const paced = new Replay(await openRecording([dir]), { speed: 10 });
    await paced.run();
    const fast = new Replay(await openRecording([dir]), { speed: 'max' });
    await fast.run();
    expect(summarize(paced.engine, paced.analytics)).toEqual(summarize(fast.engine, fast.analytics));
    expect(summarize(paced.engine, paced.analytics).instruments['binance-usdm:BTCUSDT']).toMatchObject({
      state: 'live',
      diffsApplied: 5,
    });
  });

  it('stop() ends the replay early', async () => {
    const lines: [number, string][] = [[1000, snapshot(11)]];
    for (let i = 0; i < 20; i++) lines.push([1001 + i, diff(11 + i, 12 + i, 11 + i)]);
    const dir = hft(lines);
    const r: Replay = new Replay(await openRecording([dir]), {
      progressEvery: 5,
      onProgress: (p) => p.frames === 5 && r.stop(),
    });
    const res = await r.run();
    expect(res).toMatchObject({ stopped: true, frames: 5 });
  });

  it('refuses a recording of unknown venue without --venue, a venue with no adapter, and a bad speed', async () => {
    const dir = freshDir();
    writeFileSync(join(dir, 'capture.txt'), '1626992741.5: {"a":2}\n');
    const rec = await openRecording([dir]);
    expect(() => new Replay(rec)).toThrow(RecordingError);
    expect(() => new Replay(rec, { venue: 'nowhere' })).toThrow(/no venue adapter/);
    expect(() => new Replay(rec, { venue: 'binance', speed: 0 })).toThrow(/speed/);
    expect(() => new Replay(rec, { venue: 'binance' })).not.toThrow();
  });

  it('reads the instrument from REST URLs across venue spellings', () => {
    expect(symbolFromUrl('https://www.binance.com/api/v1/depth?symbol=BUSDTRY&limit=1000')).toBe('BUSDTRY');
    expect(symbolFromUrl('https://www.okx.com/api/v5/market/books?instId=BTC-USDT&sz=400')).toBe('BTC-USDT');
    expect(
      symbolFromUrl('https://api.gateio.ws/api/v4/spot/order_book?currency_pair=HAI_ETH&limit=100'),
    ).toBe('HAI_ETH');
    expect(symbolFromUrl('https://api.pro.coinbase.com/products')).toBeNull();
  });

  it('parses the CLI time range and speed arguments, rejecting bad ones', () => {
    expect(parseTimeArg('1723161255030')).toBe(1723161255030);
    expect(parseTimeArg('2024-08-08T23:54:15.030Z')).toBe(1723161255030);
    expect(parseTimeArg('yesterday')).toBeNaN();
    expect(parseTimeArg('2024-13-45T99:00:00Z')).toBeNaN();
    expect(parseSpeedArg('max')).toBe('max');
    expect(parseSpeedArg('10')).toBe(10);
    expect(parseSpeedArg('2.5x')).toBe(2.5);
    expect(parseSpeedArg('0')).toBeNull();
    expect(parseSpeedArg('fast')).toBeNull();
  });
});
