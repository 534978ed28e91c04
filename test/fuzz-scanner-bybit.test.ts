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

  it('v1 edge shapes the recording holds rarely or not at all read exactly as the JSON.parse path reads them', () => {
    const row = (r: string) =>
      `{"topic":"orderBookL2_25.BTCUSD","type":"delta","data":{${r}},"cross_seq":1,"timestamp_e6":1618677786558146}`;
    const frames = [
      // A delete row carrying a size: its size is "0" all the same.
      row(
        '"delete":[{"price":"1.5","symbol":"BTCUSD","id":15,"side":"Buy","size":3}],"update":[],"insert":[]',
      ),
      // Rows in another key order, numeric prices, a row of another symbol, transactTimeE6 ignored.
      row(
        '"update":[{"side":"Sell","size":2.25,"price":7,"id":"70"},{"price":"7.1","symbol":"X","id":71,"side":"Buy","size":"1"}],"transactTimeE6":0',
      ),
      // Lists out of parser-v1.ts's order, a row without side, a 17-digit time: the JSON.parse path decides.
      row('"insert":[],"delete":[]'),
      row('"insert":[{"price":"1","symbol":"BTCUSD","id":1,"size":1}]'),
      '{"topic":"orderBookL2_25.BTCUSD","type":"delta","data":{},"timestamp_e6":"16186777865581461"}',
      // Snapshots: rows as an array, or under order_book.
      '{"topic":"orderBook_200.100ms.BTCUSD","type":"snapshot","data":[{"price":"1","symbol":"BTCUSD","id":1,"side":"Sell","size":5}],"cross_seq":"9"}',
      '{"topic":"orderBookL2_25.BTCUSD","type":"snapshot","data":{"order_book":[{"price":"1","side":"Buy","size":0.5}]},"timestamp_e6":"1"}',
    ];
    for (const t of frames.slice(0, 2)) expect(scanBybitV1BookFrame(t, 'bybit-linear:', 7), t).not.toBeNull();
    const { diffs } = compare(new BybitV1Parser('bybit-linear'), frames, 0, mutateV1, 30);
    expect(diffs).toEqual([]);
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
