/**
 * Fuzz: >= 100,000 seeded mutations of real Binance frames (USD-M, COIN-M and spot recordings) pushed
 * through `Engine.handleFrame`. Each must leave the engine standing (no throw) and be either dropped and
 * counted (exactly when the venue parser rejects it) or handled; the books must stay well formed
 * (strictly sorted, positive finite sizes, never crossed while live).
 */
import { describe, expect, it } from 'vitest';
import { mulberry32 as rng } from '../src/util/prng.ts';
import { readFrameTexts as readFrames } from './recorded-texts.ts';
import type { Engine } from '../src/pipeline/engine.ts';
import { createPipeline } from '../src/app/pipeline.ts';
import { InProcessBus } from '../src/bus/in-process.ts';
import { binanceCoinm, binanceSpot, binanceUsdm } from '../src/feeds/binance/descriptor.ts';
import type { VenueAdapter } from '../src/feeds/types.ts';
import type { BookSide } from '../src/book/book-side.ts';
import type { OutputTopics } from '../src/alerts/topics.ts';

const MUTATIONS = 100_000;

const EVIL: unknown[] = [
  null,
  true,
  false,
  0,
  -1,
  1.5,
  2 ** 60,
  -(2 ** 60),
  1e308,
  '',
  'NaN',
  'Infinity',
  '-Infinity',
  '1e400',
  '-0',
  '-1.5',
  '0x1f',
  ' 1',
  '99999999999999999999',
  '1234567890.1234567890',
  '0.0000000000000000000000000001',
  '\u0000',
  '\ud800',
  'x'.repeat(2000),
  [],
  {},
  [[]],
  [['1']],
  [['1', '2', '3']],
  [[['1', '1']]],
  [{ p: '1', q: '1' }],
  [[1, 2]],
  [['100', '-5']],
  [['100', '1e400']],
];
const CHARS = [
  '"',
  '{',
  '}',
  '[',
  ']',
  ',',
  ':',
  '0',
  '9',
  '.',
  '-',
  'e',
  'a',
  '\\',
  '\u0000',
  '\ud800',
  '\u00ff',
  ' ',
];

type Node = Record<string, unknown> | unknown[];

/** Replace one random value somewhere inside a parsed frame. */
function replaceRandom(root: Node, r: () => number, value: () => unknown): void {
  let node: Node = root;
  for (let depth = 0; depth < 6; depth++) {
    const keys = Array.isArray(node) ? node.map((_, i) => i) : Object.keys(node);
    if (keys.length === 0) return;
    const k = keys[Math.floor(r() * keys.length)]!;
    const child = (node as Record<string | number, unknown>)[k];
    if (child !== null && typeof child === 'object' && r() < 0.6) {
      node = child as Node;
      continue;
    }
    (node as Record<string | number, unknown>)[k] = value();
    return;
  }
}

/** A few huge level arrays (2,000-8,000 levels), built once: the parse and validation cost is the point. */
const HUGE: [string, string][][] = (() => {
  const r = rng(99);
  const lists: [string, string][][] = [];
  for (const n of [2000, 5000, 8000]) {
    const out: [string, string][] = [];
    for (let i = 0; i < n; i++) out.push([(50000 + r() * 20000).toFixed(1), (r() * 10).toFixed(3)]);
    lists.push(out);
  }
  return lists;
})();

function hugeLevels(r: () => number): [string, string][] {
  return r() < 0.02 ? HUGE[Math.floor(r() * HUGE.length)]! : HUGE[0]!.slice(0, 50 + Math.floor(r() * 200));
}

/** One mutation of a real frame's text. */
function mutate(text: string, r: () => number): string {
  const kind = Math.floor(r() * 12);
  switch (kind) {
    case 0: // truncation
      return text.slice(0, Math.floor(r() * text.length));
    case 1: {
      // character flips
      let t = text;
      const n = 1 + Math.floor(r() * 4);
      for (let i = 0; i < n; i++) {
        const at = Math.floor(r() * t.length);
        t = t.slice(0, at) + CHARS[Math.floor(r() * CHARS.length)]! + t.slice(at + 1);
      }
      return t;
    }
    case 2: {
      // invalid UTF-8 bytes, decoded as a WebSocket library would (U+FFFD) or as latin1
      const b = Buffer.from(text, 'utf8');
      const n = 1 + Math.floor(r() * 3);
      for (let i = 0; i < n; i++)
        b[Math.floor(r() * b.length)] = [0xff, 0xc3, 0x80, 0xed, 0xa0][Math.floor(r() * 5)]!;
      return r() < 0.8 ? b.toString('utf8') : b.toString('latin1');
    }
    case 3: // raw non-JSON numbers where a decimal string was
      return text.replace(
        /"(\d+\.\d+)"/,
        ['NaN', 'Infinity', '1e400', '-1e400', '-0', '00.5'][Math.floor(r() * 6)]!,
      );
    case 4: // numbers in JSON that are huge, tiny or negative
      return text.replace(/"(\d+\.\d+)"/g, (m) =>
        r() < 0.2 ? ['1e400', '-1', '1e-400', '123456789012345678'][Math.floor(r() * 4)]! : m,
      );
    case 5: // wrong nesting
      return [
        `[${text}]`,
        `{"stream":"x","data":[${text}]}`,
        `{"data":${text}}`,
        `"${text.slice(0, 50)}"`,
        'null',
        '42',
        '[]',
        '{}',
      ][Math.floor(r() * 8)]!;
    default: {
      // structural: parse, replace or reshape something, stringify
      let o: Node;
      try {
        o = JSON.parse(text) as Node;
      } catch {
        return text;
      }
      const data = (o as { data?: Record<string, unknown> }).data;
      if (kind === 6 && data && Array.isArray(data.b)) data.b = hugeLevels(r);
      else if (kind === 7 && data) {
        const field = ['e', 's', 'U', 'u', 'pu', 'E', 'b', 'a', 'B', 'A', 'm', 't', 'p', 'q'][
          Math.floor(r() * 14)
        ]!;
        if (r() < 0.3) delete data[field];
        else data[field] = EVIL[Math.floor(r() * EVIL.length)];
      } else if (kind === 8 && data && Array.isArray(data.a) && data.a.length > 0) {
        // a size flipped to negative or huge
        const lv = data.a[Math.floor(r() * data.a.length)] as unknown[];
        lv[1] = ['-0.5', '1e400', '99999999999999', '0.000000000000001', '-0'][Math.floor(r() * 5)];
      } else if (kind === 9 && data) {
        // sequence games: U > u, going backwards, far ahead
        const u = Number(data.u);
        data.U = [u + 1, u - 5, u + 1_000_000, 0][Math.floor(r() * 4)];
      } else replaceRandom(o, r, () => EVIL[Math.floor(r() * EVIL.length)]);
      return JSON.stringify(o);
    }
  }
}

function dropTotal(engine: Engine): number {
  let n = 0;
  for (const v of Object.values(engine.dropped)) for (const c of Object.values(v)) n += c ?? 0;
  return n;
}

function checkSide(side: BookSide, label: string): void {
  let prev = NaN;
  for (let i = 0; i < side.length; i++) {
    const p = side.price(i);
    const s = side.size(i);
    if (!(Number.isFinite(p) && p > 0 && Number.isFinite(s) && s > 0))
      expect.fail(`${label}: level ${i} is ${p} x ${s}`);
    if (i > 0 && !(side.sign * (prev - p) > 0))
      expect.fail(`${label}: not sorted at ${i}: ${prev} then ${p}`);
    prev = p;
  }
}

describe('fuzz: mutated real frames through Engine.handleFrame', () => {
  it(
    `never throws; each of ${MUTATIONS.toLocaleString('en')} mutations is dropped and counted or handled`,
    { timeout: 120_000 },
    () => {
      const sets: { adapter: VenueAdapter; file: string }[] = [
        { adapter: binanceUsdm, file: 'usdm/btcusdt_20240808.gz' },
        { adapter: binanceCoinm, file: 'cm/btcusd_perp_20240808.gz' },
        { adapter: binanceSpot, file: 'spot/btcusdt_20240808.gz' },
      ];
      const r = rng(20240808);
      const { engine } = createPipeline({
        venues: new Map(sets.map((s) => [s.adapter.id, s.adapter])),
        bus: new InProcessBus<OutputTopics>(),
      });
      // The reference engine sees only the real frames; its book re-seeds the fuzzed one whenever a
      // mutation knocked that out of sync, so mutations keep hitting live books.
      const { engine: reference } = createPipeline({
        venues: new Map(sets.map((s) => [s.adapter.id, s.adapter])),
        bus: new InProcessBus<OutputTopics>(),
      });
      let mutations = 0;
      let dropped = 0;
      let handled = 0;
      let reseeded = 0;
      const failures: string[] = [];
      const perSet = Math.ceil(MUTATIONS / sets.length);
      for (const { adapter, file } of sets) {
        const frames = readFrames(file, 3 * perSet);
        const parser = adapter.createParser();
        const instrument = `${adapter.id}:${file.includes('cm/') ? 'BTCUSD_PERP' : 'BTCUSDT'}`;
        const feed = (text: string): void => {
          let rejected = false;
          try {
            parser.parse(text, 0);
          } catch {
            rejected = true;
          }
          const before = dropTotal(engine);
          try {
            engine.handleFrame(adapter.id, parser, text, 0);
          } catch (e) {
            failures.push(`threw ${String(e)} on ${text.slice(0, 200)}`);
          }
          const counted = dropTotal(engine) - before;
          if (counted !== (rejected ? 1 : 0))
            failures.push(
              `${rejected ? 'rejected' : 'accepted'} frame counted ${counted}: ${text.slice(0, 200)}`,
            );
          if (rejected) dropped++;
          else handled++;
        };
        let done = 0;
        for (let i = 0; i < frames.length && done < perSet; i++) {
          const text = frames[i]!;
          if (text.startsWith('{"lastUpdateId"')) {
            const snap = adapter.parseSnapshot!(text, instrument, 0);
            reference.handleEvent(snap);
            engine.handleEvent(snap);
            continue;
          }
          reference.handleFrame(adapter.id, parser, text, 0);
          const n = Math.floor(r() * 3);
          for (let k = 0; k < n && done < perSet; k++, done++, mutations++) feed(mutate(text, r));
          const fuzzed = engine.books.get(instrument);
          const ref = reference.books.get(instrument);
          if (
            i % 20 === 0 &&
            fuzzed &&
            ref &&
            fuzzed.state !== 'live' &&
            ref.state === 'live' &&
            text.includes('depthUpdate')
          ) {
            // Re-seed: a snapshot of the reference book at the last applied id, then this frame again
            // (futures: U <= id <= u applies it idempotently; spot: u <= id drops it as stale).
            const top = ref.book.topStrings(100_000);
            engine.handleEvent({
              type: 'book_snapshot',
              instrument,
              exchangeTs: NaN,
              localTs: 0,
              sequence: ref.health.sequence,
              bids: top.bids,
              asks: top.asks,
              depthLimit: 0,
            });
            reseeded++;
          }
          feed(text);
        }
        for (const b of engine.books.values()) {
          checkSide(b.book.bids, `${b.instrument} bids`);
          checkSide(b.book.asks, `${b.instrument} asks`);
          if (b.state === 'live') expect(b.book.isCrossedOrLocked()).toBe(false);
        }
      }
      expect(failures.slice(0, 5)).toEqual([]);
      expect(reseeded).toBeGreaterThan(100);
      expect(mutations).toBeGreaterThanOrEqual(MUTATIONS);
      expect(dropped).toBeGreaterThan(20_000);
      expect(handled).toBeGreaterThan(20_000);
      // Some mutated frames reached books and were dropped there (malformed levels) or forced resyncs.
      const counters = [...engine.books.values()].map((b) => b.health.counters);
      expect(counters.reduce((s, c) => s + c.dropped, 0)).toBeGreaterThan(0);
      expect(counters.reduce((s, c) => s + c.resyncs, 0)).toBeGreaterThan(0);
      expect(counters.reduce((s, c) => s + c.deltasApplied, 0)).toBeGreaterThan(2_000);
    },
  );
});
