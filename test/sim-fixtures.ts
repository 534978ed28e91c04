/**
 * Test-only recording readers (hftbacktest `.gz` and cryptofeed raw files) used by the simulator and
 * connector tests, plus a direct in-process replay through the Engine as the reference result.
 */
import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import type { RecordedFrame } from '../src/recording/types.ts';
import { Engine } from '../src/pipeline/engine.ts';
import { InProcessBus } from '../src/bus/in-process.ts';
import { venues, venue as venueOf } from '../src/feeds/registry.ts';

/**
 * Read an hftbacktest `.gz` file (`<ts_ns> <json>` a line) into frames; the REST snapshot line
 * (`{"lastUpdateId"...`) becomes a `rest` frame for `instrument`.
 * @param maxLines read at most this many lines (small slices keep tests fast)
 */
export function readHftbacktest(
  path: string,
  venue: string,
  symbol: string,
  maxLines = Infinity,
): RecordedFrame[] {
  const text = gunzipSync(readFileSync(path)).toString('utf8');
  const out: RecordedFrame[] = [];
  let pos = 0;
  while (pos < text.length && out.length < maxLines) {
    let nl = text.indexOf('\n', pos);
    if (nl < 0) nl = text.length;
    const sp = text.indexOf(' ', pos);
    if (sp > pos && sp < nl) {
      const localTs = Number(text.slice(pos, sp)) / 1e6;
      const body = text.slice(sp + 1, nl);
      if (body.startsWith('{"lastUpdateId"'))
        out.push({ localTs, kind: 'rest', venue, instrument: `${venue}:${symbol}`, text: body });
      else out.push({ localTs, kind: 'ws', venue, connection: path, text: body });
    }
    pos = nl + 1;
  }
  return out;
}

/** Read a cryptofeed raw capture (ws and http files), merged by receive time. */
export function readCryptofeed(paths: string[], venue: string): RecordedFrame[] {
  const out: RecordedFrame[] = [];
  for (const path of paths) {
    for (const line of readFileSync(path, 'utf8').split('\n')) {
      if (line.length === 0) continue;
      const rest = /^(\S+) -> ([0-9.]+): (.*)$/.exec(line);
      if (rest) {
        const url = rest[1]!;
        const sym = /symbol=([^&]+)/.exec(url)?.[1];
        out.push({
          localTs: Number(rest[2]) * 1000,
          kind: 'rest',
          venue,
          url,
          ...(sym ? { instrument: `${venue}:${sym}` } : {}),
          text: rest[3]!,
        });
        continue;
      }
      const ws = /^([0-9.]+): (.*)$/.exec(line);
      if (ws) out.push({ localTs: Number(ws[1]) * 1000, kind: 'ws', venue, connection: path, text: ws[2]! });
    }
  }
  return out.sort((a, b) => a.localTs - b.localTs);
}

/** Replay frames directly through a fresh Engine (the reference for simulator + connector runs). */
export function directReplay(frames: readonly RecordedFrame[], venue: string): Engine {
  const engine = new Engine({ venues, bus: new InProcessBus(), computeMetrics: false });
  const adapter = venueOf(venue);
  const parser = adapter.createParser();
  for (const f of frames) {
    if (f.kind === 'ws') engine.handleFrame(venue, parser, f.text, f.localTs);
    else if (f.instrument) engine.handleEvent(adapter.parseSnapshot!(f.text, f.instrument, f.localTs));
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
