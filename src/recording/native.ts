/**
 * depthwatch's own recording format, version 1.
 *
 * A recording is one or more gzip files of JSON lines (UTF-8, `\n`-terminated). Every file starts with a
 * header line, then one line per recorded frame:
 * ```
 * {"format":"depthwatch-recording","version":1,"venue":"binance-usdm","start":1723161255030.31,
 *  "session":"20240808T235415Z-3f9a","part":0,"created":"2024-08-08T23:54:15.030Z"}
 * {"t":1723161255030.31,"k":"ws","c":"binance-usdm#1","d":"{\"stream\":\"btcusdt@depth@0ms\",...}"}
 * {"t":1723161255319.70,"k":"rest","c":"binance-usdm#1","u":"https://fapi.binance.com/fapi/v1/depth?symbol=BTCUSDT&limit=1000","i":"binance-usdm:BTCUSDT","d":"{\"lastUpdateId\":...}"}
 * ```
 * Header fields: `format` (always `depthwatch-recording`), `version` (1), `venue` (venue id of every
 * frame in the file), `start` (local receive time of the file's first frame, ms since epoch UTC),
 * `session` (shared by all parts of one writer's recording), `part` (0, 1, 2... in rotation order),
 * `created` (ISO time the file was opened, informational).
 *
 * Frame fields: `t` local receive time (ms since epoch UTC, fractional allowed), `k` kind (`ws` frame
 * received or `rest` response body), `c` connection id (omitted when the frame had none), `u` request URL
 * (REST, optional), `i` instrument id (`<venue>:<symbol>`, optional), `d` the raw text exactly as received.
 *
 * Files are named `<venue>_<session>_<part, 4 digits>.dwrec.gz`, so a directory listing sorts a session's
 * parts in order. Rotation closes the current file (a complete gzip member) and opens the next part.
 * A reader skips (and counts) malformed lines; a file cut short (crash) is read up to its last complete
 * line, and one still being written is readable up to its last flush.
 */
import { createWriteStream, mkdirSync, type WriteStream } from 'node:fs';
import { join } from 'node:path';
import { finished } from 'node:stream/promises';
import { constants as zc, createGzip, type Gzip } from 'node:zlib';
import { randomBytes } from 'node:crypto';
import type { RecordedFrame } from './types.ts';
import { FileLines, RecordingError } from './lines.ts';
import type { ReaderStats } from './stats.ts';

/** Value of the header's `format` field. */
export const NATIVE_FORMAT = 'depthwatch-recording';
/** Current format version. */
export const NATIVE_VERSION = 1;

/** The header line of a native recording file. */
export interface NativeHeader {
  format: typeof NATIVE_FORMAT;
  version: number;
  venue: string;
  /** Local time of the file's first frame, ms since epoch UTC. */
  start: number;
  session: string;
  part: number;
  /** ISO time the file was opened. */
  created: string;
}

/** One frame line as stored. */
interface NativeLine {
  t: number;
  k: 'ws' | 'rest';
  c?: string;
  u?: string;
  i?: string;
  d: string;
}

/**
 * Parse a header line.
 * @returns the header, or null when the line is not a native header (wrong format, unknown version,
 *   missing fields)
 */
export function parseNativeHeader(line: string): NativeHeader | null {
  let o: unknown;
  try {
    o = JSON.parse(line);
  } catch {
    return null;
  }
  if (o === null || typeof o !== 'object') return null;
  const h = o as Record<string, unknown>;
  if (h.format !== NATIVE_FORMAT || h.version !== NATIVE_VERSION) return null;
  if (typeof h.venue !== 'string' || h.venue.length === 0 || typeof h.session !== 'string') return null;
  if (typeof h.start !== 'number' || typeof h.part !== 'number') return null;
  return h as unknown as NativeHeader;
}

/**
 * Parse one frame line into a RecordedFrame of `venue`.
 * @returns null when the line is malformed (bad JSON, missing/ill-typed field)
 */
export function parseNativeLine(line: string, venue: string): RecordedFrame | null {
  let o: unknown;
  try {
    o = JSON.parse(line);
  } catch {
    return null;
  }
  if (o === null || typeof o !== 'object') return null;
  const l = o as Record<string, unknown>;
  if (typeof l.t !== 'number' || !Number.isFinite(l.t)) return null;
  if ((l.k !== 'ws' && l.k !== 'rest') || typeof l.d !== 'string') return null;
  if (l.c !== undefined && typeof l.c !== 'string') return null;
  if (l.u !== undefined && typeof l.u !== 'string') return null;
  if (l.i !== undefined && typeof l.i !== 'string') return null;
  const f: RecordedFrame = { localTs: l.t, kind: l.k, venue, text: l.d };
  if (l.c !== undefined) f.connection = l.c;
  if (l.u !== undefined) f.url = l.u;
  if (l.i !== undefined) f.instrument = l.i;
  return f;
}

/**
 * Frames of one native recording session: its part files in order.
 * A file whose first line is not a valid header is counted as one malformed line and skipped whole.
 * @param files part files, oldest first
 */
export async function* readNative(
  files: readonly string[],
  stats: ReaderStats,
  onFile: (lines: FileLines) => void = () => {},
): AsyncGenerator<RecordedFrame> {
  for (const path of files) {
    const lines = new FileLines(path, true);
    onFile(lines);
    let header: NativeHeader | null | undefined;
    for await (const line of lines) {
      stats.lines++;
      if (header === undefined) {
        header = parseNativeHeader(line);
        if (header === null) {
          stats.malformed++;
          break;
        }
        stats.skipped++;
        continue;
      }
      if (line.length === 0) {
        stats.skipped++;
        continue;
      }
      const f = parseNativeLine(line, header!.venue);
      if (f === null) {
        stats.malformed++;
        continue;
      }
      stats.frames++;
      yield f;
    }
    if (lines.truncated) stats.truncatedFiles++;
  }
}

/** Options of a RecordingWriter. */
export interface RecordingWriterOptions {
  /** Directory the files go to (created if missing). */
  dir: string;
  /** Venue id of every frame written (written in each file's header). */
  venue: string;
  /** Start a new part once this many uncompressed bytes are in the current one. Default 256 MiB. */
  rotateBytes?: number;
  /**
   * Start a new part once a frame's local time is this far past the current part's first frame
   * (ms; frame times, not wall-clock, so rotation is deterministic). Default 1 hour.
   */
  rotateMs?: number;
  /** Flush the gzip stream this often (ms) so a crash loses at most this much; 0 disables. Default 1000. */
  flushIntervalMs?: number;
  /** gzip level 1-9. Default 6. */
  gzipLevel?: number;
  /** Called once per write/stream error (the writer then drops further frames, counted in framesDropped). */
  onError?: (err: Error) => void;
}

interface OpenPart {
  path: string;
  gzip: Gzip;
  out: WriteStream;
  done: Promise<void>;
  start: number;
  bytes: number;
}

/**
 * Writes depthwatch native recordings (format above) with rotation by size and time.
 *
 * Usage (the live connector's `--record DIR`):
 * ```ts
 * const w = new RecordingWriter({ dir, venue: 'binance-usdm' });
 * w.write({ localTs, kind: 'ws', connection: 'c1', text });   // per received frame, synchronous
 * await w.close();                                             // at shutdown: flushes and closes the file
 * ```
 * `write` is synchronous and buffers (the gzip stream drains in the background); `flush()` forces the
 * buffered data to disk; `close()` ends the last part and resolves when every file is complete.
 */
export class RecordingWriter {
  /** Files opened so far, in order. */
  readonly files: string[] = [];
  framesWritten = 0;
  /** Uncompressed bytes written (header and frame lines). */
  bytesWritten = 0;
  /** Frames refused after an error or after close(). */
  framesDropped = 0;
  /** First error met, if any. */
  error: Error | null = null;
  /** Session id shared by this writer's parts (set at the first write). */
  session: string | null = null;
  private part: OpenPart | null = null;
  private partNo = 0;
  private readonly pending: Promise<void>[] = [];
  private closed = false;
  private timer: NodeJS.Timeout | null = null;
  private readonly rotateBytes: number;
  private readonly rotateMs: number;

  /** @throws {RecordingError} `usage` on a bad option (empty venue, non-positive rotation) */
  constructor(private readonly opts: RecordingWriterOptions) {
    if (!opts.venue) throw new RecordingError('usage', 'RecordingWriter needs a venue');
    this.rotateBytes = opts.rotateBytes ?? 256 * 1024 * 1024;
    this.rotateMs = opts.rotateMs ?? 3_600_000;
    if (!(this.rotateBytes > 0) || !(this.rotateMs > 0))
      throw new RecordingError('usage', 'rotateBytes and rotateMs must be positive');
    mkdirSync(opts.dir, { recursive: true });
    const every = opts.flushIntervalMs ?? 1000;
    if (every > 0) {
      this.timer = setInterval(() => void this.flush(), every);
      this.timer.unref();
    }
  }

  /**
   * Append one frame (to a new part first when the rotation limits are reached).
   * Frames after close() or after an error are not written; they are counted in `framesDropped`.
   * @throws {RecordingError} `usage` when the frame names another venue than the writer's, or its
   *   localTs is not a finite number, or it is an `event` frame (imported normalized data is not wire traffic)
   */
  write(frame: RecordedFrame): void {
    if (frame.kind === 'event')
      throw new RecordingError('usage', 'event frames (imported normalized data) cannot be recorded');
    if (!Number.isFinite(frame.localTs))
      throw new RecordingError('usage', `frame localTs must be a finite number of ms, got ${frame.localTs}`);
    if (frame.venue !== undefined && frame.venue !== this.opts.venue)
      throw new RecordingError(
        'usage',
        `frame of venue ${frame.venue} given to the ${this.opts.venue} writer`,
      );
    if (this.closed || this.error) {
      this.framesDropped++;
      return;
    }
    const l: NativeLine = { t: frame.localTs, k: frame.kind, d: frame.text };
    if (frame.connection !== undefined) l.c = frame.connection;
    if (frame.url !== undefined) l.u = frame.url;
    if (frame.instrument !== undefined) l.i = frame.instrument;
    // Key order t,k,c,u,i,d as documented.
    const line = JSON.stringify({ t: l.t, k: l.k, c: l.c, u: l.u, i: l.i, d: l.d }) + '\n';
    const n = Buffer.byteLength(line);
    const p = this.part;
    if (p && (p.bytes + n > this.rotateBytes || frame.localTs - p.start >= this.rotateMs)) this.endPart();
    const cur = this.part ?? this.openPart(frame.localTs);
    if (!cur) {
      this.framesDropped++;
      return;
    }
    cur.gzip.write(line);
    cur.bytes += n;
    this.bytesWritten += n;
    this.framesWritten++;
  }

  /** Push the data written so far through gzip to the file (a sync flush point readers can read up to). */
  async flush(): Promise<void> {
    const p = this.part;
    if (!p || this.error) return;
    await new Promise<void>((resolve) => p.gzip.flush(zc.Z_SYNC_FLUSH, () => resolve()));
  }

  /**
   * End the current part and wait for every file to be complete on disk. Idempotent.
   * @throws the first write/stream error met, if any
   */
  async close(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    this.closed = true;
    this.endPart();
    await Promise.allSettled(this.pending);
    if (this.error) throw this.error;
  }

  private openPart(firstTs: number): OpenPart | null {
    if (this.session === null) {
      const stamp = new Date(Number.isFinite(firstTs) ? firstTs : Date.now())
        .toISOString()
        .replace(/[-:]/g, '')
        .replace(/\.\d+Z$/, 'Z');
      this.session = `${stamp}-${randomBytes(2).toString('hex')}`;
    }
    const path = join(
      this.opts.dir,
      `${this.opts.venue}_${this.session}_${String(this.partNo).padStart(4, '0')}.dwrec.gz`,
    );
    const gzip = createGzip({ level: this.opts.gzipLevel ?? 6 });
    const out = createWriteStream(path, { flags: 'wx' });
    const fail = (e: Error): void => {
      if (this.error) return;
      this.error = e;
      this.opts.onError?.(e);
    };
    gzip.on('error', fail);
    out.on('error', fail);
    gzip.pipe(out);
    const done = finished(out).catch((e: Error) => fail(e));
    const header: NativeHeader = {
      format: NATIVE_FORMAT,
      version: NATIVE_VERSION,
      venue: this.opts.venue,
      start: firstTs,
      session: this.session,
      part: this.partNo,
      created: new Date().toISOString(),
    };
    const h = JSON.stringify(header) + '\n';
    gzip.write(h);
    const p: OpenPart = { path, gzip, out, done, start: firstTs, bytes: Buffer.byteLength(h) };
    this.bytesWritten += p.bytes;
    this.partNo++;
    this.files.push(path);
    this.part = p;
    this.pending.push(done);
    return p;
  }

  private endPart(): void {
    const p = this.part;
    if (!p) return;
    this.part = null;
    p.gzip.end();
  }
}
