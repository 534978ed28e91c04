/**
 * Acceptance: replay of the real Binance recordings in ../shared/data (see its README).
 * - hftbacktest USD-M, spot (0808+0809 as one stream), COIN-M (0808+0809): 0 gaps, 0 resyncs, book live;
 *   USD-M BTCUSDT: the venue's bookTicker oracle matches every time: 126 bookTickers that arrive after
 *   their diff, plus 447 that arrive before it and are compared when it is applied.
 * - cryptofeed Binance spot, USD-M, COIN-M: every symbol with a depth stream and a snapshot ends live
 *   with 0 gaps.
 * - The CLI end to end: `depthwatch replay ... --json` prints one JSON object.
 */
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { openRecording, RecordingWriter } from '../src/recording/index.ts';
import { Replay, summarize, type ReplaySummary } from '../src/replay/index.ts';

const DATA = join(import.meta.dirname, '..', '..', 'shared', 'data');
const HFT = join(DATA, 'binance-hftbacktest');
const CF = join(DATA, 'cryptofeed');

/** Replay paths at max speed (metrics off: these tests are about book integrity). */
async function replayPaths(paths: string[]): Promise<{ summary: ReplaySummary; venues: readonly string[] }> {
  const rec = await openRecording(paths);
  const r = new Replay(rec, { engine: { computeMetrics: false } });
  await r.run();
  return { summary: summarize(r.engine, r.analytics), venues: rec.venues };
}

/** Symbols (upper case) that have a depth stream in a cryptofeed ws file's URLs and a REST snapshot. */
async function symbolsWithDepthAndSnapshot(dir: string): Promise<string[]> {
  const rec = await openRecording([dir]);
  const depth = new Set<string>();
  const snap = new Set<string>();
  for await (const f of rec) {
    if (f.kind === 'rest') {
      const m = /[?&]symbol=([^&]+)/.exec(f.url ?? '');
      if (m) snap.add(m[1]!);
    } else {
      const m = /^\{"stream":"([^@"]+)@depth/.exec(f.text);
      if (m) depth.add(m[1]!.toUpperCase());
    }
  }
  return [...depth].filter((s) => snap.has(s)).sort();
}

/**
 * Books whose recorded REST snapshot contradicts the recorded stream. BTCUSD_210924: the diff
 * [86143390045, 86143391114] sets bid 68632.0 to 841 (and bookTickers agree), yet the snapshot with the
 * later lastUpdateId 86143402747 says 711 and no diff in between touches that level. BTCUSD_PERP: the
 * same kind of stale snapshot. Checked in the last test of this file.
 */
const SNAPSHOT_CONTRADICTS_STREAM = new Set(['binance-coinm:BTCUSD_210924', 'binance-coinm:BTCUSD_PERP']);

describe('replay of the real Binance recordings', () => {
  it('hftbacktest USD-M BTCUSDT: live, 0 gaps, 0 resyncs, every oracle matches (126 after their diff + 447 held)', async () => {
    const { summary, venues } = await replayPaths([join(HFT, 'usdm')]);
    expect(venues).toEqual(['binance-usdm']);
    expect(Object.keys(summary.instruments)).toEqual(['binance-usdm:BTCUSDT']);
    expect(summary.instruments['binance-usdm:BTCUSDT']).toMatchObject({
      state: 'live',
      gaps: 0,
      resyncs: 0,
      dropped: 0,
      // 126 bookTickers arrive after the diff with their u (compared at once); 447 arrive before it and
      // are held until that diff is applied. All 573 must match.
      oracle: { checked: 573, matched: 573, deferred: 447 },
    });
    expect(summary.dropped).toEqual({});
  }, 60_000);

  it('hftbacktest spot BTCUSDT, 0808 + 0809 as one stream: live, 0 gaps, 0 resyncs', async () => {
    const { summary, venues } = await replayPaths([
      join(HFT, 'spot', 'btcusdt_20240808.gz'),
      join(HFT, 'spot', 'btcusdt_20240809.gz'),
    ]);
    expect(venues).toEqual(['binance']);
    const s = summary.instruments['binance:BTCUSDT']!;
    expect(s).toMatchObject({ state: 'live', gaps: 0, resyncs: 0, dropped: 0 });
    // One connection: frames of both days reached the one book (99,574 frames in the two files).
    expect(s.frames).toBe(99_574);
    expect(s.diffsApplied).toBeGreaterThan(6000);
  }, 60_000);

  it('hftbacktest COIN-M BTCUSD_PERP, 0808 + 0809: live, 0 gaps, 0 resyncs', async () => {
    const { summary, venues } = await replayPaths([join(HFT, 'cm')]);
    expect(venues).toEqual(['binance-coinm']);
    const s = summary.instruments['binance-coinm:BTCUSD_PERP']!;
    expect(s).toMatchObject({ state: 'live', gaps: 0, resyncs: 0, dropped: 0 });
    expect(s.frames).toBe(98_386);
    expect(s.diffsApplied).toBeGreaterThan(44_000);
  }, 60_000);

  for (const [folder, venue] of [
    ['binance-2021-04', 'binance'],
    ['binance-futures', 'binance-usdm'],
    ['binance-delivery-2021-04', 'binance-coinm'],
  ] as const) {
    it(`cryptofeed ${folder}: every symbol with a depth stream and a snapshot ends live with 0 gaps`, async () => {
      const dir = join(CF, folder);
      const expected = await symbolsWithDepthAndSnapshot(dir);
      expect(expected.length).toBeGreaterThanOrEqual(4);
      const { summary, venues } = await replayPaths([dir]);
      expect(venues).toEqual([venue]);
      for (const sym of expected) {
        const s = summary.instruments[`${venue}:${sym}`];
        expect(s, sym).toBeDefined();
        expect({ sym, gaps: s!.gaps }).toEqual({ sym, gaps: 0 });
        expect(s!.diffsApplied, sym).toBeGreaterThan(0);
        if (SNAPSHOT_CONTRADICTS_STREAM.has(`${venue}:${sym}`)) {
          // The venue's REST snapshot contradicts its own stream (see below): the bookTicker oracle must
          // catch it, and with no later snapshot in the recording the book ends invalid, not silently wrong.
          expect(s!.state, sym).toBe('invalid');
          expect(s!.reasonCode, sym).toBe('oracle_mismatch');
          continue;
        }
        expect({ sym, state: s!.state, resyncs: s!.resyncs }).toEqual({ sym, state: 'live', resyncs: 0 });
        expect(s!.oracle.matched, sym).toBe(s!.oracle.checked);
      }
    }, 60_000);
  }

  it('a real capture re-recorded in the native format (rotating parts) replays to the same result', async () => {
    const src = join(CF, 'binance-futures');
    const dir = mkdtempSync(join(tmpdir(), 'dw-native-'));
    try {
      const w = new RecordingWriter({
        dir,
        venue: 'binance-usdm',
        rotateBytes: 128 * 1024,
        flushIntervalMs: 0,
      });
      for await (const f of await openRecording([src])) w.write(f);
      await w.close();
      expect(w.files.length).toBeGreaterThan(2);
      const original = await replayPaths([src]);
      const copy = await replayPaths([dir]);
      expect(copy.summary).toEqual(original.summary);
      expect(copy.summary.instruments['binance-usdm:SUSHIUSDT']!.state).toBe('live');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);

  it('the CLI prints one JSON object with per-instrument results', async () => {
    const root = join(import.meta.dirname, '..');
    const { stdout } = await promisify(execFile)(
      process.execPath,
      [join(root, 'bin', 'depthwatch.mjs'), 'replay', join(CF, 'binance-futures'), '--json'],
      { cwd: root, maxBuffer: 64 * 1024 * 1024 },
    );
    expect(stdout.trim().split('\n')).toHaveLength(1);
    const out = JSON.parse(stdout) as ReplaySummary;
    const sushi = out.instruments['binance-usdm:SUSHIUSDT']!;
    expect(sushi).toMatchObject({ state: 'live', gaps: 0, resyncs: 0, checksum: { checked: 0, matched: 0 } });
    expect(sushi.final.bids.length).toBe(20);
    expect(sushi.final.bids[0]![0]).toBeLessThan(sushi.final.asks[0]![0]);
    expect(typeof sushi.final.metrics?.mid).toBe('number');
    expect(sushi.coverage.bidFloor).toBeLessThan(sushi.final.bids[0]![0]);
    expect(Object.keys(out.instruments).sort()).toEqual([
      'binance-usdm:AKROUSDT',
      'binance-usdm:CTKUSDT',
      'binance-usdm:KEEPUSDT',
      'binance-usdm:SUSHIUSDT',
    ]);
    // kline frames (no parser for them) are counted as dropped, not lost silently.
    expect(out.dropped['binance-usdm']).toBeDefined();
  }, 60_000);

  it('the COIN-M BTCUSD_210924 snapshot really contradicts its stream (the oracle is right, not the book)', () => {
    const ws = readFileSync(join(CF, 'binance-delivery-2021-04', 'BINANCE_DELIVERY.ws.7.0'), 'utf8');
    const http = readFileSync(join(CF, 'binance-delivery-2021-04', 'BINANCE_DELIVERY.http.6.0'), 'utf8');
    const diff = ws
      .split('\n')
      .find((l) => l.includes('btcusd_210924@depth') && l.includes('"u":86143391114'))!;
    expect(diff).toContain('["68632.0","841"]');
    const snapLine = http.split('\n').find((l) => l.includes('symbol=BTCUSD_210924'))!;
    const snap = JSON.parse(snapLine.slice(snapLine.indexOf('{'))) as {
      lastUpdateId: number;
      bids: string[][];
    };
    expect(snap.lastUpdateId).toBeGreaterThan(86143391114);
    expect(snap.bids[0]).toEqual(['68632.0', '711']);
    const between = ws
      .split('\n')
      .filter((l) => l.includes('"stream":"btcusd_210924@depth'))
      .map((l) => JSON.parse(l.slice(l.indexOf('{'))) as { data: { u: number; U: number; b: string[][] } })
      .filter((m) => m.data.u > 86143391114 && m.data.U <= snap.lastUpdateId);
    expect(between.length).toBeGreaterThan(0);
    for (const m of between) expect(m.data.b.some((l) => l[0] === '68632.0')).toBe(false);
  });
});
