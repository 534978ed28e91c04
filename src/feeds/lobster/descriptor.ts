/**
 * LOBSTER data (NASDAQ order-by-order files) as a venue: the client-side description the engine needs
 * for `lobster:<TICKER>` instruments (src/recording/lobster.ts reads the message and orderbook files and
 * rebuilds the book with book/l3-book.ts).
 *
 * Follows: LOBSTER, sample files readme, "Output Structure" (message and orderbook files).
 */
import { MalformedFrameError } from '../../core/errors.ts';
import { consecutiveRule } from '../../book/sync-rule.ts';
import type { VenueAdapter } from '../types.ts';

/** Venue id of LOBSTER data. */
export const LOBSTER_VENUE = 'lobster';

/**
 * The venue adapter of LOBSTER data (venue `lobster`): books accept deltas by the `consecutive` rule
 * (sequence = message line number), the snapshot comes in-stream (orderbook row 1), coverage is the
 * snapshot's and then the one each delta states. LOBSTER has no wire protocol: the parser rejects
 * every frame (MalformedFrameError `unsupported`) and it cannot be subscribed to.
 */
export function lobsterVenueAdapter(): VenueAdapter {
  return {
    id: LOBSTER_VENUE,
    name: 'LOBSTER (NASDAQ order-by-order files)',
    docs: ['LOBSTER, Sample files readme: Output Structure (message and orderbook files)'],
    sync: { rule: consecutiveRule, snapshotSource: 'stream', coverage: 'snapshot' },
    ws: { url: '', maxSymbolsPerConnection: 0, pingIntervalMs: 0, staleAfterMs: Infinity },
    createParser: () => ({
      parse: () => {
        throw new MalformedFrameError('unsupported', 'LOBSTER is file data: it has no wire frames');
      },
    }),
    subscribe: () => {
      throw new Error('LOBSTER is file data: it cannot be subscribed to live');
    },
  };
}
