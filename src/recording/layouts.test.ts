/**
 * Recording layouts of issue 10: the older single-file cryptofeed capture (venue named by the URLs
 * inside), the Bybit v5 order-book history download, and the message for a file no reader knows.
 */
import { describe, expect, it } from 'vitest';
import { mkdtemp, writeFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openRecording, RecordingError } from './index.ts';
import { cryptofeedVenueFromLines, parseSingleFileName, venueOfUrl } from './cryptofeed.ts';
import { looksLikeBybitHistory } from './bybit-history.ts';
import { Replay } from '../replay/index.ts';

const SINGLE = '../shared/data/cryptofeed/single-file-2021-04';
const BYBIT = '../shared/data/bybit-v5/2024-12-01_XRPUSDT_ob500.data';

describe('venue from the URLs of a capture', () => {
  it('maps venue hosts to venue ids', () => {
    expect(
      [
        'wss://ws.kraken.com',
        'wss://stream.binance.us:9443/stream?streams=btcusd@depth',
        'https://api.binance.us/api/v1/depth?symbol=BTCUSD',
        'wss://fstream.binance.com/stream',
        'wss://dstream.binance.com/ws',
        'https://api.binance.com/api/v3/depth',
        'wss://api.bitfinex.com/ws/2',
        'wss://ws.bitstamp.net/',
        'wss://api.gemini.com/v2/marketdata/',
        'wss://futures.kraken.com/ws/v1',
        'wss://ws.okx.com:8443/ws/v5/public',
        'wss://fx-ws.gateio.ws/v4/ws/usdt',
        'wss://api.gateio.ws/ws/v4/',
        'https://example.com/x',
        'not a url',
      ].map(venueOfUrl),
    ).toEqual([
      'kraken',
      'binance-us',
      'binance-us',
      'binance-usdm',
      'binance-coinm',
      'binance',
      'bitfinex',
      'bitstamp',
      'gemini',
      'kraken-futures',
      'okx',
      'gateio-futures',
      'gateio',
      undefined,
      undefined,
    ]);
    expect(
      cryptofeedVenueFromLines(['configuration: {}', 'wss://ws.kraken.com <-> 1617666422.6348429']),
    ).toBe('kraken');
    expect(parseSingleFileName('/x/BINANCE_US-63b290.0')).toBe('BINANCE_US');
    expect(parseSingleFileName('/x/BINANCE.ws.1.0')).toBeNull();
  });
});

describe('older single-file cryptofeed captures (single-file-2021-04)', () => {
  it('KRAKEN-4b7396.0: Kraken v1 ticker capture, venue told by its URL, every frame read and none dropped', async () => {
    const rec = await openRecording([`${SINGLE}/KRAKEN-4b7396.0`]);
    expect(rec.files.map((f) => [f.format, f.venue])).toEqual([['cryptofeed', 'kraken']]);
    const replay = new Replay(rec);
    const r = await replay.run();
    expect(r.frames).toBe(152);
    expect(rec.stats.malformed).toBe(0);
    expect(replay.engine.dropped).toEqual({});
  });

  it('BINANCE_US-63b290.0: Binance.US with inline REST snapshots, 10 books live, 0 gaps, every BBO oracle matched', async () => {
    const rec = await openRecording([SINGLE]);
    expect(rec.files.map((f) => f.venue).sort()).toEqual(['binance-us', 'kraken']);
    const replay = new Replay(rec);
    const r = await replay.run();
    expect(r.snapshots).toBe(10);
    const books = [...replay.engine.books].filter(([id]) => id.startsWith('binance-us:'));
    expect(books).toHaveLength(10);
    let oracle = 0;
    for (const [id, b] of books) {
      const c = b.health.counters;
      expect(b.state, id).toBe('live');
      expect([c.gaps, c.crossedBooks, c.resyncs, c.dropped], id).toEqual([0, 0, 0, 0]);
      expect(c.oracleMatched, id).toBe(c.oracleChecked);
      oracle += c.oracleChecked;
    }
    expect(oracle).toBeGreaterThan(700);
  });
});

describe('Bybit v5 order-book history download (bybit-v5)', () => {
  it('is recognised by its first line and replays live with contiguous updates', async () => {
    const rec = await openRecording([BYBIT]);
    expect(rec.files.map((f) => [f.format, f.venue])).toEqual([['bybit-history', 'bybit-linear']]);
    const replay = new Replay(rec);
    await replay.run();
    const b = replay.engine.books.get('bybit-linear:XRPUSDT')!;
    const c = b.health.counters;
    expect(b.state).toBe('live');
    expect([c.snapshots, c.deltasApplied, c.gaps, c.crossedBooks, c.dropped]).toEqual([1, 49, 0, 0, 0]);
    expect(
      looksLikeBybitHistory('{"topic":"orderbook.500.XRPUSDT","type":"delta","ts":1733011200693,"data":{}}'),
    ).toBe(true);
    expect(looksLikeBybitHistory('{"topic":"publicTrade.XRPUSDT","type":"snapshot","ts":1}')).toBe(false);
  });
});

describe('a file no reader knows', () => {
  it('is refused with a message that lists the formats depthwatch reads', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'dw-layouts-'));
    try {
      const path = join(dir, 'notes.txt');
      await writeFile(path, 'hello\nworld\n');
      const err = await openRecording([path]).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(RecordingError);
      expect((err as RecordingError).code).toBe('unknown_format');
      for (const word of [
        'cryptofeed',
        '<FEED>-<hash>.0',
        'hftbacktest',
        'Bybit',
        'Tardis',
        'LOBSTER',
        'dwrec',
      ])
        expect((err as Error).message).toContain(word);
      const empty = await openRecording([dir]).catch((e: unknown) => e);
      expect((empty as RecordingError).code).toBe('empty');
      expect((empty as Error).message).toContain('cryptofeed');
    } finally {
      await rm(dir, { recursive: true });
    }
  });
});
