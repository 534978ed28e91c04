/**
 * `npm run bench -- consolidated [rounds]`: the cost of the consolidated book per member update, for a
 * group of 3 and a group of 10 members, on real recordings (../shared/data, or $BENCH_DATA_DIR).
 *
 * Members:
 * - 3: the simultaneous Binance BTC recordings of 2024-08-08/09 (binance-hftbacktest: spot BTCUSDT,
 *   USD-M BTCUSDT, COIN-M BTCUSD_PERP), ~11 minutes, ~150k depth updates.
 * - 10: those 3 plus the BTC books of the other venues' recordings (cryptofeed captures of other days:
 *   okx BTC-USDT and BTC-USD-220527 of 2022-05, kraken XBT/CHF and binance-coinm BTCUSD_210924 of
 *   2021-04, Kraken Futures FI_XBTUSD_210730 and FI_XBTUSD_210924), and the 2024 spot recording repeated
 *   as a 10th instrument when fewer than 7 are found (see COPIES). They were not
 *   recorded at the same time: their events are shifted to start with the Binance stream, and each is
 *   re-based to the Binance spot mid (its price factor, the group's quote conversion, set from its first
 *   live mid) so the ten books overlap as simultaneous ones would. Those captures are 30-120 s long with
 *   ~100-500 updates each, so nearly all timed updates are the Binance members' (the count per member is
 *   printed): the figure is the cost of a member update in a 10-member group.
 *
 * Setup (untimed): each recording is replayed once through the standard Replay to capture its book
 * events (snapshots and deltas, the REST snapshots included). Timed, per round, per event, on fresh books:
 * - apply: the member book's own `InstrumentBook.onDelta` / `onSnapshot` (the verified-book apply);
 * - metrics: `computeBookMetrics` on the member book after an applied delta (the single-book metrics the
 *   analytics stage computes per update);
 * - consolidated: the consolidation stage's `onState` (on a state change) + `onBook` for that update
 *   (merged-book update from the delta's levels, member top, crossings, 1 s metrics sample, heatmap).
 * Printed per group: p50/p99/p999 ns per member update of each, and the consolidated cost as a ratio to
 * the apply cost and to the metrics cost (p50 and mean), without the consolidated heatmap (its bin close
 * walks the merged levels near mid once a second) and with it. Default 1 round (`[rounds]` for more:
 * the round with the lowest median is kept). Timer overhead (an empty timed region) is
 * printed too and not subtracted.
 */
import { readdirSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { openRecording } from '../src/recording/index.ts';
import { Replay } from '../src/replay/replay.ts';
import type { BookDelta, BookSnapshot, MarketEvent } from '../src/core/model.ts';
import { InProcessBus } from '../src/bus/in-process.ts';
import { venueSync, venues } from '../src/feeds/registry.ts';
import { InstrumentBook } from '../src/book/instrument-book.ts';
import { computeBookMetrics } from '../src/analytics/book-metrics.ts';
import { ConsolidationStage, type ConsolidationTopics } from '../src/analytics/consolidated/stage.ts';
import { splitInstrumentId } from '../src/core/model.ts';

const DATA = process.env.BENCH_DATA_DIR ?? join('..', 'shared', 'data');
const rounds = Math.max(1, Number(process.argv[2] ?? 1));
type BookEvent = BookDelta | BookSnapshot;

/** Replay files once, capturing the book events of `wanted` instruments (all BTC books when empty). */
async function capture(files: string[], wanted: RegExp): Promise<Map<string, BookEvent[]>> {
  const out = new Map<string, BookEvent[]>();
  const replay = new Replay(await openRecording(files), { engine: { computeMetrics: false } });
  const orig = replay.engine.handleEvent.bind(replay.engine);
  replay.engine.handleEvent = (e: MarketEvent) => {
    if ((e.type === 'book_delta' || e.type === 'book_snapshot') && wanted.test(e.instrument)) {
      const list = out.get(e.instrument) ?? [];
      list.push(e);
      out.set(e.instrument, list);
    }
    orig(e);
  };
  await replay.run();
  return out;
}

const HB = join(DATA, 'binance-hftbacktest');
const CF = join(DATA, 'cryptofeed');
const cfFiles = (folder: string): string[] =>
  existsSync(join(CF, folder)) ? readdirSync(join(CF, folder)).map((f) => join(CF, folder, f)) : [];

console.log('consolidated bench: capturing book events from the recordings (untimed)...');
const binance = await capture(
  [
    join(HB, 'spot/btcusdt_20240808.gz'),
    join(HB, 'spot/btcusdt_20240809.gz'),
    join(HB, 'usdm/btcusdt_20240808.gz'),
    join(HB, 'cm/btcusd_perp_20240808.gz'),
    join(HB, 'cm/btcusd_perp_20240809.gz'),
  ],
  /BTCUSD/,
);
const THREE = ['binance:BTCUSDT', 'binance-usdm:BTCUSDT', 'binance-coinm:BTCUSD_PERP'];
const others = new Map<string, BookEvent[]>();
for (const [folder, re] of [
  ['okx-2022-05', /^okx:BTC-(USDT|USD-220527)$/],
  ['kraken-2021-04', /^kraken:XBT\/CHF$/],
  ['binance-delivery-2021-04', /^binance-coinm:BTCUSD_(PERP|210924)$/],
  ['binance-futures', /^binance-usdm:BTCUSDT$/],
  ['kraken-futures', /^kraken-futures:FI_XBTUSD_(210730|210924)$/],
] as const) {
  const files = cfFiles(folder);
  if (files.length === 0) continue;
  for (const [id, ev] of await capture(files, re)) if (!THREE.includes(id)) others.set(id, ev);
}
// The 2021 COIN-M perpetual shares its id with the 2024 one and is left out. Up to 10 members, the
// 2024 spot and USD-M recordings are repeated as two other instruments of those venues (BTCFDUSD spot,
// BTCUSDC perpetual): busy members, their updates at the same prices as the originals.
const COPIES: [from: string, as: string][] = [
  ['binance:BTCUSDT', 'binance:BTCFDUSD'],
  ['binance-usdm:BTCUSDT', 'binance-usdm:BTCUSDC'],
];
const TEN_EXTRA = [...others.keys()].slice(0, 7);
for (const [from, as] of COPIES) {
  if (TEN_EXTRA.length >= 7) break;
  others.set(
    as,
    binance.get(from)!.map((e) => ({ ...e, instrument: as })),
  );
  TEN_EXTRA.push(as);
}

const t0 = Math.min(...THREE.map((id) => binance.get(id)![0]!.localTs));

interface Timed {
  apply: number[];
  metrics: number[];
  consolidated: number[];
  /** The group's view (what the API publishes at most every 250 ms), timed apart from the updates. */
  view: number[];
  perMember: Map<string, number>;
}

/** One timed round over a group's interleaved member events. */
function round(
  members: string[],
  stream: { id: string; e: BookEvent }[],
  factors: Map<string, number>,
  heatmap: 'none' | 'sum' | 'members',
): Timed {
  const sync = venueSync(venues);
  const bus = new InProcessBus<ConsolidationTopics>();
  bus.subscribe('metrics.sample', () => {});
  bus.subscribe('arbitrage', () => {});
  const stage = new ConsolidationStage({
    bus,
    groups: [
      {
        name: 'BTC',
        members,
        quote: 'USD',
        rates: { CHF: 1 },
        ...(heatmap === 'none' ? { heatmap: false } : { memberHeatmaps: heatmap === 'members' }),
      },
    ],
    watchlist: false,
  });
  const group = stage.groups.get('BTC')!;
  for (const [id, f] of factors) {
    const m = group.memberOf(id);
    if (m >= 0) group.book.priceFactor[m] = f;
  }
  const books = new Map<string, InstrumentBook>();
  for (const id of members) books.set(id, new InstrumentBook(id, sync.get(splitInstrumentId(id).venue)!));
  const out: Timed = { apply: [], metrics: [], consolidated: [], view: [], perMember: new Map() };
  let lastView = -Infinity;
  for (const { id, e } of stream) {
    const b = books.get(id)!;
    const before = b.state;
    let s = process.hrtime.bigint();
    const r = e.type === 'book_delta' ? b.onDelta(e) : b.onSnapshot(e);
    let t = process.hrtime.bigint();
    const applyNs = Number(t - s);
    const applied = r === 'applied' || r === 'snapshot';
    s = process.hrtime.bigint();
    if (b.state !== before) stage.onState(b, before, e.localTs);
    if (applied)
      stage.onBook(b, e.exchangeTs, e.localTs, {
        event: e,
        outcome: r === 'applied' ? 'applied' : 'snapshot',
      });
    t = process.hrtime.bigint();
    if (!applied || e.type !== 'book_delta' || b.state !== 'live') continue;
    out.apply.push(applyNs);
    out.consolidated.push(Number(t - s));
    s = process.hrtime.bigint();
    computeBookMetrics(b.book, b.health.coverage);
    t = process.hrtime.bigint();
    out.metrics.push(Number(t - s));
    out.perMember.set(id, (out.perMember.get(id) ?? 0) + 1);
    if (e.localTs - lastView >= 250) {
      lastView = e.localTs;
      s = process.hrtime.bigint();
      group.view();
      out.view.push(Number(process.hrtime.bigint() - s));
    }
  }
  return out;
}

/** The members' events merged by (shifted) local time; other-day recordings start with the Binance stream. */
function streamOf(members: string[]): { id: string; e: BookEvent }[] {
  const all: { id: string; e: BookEvent; at: number }[] = [];
  for (const id of members) {
    const ev = binance.get(id) ?? others.get(id)!;
    const shift = THREE.includes(id) ? 0 : t0 - ev[0]!.localTs;
    for (const e of ev) {
      const moved = shift === 0 ? e : { ...e, localTs: e.localTs + shift, exchangeTs: e.exchangeTs + shift };
      all.push({ id, e: moved as BookEvent, at: moved.localTs });
    }
  }
  all.sort((a, b) => a.at - b.at);
  return all.map(({ id, e }) => ({ id, e }));
}

/** Price factors that put every other-day member's first live mid on the Binance spot's. */
function rebase(members: string[]): Map<string, number> {
  const firstMid = (id: string): number => {
    const ev = binance.get(id) ?? others.get(id)!;
    const b = new InstrumentBook(id, venueSync(venues).get(splitInstrumentId(id).venue)!);
    for (const e of ev) {
      if (e.type === 'book_delta') b.onDelta(e);
      else b.onSnapshot(e);
      if (b.state === 'live' && b.book.bids.length > 0 && b.book.asks.length > 0)
        return (b.book.bids.price(0) + b.book.asks.price(0)) / 2;
    }
    return NaN;
  };
  const ref = firstMid('binance:BTCUSDT');
  const out = new Map<string, number>();
  for (const id of members) if (!THREE.includes(id)) out.set(id, ref / firstMid(id));
  return out;
}

const pct = (a: number[], p: number): number => {
  const s = Float64Array.from(a).sort();
  return s[Math.min(s.length - 1, Math.floor(p * s.length))]!;
};
const mean = (a: number[]): number => a.reduce((x, y) => x + y, 0) / a.length;
const fmt = (a: number[]): string =>
  `${pct(a, 0.5).toFixed(0)} / ${pct(a, 0.99).toFixed(0)} / ${pct(a, 0.999).toFixed(0)}`;

// Timer overhead: an empty timed region.
const empty: number[] = [];
for (let i = 0; i < 100_000; i++) {
  const s = process.hrtime.bigint();
  empty.push(Number(process.hrtime.bigint() - s));
}

console.log(`  timer overhead (empty region) p50/p99/p999: ${fmt(empty)} ns (not subtracted)`);
for (const members of [THREE, [...THREE, ...TEN_EXTRA]]) {
  const stream = streamOf(members);
  const factors = rebase(members);
  const best = (heatmap: 'none' | 'sum' | 'members'): Timed => {
    let b: Timed | null = null;
    for (let r = 0; r < rounds; r++) {
      const t = round(members, stream, factors, heatmap);
      // Keep the round with the lowest median consolidated cost (the least disturbed by the shared CPU).
      if (!b || pct(t.consolidated, 0.5) < pct(b.consolidated, 0.5)) b = t;
    }
    return b!;
  };
  const core = best('none');
  const summed = best('sum');
  const full = best('members');
  console.log(
    `\ngroup of ${members.length}: ${core.apply.length} timed live member deltas (best of ${rounds} round${rounds > 1 ? 's' : ''})`,
  );
  console.log(
    `  members (live deltas): ${members.map((id) => `${id}${factors.has(id) ? ` ×${factors.get(id)!.toFixed(4)}` : ''} (${core.perMember.get(id) ?? 0})`).join(', ')}`,
  );
  console.log(
    `  member book apply         p50/p99/p999: ${fmt(core.apply)} ns, mean ${mean(core.apply).toFixed(0)}`,
  );
  console.log(
    `  single-book metrics       p50/p99/p999: ${fmt(core.metrics)} ns, mean ${mean(core.metrics).toFixed(0)}`,
  );
  console.log(
    `  group view (every 250 ms of input, not in the update cost) p50/p99: ${pct(core.view, 0.5).toFixed(0)} / ${pct(core.view, 0.99).toFixed(0)} ns (${core.view.length} views)`,
  );
  for (const [label, t] of [
    ['consolidated (no heatmap)', core],
    ['+ summed heatmap         ', summed],
    ['+ per-member heatmaps    ', full],
  ] as const) {
    console.log(
      `  ${label} p50/p99/p999: ${fmt(t.consolidated)} ns, mean ${mean(t.consolidated).toFixed(0)}`,
    );
    console.log(
      `    ratio to apply ${(pct(t.consolidated, 0.5) / pct(core.apply, 0.5)).toFixed(2)} (p50) ${(mean(t.consolidated) / mean(core.apply)).toFixed(2)} (mean); to metrics ${(pct(t.consolidated, 0.5) / pct(core.metrics, 0.5)).toFixed(2)} (p50) ${(mean(t.consolidated) / mean(core.metrics)).toFixed(2)} (mean)`,
    );
  }
}
