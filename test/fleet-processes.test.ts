/**
 * The fleet as separate processes (`depthwatch run --role ...`), over the real NATS JetStream server on
 * loopback: two collector processes (Binance spot and USD-M, each on its own local simulator fed by a
 * real recording's first frames at full speed), one analyzer and one API process rebuilding the books from the
 * collectors' events. When the recordings have played out, every process serves the same book for each
 * instrument, level for level, at the same venue sequence.
 *
 * The fleet gets its own subject prefix and stream through the `--bus` URL query, so it cannot meet any
 * other test's traffic on the shared server.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawn, type ChildProcess } from 'node:child_process';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createInterface } from 'node:readline';
import { pipeline } from 'node:stream/promises';
import { Readable } from 'node:stream';
import { createGunzip, createGzip } from 'node:zlib';
import os from 'node:os';
import path from 'node:path';
import { startSimulator, type RunningSimulator } from '../src/app/simulator.ts';
import { NatsBus } from '../src/bus/nats.ts';
import { uniqueName } from '../src/store/postgres/testing.ts';

const DATA = path.resolve('../shared/data/binance-hftbacktest');
/** Frames of each recording played (the REST snapshot is on line 8 / 55): enough for hundreds of diffs. */
const FRAMES = 6000;

/**
 * Write the first `lines` lines of a gzip recording to `dst` (a temp file outside the repository), so the
 * feeds play out in seconds and every process catches up long before the collectors' 10 s stale timer.
 */
async function head(src: string, dst: string, lines: number): Promise<void> {
  await mkdir(path.dirname(dst), { recursive: true });
  const rl = createInterface({ input: createReadStream(src).pipe(createGunzip()) });
  const out: string[] = [];
  for await (const line of rl) {
    out.push(line);
    if (out.length >= lines) break;
  }
  rl.close();
  await pipeline(Readable.from([out.join('\n') + '\n']), createGzip(), createWriteStream(dst));
}

interface Proc {
  role: string;
  instruments: string[];
  child: ChildProcess;
  url: string;
  log: string[];
}

interface BookBody {
  state: string;
  sequence: number;
  bids: [number, number][];
  asks: [number, number][];
}

describe('fleet processes: 2 collectors, analyzer, API over NATS', () => {
  const prefix = uniqueName('dwproc').replace(/_/g, '-');
  const stream = prefix.toUpperCase();
  const bus = `nats://127.0.0.1:4222?prefix=${prefix}&stream=${stream}&storage=memory&maxBytes=67108864`;
  const sims: RunningSimulator[] = [];
  const procs: Proc[] = [];
  let dir: string;

  function start(role: string, instruments: string[], cfg: string): Promise<Proc> {
    const child = spawn(process.execPath, ['bin/depthwatch.mjs', 'run', '-c', cfg], {
      env: {
        ...process.env,
        DEPTHWATCH_ROLE: role,
        DEPTHWATCH_BUS: bus,
        DEPTHWATCH_INSTRUMENTS: instruments.join(','),
        DEPTHWATCH_STORE: 'memory',
        DEPTHWATCH_LOG_LEVEL: 'info',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const log: string[] = [];
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`${role} did not start:\n${log.join('')}`)), 60_000);
      const onData = (b: Buffer): void => {
        const text = b.toString();
        log.push(text);
        const m = /listening on (http:\/\/[0-9.:]+)/.exec(text);
        if (m) {
          clearTimeout(timer);
          const p = { role, instruments, child, url: m[1]!, log };
          procs.push(p);
          resolve(p);
        }
      };
      child.stdout!.on('data', onData);
      child.stderr!.on('data', (b: Buffer) => log.push(b.toString()));
      child.on('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`${role} exited with ${code}:\n${log.join('')}`));
      });
    });
  }

  async function book(p: Proc, id: string): Promise<BookBody | null> {
    const r = await fetch(`${p.url}/api/v1/books/${encodeURIComponent(id)}?depth=100`);
    return r.ok ? ((await r.json()) as BookBody) : null;
  }

  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'dw-fleetproc-'));
    const usdmFile = path.join(dir, 'usdm/btcusdt_20240808.gz');
    const spotFile = path.join(dir, 'spot/btcusdt_20240808.gz');
    await head(path.join(DATA, 'usdm/btcusdt_20240808.gz'), usdmFile, FRAMES);
    await head(path.join(DATA, 'spot/btcusdt_20240808.gz'), spotFile, FRAMES);
    const usdm = await startSimulator({
      venue: 'binance-usdm',
      files: [usdmFile],
      speed: 'max',
      loop: false,
    });
    sims.push(usdm);
    const spot = await startSimulator({
      venue: 'binance',
      files: [spotFile],
      speed: 'max',
      loop: false,
    });
    sims.push(spot);
    const cfg = path.join(dir, 'fleet.yaml');
    // JSON is YAML.
    await writeFile(
      cfg,
      JSON.stringify({
        venues: {
          'binance-usdm': { ws: usdm.wsUrl, rest: usdm.restUrl },
          binance: { ws: spot.wsUrl, rest: spot.restUrl },
        },
        api: { host: '127.0.0.1', port: 0, dashboard: false },
        store: { url: 'memory', flushIntervalMs: 200 },
        // Offline: no polling of the default (internet) news feeds.
        news: { enabled: false },
      }),
    );
    const all = [...usdm.instruments, ...spot.instruments];
    // Consumers first (ordered consumers deliver new messages), then the collectors.
    await Promise.all([start('api', all, cfg), start('analyzer', all, cfg)]);
    await Promise.all([start('collector', usdm.instruments, cfg), start('collector', spot.instruments, cfg)]);
  }, 120_000);

  afterAll(async () => {
    await Promise.all(
      procs.map(
        (p) =>
          new Promise<void>((resolve) => {
            if (p.child.exitCode !== null) return resolve();
            p.child.once('exit', () => resolve());
            p.child.kill('SIGTERM');
          }),
      ),
    );
    for (const s of sims) await s.close();
    const admin = await NatsBus.connect({ servers: bus });
    await admin.deleteStream().catch(() => {});
    await admin.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('serves the same verified books from collectors, analyzer and API once the feeds are played out', async () => {
    const collectors = procs.filter((p) => p.role === 'collector');
    const consumers = procs.filter((p) => p.role !== 'collector');
    expect(collectors).toHaveLength(2);
    const ids = [...sims[0]!.instruments, ...sims[1]!.instruments];
    expect(ids).toEqual(['binance-usdm:BTCUSDT', 'binance:BTCUSDT']);
    // The processes that hold each instrument's book: its collector, the analyzer and the API node.
    const holders = (id: string): Proc[] => procs.filter((p) => p.instruments.includes(id));
    for (const id of ids) expect(holders(id)).toHaveLength(3);
    // Wait until, for every instrument, its holders report the same sequence twice in a row (quiet).
    const seqs = async (): Promise<number[][]> =>
      Promise.all(
        ids.map((id) => Promise.all(holders(id).map(async (p) => (await book(p, id))?.sequence ?? NaN))),
      );
    let last = '';
    const deadline = Date.now() + 150_000;
    for (;;) {
      const now = await seqs();
      const settled = now.every((row) => row.every((x) => Number.isFinite(x) && x === row[0]));
      if (settled && JSON.stringify(now) === last) break;
      if (Date.now() > deadline) throw new Error(`fleet did not settle: ${JSON.stringify(now)}`);
      last = JSON.stringify(now);
      await new Promise((r) => setTimeout(r, 1000));
    }
    for (const id of ids) {
      const books = await Promise.all(holders(id).map((p) => book(p, id)));
      const [first, ...rest] = books;
      expect(first?.state).toBe('live');
      expect(first!.bids.length).toBeGreaterThan(10);
      for (const b of rest) {
        expect(b?.state).toBe('live');
        expect(b!.sequence).toBe(first!.sequence);
        expect(b!.bids).toEqual(first!.bids);
        expect(b!.asks).toEqual(first!.asks);
      }
    }
    for (const p of consumers) {
      for (const id of ids) {
        const r = await fetch(`${p.url}/api/v1/metrics/${encodeURIComponent(id)}`);
        expect(r.status).toBe(200);
      }
    }
  }, 180_000);
});
