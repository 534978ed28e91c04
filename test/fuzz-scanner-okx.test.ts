/**
 * The OKX frame scanner (src/feeds/okx/scanner.ts: the parser's fast path for book pushes, read without
 * JSON.parse) must be invisible: on the okx-2022-05 recording, v5-shaped pushes derived from it, and
 * tens of thousands of seeded mutations, `parse()` returns exactly what the JSON.parse path
 * (`parseJson`) returns (same events, same field order, same four-string wire levels), or throws the same
 * typed error; and a book fed by the scanner's events (levels parsed while scanning, asks first) ends
 * level for level where one fed by the JSON.parse path's events does.
 */
import { describe, expect, it, beforeAll } from 'vitest';
import { BASE_PIECES, applyBoth, compare, mutator, recordedTexts } from './scanner-fuzz.ts';
import { OkxV5Parser } from '../src/feeds/okx/parser-v5.ts';
import { Okx2022Parser } from '../src/feeds/okx/parser-2022.ts';
import { scanOkxBookFrame } from '../src/feeds/okx/scanner.ts';

/**
 * Today's OKX shape derived from a recorded 2022 book push: `prevSeqId`/`seqId` appended to the data
 * object (as OKX API v5 "Order book channel" sends them), or for `books5` the channel renamed, `action`
 * dropped and `instId` added to the data object.
 */
function okxV5Shape(frame: string, k: number, books5: boolean): string {
  if (!books5)
    return frame.replace(/\}\]\}$/, `,"prevSeqId":${k === 0 ? -1 : 100 + k},"seqId":${101 + k}}]}`);
  const instId = /"instId":"([^"]+)"/.exec(frame)![1]!;
  return frame
    .replace('"channel":"books"', '"channel":"books5"')
    .replace(/,"action":"\w+"/, '')
    .replace(/\}\]\}$/, `,"instId":"${instId}","seqId":${101 + k}}]}`);
}

describe('OKX frame scanner (books snapshot/update, 2022 and v5 shapes)', () => {
  const mutate = mutator([
    ...BASE_PIECES,
    '"seqId":1,',
    '"prevSeqId":-1,',
    '"x":1,',
    '"ts":"1",',
    '"checksum":-1,',
    '"0",',
    '"asks":[],',
    '"action":"update",',
  ]);
  let books: string[] = [];
  let all: string[] = [];
  beforeAll(async () => {
    all = await recordedTexts('okx');
    books = all.filter((t) => t.includes('"channel":"books"') && t.includes('"data"'));
  });

  it('reads every recorded book push itself (the fast path is taken), four-string levels kept', () => {
    expect(books.length).toBeGreaterThan(250);
    for (const t of books) {
      const e = scanOkxBookFrame(t, 'okx:', 7, true);
      expect(e, t.slice(0, 120)).not.toBeNull();
      expect(e!.asks.concat(e!.bids).every((l) => l.length === 4)).toBe(true);
    }
  });

  it('2022 generation: returns exactly what the JSON.parse path returns on the recording and 20,000+ mutations', () => {
    const { compared, accepted, diffs } = compare(new Okx2022Parser('okx'), all, 50, mutate, 21);
    expect(diffs).toEqual([]);
    expect(compared).toBeGreaterThan(20_000);
    expect(accepted).toBeGreaterThan(2_000);
  });

  it('v5 generation (seqId/prevSeqId, books5): returns exactly what the JSON.parse path returns, mutations included', () => {
    const v5 = books
      .map((t, k) => okxV5Shape(t, k, false))
      .concat(books.map((t, k) => okxV5Shape(t, k, true)));
    for (const t of v5) expect(scanOkxBookFrame(t, 'okx:', 7, false), t.slice(0, 120)).not.toBeNull();
    // A 2022-generation connection declines pushes with seqId (its JSON.parse path throws `unsupported`).
    expect(scanOkxBookFrame(v5[0]!, 'okx:', 7, true)).toBeNull();
    const { compared, accepted, diffs } = compare(new OkxV5Parser('okx'), v5, 20, mutate, 22);
    expect(diffs).toEqual([]);
    expect(compared).toBeGreaterThan(10_000);
    expect(accepted).toBeGreaterThan(1_000);
  });

  it('a book fed by the scanned pushes (asks parsed first, laid out bids first) matches one fed by the JSON.parse path', () => {
    const { applied, rejected, tagged } = applyBoth(new Okx2022Parser('okx'), books, 4, mutate, 23);
    expect(applied).toBeGreaterThan(500);
    expect(tagged).toBeGreaterThan(400);
    expect(rejected).toBeGreaterThan(10);
  });
});
