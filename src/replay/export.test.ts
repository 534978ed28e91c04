/**
 * Export rows of verified books: the deltas kind writes what a book accepted and re-imports (Tardis
 * reader) to the same book through snapshots, consecutive snapshots, venue truncation, a rejected delta
 * and a warm-up range; book_snapshot_N writes the covered top N on change or on interval boundaries;
 * trades and metrics rows follow their columns; Tardis exchange ids per venue.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { BookDelta, BookSnapshot, WireLevel } from '../core/model.ts';
import { InProcessBus } from '../bus/in-process.ts';
import { Engine } from '../pipeline/engine.ts';
import type { PipelineTopics } from '../pipeline/topics.ts';
import type { BookSyncOptions } from '../book/instrument-book.ts';
import { consecutiveRule } from '../book/sync-rule.ts';
import { tardisVenueAdapter } from '../feeds/tardis/descriptor.ts';
import { readTardis } from '../recording/tardis.ts';
import { newReaderStats } from '../recording/stats.ts';
import {
  BookExportStage,
  exportColumns,
  metricsRow,
  tardisExchangeId,
  tradeRow,
  type ExportKind,
} from './export.ts';

const tmp = mkdtempSync(join(tmpdir(), 'dw-export-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const SYNC: BookSyncOptions = { rule: consecutiveRule, snapshotSource: 'stream', coverage: 'snapshot' };

function engineWith(
  kind: Extract<ExportKind, { kind: 'deltas' | 'book_snapshot' }>,
  sync = SYNC,
  from?: number,
) {
  const rows: string[][] = [];
  const stage = new BookExportStage(kind, (r) => rows.push([...r]), from);
  const engine = new Engine({
    sync: new Map([['x', sync]]),
    bus: new InProcessBus<PipelineTopics>(),
    stages: [stage],
  });
  return { engine, rows };
}

const snap = (seq: number, bids: WireLevel[], asks: WireLevel[], t = seq): BookSnapshot => ({
  type: 'book_snapshot',
  instrument: 'x:Y',
  exchangeTs: t,
  localTs: t,
  sequence: seq,
  bids,
  asks,
  depthLimit: 0,
});
const delta = (seq: number, bids: WireLevel[], asks: WireLevel[], t = seq): BookDelta => ({
  type: 'book_delta',
  instrument: 'x:Y',
  exchangeTs: t,
  localTs: t,
  firstSequence: seq,
  sequence: seq,
  prevSequence: seq - 1,
  bids,
  asks,
});

/** Write rows as a Tardis incremental_book_L2 CSV, read it back into a fresh book, return its levels. */
async function reimport(rows: string[][]): Promise<{ bids: [string, string][]; asks: [string, string][] }> {
  const path = join(tmp, `re-${Math.random().toString(36).slice(2)}.csv`);
  const head = exportColumns({ kind: 'deltas' }).map((c) => c.name);
  writeFileSync(path, [head, ...rows].map((r) => r.join(',')).join('\n') + '\n');
  const engine = new Engine({
    sync: new Map([['tardis-x', tardisVenueAdapter('tardis-x').sync]]),
    bus: new InProcessBus<PipelineTopics>(),
  });
  for await (const f of readTardis(path, false, 'c', 'tardis-x', newReaderStats()))
    engine.handleEvent(f.event!);
  const b = engine.books.get('tardis-x:Y')!;
  expect(b.state).toBe('live');
  return b.book.topStrings(1000);
}

describe('deltas export', () => {
  it('writes the book as a snapshot group, then the applied deltas; re-import gives the same book', async () => {
    const { engine, rows } = engineWith({ kind: 'deltas' });
    engine.handleEvent(
      snap(
        1,
        [
          ['10', '1'],
          ['9', '2'],
        ],
        [['11', '1']],
      ),
    );
    engine.handleEvent(
      delta(
        2,
        [
          ['10', '0'],
          ['9.5', '3'],
        ],
        [],
      ),
    );
    engine.handleEvent(delta(3, [], [['11', '4']]));
    expect(rows).toEqual([
      ['x', 'Y', '1000', '1000', 'true', 'bid', '10', '1'],
      ['x', 'Y', '1000', '1000', 'true', 'bid', '9', '2'],
      ['x', 'Y', '1000', '1000', 'true', 'ask', '11', '1'],
      ['x', 'Y', '2000', '2000', 'false', 'bid', '10', '0'],
      ['x', 'Y', '2000', '2000', 'false', 'bid', '9.5', '3'],
      ['x', 'Y', '3000', '3000', 'false', 'ask', '11', '4'],
    ]);
    expect(await reimport(rows)).toEqual(engine.books.get('x:Y')!.book.topStrings(1000));
  });

  it('a rejected delta is not written; the next snapshot starts a fresh group', async () => {
    const { engine, rows } = engineWith({ kind: 'deltas' });
    engine.handleEvent(snap(1, [['10', '1']], [['11', '1']]));
    engine.handleEvent(delta(3, [['10.5', '7']], [])); // gap: buffered, book resyncing
    expect(rows).toHaveLength(2);
    engine.handleEvent(snap(5, [['9', '1']], [['12', '1']]));
    engine.handleEvent(delta(6, [['9', '2']], []));
    // The file's last group was the first snapshot: the new one deletes what it drops first.
    expect(rows.slice(2).map((r) => r.slice(4))).toEqual([
      ['false', 'bid', '10', '0'],
      ['false', 'ask', '11', '0'],
      ['true', 'bid', '9', '1'],
      ['true', 'ask', '12', '1'],
      ['false', 'bid', '9', '2'],
    ]);
    expect(await reimport(rows)).toEqual({ bids: [['9', '2']], asks: [['12', '1']] });
  });

  it('a snapshot right after a snapshot first deletes the levels it drops (Tardis merges true groups)', async () => {
    const { engine, rows } = engineWith({ kind: 'deltas' });
    engine.handleEvent(
      snap(
        1,
        [
          ['10', '1'],
          ['9', '1'],
        ],
        [['11', '1']],
      ),
    );
    engine.handleEvent(snap(2, [['10', '2']], [['11', '1']]));
    expect(rows.slice(3).map((r) => r.slice(4))).toEqual([
      ['false', 'bid', '9', '0'],
      ['true', 'bid', '10', '2'],
      ['true', 'ask', '11', '1'],
    ]);
    expect(await reimport(rows)).toEqual({ bids: [['10', '2']], asks: [['11', '1']] });
  });

  it('levels a venue truncation drops are written as deletions', async () => {
    const { engine, rows } = engineWith({ kind: 'deltas' }, { ...SYNC, maxDepth: 2 });
    engine.handleEvent(
      snap(
        1,
        [
          ['10', '1'],
          ['9', '1'],
        ],
        [['11', '1']],
      ),
    );
    engine.handleEvent(delta(2, [['10.5', '1']], [])); // 9 falls out of the top 2
    expect(rows.slice(3).map((r) => r.slice(4))).toEqual([
      ['false', 'bid', '10.5', '1'],
      ['false', 'bid', '9', '0'],
    ]);
    expect(await reimport(rows)).toEqual(engine.books.get('x:Y')!.book.topStrings(1000));
  });

  it('with a start time, the first change after it writes the whole book', async () => {
    const { engine, rows } = engineWith({ kind: 'deltas' }, SYNC, 2.5); // ms
    engine.handleEvent(snap(1, [['10', '1']], [['11', '1']]));
    engine.handleEvent(delta(2, [['9', '1']], []));
    expect(rows).toHaveLength(0);
    engine.handleEvent(delta(3, [['8', '1']], []));
    expect(rows.map((r) => r.slice(2))).toEqual([
      ['3000', '3000', 'true', 'bid', '10', '1'],
      ['3000', '3000', 'true', 'bid', '9', '1'],
      ['3000', '3000', 'true', 'bid', '8', '1'],
      ['3000', '3000', 'true', 'ask', '11', '1'],
    ]);
  });
});

describe('book_snapshot_N export', () => {
  it('writes the top N when it changes, covered levels only', () => {
    const { engine, rows } = engineWith({ kind: 'book_snapshot', depth: 2, intervalMs: 0 });
    engine.handleEvent({
      ...snap(
        1,
        [
          ['10', '1'],
          ['9', '2'],
        ],
        [['11', '1']],
      ),
      depthLimit: 2,
    });
    engine.handleEvent(delta(2, [['8', '5']], [])); // beyond the top 2: no row
    engine.handleEvent(delta(3, [], [['11', '3']]));
    expect(rows).toEqual([
      ['x', 'Y', '1000', '1000', '11', '1', '10', '1', '', '', '9', '2'],
      ['x', 'Y', '3000', '3000', '11', '3', '10', '1', '', '', '9', '2'],
    ]);
    expect(exportColumns({ kind: 'book_snapshot', depth: 2, intervalMs: 0 }).map((c) => c.name)).toEqual([
      'exchange',
      'symbol',
      'timestamp',
      'local_timestamp',
      'asks[0].price',
      'asks[0].amount',
      'bids[0].price',
      'bids[0].amount',
      'asks[1].price',
      'asks[1].amount',
      'bids[1].price',
      'bids[1].amount',
    ]);
  });

  it('with an interval, one row per boundary holding the book as it stood then', () => {
    const { engine, rows } = engineWith({ kind: 'book_snapshot', depth: 1, intervalMs: 1000 });
    engine.handleEvent(snap(1, [['10', '1']], [['11', '1']], 500));
    engine.handleEvent(delta(2, [['10', '2']], [], 700));
    engine.handleEvent(delta(3, [['10', '3']], [], 3200)); // boundaries 1000, 2000, 3000 hold size 2
    engine.handleEvent(delta(5, [['10', '4']], [], 4100)); // a gap: the book stops being live
    expect(rows.map((r) => [r[2], r[6], r[7]])).toEqual([
      ['1000000', '10', '2'],
      ['2000000', '10', '2'],
      ['3000000', '10', '2'],
      ['4000000', '10', '3'],
    ]);
  });
});

describe('rows and ids', () => {
  it('maps venues to Tardis exchange ids', () => {
    expect(tardisExchangeId('binance-usdm:BTCUSDT')).toEqual({
      exchange: 'binance-futures',
      symbol: 'BTCUSDT',
    });
    expect(tardisExchangeId('binance-coinm:BTCUSD_PERP').exchange).toBe('binance-delivery');
    expect(tardisExchangeId('binance:BTCUSDT').exchange).toBe('binance');
    expect(tardisExchangeId('okx:BTC-USDT').exchange).toBe('okex');
    expect(tardisExchangeId('okx:BTC-USDT-SWAP').exchange).toBe('okex-swap');
    expect(tardisExchangeId('okx:BTC-USD-240927').exchange).toBe('okex-futures');
    expect(tardisExchangeId('tardis-deribit:BTC-PERPETUAL')).toEqual({
      exchange: 'deribit',
      symbol: 'BTC-PERPETUAL',
    });
    expect(tardisExchangeId('lobster:AAPL')).toEqual({ exchange: 'lobster', symbol: 'AAPL' });
  });

  it('writes trade and metrics rows in their columns', () => {
    expect(
      tradeRow({
        type: 'trade',
        instrument: 'binance-usdm:BTCUSDT',
        exchangeTs: NaN,
        localTs: 1.5,
        id: '7',
        price: '61000.10',
        size: '0.001',
        side: 'sell',
      }),
    ).toEqual(['binance-futures', 'BTCUSDT', '1500', '1500', '7', 'sell', '61000.10', '0.001']);
    const cols = exportColumns({ kind: 'metrics', intervalMs: 1000 });
    const m = Object.fromEntries(cols.slice(6).map((c) => [c.name, null])) as never;
    const row = metricsRow({
      instrument: 'lobster:AAPL',
      exchangeTs: 2,
      localTs: 2,
      state: 'live',
      sequence: 12,
      metrics: { ...(m as object), bestBid: 585.33 } as never,
    });
    expect(row).toHaveLength(cols.length);
    expect(row.slice(0, 7)).toEqual(['lobster', 'AAPL', '2000', '2000', 'live', '12', '585.33']);
    expect(cols[6]!.name).toBe('best_bid');
  });
});
