/**
 * Helpers of the frame-scanner equality tests (test/fuzz-scanner*.test.ts): a parse outcome in a
 * comparable form, seeded mutations of real frames, the recorded frames of a venue, and the two checks
 * (fast path vs JSON.parse path: events, and books fed by each).
 */
import { expect } from 'vitest';
import { MalformedFrameError } from '../src/core/errors.ts';
import { mulberry32 as rng } from '../src/util/prng.ts';
import { openRecording } from '../src/recording/index.ts';
import { VENUE_RECORDINGS } from '../src/app/venue-recordings.ts';
import { L2Book } from '../src/book/l2-book.ts';
import { levelScratch } from '../src/book/level-scratch.ts';
import type { BookDelta, BookSnapshot, MarketEvent, VenueId } from '../src/core/model.ts';

/**
 * The outcome of a parse as a plain value to compare with JSON.stringify: the events and each event's
 * key order, or the thrown error's class, code and message.
 */
export function outcome(f: () => unknown): unknown {
  try {
    const v = f();
    return { ok: v, keys: (v as object[]).map((e) => Object.keys(e).join()) };
  } catch (e) {
    return {
      err: (e as Error).constructor.name,
      code: (e as MalformedFrameError).code,
      msg: (e as Error).message,
    };
  }
}

/** Characters every mutator splices in (JSON punctuation, digits, whitespace, escapes, non-ASCII). */
export const BASE_PIECES = [
  '"',
  '\\',
  ' ',
  ',',
  ':',
  '[',
  ']',
  '{',
  '}',
  '0',
  '1',
  '.',
  'e',
  '-',
  '\u0001',
  'é',
  '\ud800',
];

/** Tokens that replace a long number of a frame (the mutator's fifth kind). */
const NUMBER_SWAPS = ['1.0', '1e3', '01', '9999999999999999', '-1', '"1"', 'null', '0'];

/**
 * A seeded frame mutator: truncate, replace or insert one of `pieces` at a random place, delete 1-3
 * characters, or swap the first 6+ digit number for another token, each with probability 1/5.
 * @param pieces the texts spliced in (BASE_PIECES plus venue keys)
 */
export function mutator(pieces: readonly string[]): (t: string, r: () => number) => string {
  return (t, r) => {
    const k = Math.floor(r() * 5);
    if (k === 0) return t.slice(0, Math.floor(r() * t.length));
    const at = Math.floor(r() * t.length);
    const piece = pieces[Math.floor(r() * pieces.length)]!;
    if (k === 1) return t.slice(0, at) + piece + t.slice(at + 1); // replace one character
    if (k === 2) return t.slice(0, at) + piece + t.slice(at); // insert
    if (k === 3) return t.slice(0, at) + t.slice(at + 1 + Math.floor(r() * 3)); // delete
    return t.replace(/\d{6,}/, NUMBER_SWAPS[Math.floor(r() * NUMBER_SWAPS.length)]!);
  };
}

/** A parser with the fast path (`parse`) and the reference JSON.parse path (`parseJson`). */
export interface TwoPathParser {
  parse(text: string, localTs: number): readonly MarketEvent[];
  parseJson(text: string, localTs: number): readonly MarketEvent[];
}

/** The WebSocket frame texts of a venue's recordings (src/app/venue-recordings.ts). */
export async function recordedTexts(venue: VenueId): Promise<string[]> {
  const out: string[] = [];
  for await (const f of await openRecording([...VENUE_RECORDINGS[venue]!], { venue }))
    if (f.kind === 'ws') out.push(f.text);
  return out;
}

/**
 * Compare `parse` with `parseJson` on each frame and `perFrame` mutations of it.
 * @returns the mutated frames compared, those the fast path accepted, and the first differences
 */
export function compare(
  p: TwoPathParser,
  frames: readonly string[],
  perFrame: number,
  mutate: (t: string, r: () => number) => string,
  seed: number,
): { compared: number; accepted: number; diffs: string[] } {
  const r = rng(seed);
  let compared = 0;
  let accepted = 0;
  const diffs: string[] = [];
  for (const frame of frames) {
    const texts = [frame];
    for (let k = 0; k < perFrame; k++) texts.push(mutate(frame, r));
    for (const t of texts) {
      const fast = outcome(() => p.parse(t, 7));
      const slow = outcome(() => p.parseJson(t, 7));
      if (t !== frame) {
        compared++;
        if ('ok' in (fast as object)) accepted++;
      }
      if (JSON.stringify(fast) !== JSON.stringify(slow) && diffs.length < 3)
        diffs.push(
          `${t.slice(0, 300)}\n  fast ${JSON.stringify(fast).slice(0, 300)}\n  slow ${JSON.stringify(slow).slice(0, 300)}`,
        );
    }
  }
  return { compared, accepted, diffs };
}

/**
 * Feed two books, one with the fast path's events and one with the JSON.parse path's, on each frame and
 * `perFrame` mutations: every applied delta's parsed levels (or error) and the final books must match.
 * @returns deltas applied, rejected by the book, and events (deltas, snapshots) the scanner tagged the
 *   scratch with (applied without a second validation)
 */
export function applyBoth(
  p: TwoPathParser,
  frames: readonly string[],
  perFrame: number,
  mutate: (t: string, r: () => number) => string,
  seed: number,
): { applied: number; rejected: number; tagged: number } {
  const r = rng(seed);
  const fastBook = new L2Book();
  const slowBook = new L2Book();
  let applied = 0;
  let rejected = 0;
  let tagged = 0;
  const diffs: string[] = [];
  const apply = (b: L2Book, e: MarketEvent): string => {
    try {
      if (e.type === 'book_snapshot') {
        b.applySnapshot(e.bids, e.asks);
        return JSON.stringify([b.top(1e9), b.topStrings(1e9)]);
      }
      if (e.type !== 'book_delta') return 'other';
      b.applyDelta(e.bids, e.asks);
      const l = b.lastDeltaLevels();
      return JSON.stringify(l === null ? null : Array.from(l.keys.subarray(0, l.end)).concat(l.bidEnd));
    } catch (err) {
      return `err ${(err as Error).constructor.name} ${(err as Error).message}`;
    }
  };
  for (const frame of frames) {
    const texts = [frame];
    for (let k = 0; k < perFrame; k++) texts.push(mutate(frame, r));
    for (const t of texts) {
      let fast: readonly MarketEvent[];
      let slow: readonly MarketEvent[];
      try {
        fast = p.parse(t, 7);
        slow = p.parseJson(t, 7);
      } catch {
        continue; // compared by the equality test
      }
      if (fast.length !== 1 || slow.length !== 1) continue;
      const f = fast[0]!;
      const book = f.type === 'book_delta' || f.type === 'book_snapshot';
      if (book && levelScratch.bids === f.bids && levelScratch.asks === f.asks) tagged++;
      const a = apply(fastBook, f);
      const b = apply(slowBook, slow[0]!);
      if (f.type === 'book_delta') {
        if (a.startsWith('err')) rejected++;
        else applied++;
      }
      if (a !== b && diffs.length < 3)
        diffs.push(`${t.slice(0, 200)}: ${a.slice(0, 100)} vs ${b.slice(0, 100)}`);
    }
  }
  expect(diffs).toEqual([]);
  const n = Math.max(fastBook.bids.length, fastBook.asks.length, slowBook.bids.length, slowBook.asks.length);
  expect(fastBook.topStrings(n)).toEqual(slowBook.topStrings(n));
  expect(fastBook.top(n)).toEqual(slowBook.top(n));
  return { applied, rejected, tagged };
}

/**
 * Every frame through a scanner alone (no fallback), against the parser's JSON.parse path: the frames
 * it declined (null), the ones whose event differs from that path's, and the ones it read without
 * tagging the level scratch with the event's own level arrays (the first 200 characters of each), and
 * how many it read. A scanner that covers a venue's book frames leaves the three lists empty.
 */
export function scanEach(
  frames: readonly string[],
  scan: (text: string, localTs: number) => BookDelta | BookSnapshot | null,
  parser: TwoPathParser,
): { scanned: number; declined: string[]; diffs: string[]; untagged: string[] } {
  let scanned = 0;
  const declined: string[] = [];
  const untagged: string[] = [];
  const diffs: string[] = [];
  for (const t of frames) {
    const e = scan(t, 7);
    if (e === null) declined.push(t.slice(0, 200));
    else if (JSON.stringify(outcome(() => [e])) !== JSON.stringify(outcome(() => parser.parseJson(t, 7))))
      diffs.push(t.slice(0, 200));
    else if (levelScratch.bids !== e.bids || levelScratch.asks !== e.asks) untagged.push(t.slice(0, 200));
    scanned++;
  }
  return { scanned, declined, diffs, untagged };
}
