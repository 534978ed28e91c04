import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { simProtocol } from '../protocols.ts';
import { loadRecording } from '../../../test/sim-fixtures.ts';
import { finalBooks, replayPaths, runLive, writeCryptofeedCapture } from '../../../test/venue-sim.ts';
import type { Engine } from '../../pipeline/engine.ts';
import type { RecordedFrame } from '../../recording/types.ts';
import { kucoinFuturesTimeline } from './kucoin.ts';

const DIR = '../shared/data/cryptofeed/kucoin-2021-04';
const FILES = [`${DIR}/KUCOIN.ws.1.0`, `${DIR}/KUCOIN.http.0.0`];
const SYMBOLS = [
  'ANKR-BTC',
  'BCHSV-USDT',
  'CAPP-BTC',
  'COV-BTC',
  'DAPPT-BTC',
  'EQZ-BTC',
  'FET-BTC',
  'NRG-BTC',
  'SNX-BTC',
];

function allLive(venue: string, n: number) {
  return (e: Engine) => {
    const books = [...e.books.values()].filter((b) => b.instrument.startsWith(`${venue}:`));
    return books.length === n && books.every((b) => b.state === 'live');
  };
}

describe('KuCoin simulator protocol', () => {
  it('hands out a token on POST bullet-public, refuses sockets without it, greets, acks, pongs, routes by topic', async () => {
    const p = simProtocol('kucoin');
    p.preload!(await loadRecording(FILES, 50));
    expect(p.httpMethods).toEqual(['POST', 'GET']);
    const bullet = p.http(new URL('http://127.0.0.1:9/api/v1/bullet-public'), true, 'POST') as {
      status: number;
      body: string;
    };
    const data = JSON.parse(bullet.body).data;
    expect(data.instanceServers[0]).toMatchObject({ endpoint: 'ws://127.0.0.1:9/', pingInterval: 18000 });
    expect(p.open(new URL(`ws://h/?token=${data.token}&connectId=1`)).ok).toBe(true);
    expect(p.open(new URL('ws://h/?token=forged')).ok).toBe(false);
    expect(JSON.parse(p.onOpen!(new URL('ws://h/'))[0]!).type).toBe('welcome');
    const sub = p.onMessage(
      '{"id":"7","type":"subscribe","topic":"/market/level2:BTC-USDT,ETH-USDT","response":true}',
    );
    expect(sub).toEqual({
      subscribe: ['/market/level2:BTC-USDT', '/market/level2:ETH-USDT'],
      replies: ['{"id":"7","type":"ack"}'],
    });
    expect(p.onMessage('{"id":"8","type":"ping"}').replies).toEqual(['{"id":"8","type":"pong"}']);
    expect(
      p.onMessage('{"id":"9","type":"subscribe","topic":"/contractMarket/level2:XBTUSDTM"}').replies![0],
    ).toContain('"type":"error"');
    const upd =
      '{"data":{"sequenceStart":1,"symbol":"X-Y","changes":{"asks":[["1","2","1"]],"bids":[]},"sequenceEnd":1},"subject":"trade.l2update","topic":"/market/level2:X-Y","type":"message"}';
    expect(p.route(upd)).toEqual({ topic: '/market/level2:X-Y', symbol: 'X-Y', depth: true });
    expect(p.route('{"id":"1","type":"ack"}')).toBeNull();
    expect(p.corruptLevel(upd, () => 0.1)).not.toBe(upd);
    expect(
      p.http(new URL('http://h/api/v1/market/orderbook/level2_100?symbol=BCHSV-USDT'), true, 'GET'),
    ).toMatchObject({ status: 200, symbol: 'BCHSV-USDT' });
    expect(
      p.http(new URL('http://h/api/v1/market/orderbook/level2_100?symbol=NOPE'), true, 'GET'),
    ).toMatchObject({ status: 400 });
  });

  it('serves the spot recording through the token handshake to the live connector: same books as replay within coverage', async () => {
    const frames = await loadRecording(FILES);
    const run = await runLive({ venue: 'kucoin', frames, symbols: SYMBOLS, settle: allLive('kucoin', 9) });
    try {
      const reference = await replayPaths(FILES);
      expect(finalBooks(run.engine, 'kucoin')).toEqual(finalBooks(reference, 'kucoin', run.engine));
      expect(run.conn.stats.snapshots).toBe(9);
      for (const b of run.engine.books.values())
        expect([b.health.counters.gaps, b.health.counters.crossedBooks]).toEqual([0, 0]);
    } finally {
      await run.stop();
    }
  }, 60_000);

  it('a refused token request is a failed connection attempt: the connector asks again and syncs', async () => {
    const frames = await loadRecording(FILES, 400);
    const run = await runLive({
      venue: 'kucoin',
      frames,
      symbols: ['BCHSV-USDT'],
      faults: { failFirstSnapshots: 2 }, // the first two HTTP requests (both bullet-public POSTs) get 503
      settle: allLive('kucoin', 1),
    });
    try {
      expect(run.sim.faults.failSnapshot).toBe(2);
      expect(run.conn.stats.restFailures).toBe(2);
      expect(run.conn.stats.connects).toBe(1);
      expect(run.engine.books.get('kucoin:BCHSV-USDT')!.health.counters.gaps).toBe(0);
    } finally {
      await run.stop();
    }
  }, 60_000);

  it('a dropped increment is a gap on that symbol only: new REST book, live again', async () => {
    const frames = await loadRecording(FILES);
    const run = await runLive({
      venue: 'kucoin',
      frames,
      symbols: SYMBOLS,
      speed: 4,
      faults: { dropNth: [{ symbol: 'SNX-BTC', n: 100 }] },
      settle: allLive('kucoin', 9),
    });
    try {
      expect(run.sim.faults.drop).toBe(1);
      for (const [id, b] of run.engine.books) {
        const c = b.health.counters;
        const hit = id === 'kucoin:SNX-BTC';
        expect([id, c.gaps, c.resyncs, c.snapshots]).toEqual([id, hit ? 1 : 0, hit ? 1 : 0, hit ? 2 : 1]);
      }
      const reference = await replayPaths(FILES);
      expect(finalBooks(run.engine, 'kucoin')).toEqual(finalBooks(reference, 'kucoin', run.engine));
    } finally {
      await run.stop();
    }
  }, 60_000);
});

describe('KuCoin futures: no recording exists, so a timeline built from the documented messages', () => {
  let dir = '';
  let files: string[] = [];
  let frames: RecordedFrame[] = [];
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'depthwatch-kucoin-futures-'));
    frames = kucoinFuturesTimeline();
    files = await writeCryptofeedCapture(dir, 'KUCOIN_FUTURES', frames);
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('replays through the project reader: both books live, 0 gaps, 0 crossed, increments before the snapshot dropped', async () => {
    const engine = await replayPaths(files);
    const books = [...engine.books.values()];
    expect(books.map((b) => b.instrument).sort()).toEqual([
      'kucoin-futures:ETHUSDTM',
      'kucoin-futures:XBTUSDTM',
    ]);
    for (const b of books) {
      const c = b.health.counters;
      expect([b.state, c.gaps, c.crossedBooks, c.snapshots]).toEqual(['live', 0, 0, 1]);
      expect(c.deltasApplied).toBe(390); // 400 increments, the first 10 inside the snapshot
      expect(c.trades).toBe(16);
    }
  });

  it('the simulator serves it to the live connector: same final books as replay; a dropped increment resyncs only that contract', async () => {
    const reference = await replayPaths(files);
    const clean = await runLive({
      venue: 'kucoin-futures',
      frames,
      symbols: ['XBTUSDTM', 'ETHUSDTM'],
      settle: allLive('kucoin-futures', 2),
    });
    try {
      expect(finalBooks(clean.engine, 'kucoin-futures')).toEqual(
        finalBooks(reference, 'kucoin-futures', clean.engine),
      );
    } finally {
      await clean.stop();
    }
    const faulty = await runLive({
      venue: 'kucoin-futures',
      frames,
      symbols: ['XBTUSDTM', 'ETHUSDTM'],
      speed: 2,
      faults: { dropNth: [{ symbol: 'ETHUSDTM', n: 150 }] },
      settle: allLive('kucoin-futures', 2),
    });
    try {
      const eth = faulty.engine.books.get('kucoin-futures:ETHUSDTM')!.health.counters;
      const xbt = faulty.engine.books.get('kucoin-futures:XBTUSDTM')!.health.counters;
      expect([eth.gaps, eth.resyncs, eth.snapshots]).toEqual([1, 1, 2]);
      expect([xbt.gaps, xbt.resyncs, xbt.snapshots]).toEqual([0, 0, 1]);
      expect(finalBooks(faulty.engine, 'kucoin-futures')).toEqual(
        finalBooks(reference, 'kucoin-futures', faulty.engine),
      );
    } finally {
      await faulty.stop();
    }
  }, 60_000);
});
