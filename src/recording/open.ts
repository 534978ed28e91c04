/**
 * One entry point for every recording format: `openRecording(paths)` detects each file's format from its
 * content (and name), groups the files that continue one stream, and yields all frames merged by local
 * receive time.
 *
 * Formats (see each reader's docstring):
 * - `native`: depthwatch's own gzip JSON lines (native.ts); the parts of one session are read in order.
 * - `hftbacktest`: hftbacktest Binance `.gz` (hftbacktest.ts); the day files of one connection
 *   (`btcusdt_20240808.gz`, `btcusdt_20240809.gz` in one folder) are read in date order as one stream.
 * - `cryptofeed`: cryptofeed raw files (cryptofeed.ts); each `X.ws.N.0` / `X.http.N.0` file is one stream,
 *   and so is an older single-file capture `<FEED>-<hash>.0` (venue from the URLs inside it).
 * - `bybit-history`: Bybit v5 order-book history downloads (bybit-history.ts), told by their first line;
 *   one stream per file, local time = exchange `ts`.
 * - `tardis`: Tardis.dev CSV, `.csv` or `.csv.gz` (tardis.ts), told by its header line; each file is one
 *   stream of normalized `event` frames, venue `tardis-<exchange>` from its first data row (`tardis-unknown`
 *   when it has none).
 * - `lobster`: a LOBSTER message file and its orderbook file (lobster.ts), told by their names
 *   (`TICKER_DATE_START_END_message_N.csv` / `..._orderbook_N.csv`) and checked by their columns; the pair
 *   is one stream of normalized `event` frames (venue `lobster`). Naming either file brings the other
 *   along from the same directory; a file whose partner cannot be found is an error (`usage`): the
 *   message file alone cannot rebuild the book (its start is in the orderbook file), and the orderbook
 *   file alone has no events.
 *
 * A directory stands for the recording files directly inside it (not recursive); files in it that no
 * reader recognises, and cryptofeed `X.0` metadata files, are ignored (listed in `ignored`). A file named
 * explicitly must be recognised.
 */
import { readdir, stat } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { RecordedFrame } from './types.ts';
import { resolveVenueId } from '../util/venue-ids.ts';
import { FileLines, RecordingError, fileSize, headLines, isGzipFile } from './lines.ts';
import {
  guessHftbacktestVenue,
  hftbacktestConnection,
  looksLikeHftbacktest,
  readHftbacktest,
} from './hftbacktest.ts';
import {
  cryptofeedVenue,
  cryptofeedVenueFromLines,
  looksLikeCryptofeed,
  parseCryptofeedName,
  parseSingleFileName,
  readCryptofeed,
} from './cryptofeed.ts';
import { BYBIT_HISTORY_VENUE, looksLikeBybitHistory, readBybitHistory } from './bybit-history.ts';
import { parseNativeHeader, readNative } from './native.ts';
import { parseTardisHeader, readTardis, tardisExchange, tardisVenue } from './tardis.ts';
import { baseName, newReaderStats, type ReaderStats } from './stats.ts';
import {
  LOBSTER_VENUE,
  looksLikeLobsterMessage,
  looksLikeLobsterOrderbook,
  newLobsterStats,
  parseLobsterName,
  readLobster,
  type LobsterControl,
  type LobsterStats,
} from './lobster.ts';

/** Recording file formats. */
export type RecordingFormat =
  'native' | 'hftbacktest' | 'cryptofeed' | 'tardis' | 'lobster' | 'bybit-history';

/** What `openRecording` reads, for the message given about a file it cannot read. */
export const READABLE_FORMATS =
  'depthwatch recordings (<venue>_<session>_<part>.dwrec.gz), hftbacktest .gz (`<ns> <json>` lines), ' +
  'cryptofeed raw captures (<FEED>.ws.N.0 / <FEED>.http.N.0 per connection, or the older single-file ' +
  '<FEED>-<hash>.0 with a `configuration:` line), Bybit v5 order-book history downloads ' +
  '(<date>_<SYMBOL>_ob500.data), Tardis.dev CSV (.csv, .csv.gz) and LOBSTER message/orderbook pairs';

/** One recognised file. */
export interface RecordingFile {
  path: string;
  format: RecordingFormat;
  gzip: boolean;
  /** Size on disk, bytes. */
  size: number;
  /** Venue the file's format tells (or the `venue` option when it does not). */
  venue: string | undefined;
  /** Files with the same group are one stream, read one after another in `order`. */
  group: string;
  /** Order within the group. */
  order: string | number;
  /** Connection id stamped on the frames (hftbacktest, cryptofeed, tardis; native frames carry their own). */
  connection: string;
  /** cryptofeed `X.0` instrument-metadata file. */
  meta: boolean;
}

/** Options of openRecording. */
export interface OpenRecordingOptions {
  /** Venue id for files whose format does not tell it (used only as a fallback). */
  venue?: string;
}

/** An opened recording: the recognised files and the merged frame stream. */
export interface Recording extends AsyncIterable<RecordedFrame> {
  readonly files: readonly RecordingFile[];
  /** Paths inside given directories that were not recognised (or were metadata) and are not read. */
  readonly ignored: readonly string[];
  /** Distinct venues of the files (undefined entries excluded). */
  readonly venues: readonly string[];
  /** Total size of the files on disk, bytes. */
  readonly totalBytes: number;
  /** Bytes read from disk so far (compressed bytes for gzip files). */
  readonly bytesRead: number;
  /** Reader counters (lines, frames, malformed, skipped, truncated files), summed over all files. */
  readonly stats: ReaderStats;
  /** Per LOBSTER pair: what its reader saw (messages by type, oracle rows, L3 book counters), filled while reading. */
  readonly lobster: readonly LobsterStats[];
  /**
   * Ask the readers that can produce a fresh snapshot in-stream for `instrument` (LOBSTER pairs: from the
   * next orderbook row) to do so.
   * @returns true when some reader will, false when the recording cannot (the book stays resyncing)
   */
  requestSnapshot(instrument: string): boolean;
}

interface Detected {
  format: RecordingFormat;
  venue: string | undefined;
  group: string;
  order: string | number;
  connection: string;
  meta: boolean;
}

async function detect(path: string, gzip: boolean): Promise<Detected | null> {
  const head = await headLines(path, gzip, 200);
  const first = head.find((l) => l.length > 0);
  const name = parseCryptofeedName(path);
  if (first !== undefined) {
    const h = parseNativeHeader(first);
    if (h)
      return {
        format: 'native',
        venue: h.venue,
        group: `native:${h.session}`,
        order: h.part,
        connection: '',
        meta: false,
      };
    const tardis = parseTardisHeader(head[0] ?? '');
    if (tardis) {
      const exchange = tardisExchange(tardis, head.slice(1));
      return {
        format: 'tardis',
        venue: tardisVenue(exchange ?? 'unknown'),
        group: `tardis:${path}`,
        order: 0,
        connection: baseName(path),
        meta: false,
      };
    }
    if (looksLikeBybitHistory(first))
      return {
        format: 'bybit-history',
        venue: BYBIT_HISTORY_VENUE,
        group: `bybit-history:${path}`,
        order: 0,
        connection: baseName(path).replace(/\.gz$/, ''),
        meta: false,
      };
    if (looksLikeHftbacktest(first)) {
      const connection = hftbacktestConnection(path);
      return {
        format: 'hftbacktest',
        venue: guessHftbacktestVenue(path, head),
        group: `hftbacktest:${join(dirname(path), connection)}`,
        order: baseName(path),
        connection,
        meta: false,
      };
    }
  }
  const lob = parseLobsterName(path);
  if (lob && first !== undefined) {
    const ok =
      lob.kind === 'message' ? looksLikeLobsterMessage(first) : looksLikeLobsterOrderbook(first, lob.level);
    if (ok)
      return {
        format: 'lobster',
        venue: LOBSTER_VENUE,
        group: `lobster:${join(dirname(path), `${lob.stem}_${lob.level}`)}`,
        order: lob.kind === 'message' ? 0 : 1,
        connection: `${lob.stem}_${lob.level}`,
        meta: false,
      };
  }
  if (name || (first !== undefined && looksLikeCryptofeed(first))) {
    const connection = baseName(path)
      .replace(/\.gz$/, '')
      .replace(/\.\d+$/, '');
    const single = name ? null : parseSingleFileName(path);
    return {
      format: 'cryptofeed',
      venue: name
        ? cryptofeedVenue(name.feed)
        : (cryptofeedVenueFromLines(head) ?? (single !== null ? cryptofeedVenue(single) : undefined)),
      group: `cryptofeed:${path}`,
      order: 0,
      connection,
      meta: name?.kind === 'meta',
    };
  }
  return null;
}

/**
 * Open a recording made of files and/or directories.
 * @param paths files or directories (see module doc)
 * @throws {RecordingError} `not_found` for a missing path, `unknown_format` for a named file no reader
 *   recognises, `empty` when no recording file is found at all
 */
export async function openRecording(
  paths: readonly string[],
  opts: OpenRecordingOptions = {},
): Promise<Recording> {
  const candidates: { path: string; explicit: boolean }[] = [];
  for (const p of paths) {
    let st;
    try {
      st = await stat(p);
    } catch {
      throw new RecordingError('not_found', `no such file or directory: ${p}`);
    }
    if (st.isDirectory()) {
      const names = (await readdir(p)).filter((n) => !n.startsWith('.')).sort();
      for (const n of names) {
        const full = join(p, n);
        if ((await stat(full)).isFile()) candidates.push({ path: full, explicit: false });
      }
    } else candidates.push({ path: p, explicit: true });
  }
  const files: RecordingFile[] = [];
  const ignored: string[] = [];
  const seen = new Set<string>();
  for (const c of candidates) {
    if (seen.has(c.path)) continue;
    seen.add(c.path);
    const size = await fileSize(c.path);
    const gzip = size >= 2 && (await isGzipFile(c.path));
    const d = size === 0 ? null : await detect(c.path, gzip);
    if (!d || (d.meta && !c.explicit)) {
      if (c.explicit && !d)
        throw new RecordingError(
          'unknown_format',
          `not a recording file this version can read: ${c.path}; it reads ${READABLE_FORMATS}`,
        );
      ignored.push(c.path);
      continue;
    }
    const venue = d.venue ?? opts.venue;
    files.push({
      path: c.path,
      gzip,
      size,
      ...d,
      venue: venue === undefined ? undefined : resolveVenueId(venue),
    });
  }
  await pairLobster(files, seen);
  if (files.length === 0)
    throw new RecordingError(
      'empty',
      `no recording files in: ${paths.join(', ')}; depthwatch reads ${READABLE_FORMATS}`,
    );
  return new MergedRecording(files, ignored);
}

/**
 * Complete every LOBSTER pair: a message or orderbook file given without its partner gets the partner
 * from the same directory (added to `files`).
 * @throws {RecordingError} `usage` when the partner does not exist or is not a LOBSTER file
 */
async function pairLobster(files: RecordingFile[], seen: Set<string>): Promise<void> {
  const groups = new Map<string, RecordingFile[]>();
  for (const f of files) if (f.format === 'lobster') groups.set(f.group, [...(groups.get(f.group) ?? []), f]);
  for (const g of groups.values()) {
    const kinds = new Set(g.map((f) => parseLobsterName(f.path)!.kind));
    if (g.length > 2 || kinds.size !== g.length)
      throw new RecordingError('usage', `ambiguous LOBSTER pair: ${g.map((f) => f.path).join(', ')}`);
    if (g.length === 2) continue;
    const f = g[0]!;
    const name = parseLobsterName(f.path)!;
    const partner = join(dirname(f.path), name.partner);
    let size;
    try {
      size = await fileSize(partner);
    } catch {
      throw new RecordingError(
        'usage',
        `LOBSTER ${name.kind} file ${f.path} needs its ${name.kind === 'message' ? 'orderbook' : 'message'} file ${partner}, which does not exist`,
      );
    }
    const gzip = size >= 2 && (await isGzipFile(partner));
    const d = size === 0 ? null : await detect(partner, gzip);
    if (!d || d.format !== 'lobster' || d.group !== f.group)
      throw new RecordingError(
        'usage',
        `not a LOBSTER ${name.kind === 'message' ? 'orderbook' : 'message'} file: ${partner}`,
      );
    seen.add(partner);
    files.push({ path: partner, gzip, size, ...d });
  }
}

class MergedRecording implements Recording {
  readonly venues: readonly string[];
  readonly totalBytes: number;
  readonly stats = newReaderStats();
  readonly lobster: LobsterStats[] = [];
  private readonly sources: FileLines[] = [];
  private readonly controls = new Map<string, LobsterControl[]>();

  constructor(
    readonly files: readonly RecordingFile[],
    readonly ignored: readonly string[],
  ) {
    this.venues = [...new Set(files.map((f) => f.venue).filter((v): v is string => v !== undefined))];
    this.totalBytes = files.reduce((n, f) => n + f.size, 0);
  }

  requestSnapshot(instrument: string): boolean {
    const list = this.controls.get(instrument);
    if (!list) return false;
    for (const c of list) c.resync = true;
    return true;
  }

  get bytesRead(): number {
    let n = 0;
    for (const s of this.sources) n += s.bytesRead;
    return n;
  }

  [Symbol.asyncIterator](): AsyncIterator<RecordedFrame> {
    const groups = new Map<string, RecordingFile[]>();
    for (const f of this.files) {
      const g = groups.get(f.group);
      if (g) g.push(f);
      else groups.set(f.group, [f]);
    }
    const onFile = (l: FileLines): void => void this.sources.push(l);
    const streams: AsyncIterator<RecordedFrame>[] = [];
    for (const g of groups.values()) {
      g.sort((a, b) => (a.order < b.order ? -1 : a.order > b.order ? 1 : 0));
      const f0 = g[0]!;
      const paths = g.map((f) => f.path);
      if (f0.format === 'hftbacktest')
        streams.push(readHftbacktest(paths, f0.connection, f0.venue, this.stats, onFile));
      else if (f0.format === 'native') streams.push(readNative(paths, this.stats, onFile));
      else if (f0.format === 'lobster') {
        const [msg, book] = g as [RecordingFile, RecordingFile];
        const name = parseLobsterName(msg.path)!;
        const st = newLobsterStats(msg.path, book.path, name);
        this.lobster.push(st);
        const control: LobsterControl = { resync: false };
        this.controls.set(st.instrument, [...(this.controls.get(st.instrument) ?? []), control]);
        streams.push(
          readLobster(
            { path: msg.path, gzip: msg.gzip },
            { path: book.path, gzip: book.gzip },
            name,
            msg.connection,
            this.stats,
            st,
            onFile,
            control,
          ),
        );
      } else if (f0.format === 'bybit-history')
        streams.push(readBybitHistory(f0.path, f0.gzip, f0.connection, this.stats, onFile));
      else if (f0.format === 'tardis')
        streams.push(readTardis(f0.path, f0.gzip, f0.connection, f0.venue!, this.stats, onFile));
      else streams.push(readCryptofeed(f0.path, f0.gzip, f0.connection, f0.venue, this.stats, onFile));
    }
    return mergeByTime(streams);
  }
}

/**
 * Merge frame streams, each in local-time order, into one in local-time order (ties: earlier stream
 * first). A stream that goes back in time is not reordered: its frames come out in file order.
 * Closing the merged stream early closes every source.
 */
export async function* mergeByTime(sources: AsyncIterator<RecordedFrame>[]): AsyncGenerator<RecordedFrame> {
  const heads: (RecordedFrame | null)[] = [];
  try {
    for (const s of sources) {
      const r = await s.next();
      heads.push(r.done ? null : r.value);
    }
    for (;;) {
      let k = -1;
      let best = Infinity;
      for (let i = 0; i < heads.length; i++) {
        const h = heads[i];
        if (h && (k === -1 || h.localTs < best)) {
          k = i;
          best = h.localTs;
        }
      }
      if (k === -1) return;
      const out = heads[k]!;
      const r = await sources[k]!.next();
      heads[k] = r.done ? null : r.value;
      yield out;
    }
  } finally {
    await Promise.all(sources.map((s) => s.return?.()));
  }
}
