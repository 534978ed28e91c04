/**
 * The Gate.io frame scanner (GateioParser's fast path for order-book frames, src/feeds/gateio/scanner.ts)
 * must be invisible: on every recorded frame of both markets (spot `order_book_update` with `[p, s]`
 * levels, futures with `{p, s}` levels and integer sizes; and each as the simulator rewrites it into
 * Order Book V2 `obu`, incremental and full) and on tens of thousands of seeded mutations, `parse()`
 * returns exactly what the JSON.parse path returns (same events, same field order, same wire strings), or
 * throws the same typed error; and a book fed the scanned deltas ends level for level as one fed the
 * JSON.parse path's.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { mulberry32 as rng } from '../src/util/prng.ts';
import { GateioParser } from '../src/feeds/gateio/parser.ts';
import { scanGateioFrame } from '../src/feeds/gateio/scanner.ts';
import { GateioSimProtocol } from '../src/sim/venues/gateio.ts';
import { L2Book } from '../src/book/l2-book.ts';
import { levelScratch } from '../src/book/level-scratch.ts';
import type { BookDelta, MarketEvent, VenueId } from '../src/core/model.ts';
import {
  BASE_PIECES,
  applyOutcome,
  bookLevels,
  mutate,
  outcome,
  recordedWsTexts,
} from './scanner-fuzz-kit.ts';

/** Gate.io keys and values a mutation may insert besides the base pieces. */
const PIECES = [
  ...BASE_PIECES,
  '"U":1,',
  '"t":1,',
  '"full":true,',
  '"x":1,',
  '"error":null,',
  '"error":1,',
  'null',
  '{"p":"1","s":1},',
  '["1","1"],',
  '"s":"1",',
  '9007199254740993',
  '"',
];

/** A book frame (not a subscribe acknowledgement of that channel). */
const BOOK_FRAME =
  /^{"time":\d+,(?:"time_ms":\d+,)?"channel":"(?:spot|futures)\.(?:order_book_update|obu)","event":"update"/;

/**
 * A book frame and shapes of it the venue may send too: with `"error":null`, without `time_ms`, and
 * an `obu` frame made a full book (with `full` first or last).
 */
function variants(t: string): string[] {
  const out = [t, t.replace(',"result":', ',"error":null,"result":'), t.replace(/,"time_ms":\d+/, '')];
  if (t.includes('.obu"'))
    out.push(
      t.replace('"result":{', '"result":{"full":true,'),
      t.replace(/}}$/, ',"full":true}}'),
      t.replace(/}}$/, ',"full":false}}'),
    );
  return out;
}

/** Recorded frames of both markets, as recorded and as the simulator's `obu` rewrite of each. */
const sets: { venue: VenueId; frames: string[] }[] = [];

beforeAll(async () => {
  for (const venue of ['gateio', 'gateio-futures'] as const) {
    const recorded = await recordedWsTexts(venue);
    const sim = new GateioSimProtocol(venue, 'obu');
    const obu = recorded.map((text) => sim.wire({ kind: 'ws', text, localTs: 0 }));
    sets.push({ venue, frames: [...recorded, ...obu.filter((t, i) => t !== recorded[i])] });
  }
});

const parser = new GateioParser();
const slow = (t: string): readonly MarketEvent[] => parser.parseJson(t, 7);

describe('GateioParser frame scanner (order_book_update and obu, spot and futures)', () => {
  it('reads every recorded book frame itself (and its variants), as the JSON.parse path does', () => {
    let scanned = 0;
    const declined: string[] = [];
    const untagged: string[] = [];
    const diffs: string[] = [];
    for (const { frames } of sets)
      for (const t of frames.filter((f) => BOOK_FRAME.test(f)).flatMap(variants)) {
        // The scanner reads it (no fallback), and its event is the JSON.parse path's.
        const e = scanGateioFrame(t, 7);
        if (e?.type === 'book_delta' && (levelScratch.bids !== e.bids || levelScratch.asks !== e.asks))
          untagged.push(t.slice(0, 200)); // its levels did not all parse exactly while scanned
        if (e === null) declined.push(t.slice(0, 200));
        else if (JSON.stringify(outcome(() => [e])) !== JSON.stringify(outcome(() => slow(t))))
          diffs.push(t.slice(0, 200));
        scanned++;
      }
    expect(declined.slice(0, 3)).toEqual([]);
    expect(untagged.slice(0, 3)).toEqual([]);
    expect(diffs.slice(0, 3)).toEqual([]);
    expect(scanned).toBeGreaterThan(3000);
  });

  it('returns exactly what the JSON.parse path returns on real frames and 40,000 mutations', () => {
    const r = rng(17);
    let compared = 0;
    let mutatedAccepted = 0;
    const diffs: string[] = [];
    for (const { frames } of sets)
      for (const frame of frames) {
        const n = BOOK_FRAME.test(frame) ? 40 : 4;
        for (let k = 0; k <= n; k++) {
          const t = k === 0 ? frame : mutate(frame, r, PIECES);
          const fast = JSON.stringify(outcome(() => parser.parse(t, 7)));
          if (k > 0) compared++;
          if (k > 0 && scanGateioFrame(t, 7) !== null) mutatedAccepted++; // the scanner read it
          if (fast !== JSON.stringify(outcome(() => slow(t)))) diffs.push(t.slice(0, 300));
        }
      }
    expect(diffs.slice(0, 3)).toEqual([]);
    expect(compared).toBeGreaterThan(40_000);
    expect(mutatedAccepted).toBeGreaterThan(4000);
  });

  it('applies a scanned delta (levels parsed while scanning) exactly as the JSON.parse path delta', () => {
    const r = rng(19);
    let applied = 0;
    let tagged = 0;
    let rejected = 0;
    const diffs: string[] = [];
    for (const { frames } of sets) {
      const fastBooks = new Map<string, L2Book>();
      const slowBooks = new Map<string, L2Book>();
      const bookOf = (m: Map<string, L2Book>, id: string): L2Book =>
        m.get(id) ?? m.set(id, new L2Book()).get(id)!;
      for (const frame of frames) {
        if (!BOOK_FRAME.test(frame)) continue;
        for (const t of [
          frame,
          mutate(frame, r, PIECES),
          mutate(frame, r, PIECES),
          mutate(frame, r, PIECES),
        ]) {
          let f: MarketEvent | undefined;
          let s: MarketEvent | undefined;
          try {
            f = parser.parse(t, 7)[0];
            s = slow(t)[0];
          } catch {
            continue; // a rejected frame: compared by the test above
          }
          if (f?.type !== 'book_delta' || s?.type !== 'book_delta') continue;
          if (levelScratch.bids === f.bids && levelScratch.asks === f.asks) tagged++;
          const a = JSON.stringify(applyOutcome(bookOf(fastBooks, f.instrument), f));
          const b = JSON.stringify(applyOutcome(bookOf(slowBooks, s.instrument), s as BookDelta));
          if (a.startsWith('{"err"')) rejected++;
          else applied++;
          if (a !== b) diffs.push(`${t.slice(0, 200)}: ${a.slice(0, 100)} vs ${b.slice(0, 100)}`);
        }
      }
      expect(fastBooks.size).toBeGreaterThan(5);
      for (const [id, b] of fastBooks) expect(bookLevels(b)).toEqual(bookLevels(slowBooks.get(id)!));
    }
    expect(diffs.slice(0, 3)).toEqual([]);
    expect(applied).toBeGreaterThan(1500);
    expect(tagged).toBeGreaterThan(1000); // the scanner's parsed levels were used, not re-validated
    expect(rejected).toBeGreaterThan(5);
  });
});
