/**
 * Test harness shared by the venue simulator tests (src/sim/venues/*.test.ts): serve recorded frames
 * through the simulator to the live connector over loopback, replay the same frames directly, and compare
 * the final books level by level.
 */
import { Simulator, type SimulatorOptions } from '../src/sim/simulator.ts';
import { simProtocol } from '../src/sim/protocols.ts';
import { Connector, SnapshotRouter } from '../src/live/connector.ts';
import { Engine } from '../src/pipeline/engine.ts';
import { InProcessBus } from '../src/bus/in-process.ts';
import { venue as venueOf, venues, venueSync } from '../src/feeds/registry.ts';
import { openRecording } from '../src/recording/index.ts';
import { Replay } from '../src/replay/index.ts';
import type { RecordedFrame } from '../src/recording/types.ts';
import type { SimProtocol } from '../src/sim/types.ts';
import type { VenueAdapter } from '../src/feeds/types.ts';
import type { OutputTopics } from '../src/alerts/topics.ts';
import { waitFor } from './sim-fixtures.ts';

/** A live run: simulator + connector + engine, stopped with `stop()`. */
export interface LiveRun {
  sim: Simulator;
  conn: Connector;
  engine: Engine;
  stop(): Promise<void>;
}

/**
 * Start a simulator for `venue` on `frames` and a connector on `symbols`, and wait until the timeline has
 * ended and every frame sent has arrived (plus `settle`, a condition checked until true, e.g. a resynced
 * book live again).
 */
export async function runLive(opts: {
  venue: string;
  frames: readonly RecordedFrame[];
  symbols: readonly string[];
  speed?: SimulatorOptions['speed'];
  faults?: SimulatorOptions['faults'];
  hold?: SimulatorOptions['hold'];
  settle?: (engine: Engine) => boolean;
  /** Another protocol instance / client adapter than the registry's (a venue's other book channel). */
  protocol?: SimProtocol;
  adapter?: VenueAdapter;
  /** Connector's wait for an in-stream snapshot before it resubscribes, ms (default 10 000). */
  snapshotTimeoutMs?: number;
}): Promise<LiveRun> {
  const adapter = opts.adapter ?? venueOf(opts.venue);
  const sim = await Simulator.start({
    protocol: opts.protocol ?? simProtocol(opts.venue),
    frames: opts.frames,
    speed: opts.speed ?? 'max',
    ...(opts.faults ? { faults: opts.faults } : {}),
    ...(opts.hold ? { hold: opts.hold } : {}),
  });
  const router = new SnapshotRouter();
  const engine = new Engine({
    sync: new Map([...venueSync(venues), [adapter.id, adapter.sync]]),
    bus: new InProcessBus<OutputTopics>(),
    onSnapshotNeeded: router.handle,
  });
  const conn = new Connector({
    adapter,
    engine,
    symbols: opts.symbols,
    wsUrl: sim.wsUrl,
    restUrl: sim.restUrl,
    snapshotRetry: { baseMs: 20, maxMs: 200 },
    reconnect: { baseMs: 20, maxMs: 200 },
    ...(opts.snapshotTimeoutMs ? { snapshotTimeoutMs: opts.snapshotTimeoutMs } : {}),
  });
  router.add(conn);
  const stop = async (): Promise<void> => {
    await conn.stop();
    await sim.close();
  };
  conn.start();
  try {
    await sim.finished;
    await waitFor(() => conn.stats.frames >= sim.stats.framesSent, 'every frame sent to arrive', 30_000);
    if (opts.settle) await waitFor(() => opts.settle!(engine), 'the books to settle', 10_000);
  } catch (e) {
    await stop();
    throw e;
  }
  return { sim, conn, engine, stop };
}

/** Replay recording paths through `Replay` (the reference result). */
export async function replayPaths(paths: string[]): Promise<Engine> {
  const r = new Replay(await openRecording(paths));
  await r.run();
  return r.engine;
}

/**
 * The book of every instrument of `venue` in an engine as wire strings (for equality), limited to the
 * price range `coverageOf` knows exactly (its coverage: a REST snapshot of N levels says nothing beyond
 * its worst level, so two books synced from snapshots taken at different moments agree only inside it).
 */
export function finalBooks(
  engine: Engine,
  venue: string,
  coverageOf: Engine = engine,
): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [id, b] of engine.books) {
    if (!id.startsWith(`${venue}:`)) continue;
    const cov = coverageOf.books.get(id)?.health.coverage ?? { bidFloor: NaN, askCeiling: NaN };
    const top = b.book.topStrings(Number.MAX_SAFE_INTEGER);
    out[id] = {
      state: b.state,
      bids: top.bids.filter((l) => !(Number(l[0]) < cov.bidFloor)),
      asks: top.asks.filter((l) => !(Number(l[0]) > cov.askCeiling)),
    };
  }
  return out;
}

/**
 * Write frames as a cryptofeed capture in `dir` (`<FEED>.ws.1.0` for WebSocket frames, `<FEED>.http.0.0`
 * for REST bodies), so a generated timeline goes through the project's own reader and replay.
 * @returns the written file paths
 */
export async function writeCryptofeedCapture(
  dir: string,
  feed: string,
  frames: readonly RecordedFrame[],
): Promise<string[]> {
  const { writeFile } = await import('node:fs/promises');
  const ts = (ms: number) => (ms / 1000).toFixed(6);
  const ws = frames.filter((f) => f.kind === 'ws').map((f) => `${ts(f.localTs)}: ${f.text}`);
  const rest = frames
    .filter((f) => f.kind === 'rest')
    .map((f) => `${f.url ?? ''} -> ${ts(f.localTs)}: ${f.text}`);
  const paths = [`${dir}/${feed}.ws.1.0`, `${dir}/${feed}.http.0.0`];
  await writeFile(paths[0]!, ws.join('\n') + '\n');
  await writeFile(paths[1]!, rest.join('\n') + '\n');
  return paths;
}
