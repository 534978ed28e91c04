/**
 * Start the local exchange simulator on recording files (for `depthwatch demo` and end-to-end tests),
 * and tell which instruments the recording carries so the app can subscribe to them.
 */
import { openRecording } from '../recording/index.ts';
import { metadataFiles, readMetadataFrames } from '../recording/reference.ts';
import type { RecordedFrame } from '../recording/types.ts';
import { Simulator, simProtocol, type FaultConfig } from '../sim/index.ts';
import { venue as venueAdapter } from '../feeds/registry.ts';
import type { Connector } from '../live/connector.ts';

/** A running simulator with the instruments found in its recording. */
export interface RunningSimulator {
  /** The venue id the simulator speaks as. */
  venue: string;
  sim: Simulator;
  wsUrl: string;
  restUrl: string;
  /** Instrument ids with book data in the recording, e.g. `binance-usdm:BTCUSDT`. */
  instruments: string[];
  close(): Promise<void>;
}

/** Options: venue id, recording paths, pace, loop, faults, port. */
export interface StartSimulatorOptions {
  venue: string;
  files: string[];
  speed: 'max' | number;
  loop: boolean;
  port?: number;
  faults?: FaultConfig;
  /**
   * Serve each recorded instrument this many times (scale tests, default 1): copy k of symbol `S` is
   * `S` + `C` + k in three digits (`BTCUSDTC007`), built from the real frames (see {@link cloneSymbol}).
   */
  clones?: number;
  /** Serve only the first this many recorded frames (a short loop for tests; default all). */
  maxFrames?: number;
}

/**
 * The symbol of copy `k` (1..) of a recorded instrument served with `clones` (k = 0: as recorded):
 * `BTCUSDTC007`, or `adaeurc007` for a venue that spells symbols in lower case (Bitstamp), so the copy
 * survives the client's own case rules (Bitstamp channel and REST names are lower case).
 */
export function cloneSymbol(symbol: string, k: number): string {
  if (k === 0) return symbol;
  const lower = symbol === symbol.toLowerCase() && symbol !== symbol.toUpperCase();
  return `${symbol}${lower ? 'c' : 'C'}${String(k).padStart(3, '0')}`;
}

/**
 * A renamer of frames for copy k of the recorded `symbols`: every occurrence of a symbol, as spelled
 * and in lower case (Binance stream names), becomes the copy's symbol. Longest symbols match first so
 * `BTCUSDT` is not renamed as `BTCUSD` + `T`.
 */
export function cloneRenamer(symbols: readonly string[]): (text: string, k: number) => string {
  const spellings = new Map<string, string>();
  for (const s of symbols) {
    spellings.set(s, s);
    spellings.set(s.toLowerCase(), s);
  }
  const alternatives = [...spellings.keys()]
    .sort((a, b) => b.length - a.length)
    .map((s) => s.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&'));
  if (alternatives.length === 0) return (text) => text;
  const re = new RegExp(alternatives.join('|'), 'g');
  return (text, k) =>
    text.replace(re, (m) => {
      const c = cloneSymbol(spellings.get(m)!, k);
      return m === spellings.get(m) ? c : c.toLowerCase();
    });
}

/**
 * Instrument ids that have book events in the frames, found by running the venue's own parser over
 * the first `scan` WebSocket frames (malformed frames are skipped).
 */
export function instrumentsIn(venue: string, frames: readonly RecordedFrame[], scan = 20_000): string[] {
  const parser = venueAdapter(venue).createParser();
  const found = new Set<string>();
  let n = 0;
  for (const f of frames) {
    if (f.kind !== 'ws') continue;
    if (n++ >= scan) break;
    try {
      for (const e of parser.parse(f.text, f.localTs))
        if (e.type === 'book_delta' || e.type === 'book_snapshot') found.add(e.instrument);
    } catch {
      // Not a book frame this parser accepts; the simulator still serves it byte for byte.
    }
  }
  return [...found].sort();
}

/**
 * The reference bodies of `venue` a recording carries, for the simulator to serve: its cryptofeed `X.0`
 * metadata files (recording/reference.ts metadataFiles) and the REST bodies in its frames that are the
 * venue's reference requests (`adapter.reference.matches`).
 */
export async function recordedReference(
  venue: string,
  files: Parameters<typeof metadataFiles>[0],
  ignored: readonly string[],
  frames: readonly RecordedFrame[],
): Promise<RecordedFrame[]> {
  const ref = venueAdapter(venue).reference;
  if (!ref) return [];
  const meta = await readMetadataFrames(await metadataFiles(files, ignored));
  return [...meta, ...frames].filter(
    (f) => f.kind === 'rest' && f.url !== undefined && (f.venue ?? venue) === venue && ref.matches(f.url),
  );
}

/**
 * Load the recording and start the simulator on a loopback port.
 * @throws {RecordingError} when a file cannot be read; {Error} for an unknown venue
 */
export async function startSimulator(o: StartSimulatorOptions): Promise<RunningSimulator> {
  const frames: RecordedFrame[] = [];
  const rec = await openRecording(o.files, { venue: o.venue });
  const max = o.maxFrames ?? Infinity;
  for await (const f of rec) {
    if (frames.length >= max) break;
    frames.push(f);
  }
  const recorded = instrumentsIn(o.venue, frames);
  const copies = Math.max(1, Math.floor(o.clones ?? 1));
  const symbols = recorded.map((id) => id.slice(id.indexOf(':') + 1));
  const instruments =
    copies === 1
      ? recorded
      : recorded.flatMap((id, i) =>
          Array.from({ length: copies }, (_, k) => `${o.venue}:${cloneSymbol(symbols[i]!, k)}`),
        );
  const sim = await Simulator.start({
    ...(copies > 1 ? { clones: { count: copies, rename: cloneRenamer(symbols) } } : {}),
    protocol: simProtocol(o.venue),
    frames,
    reference: await recordedReference(o.venue, rec.files, rec.ignored, frames),
    speed: o.speed,
    loop: o.loop,
    ...(o.port !== undefined ? { port: o.port } : {}),
    ...(o.faults ? { faults: o.faults } : {}),
  });
  return {
    venue: o.venue,
    sim,
    wsUrl: sim.wsUrl,
    restUrl: sim.restUrl,
    instruments,
    close: () => sim.close(),
  };
}

/**
 * Make each looping simulator's pass boundary show as a feed restart, not as resync faults: at the end of
 * a pass the connectors of its venue are told the disconnect that follows is the replay starting over
 * (Connector.expectRestart `replay-loop`), so their books go `syncing` with reason `replay_restart` and
 * count in `restarts` (Prometheus `depthwatch_book_restarts_total`), never in `resyncs`.
 * @returns a function that unlinks them
 */
export function linkReplayLoops(
  sims: readonly RunningSimulator[],
  connectors: readonly Pick<Connector, 'venue' | 'expectRestart'>[],
): () => void {
  for (const s of sims)
    s.sim.onLoop = () => {
      for (const c of connectors) if (c.venue === s.venue) c.expectRestart('replay-loop');
    };
  return () => {
    for (const s of sims) s.sim.onLoop = null;
  };
}
