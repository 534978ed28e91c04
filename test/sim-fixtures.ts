/**
 * Test helpers for the simulator and connector tests: recordings loaded through `openRecording`, a
 * direct in-process replay through the Engine as the reference result, condition waits, a memory logger.
 */
import type { RecordedFrame } from '../src/recording/types.ts';
import { Engine } from '../src/pipeline/engine.ts';
import { InProcessBus } from '../src/bus/in-process.ts';
import { venues, venue as venueOf, venueSync } from '../src/feeds/registry.ts';
import { openRecording } from '../src/recording/index.ts';
import type { OutputTopics } from '../src/alerts/topics.ts';

/**
 * Load recording files through the project's reader (`openRecording`), merged by local time.
 * @param maxPerFile keep only the first frames of each file (small slices keep tests fast)
 */
export async function loadRecording(paths: string[], maxPerFile = Infinity): Promise<RecordedFrame[]> {
  const out: RecordedFrame[] = [];
  for (const path of paths) {
    let n = 0;
    for await (const f of await openRecording([path])) {
      if (n++ >= maxPerFile) break;
      out.push(f);
    }
  }
  return out.sort((a, b) => a.localTs - b.localTs);
}

/**
 * Replay frames directly through a fresh Engine as `venue` (the reference for simulator + connector
 * runs). A snapshot with neither instrument nor URL (hftbacktest) is for the symbol of the latest depth
 * frame on its connection.
 */
export function directReplay(frames: readonly RecordedFrame[], venue: string): Engine {
  const engine = new Engine({ sync: venueSync(venues), bus: new InProcessBus<OutputTopics>() });
  const adapter = venueOf(venue);
  const parser = adapter.createParser();
  const lastSymbol = new Map<string, string>();
  for (const f of frames) {
    const conn = f.connection ?? '';
    if (f.kind === 'ws') {
      const m = /^\{"stream":"([a-z0-9_]+)@depth/.exec(f.text);
      if (m) lastSymbol.set(conn, m[1]!.toUpperCase());
      engine.handleFrame(venue, parser, f.text, f.localTs);
      continue;
    }
    const sym =
      f.instrument?.split(':')[1] ??
      (f.url ? /symbol=([^&]+)/.exec(f.url)?.[1] : undefined) ??
      lastSymbol.get(conn);
    if (sym !== undefined && f.text.startsWith('{"lastUpdateId"'))
      engine.handleEvent(adapter.parseSnapshot!(f.text, `${venue}:${sym}`, f.localTs));
  }
  return engine;
}

/** Resolve once `cond()` is true (checked every 5 ms); reject with `what` after `timeoutMs`. */
export async function waitFor(cond: () => boolean, what: string, timeoutMs = 20_000): Promise<void> {
  const t0 = Date.now();
  while (!cond()) {
    if (Date.now() - t0 > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

/** A logger that keeps every line (for asserting the one-line-per-change log). */
export function memoryLogger(): {
  lines: Array<{ level: string; msg: string; obj: object }>;
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
} {
  const lines: Array<{ level: string; msg: string; obj: object }> = [];
  return {
    lines,
    info: (obj, msg) => lines.push({ level: 'info', msg: msg ?? '', obj }),
    warn: (obj, msg) => lines.push({ level: 'warn', msg: msg ?? '', obj }),
    error: (obj, msg) => lines.push({ level: 'error', msg: msg ?? '', obj }),
  };
}
