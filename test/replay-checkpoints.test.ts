/**
 * Seeks of a replay session (src/replay/session.ts) on the recording of every venue (venue-recordings
 * table): book checkpoints restored into a fresh pipeline, the frames before them skimmed by the parsers
 * (venues whose parsers keep state across frames: Bitfinex channel ids, BitMEX order ids...), then played
 * to the target, give the same books as an uninterrupted run to that time — state, sequence and every
 * level as wire strings — seeking to the middle, to the end, and back to the middle.
 */
import { describe, expect, it } from 'vitest';
import { InProcessBus } from '../src/bus/in-process.ts';
import { openRecording } from '../src/recording/open.ts';
import { Replay } from '../src/replay/replay.ts';
import { ReplaySessionCore } from '../src/replay/session.ts';
import { createStore } from '../src/store/store-factory.ts';
import { VENUE_RECORDINGS } from '../src/app/venue-recordings.ts';
import type { Engine } from '../src/pipeline/engine.ts';

/**
 * Every book of an engine that has seen a frame: state, sequence, levels. (A session lists every
 * instrument of its recording from the start: books not reached yet are `connecting` with no frame.)
 */
function books(e: Engine): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [id, b] of [...e.books].sort(([a], [c]) => a.localeCompare(c))) {
    if (b.health.counters.frames === 0) continue;
    const n = Math.max(b.book.bids.length, b.book.asks.length);
    out[id] = { state: b.state, sequence: b.health.sequence, ...b.book.topStrings(n) };
  }
  return out;
}

/** The books of an uninterrupted run over every frame at or before `to`. */
async function reference(files: readonly string[], to: number): Promise<Record<string, unknown>> {
  const rec = await openRecording([...files]);
  const r = new Replay(rec, { engine: { computeMetrics: false } });
  for await (const f of rec) {
    if (f.localTs > to) break;
    r.apply(f);
  }
  return books(r.engine);
}

const venues = Object.entries(VENUE_RECORDINGS).filter(([, files]) => files.length > 0);

describe('replay session seeks equal an uninterrupted run, every venue', () => {
  it.each(venues)(
    '%s',
    async (_venue, files) => {
      const store = await createStore({ url: 'memory', flushIntervalMs: 1000, retentionDays: 0 });
      await store.init();
      const s = await ReplaySessionCore.open('t', files, files, {
        bus: new InProcessBus(),
        store,
        checkpointEveryMs: 1000,
        engine: { computeMetrics: false },
      });
      try {
        expect(s.instruments.length).toBeGreaterThan(0);
        const mid = s.start + (s.end - s.start) / 2;
        await s.control({ seekTo: mid });
        expect(books(s.replay.engine)).toEqual(await reference(files, mid));
        const atEnd = await reference(files, s.end);
        await s.control({ seekTo: s.end });
        expect(books(s.replay.engine)).toEqual(atEnd);
        expect(s.checkpointCount).toBeGreaterThan(0);
        await s.control({ seekTo: mid });
        expect(books(s.replay.engine)).toEqual(await reference(files, mid));
      } finally {
        await s.close();
        await store.close();
      }
    },
    60_000,
  );
});
