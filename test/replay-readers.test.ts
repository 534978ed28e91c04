/**
 * Recording readers on small files made here: hftbacktest `.gz`, cryptofeed raw files, depthwatch's own
 * format (writer → reader round trip, rotation, truncation), format detection and merging.
 */
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import {
  openRecording,
  RecordingError,
  RecordingWriter,
  cryptofeedVenue,
  parseNativeHeader,
  type RecordedFrame,
} from '../src/recording/index.ts';
import { nsToMs } from '../src/recording/hftbacktest.ts';

const root = mkdtempSync(join(tmpdir(), 'dw-readers-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
let n = 0;
/** A new empty directory under the test's temp root. */
const freshDir = (): string => {
  const d = join(root, `d${n++}`);
  mkdirSync(d);
  return d;
};

async function collect(it: AsyncIterable<RecordedFrame>): Promise<RecordedFrame[]> {
  const out: RecordedFrame[] = [];
  for await (const f of it) out.push(f);
  return out;
}

function writeGz(path: string, lines: string[]): void {
  writeFileSync(path, gzipSync(lines.join('\n') + '\n'));
}

const diff = (U: number, u: number, pu: number) =>
  JSON.stringify({
    stream: 'btcusdt@depth@0ms',
    data: { e: 'depthUpdate', E: 1, T: 1, s: 'BTCUSDT', U, u, pu, b: [['100.0', '1']], a: [] },
  });

describe('hftbacktest reader', () => {
  it('yields ws and rest frames with ns→ms times, and counts malformed lines without stopping', async () => {
    const dir = freshDir();
    writeGz(join(dir, 'btcusdt_20240808.gz'), [
      `1723161255030314667 ${diff(10, 12, 9)}`,
      'garbage line',
      `17231612550x0314667 ${diff(13, 14, 12)}`,
      '1723161255030314999',
      '',
      `1723161255319702566 {"lastUpdateId":12,"bids":[["99.0","1"]],"asks":[["101.0","1"]]}`,
      `1723161255400000000 ${diff(13, 15, 12)}`,
    ]);
    const rec = await openRecording([dir]);
    expect(rec.files.map((f) => [f.format, f.venue, f.connection])).toEqual([
      ['hftbacktest', 'binance-usdm', 'btcusdt'],
    ]);
    const frames = await collect(rec);
    expect(frames.map((f) => f.kind)).toEqual(['ws', 'rest', 'ws']);
    expect(frames[0]!.localTs).toBe(1723161255030 + 0.314667);
    expect(frames[1]!.text.startsWith('{"lastUpdateId":12')).toBe(true);
    expect(frames.every((f) => f.connection === 'btcusdt' && f.venue === 'binance-usdm')).toBe(true);
    expect(rec.stats.malformed).toBe(3);
    expect(rec.stats.skipped).toBe(1);
    expect(rec.stats.frames).toBe(3);
    expect(rec.bytesRead).toBe(rec.totalBytes);
  });

  it('reads the day files of one connection as one stream in date order, whatever order they are given in', async () => {
    const dir = freshDir();
    const spotDiff = (U: number, u: number) =>
      JSON.stringify({
        stream: 'btcusdt@depth@100ms',
        data: { e: 'depthUpdate', E: 1, s: 'BTCUSDT', U, u, b: [], a: [] },
      });
    writeGz(join(dir, 'btcusdt_20240809.gz'), [`1723161600001658384 ${spotDiff(5, 6)}`]);
    writeGz(join(dir, 'btcusdt_20240808.gz'), [`1723161599001658384 ${spotDiff(1, 4)}`]);
    const rec = await openRecording([join(dir, 'btcusdt_20240809.gz'), join(dir, 'btcusdt_20240808.gz')]);
    expect(rec.venues).toEqual(['binance']);
    const frames = await collect(rec);
    expect(frames.map((f) => JSON.parse(f.text).data.U)).toEqual([1, 5]);
    expect(new Set(frames.map((f) => f.connection))).toEqual(new Set(['btcusdt']));
  });

  it('converts 19-digit nanosecond stamps without losing the sub-millisecond part', () => {
    expect(nsToMs('1723161255030314667')).toBe(1723161255030 + 0.314667);
    expect(nsToMs('12x')).toBeNaN();
  });
});

describe('cryptofeed reader', () => {
  it('keeps received frames and REST bodies, skips open/sent/config lines, counts malformed ones, merges ws and http by time', async () => {
    const dir = freshDir();
    const url = 'wss://fstream.binance.com/stream?streams=sushiusdt@depth@100ms';
    writeFileSync(
      join(dir, 'BINANCE_FUTURES.ws.1.0'),
      [
        `${url} <-> 1626992740.179554`,
        `${url} <- 1626992740.2: {"method":"SUBSCRIBE"}`,
        `1626992741.081672: {"a":1}`,
        `1626992741.5: {"a":2}`,
        'not a line of any shape',
        `1626992741.x: {"a":3}`,
        `${url} <-> 1626992742.0`,
        `1626992742.5: {"a":4}`,
      ].join('\n') + '\n',
    );
    writeFileSync(
      join(dir, 'BINANCE_FUTURES.http.0.0'),
      [
        'https://fapi.binance.com/fapi/v1/depth?symbol=SUSHIUSDT&limit=1000 -> 1626992741.301402: {"lastUpdateId":1}',
        '',
        'https://fapi.binance.com/fapi/v1/depth?symbol=CTKUSDT&limit=1000 ?? 1626992741.4: {}',
      ].join('\n') + '\n',
    );
    writeFileSync(join(dir, 'BINANCE_FUTURES.0'), 'configuration: {"l2_book":["SUSHI-USDT"]}\n');
    const rec = await openRecording([dir]);
    expect(rec.ignored.map((p) => p.slice(dir.length + 1))).toEqual(['BINANCE_FUTURES.0']);
    const frames = await collect(rec);
    expect(frames.map((f) => [f.kind, f.localTs, f.connection])).toEqual([
      ['ws', 1626992741081.672, 'BINANCE_FUTURES.ws.1'],
      ['rest', 1626992741301.402, 'BINANCE_FUTURES.http.0'],
      ['ws', 1626992741500, 'BINANCE_FUTURES.ws.1'],
      ['ws', 1626992742500, 'BINANCE_FUTURES.ws.1#2'],
    ]);
    expect(frames[1]!.url).toBe('https://fapi.binance.com/fapi/v1/depth?symbol=SUSHIUSDT&limit=1000');
    expect(frames[1]!.text).toBe('{"lastUpdateId":1}');
    expect(frames.every((f) => f.venue === 'binance-usdm')).toBe(true);
    expect(rec.stats.malformed).toBe(3);
    expect(rec.stats.skipped).toBe(4); // 2 opens, 1 sent, 1 blank
  });

  it('maps feed names to venue ids, known and new', () => {
    expect(cryptofeedVenue('BINANCE')).toBe('binance');
    expect(cryptofeedVenue('BINANCE_FUTURES')).toBe('binance-usdm');
    expect(cryptofeedVenue('BINANCE_DELIVERY')).toBe('binance-coinm');
    expect(cryptofeedVenue('OKX')).toBe('okx');
    expect(cryptofeedVenue('KRAKEN')).toBe('kraken');
    expect(cryptofeedVenue('COINBASE')).toBe('coinbase');
    expect(cryptofeedVenue('BYBIT')).toBe('bybit-linear');
    expect(cryptofeedVenue('KRAKEN_FUTURES')).toBe('kraken-futures');
  });
});

describe('depthwatch native format', () => {
  const frames: RecordedFrame[] = [
    { localTs: 1000.25, kind: 'ws', connection: 'c1', text: '{"stream":"x","data":{"é":"ü\\n"}}' },
    {
      localTs: 1001,
      kind: 'rest',
      connection: 'c1',
      url: 'https://fapi.binance.com/fapi/v1/depth?symbol=BTCUSDT&limit=1000',
      instrument: 'binance-usdm:BTCUSDT',
      text: '{"lastUpdateId":5,"bids":[],"asks":[]}',
    },
    { localTs: 1002, kind: 'ws', text: 'line with\nnewline and "quotes"' },
  ];

  it('round-trips frames writer → reader exactly, with a versioned header', async () => {
    const dir = freshDir();
    const w = new RecordingWriter({ dir, venue: 'binance-usdm' });
    for (const f of frames) w.write(f);
    await w.close();
    expect(w.files).toHaveLength(1);
    const lines = gunzipSync(readFileSync(w.files[0]!)).toString('utf8').trimEnd().split('\n');
    expect(lines).toHaveLength(4);
    const h = parseNativeHeader(lines[0]!);
    expect(h).toMatchObject({
      format: 'depthwatch-recording',
      version: 1,
      venue: 'binance-usdm',
      start: 1000.25,
      part: 0,
    });
    expect(JSON.parse(lines[1]!)).toEqual({ t: 1000.25, k: 'ws', c: 'c1', d: frames[0]!.text });
    const rec = await openRecording([dir]);
    expect(rec.files[0]!.format).toBe('native');
    expect(await collect(rec)).toEqual(frames.map((f) => ({ ...f, venue: 'binance-usdm' })));
  });

  it('rotates by size and by frame time, and the parts read back as one stream', async () => {
    const dir = freshDir();
    const w = new RecordingWriter({
      dir,
      venue: 'binance',
      rotateBytes: 200,
      rotateMs: 60_000,
      flushIntervalMs: 0,
    });
    const written: RecordedFrame[] = [];
    for (let i = 0; i < 10; i++) {
      const f: RecordedFrame = {
        localTs: 1_000 + i,
        kind: 'ws',
        connection: 'c',
        text: `{"i":${i},"pad":"${'x'.repeat(60)}"}`,
      };
      w.write(f);
      written.push(f);
    }
    const late: RecordedFrame = { localTs: 1_000 + 120_000, kind: 'ws', connection: 'c', text: '{"late":1}' };
    const before = w.files.length;
    w.write(late); // small, but 2 minutes later: a new part
    written.push(late);
    await w.close();
    expect(before).toBeGreaterThan(3);
    expect(w.files.length).toBe(before + 1);
    expect(readdirSync(dir).sort()).toEqual(w.files.map((p) => p.slice(dir.length + 1)).sort());
    const parts = w.files.map((p) =>
      parseNativeHeader(gunzipSync(readFileSync(p)).toString().split('\n')[0]!)!,
    );
    expect(parts.map((h) => h.part)).toEqual(parts.map((_, i) => i));
    expect(new Set(parts.map((h) => h.session)).size).toBe(1);
    const rec = await openRecording([dir]);
    expect((await collect(rec)).map((f) => f.text)).toEqual(written.map((f) => f.text));
    expect(w.framesWritten).toBe(11);
  });

  it('refuses frames of another venue and counts frames written after close', async () => {
    const dir = freshDir();
    const w = new RecordingWriter({ dir, venue: 'binance' });
    expect(() => w.write({ localTs: 1, kind: 'ws', venue: 'okx', text: '{}' })).toThrow(RecordingError);
    expect(() => w.write({ localTs: NaN, kind: 'ws', text: '{}' })).toThrow(RecordingError);
    w.write({ localTs: 1, kind: 'ws', text: '{}' });
    await w.close();
    w.write({ localTs: 2, kind: 'ws', text: '{}' });
    expect(w.framesDropped).toBe(1);
    expect(() => new RecordingWriter({ dir, venue: 'binance', rotateBytes: 0 })).toThrow(RecordingError);
  });

  it('reads a file cut short up to its last complete line, and skips malformed lines', async () => {
    const dir = freshDir();
    const w = new RecordingWriter({ dir, venue: 'binance', flushIntervalMs: 0 });
    for (let i = 0; i < 50; i++) w.write({ localTs: i, kind: 'ws', text: `{"i":${i}}` });
    await w.close();
    const full = readFileSync(w.files[0]!);
    // A hand-made file with bad lines, and a truncated copy of the writer's file.
    writeGz(join(dir, 'bad.dwrec.gz'), [
      JSON.stringify({
        format: 'depthwatch-recording',
        version: 1,
        venue: 'okx',
        start: 0,
        session: 's2',
        part: 0,
        created: '',
      }),
      '{"t":1,"k":"ws","d":"ok"}',
      '{"t":"1","k":"ws","d":"bad t"}',
      '{"t":2,"k":"wss","d":"bad k"}',
      '{"t":3,"k":"ws"}',
      'not json',
      '{"t":4,"k":"rest","c":"x","d":"ok2"}',
    ]);
    const cut = join(dir, 'cut.gz');
    writeFileSync(cut, full.subarray(0, full.length - 12));
    const bad = await openRecording([join(dir, 'bad.dwrec.gz')]);
    expect((await collect(bad)).map((f) => [f.text, f.venue])).toEqual([
      ['ok', 'okx'],
      ['ok2', 'okx'],
    ]);
    expect(bad.stats.malformed).toBe(4);
    const truncated = await openRecording([cut]);
    const got = await collect(truncated);
    expect(got.length).toBeGreaterThan(0);
    expect(got.length).toBeLessThanOrEqual(50);
    expect(truncated.stats.truncatedFiles).toBe(1);
    expect(got.map((f) => f.text)).toEqual(Array.from({ length: got.length }, (_, i) => `{"i":${i}}`));
  });

  it('makes flushed data readable while the file is still open', async () => {
    const dir = freshDir();
    const w = new RecordingWriter({ dir, venue: 'binance', flushIntervalMs: 0 });
    w.write({ localTs: 1, kind: 'ws', text: 'a' });
    w.write({ localTs: 2, kind: 'ws', text: 'b' });
    await w.flush();
    const rec = await openRecording([w.files[0]!]);
    expect((await collect(rec)).map((f) => f.text)).toEqual(['a', 'b']);
    expect(rec.stats.truncatedFiles).toBe(1);
    await w.close();
  });
});

describe('openRecording', () => {
  it('rejects a missing path, an unknown file, and a directory with nothing readable', async () => {
    const dir = freshDir();
    writeFileSync(join(dir, 'notes.txt'), 'hello world\n');
    await expect(openRecording([join(dir, 'nope.gz')])).rejects.toMatchObject({ code: 'not_found' });
    await expect(openRecording([join(dir, 'notes.txt')])).rejects.toMatchObject({ code: 'unknown_format' });
    await expect(openRecording([dir])).rejects.toMatchObject({ code: 'empty' });
  });

  it('uses the venue option only for files whose format does not tell it', async () => {
    const dir = freshDir();
    writeFileSync(join(dir, 'capture.txt'), '1626992741.5: {"a":2}\n');
    const rec = await openRecording([dir], { venue: 'binance-usdm' });
    expect(rec.files[0]).toMatchObject({ format: 'cryptofeed', venue: 'binance-usdm' });
    const known = await openRecording([dir + '/capture.txt']);
    expect(known.venues).toEqual([]);
  });
});
