/**
 * LOBSTER pairs (../shared/data/lobster: NASDAQ AAPL 2012-06-21, level 10): detection by name and
 * columns (either file brings its partner), New York local time → UTC, exact USD prices, trades with the
 * aggressor opposite the resting order's direction, and the replay acceptance: every orderbook row the
 * rebuilt book covers matches. A corrupted message is found by the oracle, counted, and the book is
 * re-seeded from the next row; a malformed line is a gap served the same way; gzip reads the same.
 */
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import type { BookDelta, BookSnapshot, MarketEvent, Trade } from '../core/model.ts';
import { openRecording } from './open.ts';
import { RecordingError } from './lines.ts';
import { parseLobsterName, parseLobsterTime } from './lobster.ts';
import { Replay } from '../replay/replay.ts';
import { summarize } from '../replay/summary.ts';

const DIR = '../shared/data/lobster';
const STEM = 'AAPL_2012-06-21_34200000_57600000';
const MSG = `${DIR}/${STEM}_message_10.csv`;
const BOOK = `${DIR}/${STEM}_orderbook_10.csv`;

const tmp = mkdtempSync(join(tmpdir(), 'dw-lobster-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** A copy of the pair in a fresh directory, the message file's lines changed by `edit`. */
function copyPair(name: string, edit: (lines: string[]) => void = () => {}, gzip = false): string {
  const dir = join(tmp, name);
  mkdirSync(dir, { recursive: true });
  const lines = readFileSync(MSG, 'utf8').split('\n');
  edit(lines);
  const sfx = gzip ? '.csv.gz' : '.csv';
  const put = (file: string, text: string): void =>
    writeFileSync(join(dir, file + sfx), gzip ? gzipSync(text) : text);
  put(`${STEM}_message_10`, lines.join('\n'));
  put(`${STEM}_orderbook_10`, readFileSync(BOOK, 'utf8'));
  return dir;
}

async function replay(paths: string[]) {
  const rec = await openRecording(paths);
  const r = new Replay(rec);
  await r.run();
  return { rec, r, s: summarize(r.engine, r.analytics, 10).instruments['lobster:AAPL']! };
}

describe('LOBSTER file names and fields', () => {
  it('parses the pair names', () => {
    expect(parseLobsterName(MSG)).toMatchObject({
      ticker: 'AAPL',
      date: '2012-06-21',
      startMs: 34200000,
      endMs: 57600000,
      kind: 'message',
      level: 10,
      partner: `${STEM}_orderbook_10.csv`,
    });
    expect(parseLobsterName('x/AAPL_2012-06-21_34200000_57600000_orderbook_10.csv.gz')?.partner).toBe(
      `${STEM}_message_10.csv.gz`,
    );
    expect(parseLobsterName('btcusdt_20240808.gz')).toBeNull();
  });

  it('reads seconds after midnight to the ns digit', () => {
    expect(parseLobsterTime('34200.004241176')).toBeCloseTo(34200004.241176, 6);
    expect(parseLobsterTime('34200')).toBe(34200000);
    expect(parseLobsterTime('34200.5')).toBe(34200500);
    expect(parseLobsterTime('3.4e4')).toBeNaN();
  });
});

describe('LOBSTER detection', () => {
  it('the message file, the orderbook file or the folder each open the pair', async () => {
    for (const paths of [[MSG], [BOOK], [DIR], [MSG, BOOK]]) {
      const rec = await openRecording(paths);
      expect(rec.files.map((f) => [f.path.split('/').pop(), f.format, f.venue]).sort()).toEqual([
        [`${STEM}_message_10.csv`, 'lobster', 'lobster'],
        [`${STEM}_orderbook_10.csv`, 'lobster', 'lobster'],
      ]);
    }
  });

  it('a file without its partner is a usage error', async () => {
    const dir = join(tmp, 'alone');
    mkdirSync(dir, { recursive: true });
    copyFileSync(MSG, join(dir, `${STEM}_message_10.csv`));
    await expect(openRecording([join(dir, `${STEM}_message_10.csv`)])).rejects.toMatchObject({
      name: 'RecordingError',
      code: 'usage',
    });
    await expect(openRecording([dir])).rejects.toBeInstanceOf(RecordingError);
  });
});

describe('LOBSTER events', () => {
  it('seeds from orderbook row 1, then one delta per message with coverage and the row as oracle', async () => {
    const events: MarketEvent[] = [];
    for await (const f of await openRecording([MSG])) events.push(f.event!);
    const snap = events[0] as BookSnapshot;
    expect(snap).toMatchObject({
      type: 'book_snapshot',
      instrument: 'lobster:AAPL',
      sequence: 1,
      depthLimit: 10,
    });
    // 34200.004241176 s after midnight in New York on 2012-06-21 (EDT, UTC-4) = 13:30:00.004241176Z.
    expect(snap.localTs).toBeCloseTo(Date.UTC(2012, 5, 21, 13, 30, 0, 4) + 0.241176, 3);
    expect(snap.exchangeTs).toBe(snap.localTs);
    expect(snap.asks[0]).toEqual(['585.94', '200']);
    expect(snap.bids.slice(0, 2)).toEqual([
      ['585.33', '18'],
      ['585.3', '150'],
    ]);
    const deltas = events.filter((e): e is BookDelta => e.type === 'book_delta');
    expect(deltas.map((d) => d.sequence)).toEqual(Array.from({ length: 499 }, (_, i) => i + 2));
    expect(deltas.every((d) => d.depthOracle?.depth === 10 && d.coverage !== undefined)).toBe(true);
    // Message 2 adds 18 shares at 585.32 on the bid side: the old 10th bid level (584.27) leaves the
    // top-10 window, so the book stops knowing it.
    expect(deltas[0]).toMatchObject({
      bids: [
        ['585.32', '18'],
        ['584.27', '0'],
      ],
      asks: [],
      coverage: { bidFloor: 584.38, askCeiling: 587.9 },
    });
  });

  it('executions are trades whose aggressor is opposite the resting order (direction column)', async () => {
    const trades: Trade[] = [];
    for await (const f of await openRecording([MSG])) if (f.event?.type === 'trade') trades.push(f.event);
    expect(trades).toHaveLength(88); // 63 visible + 25 hidden executions
    // Line 36: `34200.275016159,4,5740544,40,5857400,-1`: a resting sell order lifted → a buy.
    expect(trades[0]).toMatchObject({ id: '36', price: '585.74', size: '40', side: 'buy' });
    // Line 38: `...,4,3647217,1,5857300,1`: a resting buy order hit → a sell.
    expect(trades[2]).toMatchObject({ id: '38', price: '585.73', size: '1', side: 'sell' });
  });
});

describe('depthwatch replay of the LOBSTER pair', () => {
  it('every checked orderbook row matches the rebuilt book', async () => {
    const { rec, s } = await replay([MSG]);
    expect(s.state).toBe('live');
    expect(s.oracle).toMatchObject({ checked: 499, matched: 499, uncovered: 0 });
    expect(s.oracle.levels).toBeGreaterThan(9000);
    expect(s.gaps + s.resyncs + s.dropped).toBe(0);
    // The final book is orderbook row 500, level for level.
    const row = readFileSync(BOOK, 'utf8').trim().split('\n')[499]!.split(',').map(Number);
    const rowBids = Array.from({ length: 10 }, (_, i) => [row[4 * i + 2]! / 1e4, row[4 * i + 3]!]);
    const rowAsks = Array.from({ length: 10 }, (_, i) => [row[4 * i]! / 1e4, row[4 * i + 1]!]);
    expect(s.final.bids).toEqual(rowBids.slice(0, s.final.bids.length));
    expect(s.final.asks).toEqual(rowAsks.slice(0, s.final.asks.length));
    expect(s.final.bids.length + s.final.asks.length).toBeGreaterThanOrEqual(19);
    const l = rec.lobster[0]!;
    expect(l).toMatchObject({
      messages: 500,
      rows: 500,
      byType: { add: 242, cancel: 0, delete: 170, execute: 63, hidden: 25, cross: 0, halt: 0 },
      trades: 88,
      status: 'trading',
      malformedMessages: 0,
      malformedRows: 0,
      unpaired: 0,
      reseeds: 0,
    });
    expect(Object.values(l.l3.anomalies).every((n) => n === 0)).toBe(true);
  });

  it('a corrupted message is a counted mismatch; the book re-seeds from the next row and stays checked', async () => {
    // Line 56 adds 100 shares at 585.25; make it 101.
    const dir = copyPair('corrupt', (lines) => {
      expect(lines[55]).toBe('34200.275086737,1,16182629,100,5852500,1');
      lines[55] = '34200.275086737,1,16182629,101,5852500,1';
    });
    const { rec, s } = await replay([dir]);
    expect(s.oracle.checked - s.oracle.matched).toBe(1);
    expect(s.oracle.checked).toBeGreaterThan(490);
    expect(s.resyncs).toBe(1);
    expect(s.state).toBe('live');
    expect(rec.lobster[0]!.reseeds).toBe(1);
  });

  it('a malformed message line is dropped: a gap, then a re-seed', async () => {
    const dir = copyPair('malformed', (lines) => {
      lines[99] = 'not,a,message';
    });
    const { rec, s } = await replay([dir]);
    expect(rec.lobster[0]!.malformedMessages).toBe(1);
    expect(s.gaps).toBe(1);
    expect(s.oracle.checked).toBe(s.oracle.matched);
    expect(s.state).toBe('live');
  });

  it('reads gzipped pairs the same', async () => {
    const dir = copyPair('gz', () => {}, true);
    const { s } = await replay([dir]);
    expect(s.oracle).toMatchObject({ checked: 499, matched: 499 });
  });
});
