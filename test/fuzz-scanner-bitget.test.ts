/**
 * The Bitget frame scanner (BitgetParser's fast path for `books*` pushes, src/feeds/bitget/scanner.ts)
 * must be invisible: on every recorded frame of both markets (v1, as recorded, and as the simulator
 * rewrites them into v2 with `seq` and a top-level `ts`) and on tens of thousands of seeded mutations,
 * `parse()` returns exactly what the JSON.parse path (`parseJson`) returns (same events, same field
 * order, same wire strings), or throws the same typed error; and a book fed the scanned snapshots and
 * deltas (levels parsed while scanning, asks first) ends level for level as one fed the JSON.parse
 * path's.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { BASE_PIECES, applyBoth, compare, mutator, recordedTexts, scanEach } from './scanner-fuzz.ts';
import { BitgetParser } from '../src/feeds/bitget/parser.ts';
import { scanBitgetFrame } from '../src/feeds/bitget/scanner.ts';
import { BitgetSimProtocol } from '../src/sim/venues/bitget.ts';

const mutate = mutator([
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
]);

/** A `books*` push (not a subscribe acknowledgement of that channel). */
const BOOK_PUSH = /^{"action":"\w+","arg":{[^}]*"channel":"books/;

/**
 * A push and shapes of it the venue may send too: the checksum unsigned or absent, `ts` a number, a
 * depth-limited channel (a whole image), bids before asks, an empty side.
 */
function variants(t: string): string[] {
  return [
    t,
    t.replace(/"checksum":(-\d+)/, (_, c: string) => `"checksum":${Number(c) + 2 ** 32}`),
    t.replace(/,"checksum":-?\d+/, ''),
    t.replace(/"ts":"(\d+)"/, '"ts":$1'),
    t.replace('"channel":"books"', '"channel":"books15"'),
    t.replace(/"asks":(\[.*?\]\]),"bids":(\[.*?\]\])/, '"bids":$2,"asks":$1'),
    t.replace(/"asks":\[.*?\]\]/, '"asks":[]'),
  ];
}

/** Recorded frames of both markets, v1 as recorded and the simulator's v2 rewrite of each. */
const all: string[] = [];
let books: string[] = [];

beforeAll(async () => {
  for (const venue of ['bitget', 'bitget-futures'] as const) {
    const v1 = await recordedTexts(venue);
    const sim = new BitgetSimProtocol(venue);
    const v2 = v1.map((text) => sim.wire({ kind: 'ws', text, localTs: 0 }));
    all.push(...v1, ...v2.filter((t, i) => t !== v1[i]));
  }
  books = all.filter((t) => BOOK_PUSH.test(t));
});

const parser = new BitgetParser();

describe('Bitget frame scanner (books pushes, v1 and v2)', () => {
  it('reads every recorded book push itself (and its variants), as the JSON.parse path does, levels tagged', () => {
    const { scanned, declined, diffs, untagged } = scanEach(books.flatMap(variants), scanBitgetFrame, parser);
    expect(declined.slice(0, 3)).toEqual([]);
    expect(diffs.slice(0, 3)).toEqual([]);
    expect(untagged.slice(0, 3)).toEqual([]);
    expect(scanned).toBeGreaterThan(8000);
  });

  it('returns exactly what the JSON.parse path returns on the recordings and 20,000 mutations', () => {
    const { compared, accepted, diffs } = compare(parser, books, 16, mutate, 11);
    expect(diffs).toEqual([]);
    expect(compared).toBeGreaterThan(20_000);
    expect(accepted).toBeGreaterThan(5_000);
    // The other frames (acknowledgements, trades, tickers, candles) only ever take the JSON.parse path.
    const rest = compare(
      parser,
      all.filter((t) => !BOOK_PUSH.test(t)),
      2,
      mutate,
      12,
    );
    expect(rest.diffs).toEqual([]);
  });

  it('a book fed by the scanned pushes (asks parsed first, laid out bids first) matches one fed by the JSON.parse path', () => {
    const { applied, rejected, tagged } = applyBoth(parser, books, 2, mutate, 13);
    expect(applied).toBeGreaterThan(1500);
    expect(tagged).toBeGreaterThan(1500);
    expect(rejected).toBeGreaterThan(20);
  });
});
