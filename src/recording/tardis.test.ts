/**
 * Tardis.dev CSV reader: every schema of the real samples (../shared/data/tardis/) parses to the events
 * the rows say, incremental rows group into snapshots/deltas by Tardis' rules, malformed rows are dropped
 * and counted, gzip files read like plain ones, and the events drive books through Replay (live, with
 * the crossed-book check intact and a snapshot reset after `false` rows starting a fresh book).
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import type { BookDelta, BookSnapshot, MarketEvent, Bbo, Trade } from '../core/model.ts';
import { openRecording } from './open.ts';
import { parseTardisHeader } from './tardis.ts';
import { Replay } from '../replay/replay.ts';

const DATA = '../shared/data/tardis';
const INCREMENTAL = `${DATA}/deribit_incremental_book_L2_BTC-PERPETUAL.csv`;
const SNAP5 = `${DATA}/binance-futures_book_snapshot_5_BTCUSDT.csv`;
const SNAP25 = `${DATA}/binance-futures_book_snapshot_25_BTCUSDT.csv`;
const TRADES = `${DATA}/bitmex_trades_XBTUSD.csv`;
const QUOTES = `${DATA}/huobi-dm-swap_quotes_BTC-USD.csv`;

async function read(
  paths: string[],
): Promise<{ events: MarketEvent[]; rec: Awaited<ReturnType<typeof openRecording>> }> {
  const rec = await openRecording(paths);
  const events: MarketEvent[] = [];
  for await (const f of rec) {
    expect(f.kind).toBe('event');
    events.push(f.event!);
  }
  return { events, rec };
}

describe('Tardis CSV reader on the real samples', () => {
  it('detects each file as tardis with venue tardis-<exchange>', async () => {
    const rec = await openRecording([INCREMENTAL, SNAP5, SNAP25, TRADES, QUOTES]);
    expect(rec.files.map((f) => [f.format, f.venue])).toEqual([
      ['tardis', 'tardis-deribit'],
      ['tardis', 'tardis-binance-futures'],
      ['tardis', 'tardis-binance-futures'],
      ['tardis', 'tardis-bitmex'],
      ['tardis', 'tardis-huobi-dm-swap'],
    ]);
  });

  it('groups the 15 incremental_book_L2 snapshot rows of one message into one book_snapshot', async () => {
    const { events, rec } = await read([INCREMENTAL]);
    expect(events).toHaveLength(1);
    const s = events[0] as BookSnapshot;
    expect(s).toMatchObject({
      type: 'book_snapshot',
      instrument: 'tardis-deribit:BTC-PERPETUAL',
      exchangeTs: 1585699200245,
      localTs: 1585699200355.684,
      depthLimit: 0,
      bids: [],
    });
    expect(s.sequence).toBeNaN();
    expect(s.asks).toHaveLength(15);
    expect(s.asks[0]).toEqual(['6421.5', '18640']);
    expect(s.asks[6]).toEqual(['6424.5', '120']);
    expect(s.asks[14]).toEqual(['6428.5', '39950']);
    expect(rec.stats).toMatchObject({ lines: 16, frames: 1, malformed: 0, skipped: 0 });
  });

  it('turns every book_snapshot_5 and book_snapshot_25 row into a depth-limited snapshot, best first', async () => {
    const five = (await read([SNAP5])).events as BookSnapshot[];
    expect(five).toHaveLength(10);
    expect(five[0]).toMatchObject({
      type: 'book_snapshot',
      instrument: 'tardis-binance-futures:BTCUSDT',
      exchangeTs: 1598918403696,
      localTs: 1598918403810.979,
      depthLimit: 5,
      asks: [
        ['11657.08', '1.714'],
        ['11657.54', '5.4'],
        ['11657.56', '0.238'],
        ['11657.61', '0.077'],
        ['11657.92', '0.918'],
      ],
      bids: [
        ['11657.07', '10.896'],
        ['11656.97', '0.2'],
        ['11655.78', '0.2'],
        ['11655.77', '0.98'],
        ['11655.68', '0.111'],
      ],
    });
    expect(five[9]!.asks[0]).toEqual(['11657.08', '1.393']);
    const t25 = (await read([SNAP25])).events as BookSnapshot[];
    expect(t25).toHaveLength(10);
    expect(t25[0]!.depthLimit).toBe(25);
    expect(t25[0]!.asks).toHaveLength(25);
    expect(t25[0]!.bids).toHaveLength(25);
    expect(t25[0]!.asks[24]).toEqual(['11659.34', '0.618']);
    expect(t25[0]!.bids[24]).toEqual(['11653.25', '1.003']);
    expect(t25[9]).toMatchObject({ exchangeTs: 1598918404005, localTs: 1598918404009.468 });
    expect(t25[9]!.bids[0]).toEqual(['11657.07', '10.881']);
  });

  it('reads trades with their id, taker side and wire decimals', async () => {
    const t = (await read([TRADES])).events as Trade[];
    expect(t).toHaveLength(10);
    expect(t[0]).toEqual({
      type: 'trade',
      instrument: 'tardis-bitmex:XBTUSD',
      exchangeTs: 1583020803145,
      localTs: 1583020803307.16,
      id: 'ccc3c1fa-212c-e8b0-1706-9b9c4f3d5ecf',
      price: '8531.5',
      size: '2152',
      side: 'sell',
    });
    expect(t[9]).toMatchObject({
      id: '7cae8d7b-b69d-025b-cc3c-84b911f37a8a',
      size: '1',
      exchangeTs: 1583020803276,
    });
  });

  it('reads quotes as BBO events without a sequence', async () => {
    const q = (await read([QUOTES])).events as Bbo[];
    expect(q).toHaveLength(10);
    expect(q[0]).toMatchObject({
      type: 'bbo',
      instrument: 'tardis-huobi-dm-swap:BTC-USD',
      exchangeTs: 1588291201099,
      localTs: 1588291201234.268,
      bidPrice: '8629.2',
      bidSize: '806',
      askPrice: '8629.3',
      askSize: '5494',
    });
    expect(q[0]!.sequence).toBeNaN();
    expect(q[9]).toMatchObject({ askSize: '5411', bidSize: '847', localTs: 1588291201927.888 });
  });

  it('recognises headers by column names and rejects other CSV', () => {
    expect(parseTardisHeader(readFileSync(SNAP25, 'utf8').split('\n')[0]!)).toMatchObject({
      schema: 'book_snapshot',
      depth: 25,
      columns: 104,
    });
    expect(parseTardisHeader('exchange,symbol,timestamp,local_timestamp,id,side,price,amount')?.schema).toBe(
      'trades',
    );
    expect(parseTardisHeader('exchange,symbol,timestamp,local_timestamp,funding_rate')).toBeNull();
    expect(
      parseTardisHeader(
        'exchange,symbol,timestamp,local_timestamp,asks[5].price,asks[0].amount,bids[0].price,bids[0].amount',
      ),
    ).toBeNull();
    expect(parseTardisHeader('a,b,c')).toBeNull();
  });
});

describe('Tardis CSV reader on made-up files', () => {
  const dir = mkdtempSync(join(tmpdir(), 'dw-tardis-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const HEAD = 'exchange,symbol,timestamp,local_timestamp,is_snapshot,side,price,amount';
  const row = (
    ts: number,
    snap: boolean,
    side: string,
    price: string,
    amount: string,
    symbol = 'BTC-PERPETUAL',
  ): string => `deribit,${symbol},${ts}000,${ts}100,${snap},${side},${price},${amount}`;

  it('applies the snapshot, continuation, delta and reset rules of incremental_book_L2 (gzip file)', async () => {
    const lines = [
      HEAD,
      row(1000, false, 'bid', '99', '1'), // before the first snapshot: skipped
      row(1001, true, 'bid', '100', '2'),
      row(1001, true, 'ask', '101', '3'),
      row(1002, true, 'ask', '102', '4'), // true after true: continues the snapshot
      row(1003, false, 'bid', '100', '0'),
      row(1003, false, 'bid', '99.5', '5'),
      row(1004, true, 'bid', '50', '1'), // true after false: a fresh book
      row(1004, true, 'ask', '51', '1'),
      '',
    ];
    const path = join(dir, 'deribit_incremental_book_L2.csv.gz');
    writeFileSync(path, gzipSync(lines.join('\n') + '\n'));
    const { events, rec } = await read([path]);
    expect(rec.files[0]).toMatchObject({ format: 'tardis', gzip: true });
    expect(events.map((e) => e.type)).toEqual(['book_snapshot', 'book_delta', 'book_delta', 'book_snapshot']);
    const [s1, c, d, s2] = events as [BookSnapshot, BookDelta, BookDelta, BookSnapshot];
    expect(s1).toMatchObject({
      exchangeTs: 1001,
      localTs: 1001.1,
      bids: [['100', '2']],
      asks: [['101', '3']],
    });
    expect(c).toMatchObject({ exchangeTs: 1002, bids: [], asks: [['102', '4']] });
    expect(d).toMatchObject({
      bids: [
        ['100', '0'],
        ['99.5', '5'],
      ],
      asks: [],
    });
    expect(d.sequence).toBeNaN();
    expect(s2).toMatchObject({ localTs: 1004.1, bids: [['50', '1']], asks: [['51', '1']] });
    expect(rec.stats).toMatchObject({ frames: 4, malformed: 0, skipped: 2 }); // the early update, the blank line
  });

  it('drops and counts malformed rows and keeps the good ones', async () => {
    const lines = [
      HEAD,
      row(1001, true, 'bid', '100', '2'),
      row(1001, true, 'ask', '101', '3'),
      row(1002, false, 'middle', '100', '1'), // bad side
      row(1002, false, 'bid', '1e-3', '1'), // not a plain decimal
      row(1002, false, 'bid', '100', '12345678901234567'), // more than 15 significant digits
      row(1002, 'maybe' as unknown as boolean, 'bid', '100', '1'), // bad is_snapshot
      'deribit,BTC-PERPETUAL,17x,1002100,false,bid,100,1', // bad timestamp
      'deribit,BTC-PERPETUAL,1002000,1002100,false,bid,100', // a field short
      'bitmex,BTC-PERPETUAL,1002000,1002100,false,bid,100,1', // another exchange
      row(1003, false, 'bid', '100', '7'),
    ];
    const path = join(dir, 'bad.csv');
    writeFileSync(path, lines.join('\n'));
    const { events, rec } = await read([path]);
    expect(events.map((e) => e.type)).toEqual(['book_snapshot', 'book_delta']);
    expect((events[1] as BookDelta).bids).toEqual([['100', '7']]);
    expect(rec.stats).toMatchObject({ lines: 11, frames: 2, malformed: 7, skipped: 0 });

    const q = join(dir, 'quotes.csv');
    writeFileSync(
      q,
      [
        'exchange,symbol,timestamp,local_timestamp,ask_amount,ask_price,bid_price,bid_amount',
        'huobi-dm-swap,BTC-USD,1000,1000,5,8629.3,,', // no bid: no BBO (skipped)
        'huobi-dm-swap,BTC-USD,1000,1000,5,x,8629.2,1', // malformed
        'huobi-dm-swap,BTC-USD,1000,1000,5,8629.3,8629.2,1',
      ].join('\n'),
    );
    const r2 = await read([q]);
    expect(r2.events).toHaveLength(1);
    expect(r2.rec.stats).toMatchObject({ frames: 1, malformed: 1, skipped: 1 });
  });

  it('drives books through Replay: live on snapshots, resync on a crossed delta, live again after a reset', async () => {
    const path = join(dir, 'crossed.csv');
    writeFileSync(
      path,
      [
        HEAD,
        row(1001, true, 'bid', '100', '2'),
        row(1001, true, 'ask', '101', '3'),
        row(1002, false, 'bid', '99', '1'),
        row(1003, false, 'bid', '102', '1'), // bid above the best ask: crossed
        row(1001, true, 'bid', '100', '2', 'ETH-PERPETUAL'),
        row(1001, true, 'ask', '101', '3', 'ETH-PERPETUAL'),
        row(1004, true, 'bid', '100', '1'), // reset: a fresh BTC book
        row(1004, true, 'ask', '100.5', '1'),
        row(1005, false, 'ask', '100.5', '0'),
        row(1005, false, 'ask', '101', '2'),
      ].join('\n'),
    );
    const states: string[] = [];
    const replay = new Replay(await openRecording([path]), {
      engine: { onStateChange: (b) => b.instrument.includes('BTC') && states.push(b.state) },
    });
    const res = await replay.run();
    expect(res.frames).toBe(6);
    const btc = replay.engine.books.get('tardis-deribit:BTC-PERPETUAL')!;
    expect(states).toEqual(['live', 'resyncing', 'live']);
    expect(btc.state).toBe('live');
    expect(btc.health.counters).toMatchObject({
      crossedBooks: 1,
      resyncs: 1,
      snapshots: 2,
      deltasApplied: 3,
    });
    expect(btc.book.top(5)).toEqual({ bids: [[100, 1]], asks: [[101, 2]] });
    expect(replay.engine.books.get('tardis-deribit:ETH-PERPETUAL')!.state).toBe('live');
  });
});
