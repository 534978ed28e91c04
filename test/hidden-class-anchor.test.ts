/**
 * The book code stays optimized when every book is dropped and a full GC runs (the hidden-class anchor
 * in src/book/instrument-book.ts). Without it V8 collects the books' maps with the last book and
 * deoptimizes every optimized function that embedded them ("weak objects"), so a replay or benchmark
 * round that starts after a GC runs its first thousands of frames unoptimized.
 *
 * Runs in a child process: it needs V8's natives syntax (%OptimizeFunctionOnNextCall,
 * %GetOptimizationStatus) and an explicit gc().
 */
import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { hiddenClassAnchorState } from '../src/book/instrument-book.ts';

const ROOT = fileURLToPath(new URL('..', import.meta.url));

const SCRIPT = `
import { InstrumentBook } from './src/book/instrument-book.ts';
import { BookSide } from './src/book/book-side.ts';
import { consecutiveRule as rule } from './src/book/sync-rule.ts';
const base = { instrument: 't:T', exchangeTs: 1, localTs: 1 };
const lv = (from, n, step) => Array.from({ length: n }, (_, i) => [(from + i * step).toFixed(2), String(1 + (i % 7))]);
function feed(rounds) {
  const b = new InstrumentBook('t:T', { rule, snapshotSource: 'rest', coverage: 'snapshot' });
  b.onSnapshot({ type: 'book_snapshot', ...base, sequence: 1, bids: lv(1000, 400, -0.5), asks: lv(1000.5, 400, 0.5), depthLimit: 1000 });
  for (let s = 2; s < rounds; s++) {
    const o = (s % 50) * 0.5;
    const r = b.onDelta({ type: 'book_delta', ...base, firstSequence: s, sequence: s, prevSequence: s - 1,
      bids: lv(999.75 - o, 30, -0.5), asks: lv(1000.75 + o, 30, 0.5) });
    if (r !== 'applied') throw new Error('delta ' + s + ': ' + r);
  }
  return b;
}
const fns = { 'BookSide.set': BookSide.prototype.set, 'BookSide.setMany': BookSide.prototype.setMany,
  'InstrumentBook.onDelta': InstrumentBook.prototype.onDelta };
feed(300);
for (const f of Object.values(fns)) %PrepareFunctionForOptimization(f);
feed(300);
for (const f of Object.values(fns)) %OptimizeFunctionOnNextCall(f);
feed(300);
const optimized = () => Object.fromEntries(Object.entries(fns).map(([k, f]) => [k, (%GetOptimizationStatus(f) & 16) !== 0]));
const before = optimized();
gc();
gc();
console.log(JSON.stringify({ before, after: optimized() }));
`;

describe('hidden-class anchor', () => {
  it('was fed as a real book is (snapshot, deltas, a matching BBO) and is live', () => {
    expect(hiddenClassAnchorState()).toBe('live');
  });

  it('keeps the book code optimized after the last book is dropped and a full GC runs', () => {
    const r = spawnSync(
      process.execPath,
      ['--allow-natives-syntax', '--expose-gc', '--import', 'tsx', '--input-type=module', '-e', SCRIPT],
      { cwd: ROOT, encoding: 'utf8', timeout: 60_000 },
    );
    expect(r.stderr).toBe('');
    const { before, after } = JSON.parse(r.stdout.trim().split('\n').pop()!) as {
      before: Record<string, boolean>;
      after: Record<string, boolean>;
    };
    // The forced optimization took (else the test proves nothing), and survived the GC.
    expect(Object.values(before).every(Boolean), JSON.stringify(before)).toBe(true);
    expect(after).toEqual(before);
  });
});
