/**
 * Shared pieces of the frame-scanner equality tests (test/fuzz-scanner*.test.ts): a parse outcome that
 * can be compared as JSON (events with their key order, or the typed error), seeded frame mutations, and
 * the recorded WebSocket frames of a venue.
 */
import type { MalformedFrameError } from '../src/core/errors.ts';
import type { BookDelta, VenueId } from '../src/core/model.ts';
import type { L2Book } from '../src/book/l2-book.ts';
import { openRecording } from '../src/recording/index.ts';
import { VENUE_RECORDINGS } from '../src/app/venue-recordings.ts';

/**
 * What `f` (a parse) gives, comparable with JSON.stringify: `{ok: events, keys: each event's key order}`
 * or `{err: class name, code, msg}`.
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

/** Tokens every mutation may insert: JSON punctuation, digits, escapes, control and odd characters. */
export const BASE_PIECES: readonly string[] = [
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

/** Tokens a run of 6+ digits may become (the last mutation kind). */
const NUMBER_SWAPS = ['1.0', '1e3', '01', '9999999999999999', '-1', '"1"', 'null', '0'];

/**
 * One seeded mutation of `t`: truncate it, replace or insert one of `pieces` at a random place, delete
 * 1-3 characters, or swap its first run of 6+ digits for another token. Consumes the same random numbers
 * for the same choices, so a seed gives the same mutations.
 */
export function mutate(t: string, r: () => number, pieces: readonly string[]): string {
  const k = Math.floor(r() * 5);
  if (k === 0) return t.slice(0, Math.floor(r() * t.length));
  const at = Math.floor(r() * t.length);
  const piece = pieces[Math.floor(r() * pieces.length)]!;
  if (k === 1) return t.slice(0, at) + piece + t.slice(at + 1); // replace one character
  if (k === 2) return t.slice(0, at) + piece + t.slice(at); // insert
  if (k === 3) return t.slice(0, at) + t.slice(at + 1 + Math.floor(r() * 3)); // delete
  return t.replace(/\d{6,}/, NUMBER_SWAPS[Math.floor(r() * NUMBER_SWAPS.length)]!);
}

/** The WebSocket frame texts of a venue's recordings (src/app/venue-recordings.ts), in recorded order. */
export async function recordedWsTexts(venue: VenueId): Promise<string[]> {
  const out: string[] = [];
  for await (const f of await openRecording([...(VENUE_RECORDINGS[venue] ?? [])], { venue }))
    if (f.kind === 'ws') out.push(f.text);
  return out;
}

/**
 * Apply `d` to `book` as the engine does and return what can be compared: the parsed levels the book
 * kept (`lastDeltaLevels`, bid end appended; null once overwritten) or the thrown error.
 */
export function applyOutcome(book: L2Book, d: BookDelta): unknown {
  try {
    book.applyDelta(d.bids, d.asks);
    const l = book.lastDeltaLevels();
    return l === null ? null : Array.from(l.keys.subarray(0, l.end)).concat(l.bidEnd);
  } catch (e) {
    return { err: (e as Error).constructor.name, msg: (e as Error).message };
  }
}

/** Every level of both books, wire strings and parsed numbers, for an equality check. */
export function bookLevels(book: L2Book): unknown {
  const n = Math.max(book.bids.length, book.asks.length);
  return { strings: book.topStrings(n), numbers: book.top(n) };
}
