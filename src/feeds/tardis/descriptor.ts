/**
 * Imported Tardis.dev data as a venue: the client-side description the engine needs for
 * `tardis-<exchange>` instruments (src/recording/tardis.ts reads the CSV files themselves).
 *
 * Follows: Tardis.dev, "Downloadable CSV files" (Data types): normalized L2 updates and snapshots with
 * no sequence and no checksum, in file order.
 */
import { MalformedFrameError } from '../../core/errors.ts';
import { unsequencedRule } from '../../book/sync-rule.ts';
import type { VenueAdapter } from '../types.ts';

/** True for the venue ids tardisVenue() makes. */
export function isTardisVenue(venue: string): boolean {
  return venue.startsWith('tardis-') && venue.length > 'tardis-'.length;
}

/**
 * The venue adapter of imported Tardis data for one `tardis-<exchange>` venue: books accept events by
 * the `unsequenced` rule (Tardis CSV has no sequence or checksum; order is the file's), snapshots come
 * in-stream, coverage is fixed by each snapshot (depthLimit N for `book_snapshot_N`, unbounded for
 * `incremental_book_L2`). Crossed-book checks apply as for every book. The venue has no wire protocol:
 * its parser rejects every frame (MalformedFrameError `unsupported`) and it cannot be subscribed to.
 * @throws {TypeError} when `venue` is not a `tardis-<exchange>` id
 */
export function tardisVenueAdapter(venue: string): VenueAdapter {
  if (!isTardisVenue(venue)) throw new TypeError(`not a Tardis venue id: "${venue}"`);
  const exchange = venue.slice('tardis-'.length);
  return {
    id: venue,
    name: `Tardis.dev ${exchange} (imported CSV)`,
    docs: ['Tardis.dev, Downloadable CSV files: Data types'],
    sync: { rule: unsequencedRule, snapshotSource: 'stream', coverage: 'snapshot' },
    ws: { url: '', maxSymbolsPerConnection: 0, pingIntervalMs: 0, staleAfterMs: Infinity },
    createParser: () => ({
      parse: () => {
        throw new MalformedFrameError('unsupported', `${venue} is imported data: it has no wire frames`);
      },
    }),
    subscribe: () => {
      throw new Error(`${venue} is imported data: it cannot be subscribed to live`);
    },
  };
}
