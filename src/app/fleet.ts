/**
 * Fleet wiring: how a process with a role takes part through the NATS JetStream bus.
 *
 * - `collector`: runs connectors and its own verified books (it must detect gaps and fetch snapshots);
 *   every normalized event its parsers emit (and every REST snapshot) is published on the bus as it is
 *   parsed, so the bus carries exactly what the local engine saw, in order. Each live book is also
 *   republished as a snapshot periodically, so analyzers that start late can splice.
 * - `analyzer` / `api`: no connectors; they rebuild the books from the collectors' events with their own
 *   Engine (same sync rules, so a lost message becomes a detected gap, never a silent error). Analyzers
 *   write history and latest state; API nodes serve it.
 */
import type { MarketEvent } from '../core/model.ts';
import type { FeedParser, VenueAdapter } from '../feeds/types.ts';
import type { Engine } from '../pipeline/engine.ts';
import { bookSnapshotEvent } from '../bus/nats.ts';

/**
 * Wrap a venue adapter so every event its parsers (and its REST snapshot parser) produce is also handed
 * to `publish`, after a successful parse and before the engine applies it.
 */
export function teeAdapter(adapter: VenueAdapter, publish: (e: MarketEvent) => void): VenueAdapter {
  const wrapParser = (inner: FeedParser): FeedParser => ({
    parse(text, localTs) {
      const events = inner.parse(text, localTs);
      for (let i = 0; i < events.length; i++) publish(events[i]!);
      return events;
    },
  });
  const parseSnapshot = adapter.parseSnapshot;
  return {
    ...adapter,
    createParser: () => wrapParser(adapter.createParser()),
    ...(parseSnapshot
      ? {
          parseSnapshot: (body: string, instrument: string, localTs: number) => {
            const s = parseSnapshot(body, instrument, localTs);
            publish(s);
            return s;
          },
        }
      : {}),
  };
}

/**
 * Republish every live book as a snapshot every `intervalMs`.
 * @returns a function that stops the timer
 */
export function startSnapshotRepublisher(
  engine: Engine,
  publish: (e: MarketEvent) => void,
  intervalMs: number,
): () => void {
  const timer = setInterval(() => {
    const now = Date.now();
    for (const b of engine.books.values()) if (b.health.state === 'live') publish(bookSnapshotEvent(b, now));
  }, intervalMs);
  timer.unref();
  return () => clearInterval(timer);
}

/**
 * Downstream staleness (analyzers and API nodes, whose books are fed by the fleet bus, not by a
 * connector's heartbeat): every second, a `live` book without an update for `staleAfterMs` is marked
 * `stale` (`stale_feed`, "the fleet bus delivered nothing for N ms") and the change is published like
 * any state change; the next event from the bus makes it live again. Collectors republish a snapshot of
 * every live book every 10 s, so a quiet but healthy instrument is not marked stale with the default 15 s.
 * @param now clock (tests)
 * @returns a function that stops the checks
 */
export function startDownstreamStaleness(
  engine: Pick<Engine, 'books' | 'stateChanged'>,
  staleAfterMs = 15_000,
  now: () => number = Date.now,
): { check: () => void; stop: () => void } {
  const check = (): void => {
    const t = now();
    for (const b of engine.books.values()) {
      if (b.health.state !== 'live') continue;
      const silent = t - b.health.lastUpdateLocalTs;
      if (silent <= staleAfterMs) continue;
      b.markStale('stale_feed', `stale: the fleet bus delivered nothing for ${silent} ms`, t);
      engine.stateChanged(b, 'live', t);
    }
  };
  const timer = setInterval(check, 1_000);
  timer.unref();
  return { check, stop: () => clearInterval(timer) };
}
