/**
 * Fault injection for the exchange simulator: configuration, a textual spec for the CLI, and a
 * deterministic PRNG so a given seed injects the same faults at the same frames on every run.
 */

/** Every fault kind the simulator can inject (each one counted under this name on `Simulator.faults`). */
export type FaultKind =
  | 'drop'
  | 'duplicate'
  | 'reorder'
  | 'delay'
  | 'corrupt'
  | 'truncate'
  | 'corruptChecksum'
  | 'disconnect'
  | 'stall'
  | 'slowSnapshot'
  | 'failSnapshot';

/** All fault kinds, in a fixed order. */
export const FAULT_KINDS: readonly FaultKind[] = [
  'drop',
  'duplicate',
  'reorder',
  'delay',
  'corrupt',
  'truncate',
  'corruptChecksum',
  'disconnect',
  'stall',
  'slowSnapshot',
  'failSnapshot',
];

/**
 * Fault configuration. Rates are probabilities in [0, 1]:
 * - `drop`, `duplicate`, `reorder`, `corrupt`, `truncate`: per depth (order-book diff) frame; at most one
 *   of these per frame (drawn from one uniform number).
 * - `delay`, `disconnect`, `stall`: per WebSocket frame of the timeline.
 * - `slowSnapshot`, `failSnapshot`: per REST snapshot request.
 */
export interface FaultConfig {
  /** PRNG seed (default 1). */
  seed?: number;
  drop?: number;
  duplicate?: number;
  /** The frame is held back and sent after the next frame of the same topic. */
  reorder?: number;
  /** One level of the frame gets a negative, non-numeric or wrong-typed size. */
  corrupt?: number;
  /** The frame text is cut in the middle (invalid JSON). */
  truncate?: number;
  /** The whole stream pauses `ms` before the frame (a latency spike). */
  delay?: { rate: number; ms: number };
  /** Every client socket is terminated (TCP reset without close handshake). */
  disconnect?: number;
  /** The venue goes silent for `ms`: no frames, sockets paused (no pong either). */
  stall?: { rate: number; ms: number };
  /** A snapshot response is delayed by `ms`. */
  slowSnapshot?: { rate: number; ms: number };
  /** A snapshot request fails with `status` (5xx, or 429/418 with `Retry-After: retryAfterS`). */
  failSnapshot?: { rate: number; status: number; retryAfterS?: number };
  /** The venue checksum carried by the frame (OKX `checksum`, Kraken `c`/`checksum`) is changed. */
  corruptChecksum?: number;
  /** Explicit: change the checksum of the `n`-th (1-based) depth frame of `symbol`. */
  corruptChecksumNth?: ReadonlyArray<{ symbol: string; n: number }>;
  /** Explicit: corrupt one level (SimProtocol.corruptLevel) of the `n`-th (1-based) depth frame of `symbol`. */
  corruptNth?: ReadonlyArray<{ symbol: string; n: number }>;
  /** Explicit: drop the `n`-th (1-based) depth frame of `symbol` (venue spelling, e.g. `BTCUSDT`). */
  dropNth?: ReadonlyArray<{ symbol: string; n: number }>;
  /** Explicit: terminate every client socket before the timeline frame with this 0-based index. */
  disconnectAtFrame?: readonly number[];
  /** Explicit: stall `ms` before the timeline frame with this 0-based index. */
  stallAtFrame?: ReadonlyArray<{ frame: number; ms: number }>;
  /** Explicit: the next `n` snapshot requests fail with `failSnapshot.status` (or 503). */
  failFirstSnapshots?: number;
}

/** Fresh zeroed fault counters. */
export function newFaultCounters(): Record<FaultKind, number> {
  const c = {} as Record<FaultKind, number>;
  for (const k of FAULT_KINDS) c[k] = 0;
  return c;
}

export { mulberry32 } from '../util/prng.ts';

function rate(v: string, name: string): number {
  const r = Number(v);
  if (!Number.isFinite(r) || r < 0 || r > 1)
    throw new RangeError(`fault ${name}: rate must be in [0,1], got "${v}"`);
  return r;
}

function positive(v: string | undefined, name: string, dflt?: number): number {
  if (v === undefined) {
    if (dflt === undefined) throw new RangeError(`fault ${name}: needs a value after ':'`);
    return dflt;
  }
  const n = Number(v);
  if (!Number.isFinite(n) || n < 0)
    throw new RangeError(`fault ${name}: "${v}" is not a non-negative number`);
  return n;
}

/**
 * Parse a CLI fault spec: comma-separated `kind=rate[:param]` items, e.g.
 * `drop=0.001,duplicate=0.001,reorder=0.001,corrupt=0.0005,truncate=0.0005,delay=0.001:200,
 * disconnect=0.0001,stall=0.0001:3000,slowSnapshot=0.2:1500,failSnapshot=0.1:503,dropNth=BTCUSDT:100`.
 * Params: delay/stall/slowSnapshot take ms (defaults 200/3000/1000); failSnapshot takes the HTTP status
 * (default 503); dropNth takes `SYMBOL:n` instead of a rate.
 * @throws {RangeError} on an unknown kind or a bad number
 */
export function parseFaultSpec(spec: string, seed?: number): FaultConfig {
  const cfg: FaultConfig = seed === undefined ? {} : { seed };
  const dropNth: Array<{ symbol: string; n: number }> = [];
  for (const raw of spec.split(',')) {
    const item = raw.trim();
    if (item.length === 0) continue;
    const eq = item.indexOf('=');
    if (eq <= 0) throw new RangeError(`fault item "${item}" must be kind=value`);
    const kind = item.slice(0, eq);
    const [a, b] = item.slice(eq + 1).split(':');
    switch (kind) {
      case 'drop':
      case 'duplicate':
      case 'reorder':
      case 'corrupt':
      case 'truncate':
      case 'corruptChecksum':
      case 'disconnect':
        cfg[kind] = rate(a ?? '', kind);
        break;
      case 'delay':
        cfg.delay = { rate: rate(a ?? '', kind), ms: positive(b, kind, 200) };
        break;
      case 'stall':
        cfg.stall = { rate: rate(a ?? '', kind), ms: positive(b, kind, 3000) };
        break;
      case 'slowSnapshot':
        cfg.slowSnapshot = { rate: rate(a ?? '', kind), ms: positive(b, kind, 1000) };
        break;
      case 'failSnapshot': {
        const status = positive(b, kind, 503);
        if (!Number.isInteger(status) || status < 400 || status > 599)
          throw new RangeError(`fault failSnapshot: status must be 4xx/5xx, got "${b}"`);
        cfg.failSnapshot = { rate: rate(a ?? '', kind), status };
        break;
      }
      case 'dropNth': {
        const n = positive(b, kind);
        if (!a || !Number.isInteger(n) || n < 1)
          throw new RangeError(`fault dropNth must be SYMBOL:n (n >= 1)`);
        dropNth.push({ symbol: a, n });
        break;
      }
      default:
        throw new RangeError(
          `unknown fault "${kind}"; known: drop, duplicate, reorder, corrupt, truncate, delay, disconnect, stall, slowSnapshot, failSnapshot, dropNth`,
        );
    }
  }
  if (dropNth.length > 0) cfg.dropNth = dropNth;
  return cfg;
}

/**
 * Change the venue checksum a book frame carries, keeping the frame valid JSON: OKX v5 `"checksum":N`
 * (signed 32-bit), Kraken v1 `"c":"N"` and v2 `"checksum":N` (unsigned). The new value differs from the
 * old in the lowest bit, so it can never match the book.
 * @returns the changed text, or null when the frame carries no checksum
 */
export function corruptChecksumText(text: string): string | null {
  const m = /"(checksum|c)":("?)(-?\d+)\2/.exec(text);
  if (m === null) return null;
  const v = Number(m[3]);
  const bad = String(v % 2 === 0 ? v + 1 : v - 1);
  return text.slice(0, m.index) + `"${m[1]}":${m[2]}${bad}${m[2]}` + text.slice(m.index + m[0].length);
}
