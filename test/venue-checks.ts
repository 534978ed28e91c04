/**
 * The issue-10 acceptance checks shared by the venue tests, on top of the harness in
 * test/venue-acceptance.ts: replay with every book live, simulator → connector books equal to the
 * replay's, and one dropped or corrupted update resyncing exactly that book.
 */
import { expect } from 'vitest';
import type { Engine } from '../src/pipeline/engine.ts';
import type { BookCounters } from '../src/book/health.ts';
import { bookImages, recordingFrames, replayRecording, simulatorRun } from './venue-acceptance.ts';

/** Counters and state of every book of an engine, by instrument id. */
export function counters(engine: Engine): Map<string, BookCounters & { state: string }> {
  return new Map([...engine.books].map(([id, b]) => [id, { ...b.health.counters, state: b.state }]));
}

/** Replay `paths` and expect every book live with no gap, crossed/locked book, resync or drop. */
export async function expectCleanReplay(paths: string[]): Promise<Engine> {
  const { engine } = await replayRecording(paths);
  for (const [id, x] of counters(engine))
    expect([id, x.state, x.gaps, x.crossedBooks, x.lockedBooks, x.resyncs, x.dropped]).toEqual([
      id,
      'live',
      0,
      0,
      0,
      0,
      0,
    ]);
  expect(engine.dropped).toEqual({});
  return engine;
}

/**
 * Serve `paths` to a connector subscribed to `symbols`: every book live with no gap, resync or crossed
 * book, and each equal (every level) to the replay's final book.
 */
export async function expectLoopbackEqualsReplay(
  venue: string,
  paths: string[],
  symbols: readonly string[],
): Promise<void> {
  const replayed = bookImages((await replayRecording(paths)).engine);
  const { engine } = await simulatorRun(venue, await recordingFrames(paths), symbols);
  const live = bookImages(engine);
  expect(live.size).toBe(replayed.size);
  for (const [id, img] of replayed) expect(live.get(id), id).toEqual(img);
  for (const [id, c] of counters(engine))
    expect([id, c.state, c.gaps, c.resyncs, c.crossedBooks]).toEqual([id, 'live', 0, 0, 0]);
}

/**
 * Serve `paths` with one explicit fault on `symbol`'s `n`-th depth frame (`dropNth` or `corruptNth`):
 * exactly that instrument resyncs once (every other book never), every book ends live and equal to the
 * replay's. Returns the hit book's counters (and the connector's resubscribes) for venue checks.
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
  const replayed = bookImages((await replayRecording(paths)).engine);
  const run = await simulatorRun(venue, await recordingFrames(paths), symbols, {
    speed,
    faults: { [fault]: [{ symbol, n }] },
  });
  expect(run.sim.faults[fault === 'dropNth' ? 'drop' : 'corrupt']).toBe(1);
  const hitId = `${venue}:${symbol}`;
  const all = counters(run.engine);
  for (const [id, x] of all) expect([id, x.state, x.resyncs]).toEqual([id, 'live', id === hitId ? 1 : 0]);
  const live = bookImages(run.engine);
  for (const [id, img] of replayed) expect(live.get(id), id).toEqual(img);
  return { ...all.get(hitId)!, resubscribes: run.conn.stats.resubscribes };
}

/** One line of replay figures for a venue: books, frames, snapshots, deltas, trades, gaps, crossed. */
export function replaySummary(engine: Engine, venue: string): string {
  const c = [...counters(engine).values()];
  const sum = (k: 'snapshots' | 'deltasApplied' | 'trades' | 'gaps' | 'crossedBooks' | 'staleDeltas') =>
    c.reduce((n, x) => n + x[k], 0);
  return (
    `${venue}: ${c.length} books (${c.filter((x) => x.state === 'live').length} live), ${engine.frames[venue] ?? 0} frames, ` +
    `${sum('snapshots')} snapshots, ${sum('deltasApplied')} deltas, ${sum('staleDeltas')} stale, ` +
    `${sum('trades')} trades, ${sum('gaps')} gaps, ${sum('crossedBooks')} crossed`
  );
}
