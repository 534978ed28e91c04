/**
 * Reference data that recordings carry: cryptofeed `<FEED>.0` instrument-metadata files (the REST
 * instrument lists the recorder fetched at start: OKX instruments, Kraken AssetPairs, Bybit symbols,
 * Coinbase products...) and reference bodies inline in a stream (the older single-file layout, or a
 * depthwatch recording of a live session, whose REST bodies are recorded too), read into an
 * InstrumentCatalog with each venue's `reference` parser (feeds/<venue>/instruments.ts).
 *
 * A recording names its metadata files in one of three ways, all honoured by {@link metadataFiles}:
 * given explicitly (`X.0` on the command line), inside a given directory (listed in `ignored`), or next
 * to a given cryptofeed stream file (`OKX.ws.1.0` → `OKX.0` in the same directory).
 */
import { access } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { MalformedFrameError } from '../core/errors.ts';
import type { InstrumentCatalog } from '../core/instrument.ts';
import type { VenueId } from '../core/model.ts';
import type { VenueAdapter } from '../feeds/types.ts';
import { cryptofeedVenue, parseCryptofeedName, readCryptofeed } from './cryptofeed.ts';
import { isGzipFile } from './lines.ts';
import type { RecordingFile } from './open.ts';
import { newReaderStats } from './stats.ts';
import type { RecordedFrame } from './types.ts';

/** The cryptofeed metadata files (`<FEED>.0`) of a recording, each once, in path order. */
export async function metadataFiles(
  files: readonly Pick<RecordingFile, 'path' | 'format' | 'meta'>[],
  ignored: readonly string[],
): Promise<string[]> {
  const out = new Set<string>();
  for (const f of files) if (f.format === 'cryptofeed' && f.meta) out.add(f.path);
  for (const p of ignored) if (parseCryptofeedName(p)?.kind === 'meta') out.add(p);
  for (const f of files) {
    if (f.format !== 'cryptofeed') continue;
    const name = parseCryptofeedName(f.path);
    if (!name || name.kind === 'meta') continue;
    const sibling = join(dirname(f.path), `${name.feed}.0`);
    if (out.has(sibling)) continue;
    try {
      await access(sibling);
      out.add(sibling);
    } catch {
      // no metadata next to this stream
    }
  }
  return [...out].sort();
}

/** The REST bodies of cryptofeed metadata files, as `rest` frames with their venue. */
export async function readMetadataFrames(paths: readonly string[]): Promise<RecordedFrame[]> {
  const out: RecordedFrame[] = [];
  const stats = newReaderStats();
  for (const p of paths) {
    const name = parseCryptofeedName(p);
    const venue = name ? cryptofeedVenue(name.feed) : undefined;
    const gzip = await isGzipFile(p);
    for await (const f of readCryptofeed(p, gzip, name?.feed ?? p, venue, stats))
      if (f.kind === 'rest') out.push(f);
  }
  return out;
}

/** What loading reference bodies did, per venue. */
export interface ReferenceLoadCounts {
  /** Bodies parsed, specs added, entries skipped, bodies that failed to parse. */
  bodies: number;
  specs: number;
  skipped: number;
  failed: number;
}

/**
 * Add the specs of every frame that is one of its venue's reference bodies (`adapter.reference.matches`
 * on the frame's URL) to `catalog`, `source: 'recording'`. Frames of other kinds, of unknown venues, or
 * whose URL is no reference request are passed over. A body that does not parse (MalformedFrameError) is
 * counted (`failed`), never thrown.
 * @returns counts per venue (venues with no reference body absent)
 */
export function loadRecordedReference(
  frames: Iterable<RecordedFrame>,
  adapters: ReadonlyMap<VenueId, VenueAdapter>,
  catalog: InstrumentCatalog,
): Map<VenueId, ReferenceLoadCounts> {
  const counts = new Map<VenueId, ReferenceLoadCounts>();
  for (const f of frames) loadReferenceFrame(f, adapters, catalog, counts);
  return counts;
}

/**
 * {@link loadRecordedReference} for one frame.
 * @returns true when the frame was a reference body (parsed or failed), false otherwise
 */
export function loadReferenceFrame(
  f: RecordedFrame,
  adapters: ReadonlyMap<VenueId, VenueAdapter>,
  catalog: InstrumentCatalog,
  counts: Map<VenueId, ReferenceLoadCounts>,
): boolean {
  if (f.kind !== 'rest' || f.url === undefined || f.venue === undefined) return false;
  const ref = adapters.get(f.venue)?.reference;
  if (!ref?.matches(f.url)) return false;
  let c = counts.get(f.venue);
  if (!c) counts.set(f.venue, (c = { bodies: 0, specs: 0, skipped: 0, failed: 0 }));
  const n = c;
  try {
    const specs = ref.parse(f.text, f.url, 'recording', () => void n.skipped++);
    catalog.add(specs);
    n.bodies++;
    n.specs += specs.length;
  } catch (err) {
    if (!(err instanceof MalformedFrameError)) throw err;
    n.failed++;
  }
  return true;
}
