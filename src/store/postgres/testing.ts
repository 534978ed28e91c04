/**
 * Test and benchmark helpers for the adapters: sample rows and a loopback TCP proxy that can cut and
 * restore connections to a real server (to simulate an outage without stopping a shared server).
 */
import net from 'node:net';
import pg from 'pg';
import { randomBytes } from 'node:crypto';
import { BOOK_METRIC_FIELDS, type BookMetrics, type MetricsSample } from '../../analytics/types.ts';
import type { Trade } from '../../core/model.ts';
import type { BookSnapshotRow, HeatmapRunRow } from '../types.ts';
import type { Alert } from '../../alerts/types.ts';

/** URL of the local PostgreSQL used by tests (env `DEPTHWATCH_TEST_PG`, default loopback db `test`). */
export const TEST_PG_URL = process.env.DEPTHWATCH_TEST_PG ?? 'postgres://postgres@127.0.0.1:5432/test';

/** A test's SQL connection on the app's own driver (pg): raw statements with `$n` parameters. */
export interface TestSql {
  /** Run one statement. @returns its rows */
  unsafe(text: string, params?: unknown[]): Promise<Record<string, unknown>[]>;
  end(): Promise<void>;
}

/** Open a one-connection pool to `url` (default TEST_PG_URL) for test setup, checks and cleanup. */
export function testSql(url: string = TEST_PG_URL): TestSql {
  const pool = new pg.Pool({ connectionString: url, max: 1 });
  pool.on('error', () => {}); // a server-side cut of an idle connection must not crash the test process
  return {
    unsafe: async (text, params) => (await pool.query(text, params)).rows,
    end: () => pool.end(),
  };
}

/** A unique lowercase name with a prefix (schemas, streams, key prefixes of one test run). */
export function uniqueName(prefix: string): string {
  return `${prefix}_${process.pid}_${randomBytes(4).toString('hex')}`;
}

/**
 * A metrics sample with deterministic values derived from `i`: localTs = `t0 + i × stepMs`,
 * sequence = `i`, exchangeTs NaN every 7th sample, field number f of BOOK_METRIC_FIELDS = `f × 1000 + i
 * + 0.25`, except every third field null (unknown) on odd `i`.
 */
export function sampleAt(instrument: string, t0: number, i: number, stepMs = 1000): MetricsSample {
  const metrics = {} as Record<string, number | null>;
  BOOK_METRIC_FIELDS.forEach((f, k) => {
    metrics[f] = k % 3 === 2 && i % 2 === 1 ? null : k * 1000 + i + 0.25;
  });
  return {
    instrument,
    exchangeTs: i % 7 === 0 ? NaN : t0 + i * stepMs - 3,
    localTs: t0 + i * stepMs,
    state: 'live',
    sequence: i,
    metrics: metrics as unknown as BookMetrics,
  };
}

/**
 * A live book snapshot with deterministic levels derived from `i`: localTs = `t0 + i × stepMs`,
 * sequence `i`, `levels` bids from `100.<i>` down and asks from `101.<i>` up, in 0.5 steps, sizes with
 * trailing zeros (`1.500`) so exact-string storage is visible.
 */
export function snapshotAt(
  instrument: string,
  t0: number,
  i: number,
  stepMs = 1000,
  levels = 5,
): BookSnapshotRow {
  const side = (base: number, dir: number): [string, string][] =>
    Array.from({ length: levels }, (_, k) => [
      (base + dir * k * 0.5 + i / 100).toFixed(2),
      ((k + 1) * 1.5).toFixed(3),
    ]);
  return {
    instrument,
    localTs: t0 + i * stepMs,
    exchangeTs: i % 5 === 0 ? NaN : t0 + i * stepMs - 4,
    sequence: 10_000 + i,
    state: 'live',
    bids: side(100, -1),
    asks: side(101, 1),
  };
}

/**
 * A closed heatmap run derived from `i`: side alternating bid/ask, bucket `[90 + i, 90 + i + 1)`
 * (bucket size 1), bins of 1 s from `t0 + i × 1000` to `t0 + (i + 2) × 1000`, size `i + 0.5`.
 */
export function heatmapRunAt(instrument: string, t0: number, i: number): HeatmapRunRow {
  return {
    instrument,
    side: i % 2 === 0 ? 'bid' : 'ask',
    price: 90 + i,
    bucketSize: 1,
    binMs: 1000,
    from: t0 + i * 1000,
    to: t0 + (i + 2) * 1000,
    size: i + 0.5,
  };
}

/** A firing metric alert derived from `i` (id `spread_wide:<instrument>:<i>`, ts `t0 + i × stepMs`). */
export function alertAt(instrument: string, t0: number, i: number, stepMs = 1000): Alert {
  return {
    id: `spread_wide:${instrument}:${i}`,
    ruleId: 'spread_wide',
    kind: 'metric',
    status: 'firing',
    severity: i % 3 === 0 ? 'critical' : 'warning',
    instrument,
    metric: 'spreadBps',
    value: 10 + i,
    threshold: 5,
    comparator: '>',
    message: `spread ${10 + i} bps > 5`,
    ts: t0 + i * stepMs,
    exchangeTs: t0 + i * stepMs - 2,
    state: 'live',
    sequence: i,
  };
}

/** A trade with deterministic values derived from `i` (id `t<i>`). */
export function tradeAt(instrument: string, t0: number, i: number, stepMs = 1000): Trade {
  return {
    type: 'trade',
    instrument,
    exchangeTs: t0 + i * stepMs - 2,
    localTs: t0 + i * stepMs,
    id: `t${i}`,
    price: (100 + i / 100).toFixed(2),
    size: '0.125',
    side: i % 2 === 0 ? 'buy' : 'sell',
  };
}

/**
 * A loopback TCP proxy to `target`. `cut()` destroys every open connection and refuses new ones (clients
 * see the server vanish); `restore()` accepts again. Listens on a random free port.
 */
export class TcpProxy {
  private server: net.Server | null = null;
  private readonly sockets = new Set<net.Socket>();
  private refusing = false;
  /** Listening port (after `start()`). */
  port = 0;
  /** Connections accepted and forwarded so far. */
  connections = 0;

  constructor(
    private readonly targetHost: string,
    private readonly targetPort: number,
  ) {}

  /** Start listening on 127.0.0.1 with a free port. */
  async start(): Promise<number> {
    const server = net.createServer((client) => this.onClient(client));
    this.server = server;
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    this.port = (server.address() as net.AddressInfo).port;
    return this.port;
  }

  private onClient(client: net.Socket): void {
    if (this.refusing) {
      client.destroy();
      return;
    }
    this.connections++;
    const upstream = net.connect(this.targetPort, this.targetHost);
    this.sockets.add(client);
    this.sockets.add(upstream);
    const drop = (): void => {
      client.destroy();
      upstream.destroy();
      this.sockets.delete(client);
      this.sockets.delete(upstream);
    };
    client.on('error', drop).on('close', drop);
    upstream.on('error', drop).on('close', drop);
    client.pipe(upstream);
    upstream.pipe(client);
  }

  /** Destroy open connections and refuse new ones until `restore()`. */
  cut(): void {
    this.refusing = true;
    for (const s of this.sockets) s.destroy();
    this.sockets.clear();
  }

  /** Accept connections again. */
  restore(): void {
    this.refusing = false;
  }

  /** Close everything. */
  async stop(): Promise<void> {
    this.cut();
    const server = this.server;
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
    this.server = null;
  }
}

/** Poll `cond` every `everyMs` until it returns true; throws after `timeoutMs` (a hang guard, not a timing assertion). */
export async function waitFor(
  cond: () => boolean | Promise<boolean>,
  what: string,
  timeoutMs = 20_000,
  everyMs = 20,
): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await cond())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}
