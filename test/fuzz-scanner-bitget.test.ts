/**
 * The Bitget frame scanner (BitgetParser's fast path for `books*` pushes, src/feeds/bitget/scanner.ts)
 * must be invisible: on every recorded frame of both markets (v1, as recorded, and as the simulator
 * rewrites them into v2 with `seq` and a top-level `ts`) and on tens of thousands of seeded mutations,
 * `parse()` returns exactly what the JSON.parse path returns (same events, same field order, same wire
 * strings), or throws the same typed error; and a book fed the scanned deltas ends level for level as
 * one fed the JSON.parse path's.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { mulberry32 as rng } from '../src/util/prng.ts';
import { BitgetParser } from '../src/feeds/bitget/parser.ts';
import { scanBitgetFrame } from '../src/feeds/bitget/scanner.ts';
import { BitgetSimProtocol } from '../src/sim/venues/bitget.ts';
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

/** Bitget keys and values a mutation may insert besides the base pieces. */
const PIECES = [
  ...BASE_PIECES,
  '"seq":1,',
  '"ts":"1",',
  '"checksum":1,',
  '"x":1,',
  '"asks":[],',
  'null',
  '{"asks":[],"bids":[]},',
  '"ts":1,',
  '4294967296',
  '-2147483649',
];

/** Recorded frames of both markets, v1 as recorded and the simulator's v2 rewrite of each. */
const sets: { venue: VenueId; frames: string[] }[] = [];

beforeAll(async () => {
  for (const venue of ['bitget', 'bitget-futures'] as const) {
    const v1 = await recordedWsTexts(venue);
    const sim = new BitgetSimProtocol(venue);
    const v2 = v1.map((text) => sim.wire({ kind: 'ws', text, localTs: 0 }));
    sets.push({ venue, frames: [...v1, ...v2.filter((t, i) => t !== v1[i])] });
  }
});

/** A `books*` push (not a subscribe acknowledgement of that channel). */
const BOOK_PUSH = /^{"action":"\w+","arg":{[^}]*"channel":"books/;

/**
 * A push and shapes of it the venue may send too: the checksum unsigned or absent, `ts` a number, a
 * depth-limited channel (a whole image).
 */
function variants(t: string): string[] {
  return [
    t,
    t.replace(/"checksum":(-\d+)/, (_, c: string) => `"checksum":${Number(c) + 2 ** 32}`),
    t.replace(/,"checksum":-?\d+/, ''),
    t.replace(/"ts":"(\d+)"/, '"ts":$1'),
    t.replace('"channel":"books"', '"channel":"books15"'),
  ];
}

const parser = new BitgetParser();
const slow = (t: string): readonly MarketEvent[] => parser.parseJson(t, 7);

describe('BitgetParser frame scanner (books pushes, v1 and v2)', () => {
  it('reads every recorded book push itself (and its variants), as the JSON.parse path does', () => {
    let scanned = 0;
    const declined: string[] = [];
    const untagged: string[] = [];
    const diffs: string[] = [];
    for (const { frames } of sets)
      for (const t of frames.filter((f) => BOOK_PUSH.test(f)).flatMap(variants)) {
        // The scanner reads it (no fallback), and its event is the JSON.parse path's.
        const e = scanBitgetFrame(t, 7);
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
    expect(scanned).toBeGreaterThan(6000);
  });

  it('returns exactly what the JSON.parse path returns on real frames and 20,000 mutations', () => {
    const r = rng(11);
    let compared = 0;
    let mutatedAccepted = 0;
    const diffs: string[] = [];
    for (const { frames } of sets)
      for (const frame of frames) {
        const book = BOOK_PUSH.test(frame);
        const n = book ? 16 : 2;
        for (let k = 0; k <= n; k++) {
          const t = k === 0 ? frame : mutate(frame, r, PIECES);
          const fast = JSON.stringify(outcome(() => parser.parse(t, 7)));
          if (k > 0) compared++;
          if (k > 0 && scanBitgetFrame(t, 7) !== null) mutatedAccepted++; // the scanner read it
          if (fast !== JSON.stringify(outcome(() => slow(t)))) diffs.push(t.slice(0, 300));
        }
      }
    expect(diffs.slice(0, 3)).toEqual([]);
    expect(compared).toBeGreaterThan(20_000);
    expect(mutatedAccepted).toBeGreaterThan(5000);
  });

  it('applies a scanned delta (levels parsed while scanning) exactly as the JSON.parse path delta', () => {
    const r = rng(13);
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
        if (!BOOK_PUSH.test(frame)) continue;
        for (const t of [frame, mutate(frame, r, PIECES), mutate(frame, r, PIECES)]) {
          let f: MarketEvent | undefined;
          let s: MarketEvent | undefined;
          try {
            f = parser.parse(t, 7)[0];
            s = slow(t)[0];
          } catch {
            continue; // a rejected frame: compared by the test above
          }
          if (f?.type === 'book_snapshot' && s?.type === 'book_snapshot') {
            for (const [m, e] of [
              [fastBooks, f],
              [slowBooks, s],
            ] as const)
              try {
                bookOf(m, e.instrument).applySnapshot(e.bids, e.asks);
              } catch {
                // the same error on both: the books stay as they were
              }
            continue;
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
      expect(fastBooks.size).toBeGreaterThan(1);
      for (const [id, b] of fastBooks) expect(bookLevels(b)).toEqual(bookLevels(slowBooks.get(id)!));
    }
    expect(diffs.slice(0, 3)).toEqual([]);
    expect(applied).toBeGreaterThan(1500);
    expect(tagged).toBeGreaterThan(1000); // the scanner's parsed levels were used, not re-validated
    expect(rejected).toBeGreaterThan(5);
  });
});
