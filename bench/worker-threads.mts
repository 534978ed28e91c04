/**
 * Does moving parse + book + metrics into a worker thread per connection group win end to end?
 *
 * `npx tsx bench/worker-threads.mts [rounds]` on the real USD-M recording (93,954 frames): the same frames
 * through the same Engine (a) inline on the main thread, (b) in one worker thread fed frame by frame with
 * postMessage, (c) in one worker fed in batches of 64 frames (what a connection's read loop would send
 * per turn of the event loop). Reports wall time to the final book, the main thread's own busy time
 * (what is left for the API, WebSocket fan-out and storage), and checks the final books are identical.
 */
import { Worker, isMainThread, parentPort, workerData } from 'node:worker_threads';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { Engine } from '../src/pipeline/engine.ts';
import { InProcessBus } from '../src/bus/in-process.ts';
import { venues, venue as venueOf, venueSync } from '../src/feeds/registry.ts';
import { openRecording } from '../src/recording/index.ts';
import type { OutputTopics } from '../src/alerts/topics.ts';

const REC = new URL('../../shared/data/binance-hftbacktest/usdm/btcusdt_20240808.gz', import.meta.url);
const VENUE = 'binance-usdm';
const ID = 'binance-usdm:BTCUSDT';

/** A frame as the connector hands it over: ws text, or the REST snapshot body. */
type Frame = [kind: 0 | 1, text: string, localTs: number];

function makeProcessor(): { feed(f: Frame): void; top(): string } {
  const engine = new Engine({ sync: venueSync(venues), bus: new InProcessBus<OutputTopics>() });
  const adapter = venueOf(VENUE);
  const parser = adapter.createParser();
  return {
    feed([kind, text, ts]) {
      if (kind === 0) engine.handleFrame(VENUE, parser, text, ts);
      else engine.handleEvent(adapter.parseSnapshot!(text, ID, ts));
    },
    top: () => JSON.stringify(engine.books.get(ID)!.book.top(20)),
  };
}

if (!isMainThread) {
  const p = makeProcessor();
  parentPort!.on('message', (m: Frame | Frame[] | 'end') => {
    if (m === 'end') parentPort!.postMessage(p.top());
    else if (typeof m[0] === 'number') p.feed(m as Frame);
    else for (const f of m as Frame[]) p.feed(f);
  });
} else {
  const rounds = Number(process.argv[2] ?? 3);
  const frames: Frame[] = [];
  for await (const f of await openRecording([fileURLToPath(REC)]))
    frames.push([f.kind === 'ws' ? 0 : 1, f.text, f.localTs]);
  const results: Record<string, { wall: number[]; main: number[] }> = {};
  const record = (name: string, wall: number, main: number): void => {
    (results[name] ??= { wall: [], main: [] }).wall.push(wall);
    results[name]!.main.push(main);
  };
  let reference: string;
  const runWorker = async (batch: number): Promise<[number, number, string]> => {
    // Workers do not inherit the tsx loader: register it, then load this file as the worker body.
    const tsxApi = import.meta.resolve('tsx/esm/api');
    const w = new Worker(
      `import(${JSON.stringify(tsxApi)}).then((m) => { m.register(); return import(${JSON.stringify(import.meta.url)}); });`,
      { eval: true, workerData },
    );
    await new Promise((r) => setTimeout(r, 1500)); // let the worker load its modules before timing
    const done = new Promise<string>((r) => w.once('message', r));
    const t0 = performance.now();
    let busy = 0;
    for (let i = 0; i < frames.length; i += batch) {
      const b0 = performance.now();
      if (batch === 1) w.postMessage(frames[i]);
      else w.postMessage(frames.slice(i, i + batch));
      busy += performance.now() - b0;
    }
    w.postMessage('end');
    const top = await done;
    const wall = performance.now() - t0;
    await w.terminate();
    return [wall, busy, top];
  };
  for (let r = 0; r < rounds; r++) {
    const p = makeProcessor();
    const t0 = performance.now();
    for (const f of frames) p.feed(f);
    const inline = performance.now() - t0;
    record('inline (main thread)', inline, inline);
    reference = p.top();
    for (const batch of [1, 64]) {
      const [wall, busy, top] = await runWorker(batch);
      if (top !== reference) throw new Error(`worker (batch ${batch}) book differs from inline`);
      record(`worker, batch ${batch}`, wall, busy);
    }
  }
  const median = (a: number[]): number => [...a].sort((x, y) => x - y)[a.length >> 1]!;
  console.log(`${frames.length} frames, ${rounds} rounds, medians (books identical in every run)`);
  console.log('mode                   wall ms   main-thread busy ms   frames/s');
  for (const [name, v] of Object.entries(results)) {
    const wall = median(v.wall);
    console.log(
      `${name.padEnd(22)} ${wall.toFixed(0).padStart(7)}   ${median(v.main).toFixed(0).padStart(19)}   ${((frames.length / wall) * 1000).toFixed(0).padStart(8)}`,
    );
  }
}
