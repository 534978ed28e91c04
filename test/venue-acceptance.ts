/**
 * Acceptance harness for a venue adapter (issue 10): replay a recording through `openRecording` →
 * `Replay` → Engine, serve the same recording through the simulator to the live Connector over
 * loopback, and compare. Used by the per-venue simulator tests (src/sim/venues/<venue>.test.ts).
 */
import { Simulator, simProtocol } from '../src/sim/index.ts';
import type { FaultConfig } from '../src/sim/faults.ts';
import { Connector, SnapshotRouter } from '../src/live/connector.ts';
import { Engine } from '../src/pipeline/engine.ts';
import { InProcessBus } from '../src/bus/in-process.ts';
import { venues, venue, venueSync } from '../src/feeds/registry.ts';
import { openRecording } from '../src/recording/index.ts';
import { Replay } from '../src/replay/index.ts';
import type { BookState } from '../src/book/health.ts';
import type { RecordedFrame } from '../src/recording/types.ts';
import type { OutputTopics } from '../src/alerts/topics.ts';
import { waitFor } from './sim-fixtures.ts';

/** A book's levels as wire strings, best first, both sides (the comparison unit). */
export type BookImage = { bids: [string, string][]; asks: [string, string][] };

/** Every book of an engine as an image of its top `depth` levels. */
export function bookImages(engine: Engine, depth = 1_000_000): Map<string, BookImage> {
  const out = new Map<string, BookImage>();
  for (const [id, b] of engine.books) out.set(id, b.book.topStrings(depth) as BookImage);
  return out;
}

/** Replay a recording (files or directories) with the registry venues. */
export async function replayRecording(paths: string[]): Promise<Replay> {
  const replay = new Replay(await openRecording(paths));
  await replay.run();
  return replay;
}

/** Frames of a recording, merged by local time. */
export async function recordingFrames(paths: string[]): Promise<RecordedFrame[]> {
  const out: RecordedFrame[] = [];
  for await (const f of await openRecording(paths)) out.push(f);
  return out;
}

/** What a simulator → connector run gives. */
export interface SimRun {
  engine: Engine;
  sim: Simulator;
  conn: Connector;
  /** Each instrument's states, in order of change. */
  states: Map<string, BookState[]>;
}

/**
 * Serve `frames` through the simulator (venue protocol, `max` speed or `speed`) to a live Connector for
 * `symbols`, wait until the timeline ended and every frame sent arrived, then stop both.
 */
export async function simulatorRun(
  venueId: string,
  frames: readonly RecordedFrame[],
  symbols: readonly string[],
  opts: { faults?: FaultConfig; speed?: 'max' | number } = {},
): Promise<SimRun> {
  const sim = await Simulator.start({
    protocol: simProtocol(venueId),
    frames,
    speed: opts.speed ?? 'max',
    ...(opts.faults ? { faults: opts.faults } : {}),
  });
  const router = new SnapshotRouter();
  const states = new Map<string, BookState[]>();
  const engine = new Engine({
    sync: venueSync(venues),
    bus: new InProcessBus<OutputTopics>(),
    onSnapshotNeeded: router.handle,
    onStateChange: (b) => states.set(b.instrument, [...(states.get(b.instrument) ?? []), b.health.state]),
  });
  const conn = new Connector({
    adapter: venue(venueId),
    engine,
    symbols,
    wsUrl: sim.wsUrl,
    restUrl: sim.restUrl,
  });
  router.add(conn);
  conn.start();
  try {
    await sim.finished;
    await waitFor(() => conn.stats.frames >= sim.stats.framesSent, 'every frame sent to arrive', 30_000);
    // REST snapshots in flight at the end land before the books are read.
    await waitFor(
      () => [...engine.books.values()].every((b) => b.state === 'live' || b.state === 'invalid'),
      'every book to settle',
      10_000,
    ).catch(() => {});
  } finally {
    await conn.stop();
    await sim.close();
  }
  return { engine, sim, conn, states };
}
