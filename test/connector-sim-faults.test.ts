/**
 * Fault injection end to end: simulator (Binance USD-M protocol) → loopback → connector → engine.
 * Each test checks the book leaves `live` exactly when it must, resyncs through the simulator's REST
 * snapshot and ends equal to a direct replay of the same recording.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { Simulator } from '../src/sim/simulator.ts';
import type { FaultConfig } from '../src/sim/faults.ts';
import { simProtocol } from '../src/sim/protocols.ts';
import { Connector, SnapshotRouter, type ConnectorOptions } from '../src/live/connector.ts';
import { Engine } from '../src/pipeline/engine.ts';
import { InProcessBus } from '../src/bus/in-process.ts';
import { venues, venue, venueSync } from '../src/feeds/registry.ts';
import type { RecordedFrame } from '../src/recording/types.ts';
import { directReplay, memoryLogger, loadRecording, waitFor } from './sim-fixtures.ts';
import type { OutputTopics } from '../src/alerts/topics.ts';

const USDM = '../shared/data/binance-hftbacktest/usdm/btcusdt_20240808.gz';
const CM = '../shared/data/binance-hftbacktest/cm/btcusd_perp_20240808.gz';
const BTC = 'binance-usdm:BTCUSDT';
const PERP = 'binance-usdm:BTCUSD_PERP';

const usdm = await loadRecording([USDM], 8000);
const end = usdm.at(-1)!.localTs;
// The COIN-M recording over the same minutes, served on the same connection as a second symbol.
const perp = (await loadRecording([CM], 8000)).filter((f) => f.localTs <= end);
const merged = [...usdm, ...perp].sort((a, b) => a.localTs - b.localTs);

interface Rig {
  sim: Simulator;
  engine: Engine;
  conn: Connector;
  log: ReturnType<typeof memoryLogger>;
  /** State transitions per instrument, as seen by the engine. */
  states: Map<string, string[]>;
  /** Oracle checks done on each instrument when it (re)entered `live`. */
  oracleAtLive: Map<string, number[]>;
}

let rig: Rig | null = null;

afterEach(async () => {
  await rig?.conn.stop();
  await rig?.sim.close();
  rig = null;
});

async function start(
  frames: RecordedFrame[],
  symbols: string[],
  faults: FaultConfig,
  extra: Partial<ConnectorOptions> = {},
): Promise<Rig> {
  const sim = await Simulator.start({ protocol: simProtocol('binance-usdm'), frames, hold: 'ack', faults });
  const router = new SnapshotRouter();
  const states = new Map<string, string[]>();
  const oracleAtLive = new Map<string, number[]>();
  const engine = new Engine({
    sync: venueSync(venues),
    bus: new InProcessBus<OutputTopics>(),
    onSnapshotNeeded: router.handle,
    onStateChange: (b) => {
      const l = states.get(b.instrument) ?? [];
      l.push(b.state);
      states.set(b.instrument, l);
      if (b.state === 'live')
        oracleAtLive.set(b.instrument, [
          ...(oracleAtLive.get(b.instrument) ?? []),
          b.health.counters.oracleChecked,
        ]);
    },
  });
  const log = memoryLogger();
  const conn = new Connector({
    adapter: venue('binance-usdm'),
    engine,
    symbols,
    wsUrl: sim.wsUrl,
    restUrl: sim.restUrl,
    logger: log,
    reconnect: { baseMs: 20, maxMs: 200 },
    snapshotRetry: { baseMs: 20, maxMs: 200 },
    onSnapshot: (instrument, ok) => ok && sim.ack(instrument.split(':')[1]!),
    ...extra,
  });
  router.add(conn);
  conn.start();
  rig = { sim, engine, conn, log, states, oracleAtLive };
  return rig;
}

/**
 * Wait for the end of the recording and for every book to stand live at the reference's final sequence
 * (frames written just before a simulated disconnect may be lost with the socket, so frame counts are
 * not a completion signal).
 */
async function settle(r: Rig, reference: Engine): Promise<void> {
  await r.sim.finished;
  await waitFor(
    () =>
      [...reference.books].every(([id, ref]) => {
        const b = r.engine.books.get(id);
        return b !== undefined && b.state === 'live' && b.health.sequence === ref.health.sequence;
      }),
    'books live at the final sequence',
  );
}

describe('connector against injected faults', () => {
  it('a dropped depth frame makes only that instrument resync via REST, then it matches the oracle again', async () => {
    const reference = directReplay(merged, 'binance-usdm');
    const r = await start(merged, ['BTCUSDT', 'BTCUSD_PERP'], { dropNth: [{ symbol: 'BTCUSDT', n: 300 }] });
    const engine = r.engine;
    await settle(r, reference);
    const btc = engine.books.get(BTC)!;
    const other = engine.books.get(PERP)!;
    expect(r.sim.faults.drop).toBe(1);
    expect(r.states.get(BTC)).toEqual(['syncing', 'live', 'resyncing', 'live']);
    expect(btc.health.counters.gaps).toBe(1);
    expect(btc.health.counters.snapshots).toBe(2);
    expect(btc.health.reasonCode).toBeNull();
    expect(btc.health.reason).toBeNull();
    expect(btc.health.lastResyncAt).not.toBeNull();
    // The second instrument on the same connection never left live.
    expect(r.states.get(PERP)).toEqual(['syncing', 'live']);
    expect(other.health.counters.resyncs).toBe(0);
    // Same final books as the fault-free direct replay; the oracle agrees after the resync too.
    expect(btc.book.topStrings(20)).toEqual(reference.books.get(BTC)!.book.topStrings(20));
    expect(other.book.topStrings(20)).toEqual(reference.books.get(PERP)!.book.topStrings(20));
    const c = btc.health.counters;
    const backLive = r.oracleAtLive.get(BTC)![1]!;
    expect(c.oracleChecked).toBeGreaterThan(backLive); // checks made after the resync...
    expect(c.oracleMatched).toBe(c.oracleChecked); // ...all matched
    expect(c.oracleChecked).toBeLessThanOrEqual(reference.books.get(BTC)!.health.counters.oracleChecked);
    expect(r.conn.stats.restRequests).toBe(3); // two initial syncs + one resync
    expect(r.log.lines.filter((l) => l.msg === 'snapshot fetched')).toHaveLength(3);
  });

  it('after the simulator disconnects, the connector reconnects, resubscribes and resyncs every book', async () => {
    const reference = directReplay(merged, 'binance-usdm');
    const r = await start(merged, ['BTCUSDT', 'BTCUSD_PERP'], { disconnectAtFrame: [6000] });
    await settle(r, reference);
    expect(r.sim.faults.disconnect).toBe(1);
    expect(r.conn.stats.disconnects).toBe(1);
    expect(r.conn.stats.connects).toBe(2);
    expect(r.sim.stats.connections).toBe(2);
    for (const id of [BTC, PERP]) {
      const b = r.engine.books.get(id)!;
      expect(b.health.counters.resyncs).toBe(1);
      expect(b.health.counters.snapshots).toBe(2);
      expect(b.health.counters.gaps).toBe(0);
      expect(b.book.topStrings(20)).toEqual(reference.books.get(id)!.book.topStrings(20));
    }
    const btc = r.engine.books.get(BTC)!.health.counters;
    expect(btc.oracleMatched).toBe(btc.oracleChecked);
    const msgs = r.log.lines.map((l) => l.msg);
    expect(msgs).toContain('connected');
    expect(msgs).toContain('disconnected');
    expect(msgs).toContain('reconnected and resubscribed');
    expect(r.log.lines.find((l) => l.msg === 'disconnected')!.level).toBe('warn');
  });

  it('a silent (stalled) venue is detected as stale, the socket is replaced and books resync', async () => {
    const frames = usdm.slice(0, 3000);
    const r = await start(
      frames,
      ['BTCUSDT'],
      { stallAtFrame: [{ frame: 2000, ms: 1500 }] },
      { staleAfterMs: 300 },
    );
    const reference = directReplay(frames, 'binance-usdm');
    await settle(r, reference);
    expect(r.sim.faults.stall).toBe(1);
    expect(r.conn.stats.staleReconnects).toBeGreaterThanOrEqual(1);
    expect(
      r.log.lines.some((l) => l.level === 'warn' && l.msg === 'stale connection: no frame, reconnecting'),
    ).toBe(true);
    const b = r.engine.books.get(BTC)!;
    expect(b.health.counters.resyncs).toBeGreaterThanOrEqual(1);
    expect(b.book.topStrings(20)).toEqual(reference.books.get(BTC)!.book.topStrings(20));
  });

  it('malformed frames are dropped and counted, never crash, and the book recovers', async () => {
    const frames = usdm.slice(0, 6000);
    const r = await start(frames, ['BTCUSDT'], { seed: 7, corrupt: 0.01, truncate: 0.01 });
    const reference = directReplay(frames, 'binance-usdm');
    await settle(r, reference);
    const injected = [
      '{"stream":"btcusdt@depth@0ms","data":{"e":"depthUpdate","E":1,"s":"BTCUS', // truncated JSON
      '{"stream":"btcusdt@depth@0ms","data":{"e":"depthUpdate","E":1,"s":"BTCUSDT","U":"1","u":2,"pu":0,"b":[],"a":[]}}',
      '{"stream":"btcusdt@bookTicker","data":{"e":"bookTicker","u":1,"s":"BTCUSDT","b":61000,"B":"1","a":"2","A":"1"}}',
      '{"stream":"btcusdt@foo","data":{"e":"foo","s":"BTCUSDT"}}', // unknown stream
      '[1,2,3]',
      'null',
    ];
    for (const t of injected) r.sim.inject(t);
    const before = r.conn.stats.frames;
    await waitFor(() => r.conn.stats.frames === before + injected.length, 'injected frames');
    const dropped = r.engine.dropped['binance-usdm']!;
    const { corrupt, truncate } = r.sim.faults;
    expect(corrupt).toBeGreaterThan(0);
    expect(truncate).toBeGreaterThan(0);
    expect(dropped.malformed_json).toBe(truncate + 1);
    expect(dropped.invalid_field).toBe(4); // "U" string, numeric "b", array frame, null frame
    expect(dropped.unknown_stream).toBe(1);
    const b = r.engine.books.get(BTC)!;
    // Corrupted levels that reached the book are counted on it and force a resync; it ends live.
    expect(b.health.counters.dropped).toBeGreaterThanOrEqual(2); // the two injected frames naming BTCUSDT
    expect(b.health.counters.resyncs).toBeGreaterThan(0);
    expect(b.state).toBe('live');
    expect(b.health.counters.oracleMatched).toBe(b.health.counters.oracleChecked);
    expect(b.book.topStrings(20)).toEqual(reference.books.get(BTC)!.book.topStrings(20));
  });

  it('failing snapshot requests (HTTP 503) are retried with back-off until the book is live', async () => {
    const frames = usdm.slice(0, 2000);
    const r = await start(frames, ['BTCUSDT'], {
      failFirstSnapshots: 2,
      failSnapshot: { rate: 0, status: 503 },
    });
    await settle(r, directReplay(frames, 'binance-usdm'));
    expect(r.sim.faults.failSnapshot).toBe(2);
    expect(r.conn.stats.restFailures).toBe(2);
    expect(r.conn.stats.restRequests).toBe(3);
    expect(r.log.lines.filter((l) => l.msg === 'snapshot failed')).toHaveLength(2);
    expect(r.engine.books.get(BTC)!.health.counters.snapshots).toBe(1);
  });

  it('under every fault kind at once (seeded), nothing crashes and both books end equal to the reference', async () => {
    const reference = directReplay(merged, 'binance-usdm');
    const r = await start(merged, ['BTCUSDT', 'BTCUSD_PERP'], {
      seed: 2024,
      drop: 0.004,
      duplicate: 0.01,
      reorder: 0.005,
      corrupt: 0.004,
      truncate: 0.004,
      delay: { rate: 0.0005, ms: 20 },
      disconnect: 0.0002,
      slowSnapshot: { rate: 0.3, ms: 30 },
      failSnapshot: { rate: 0.2, status: 503 },
    });
    await settle(r, reference);
    const f = r.sim.faults;
    for (const k of ['drop', 'duplicate', 'reorder', 'corrupt', 'truncate'] as const)
      expect(f[k]).toBeGreaterThan(0);
    for (const id of [BTC, PERP]) {
      const b = r.engine.books.get(id)!;
      expect(b.book.topStrings(20)).toEqual(reference.books.get(id)!.book.topStrings(20));
      expect(b.health.counters.oracleMatched).toBe(b.health.counters.oracleChecked);
    }
    const btc = r.engine.books.get(BTC)!.health.counters;
    expect(btc.gaps + btc.dropped).toBeGreaterThan(0);
    expect(btc.staleDeltas).toBeGreaterThan(0); // duplicates are recognised as already applied
    expect(r.conn.stats.handlerErrors).toBe(0);
  });
});
