/**
 * Fixtures of the API tests: an Engine on an in-process bus fed hand-made Binance spot frames (REST
 * snapshot + combined-stream depth diffs and trades, shaped as Binance documents them), and an
 * in-memory DuckDB store that records the bus's metrics and trades.
 */
import type { Engine } from '../src/pipeline/engine.ts';
import type { AnalyticsStage } from '../src/analytics/stage.ts';
import { createPipeline } from '../src/app/pipeline.ts';
import { engineView, type ApiEngine } from '../src/api/types.ts';
import { InProcessBus } from '../src/bus/in-process.ts';
import { BinanceParser } from '../src/feeds/binance/parser.ts';
import { parseBinanceSnapshot } from '../src/feeds/binance/snapshot.ts';
import { DuckDbStore } from '../src/store/duckdb.ts';
import type { OutputTopics } from '../src/alerts/topics.ts';

export const T0 = Date.UTC(2024, 7, 8, 12, 0, 0);
export const BTC = 'binance:BTCUSDT';
export const ETH = 'binance:ETHUSDT';

/** A Binance spot diff-depth frame in the combined-stream envelope. */
export function depthFrame(
  symbol: string,
  U: number,
  u: number,
  bids: [string, string][],
  asks: [string, string][],
  E: number,
): string {
  return JSON.stringify({
    stream: `${symbol.toLowerCase()}@depth@100ms`,
    data: { e: 'depthUpdate', E, s: symbol, U, u, b: bids, a: asks },
  });
}

/** A Binance spot trade frame in the combined-stream envelope. */
export function tradeFrame(
  symbol: string,
  id: number,
  price: string,
  qty: string,
  buyerIsMaker: boolean,
  T: number,
): string {
  return JSON.stringify({
    stream: `${symbol.toLowerCase()}@trade`,
    data: { e: 'trade', E: T + 1, s: symbol, t: id, p: price, q: qty, T, m: buyerIsMaker, M: true },
  });
}

/** Engine, bus, parser and store wired like the app does (metrics.sample and trades → store). */
export interface Fixture {
  engine: Engine;
  analytics: AnalyticsStage;
  /** What the API reads (engine + analytics). */
  view: ApiEngine;
  bus: InProcessBus<OutputTopics>;
  parser: BinanceParser;
  store: DuckDbStore;
  /** Feed one raw spot frame at local time `localTs`. */
  feed(text: string, localTs: number): void;
}

/**
 * Build the fixture: BTCUSDT live at sequence 104 after a snapshot (lastUpdateId 100) and two diffs,
 * three trades, one malformed frame; ETHUSDT syncing (a diff but no snapshot).
 */
export async function makeFixture(): Promise<Fixture> {
  const bus = new InProcessBus<OutputTopics>();
  const { engine, analytics } = createPipeline({ bus });
  const parser = new BinanceParser('binance');
  const store = new DuckDbStore({ path: ':memory:', flushIntervalMs: 60_000, retentionDays: {} });
  await store.init();
  bus.subscribe('metrics', (s) => store.appendMetrics([s]));
  bus.subscribe('trade', (t) => store.appendTrades([t]));
  const feed = (text: string, localTs: number): void => engine.handleFrame('binance', parser, text, localTs);

  const snap = parseBinanceSnapshot(
    {
      lastUpdateId: 100,
      bids: [
        ['60000.00', '1.00000000'],
        ['59999.50', '2.00000000'],
        ['59999.00', '3.00000000'],
      ],
      asks: [
        ['60000.50', '1.50000000'],
        ['60001.00', '2.50000000'],
        ['60002.00', '4.00000000'],
      ],
    },
    BTC,
    T0,
    1000,
  );
  engine.handleEvent(snap);
  feed(depthFrame('BTCUSDT', 101, 102, [['60000.00', '1.20000000']], [], T0 + 95), T0 + 100);
  feed(depthFrame('BTCUSDT', 103, 104, [], [['60000.50', '0.50000000']], T0 + 195), T0 + 200);
  feed(tradeFrame('BTCUSDT', 9001, '60000.50', '0.10000000', false, T0 + 150), T0 + 152);
  feed(tradeFrame('BTCUSDT', 9002, '60000.00', '0.20000000', true, T0 + 1150), T0 + 1152);
  feed(tradeFrame('BTCUSDT', 9003, '60001.00', '0.30000000', false, T0 + 1250), T0 + 1252);
  feed('{"stream":"btcusdt@depth@100ms","data":', T0 + 300);
  feed(depthFrame('ETHUSDT', 500, 501, [['3000.00', '1.0']], [], T0 + 290), T0 + 300);
  await store.flush();
  return { engine, analytics: analytics!, view: engineView(engine, analytics), bus, parser, store, feed };
}
