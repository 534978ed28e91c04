/**
 * Memory figures of the book (issue 3): steady-state heap for 100 instruments × 1,000 levels a side, and
 * no growth over a long synthetic soak of random level updates through InstrumentBook (sync rule,
 * validation, book). Prints heap used after a full GC before and after the soak.
 *
 *   npm run bench -- memory [updates]        (default 5,000,000 updates)
 *   node --expose-gc --import tsx bench/memory.mts [updates]
 *
 * Deterministic (seeded). Every update is a Binance-futures-style delta with 1-4 levels, ~45% deletes,
 * prices on a 4,000-tick grid per instrument, so each side hovers around 1,000 levels.
 */
import { InstrumentBook } from '../src/book/instrument-book.ts';
import { mulberry32 } from '../src/util/prng.ts';
import { binanceFuturesRule } from '../src/book/sync-rule.ts';
import type { BookDelta, WireLevel } from '../src/core/model.ts';

const INSTRUMENTS = 100; // prices on a 4,000-tick grid: bids on ticks [0, 2000), asks on [2000, 4000)
const LEVELS = 1000;
const UPDATES = Number(process.argv[2] ?? 5_000_000);

const gc = (globalThis as { gc?: () => void }).gc;
if (!gc) {
  console.error('run with node --expose-gc (npm run bench -- memory does)');
  process.exit(2);
}

const rnd = mulberry32(0x9e3779b9);

function heapMiB(): number {
  gc!();
  gc!();
  return process.memoryUsage().heapUsed / 2 ** 20;
}

/** Fresh wire strings per level, as a feed would deliver them (not shared with the grid). */
const priceOf = (tick: number): string => (50000 + tick / 10).toFixed(2);
const sizeOf = (x: number): string => (x * 10).toFixed(3);

const base = heapMiB();
const books: InstrumentBook[] = [];
for (let k = 0; k < INSTRUMENTS; k++) {
  const ib = new InstrumentBook(`binance-usdm:SYM${k}`, {
    rule: binanceFuturesRule,
    snapshotSource: 'rest',
    coverage: 'snapshot',
  });
  const bids: WireLevel[] = [];
  const asks: WireLevel[] = [];
  for (let i = 0; i < LEVELS; i++) {
    bids.push([priceOf(1999 - i), sizeOf(rnd() + 0.001)]);
    asks.push([priceOf(2000 + i), sizeOf(rnd() + 0.001)]);
  }
  ib.onSnapshot({
    type: 'book_snapshot',
    instrument: ib.instrument,
    exchangeTs: 0,
    localTs: 0,
    sequence: 1,
    bids,
    asks,
    depthLimit: 1000,
  });
  books.push(ib);
}
const loaded = heapMiB();
const levelsHeld = (): number => books.reduce((s, b) => s + b.book.bids.length + b.book.asks.length, 0);
console.log(
  `memory: ${INSTRUMENTS} instruments × ${LEVELS} levels a side: heap ${loaded.toFixed(1)} MiB ` +
    `(books ${(loaded - base).toFixed(1)} MiB = ${(((loaded - base) * 2 ** 20) / levelsHeld()).toFixed(0)} B/level incl. wire strings)`,
);

const seq = new Float64Array(INSTRUMENTS).fill(1);
const t0 = process.hrtime.bigint();
let applied = 0;
let mid = 0;
for (let n = 0; n < UPDATES; n++) {
  const k = Math.floor(rnd() * INSTRUMENTS);
  const ib = books[k]!;
  const count = 1 + Math.floor(rnd() * 4);
  const bids: WireLevel[] = [];
  const asks: WireLevel[] = [];
  for (let j = 0; j < count; j++) {
    const bid = rnd() < 0.5;
    const tick = bid ? Math.floor(rnd() * 2000) : 2000 + Math.floor(rnd() * 2000);
    const x = rnd();
    const lv: WireLevel = [priceOf(tick), x < 0.45 ? '0.000' : sizeOf(x)];
    (bid ? bids : asks).push(lv);
  }
  const u = seq[k]! + 1;
  const d: BookDelta = {
    type: 'book_delta',
    instrument: ib.instrument,
    exchangeTs: 0,
    localTs: 0,
    firstSequence: seq[k]!, // U <= snapshot id <= u for the first delta; then pu chains
    sequence: u,
    prevSequence: seq[k]!,
    bids,
    asks,
  };
  if (ib.onDelta(d) !== 'applied') throw new Error(`soak: update ${n} was ${ib.state}: ${ib.health.reason}`);
  seq[k] = u;
  applied++;
  if (n === UPDATES >> 1) mid = heapMiB();
}
const secs = Number(process.hrtime.bigint() - t0) / 1e9;
const after = heapMiB();
console.log(
  `memory: soak of ${applied.toLocaleString('en')} random updates in ${secs.toFixed(1)} s ` +
    `(${((applied / secs) | 0).toLocaleString('en')} updates/s): heap before ${loaded.toFixed(1)} MiB, ` +
    `halfway ${mid.toFixed(1)} MiB, after ${after.toFixed(1)} MiB; ${levelsHeld().toLocaleString('en')} levels held ` +
    `(${(levelsHeld() / INSTRUMENTS / 2).toFixed(0)} a side on average)`,
);
console.log(`memory: growth over the soak ${(after - loaded).toFixed(1)} MiB`);
