/**
 * Timeline marks of a replay session on a recording with a real sequence gap: the Binance spot recording
 * of 2024-08-08 with one depth diff removed (written to a temp folder, gzip, same format). The opening
 * pass marks the gap at the recorded time of the first diff after the hole, on the instrument; the book
 * then resyncs no more (a replay cannot fetch a snapshot). Seeking across the gap gives the books of an
 * uninterrupted run on both sides (live before, resyncing after), and the session at the end of the
 * recording shows the book `invalid`, as `depthwatch replay` does.
 */
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { beforeAll, describe, expect, it } from 'vitest';
import { InProcessBus } from '../src/bus/in-process.ts';
import { openRecording } from '../src/recording/open.ts';
import { Replay } from '../src/replay/replay.ts';
import { ReplaySessionCore } from '../src/replay/session.ts';
import { createStore } from '../src/store/store-factory.ts';

const SRC = '../shared/data/binance-hftbacktest/spot/btcusdt_20240808.gz';
const SPOT = 'binance:BTCUSDT';

let file: string;
/** Local time (ms) of the diff after the removed one: where the gap is seen. */
let gapAt: number;

beforeAll(() => {
  const lines = gunzipSync(readFileSync(SRC)).toString('utf8').split('\n');
  // The 20th depth diff after line 5000 goes missing.
  let seen = 0;
  let cut = -1;
  for (let i = 5000; i < lines.length; i++)
    if (lines[i]!.includes('"depthUpdate"') && ++seen === 20) {
      cut = i;
      break;
    }
  let next = cut + 1;
  while (!lines[next]!.includes('"depthUpdate"')) next++;
  gapAt = Number(lines[next]!.slice(0, lines[next]!.indexOf(' '))) / 1e6;
  lines.splice(cut, 1);
  const dir = join(mkdtempSync(join(tmpdir(), 'dw-gap-')), 'spot');
  mkdirSync(dir);
  file = join(dir, 'btcusdt_20240808.gz');
  writeFileSync(file, gzipSync(lines.join('\n')));
});

/** The spot book of an uninterrupted run over every frame at or before `to`. */
async function reference(to: number): Promise<unknown> {
  const rec = await openRecording([file]);
  const r = new Replay(rec, { engine: { computeMetrics: false } });
  for await (const f of rec) {
    if (f.localTs > to) break;
    r.apply(f);
  }
  const b = r.engine.books.get(SPOT)!;
  return {
    state: b.state,
    reason: b.health.reasonCode,
    sequence: b.health.sequence,
    ...b.book.topStrings(1000),
  };
}

describe('replay session marks', () => {
  it('marks the gap, seeks across it like an uninterrupted run, and ends the book invalid', async () => {
    const store = await createStore({ url: 'memory', flushIntervalMs: 1000, retentionDays: 0 });
    await store.init();
    const s = await ReplaySessionCore.open('g', [file], [file], {
      bus: new InProcessBus(),
      store,
      checkpointEveryMs: 5000,
      engine: { computeMetrics: false },
    });
    try {
      const gaps = s.marks.filter((m) => m.kind === 'gap');
      expect(gaps).toHaveLength(1);
      expect(gaps[0]).toMatchObject({ instrument: SPOT, ts: gapAt });
      expect(gaps[0]!.detail).toMatch(/gap/);
      const book = (): unknown => {
        const b = s.replay.engine.books.get(SPOT)!;
        return {
          state: b.state,
          reason: b.health.reasonCode,
          sequence: b.health.sequence,
          ...b.book.topStrings(1000),
        };
      };
      await s.control({ seekTo: gapAt + 30_000 });
      const after = await reference(gapAt + 30_000);
      expect(after).toMatchObject({ state: 'resyncing' });
      expect(book()).toEqual(after);
      await s.control({ seekTo: gapAt - 1 });
      const before = await reference(gapAt - 1);
      expect(before).toMatchObject({ state: 'live' });
      expect(book()).toEqual(before);
      // Played to the end: no snapshot came, the book ends invalid with the gap as its reason.
      await s.control({ seekTo: s.end - 1000, speed: 'max' });
      await new Promise<void>((res) => {
        s.onUpdate((v) => v.state === 'ended' && res());
        void s.control({ state: 'playing' });
      });
      expect(s.replay.engine.books.get(SPOT)!.health).toMatchObject({ state: 'invalid', reasonCode: 'gap' });
    } finally {
      await s.close();
      await store.close();
    }
  }, 60_000);
});
