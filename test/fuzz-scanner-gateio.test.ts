/**
 * The Gate.io frame scanner (GateioParser's fast path for order-book frames, src/feeds/gateio/scanner.ts)
 * must be invisible: on every recorded frame of both markets (spot `order_book_update` with `[p, s]`
 * levels, futures with `{p, s}` levels and integer sizes; and each as the simulator rewrites it into
 * Order Book V2 `obu`, incremental and full) and on tens of thousands of seeded mutations, `parse()`
 * returns exactly what the JSON.parse path (`parseJson`) returns (same events, same field order, same
 * wire strings), or throws the same typed error; and a book fed the scanned events (levels parsed while
 * scanning, futures asks first) ends level for level as one fed the JSON.parse path's.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { BASE_PIECES, applyBoth, compare, mutator, recordedTexts, scanEach } from './scanner-fuzz.ts';
import { GateioParser } from '../src/feeds/gateio/parser.ts';
import { scanGateioFrame } from '../src/feeds/gateio/scanner.ts';
import { GateioSimProtocol } from '../src/sim/venues/gateio.ts';

const mutate = mutator([
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
]);

/** A book frame (not a subscribe acknowledgement of that channel). */
const BOOK_FRAME =
  /^{"time":\d+,(?:"time_ms":\d+,)?"channel":"(?:spot|futures)\.(?:order_book_update|obu)","event":"update"/;

/**
 * A book frame and shapes of it the venue may send too: with `"error":null`, without `time_ms`, sizes
 * as strings, bids before asks (futures), and an `obu` frame made a full book (with `full` first or
 * last) or said not to be one.
 */
function variants(t: string): string[] {
  const out = [
    t,
    t.replace(',"result":', ',"error":null,"result":'),
    t.replace(/,"time_ms":\d+/, ''),
    t.replace(/"s":(\d+)\}/g, '"s":"$1"}'),
    t.replace(/"a":(\[[^\]]*\]),"b":(\[[^\]]*\])/, '"b":$2,"a":$1'),
  ];
  if (t.includes('.obu"'))
    out.push(
      t.replace('"result":{', '"result":{"full":true,'),
      t.replace(/}}$/, ',"full":true}}'),
      t.replace(/}}$/, ',"full":false}}'),
    );
  return out;
}

/** Recorded frames of both markets, as recorded and as the simulator's `obu` rewrite of each. */
const all: string[] = [];
let books: string[] = [];

beforeAll(async () => {
  for (const venue of ['gateio', 'gateio-futures'] as const) {
    const recorded = await recordedTexts(venue);
    const sim = new GateioSimProtocol(venue, 'obu');
    const obu = recorded.map((text) => sim.wire({ kind: 'ws', text, localTs: 0 }));
    all.push(...recorded, ...obu.filter((t, i) => t !== recorded[i]));
  }
  books = all.filter((t) => BOOK_FRAME.test(t));
});

const parser = new GateioParser();

describe('Gate.io frame scanner (order_book_update and obu, spot and futures)', () => {
  it('reads every recorded book frame itself (and its variants), as the JSON.parse path does, levels tagged', () => {
    const { scanned, declined, diffs, untagged } = scanEach(books.flatMap(variants), scanGateioFrame, parser);
    expect(declined.slice(0, 3)).toEqual([]);
    expect(diffs.slice(0, 3)).toEqual([]);
    expect(untagged.slice(0, 3)).toEqual([]);
    expect(scanned).toBeGreaterThan(5000);
  });

  it('returns exactly what the JSON.parse path returns on the recordings and 40,000 mutations', () => {
    const { compared, accepted, diffs } = compare(parser, books, 40, mutate, 17);
    expect(diffs).toEqual([]);
    expect(compared).toBeGreaterThan(40_000);
    expect(accepted).toBeGreaterThan(5_000);
    // The other frames (acknowledgements, trades, tickers, book_ticker) only take the JSON.parse path.
    const rest = compare(
      parser,
      all.filter((t) => !BOOK_FRAME.test(t)),
      4,
      mutate,
      18,
    );
    expect(rest.diffs).toEqual([]);
  });

  it('a book fed by the scanned frames (futures asks parsed first, laid out bids first) matches one fed by the JSON.parse path', () => {
    const { applied, rejected, tagged } = applyBoth(parser, books, 3, mutate, 19);
    expect(applied).toBeGreaterThan(1000);
    expect(tagged).toBeGreaterThan(1000);
    expect(rejected).toBeGreaterThan(5);
  });
});
