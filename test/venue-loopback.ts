/**
 * Test helpers for the venue acceptance tests (issue 10): replay a recording through the registry venues,
 * serve it with the venue's simulator protocol to the live connector over loopback, and compare books.
 */
import { expect } from 'vitest';
import { Engine } from '../src/pipeline/engine.ts';
import { InProcessBus } from '../src/bus/in-process.ts';
import { venues, venue as venueOf, venueSync } from '../src/feeds/registry.ts';
import { openRecording } from '../src/recording/index.ts';
import type { RecordedFrame } from '../src/recording/types.ts';
import { Replay } from '../src/replay/index.ts';
import { Connector, SnapshotRouter } from '../src/live/connector.ts';
import { Simulator, type SimulatorOptions } from '../src/sim/simulator.ts';
import { simProtocol } from '../src/sim/protocols.ts';
import type { OutputTopics } from '../src/alerts/topics.ts';
import type { BookCounters } from '../src/book/health.ts';
import { waitFor } from './sim-fixtures.ts';

/** A book as compared between runs: state and every level (wire strings). */
export interface BookImage {
  state: string;
  bids: [string, string][];
  asks: [string, string][];
}

/** State and all levels of every book of an engine, by instrument id. */
export function bookImages(engine: Engine): Map<string, BookImage> {
  const out = new Map<string, BookImage>();
  for (const [id, b] of engine.books) {
    const top = b.book.topStrings(Number.MAX_SAFE_INTEGER);
    out.set(id, { state: b.state, bids: top.bids, asks: top.asks });
  }
  return out;
}

/** Counters of every book, by instrument id. */
export function counters(engine: Engine): Map<string, BookCounters & { state: string }> {
  return new Map([...engine.books].map(([id, b]) => [id, { ...b.health.counters, state: b.state }]));
}

/** Replay recording files (any format `replay` reads) through the registry venues at max speed. */
export async function replayRecording(paths: string[]): Promise<Engine> {
  const replay = new Replay(await openRecording(paths));
  await replay.run();
  return replay.engine;
}

/** Every frame of the recording files, merged by local time. */
export async function recordedFrames(paths: string[]): Promise<RecordedFrame[]> {
  const out: RecordedFrame[] = [];
  for await (const f of await openRecording(paths)) out.push(f);
  return out;
}

/** A simulator serving a recording to a live connector of the same venue, over loopback. */
export interface Loopback {
  sim: Simulator;
  conn: Connector;
  engine: Engine;
  /** Wait for the timeline's end and for every frame sent to have arrived, then `settle` ms more. */
  finish(settleMs?: number): Promise<void>;
  close(): Promise<void>;
}

/** Start the venue's simulator on `frames` and a connector subscribed to `symbols`. */
export async function loopback(
  venue: string,
  frames: readonly RecordedFrame[],
  symbols: readonly string[],
  sim: Omit<SimulatorOptions, 'protocol' | 'frames'> = {},
): Promise<Loopback> {
  const s = await Simulator.start({ protocol: simProtocol(venue), frames, speed: 'max', ...sim });
  const router = new SnapshotRouter();
  const engine = new Engine({
    sync: venueSync(venues),
    bus: new InProcessBus<OutputTopics>(),
    onSnapshotNeeded: router.handle,
  });
  const conn = new Connector({
    adapter: venueOf(venue),
    engine,
    symbols,
    wsUrl: s.wsUrl,
    restUrl: s.restUrl,
  });
  router.add(conn);
  conn.start();
  return {
    sim: s,
    conn,
    engine,
    async finish(settleMs = 200) {
      await s.finished;
      await waitFor(() => conn.stats.frames >= s.stats.framesSent, 'every frame sent to arrive', 30_000);
      await new Promise((r) => setTimeout(r, settleMs));
      await waitFor(() => conn.stats.frames >= s.stats.framesSent, 'late replies to arrive', 30_000);
    },
    async close() {
      await conn.stop();
      await s.close();
    },
  };
}

/**
 * Serve `paths` to a connector subscribed to `symbols` and check the acceptance of issue 10: every book
 * live with no gap, resync or crossed book, and each equal (state and every level) to the replay's.
 */
export async function expectLoopbackEqualsReplay(
  venue: string,
  paths: string[],
  symbols: readonly string[],
): Promise<void> {
  const replayed = bookImages(await replayRecording(paths));
  const lb = await loopback(venue, await recordedFrames(paths), symbols);
  try {
    await lb.finish();
    const live = bookImages(lb.engine);
    expect(live.size).toBe(replayed.size);
    for (const [id, img] of replayed) expect(live.get(id), id).toEqual(img);
    for (const [id, c] of counters(lb.engine))
      expect([id, c.state, c.gaps, c.resyncs, c.crossedBooks]).toEqual([id, 'live', 0, 0, 0]);
  } finally {
    await lb.close();
  }
}

/**
 * Serve `paths` with one explicit fault on `symbol`'s `n`-th depth frame (`dropNth` or `corruptNth`) and
 * check that exactly that instrument resynced once (every other book never), that every book ends live
 * and equal to the replay's. Returns the hit book's counters for venue-specific checks.
 */
export async function expectOnlyThatBookResyncs(
  venue: string,
  paths: string[],
  symbols: readonly string[],
  fault: 'dropNth' | 'corruptNth',
  symbol: string,
  n: number,
  speed: number,
): Promise<BookCounters & { state: string; resubscribes: number }> {
  const replayed = bookImages(await replayRecording(paths));
  const lb = await loopback(venue, await recordedFrames(paths), symbols, {
    speed,
    faults: { [fault]: [{ symbol, n }] },
  });
  try {
    await lb.finish(300);
    expect(lb.sim.faults[fault === 'dropNth' ? 'drop' : 'corrupt']).toBe(1);
    const hitId = `${venue}:${symbol}`;
    const all = counters(lb.engine);
    for (const [id, x] of all) expect([id, x.state, x.resyncs]).toEqual([id, 'live', id === hitId ? 1 : 0]);
    const live = bookImages(lb.engine);
    for (const [id, img] of replayed) expect(live.get(id), id).toEqual(img);
    return { ...all.get(hitId)!, resubscribes: lb.conn.stats.resubscribes };
  } finally {
    await lb.close();
  }
}
