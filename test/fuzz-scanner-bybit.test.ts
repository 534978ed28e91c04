/**
 * The Bybit frame scanners (src/feeds/bybit/scanner.ts: the v1 and v5 parsers' fast paths for book
 * frames, read without JSON.parse) must be invisible: on the bybit-2021-04 v1 recording, the bybit-v5
 * ob500 sample and tens of thousands of seeded mutations, `parse()` returns exactly what the JSON.parse
 * path (`parseJson`) returns (same events, same field order, same wire strings), or throws the same typed
 * error; and a book fed by the scanner's events (levels parsed while scanning) ends level for level
 * where one fed by the JSON.parse path's events does.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it, beforeAll } from 'vitest';
import { BASE_PIECES, applyBoth, compare, mutator, recordedTexts } from './scanner-fuzz.ts';
import { SHARED_DATA } from '../src/app/venue-recordings.ts';
import { BybitV1Parser } from '../src/feeds/bybit/parser-v1.ts';
import { BybitV5Parser } from '../src/feeds/bybit/parser-v5.ts';
import { scanBybitV1BookFrame, scanBybitV5BookFrame } from '../src/feeds/bybit/scanner.ts';

describe('Bybit frame scanners (v1 orderBookL2_25, v5 orderbook)', () => {
  const mutateV1 = mutator([
    ...BASE_PIECES,
    '"size":1,',
    '"size":"2",',
    '"side":"Sell",',
    '"price":1.5,',
    '"id":12,',
    '"delete":[],',
    '"x":1,',
    '"type":"snapshot",',
  ]);
  const mutateV5 = mutator([
    ...BASE_PIECES,
    '"u":1,',
    '"seq":1,',
    '"b":[],',
    '"ts":"1",',
    '"x":1,',
    '"type":"delta",',
  ]);
  let v1: string[] = [];
  let v5: string[] = [];
  beforeAll(async () => {
    v1 = (await recordedTexts('bybit-linear')).slice(0, 3000);
    v5 = readFileSync(`${SHARED_DATA}/bybit-v5/2024-12-01_XRPUSDT_ob500.data`, 'utf8')
      .split(/\r?\n/)
      .filter((l) => l.startsWith('{'));
  });

  it('reads every recorded book frame itself (the fast path is taken)', () => {
    const bookV1 = v1.filter((t) => t.startsWith('{"topic":"orderBookL2_25.'));
    expect(bookV1.length).toBeGreaterThan(2000);
    for (const t of bookV1)
      expect(scanBybitV1BookFrame(t, 'bybit-linear:', 7), t.slice(0, 120)).not.toBeNull();
    expect(v5.length).toBeGreaterThan(40);
    for (const t of v5) expect(scanBybitV5BookFrame(t, 'bybit-linear:', 7), t.slice(0, 120)).not.toBeNull();
  });

  it('v1: returns exactly what the number-quoting JSON.parse path returns on the recording and 30,000 mutations', () => {
    const { compared, accepted, diffs } = compare(new BybitV1Parser('bybit-linear'), v1, 10, mutateV1, 31);
    expect(diffs).toEqual([]);
    expect(compared).toBeGreaterThan(29_000);
    expect(accepted).toBeGreaterThan(3_000);
  });

  it('v5: returns exactly what the JSON.parse path returns on the ob500 sample and 10,000 mutations', () => {
    const { compared, accepted, diffs } = compare(new BybitV5Parser('bybit-linear'), v5, 200, mutateV5, 32);
    expect(diffs).toEqual([]);
    expect(compared).toBeGreaterThan(9_000);
    expect(accepted).toBeGreaterThan(1_000);
  });

  it('books fed by the scanned frames (v1 rows of both sides interleaved; v5) match books fed by the JSON.parse path', () => {
    const a = applyBoth(new BybitV1Parser('bybit-linear'), v1, 3, mutateV1, 33);
    expect(a.applied).toBeGreaterThan(5_000);
    expect(a.tagged).toBeGreaterThan(4_500);
    expect(a.rejected).toBeGreaterThan(50);
    const b = applyBoth(new BybitV5Parser('bybit-linear'), v5, 20, mutateV5, 34);
    expect(b.applied).toBeGreaterThan(300);
    expect(b.tagged).toBeGreaterThan(150);
  });
});
