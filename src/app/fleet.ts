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
 * connector's heartbeat): every second, a `live` book whose instrument got nothing from the bus for
 * `staleAfterMs` is marked `stale` (`stale_feed`, "the fleet bus delivered nothing for N ms") and the
 * change is published like any state change. The bus consumer calls `seen(instrument)` for every event it
 * hands to the engine: a book this check made stale turns live again with the next event (a collector's
 * periodic snapshot counts, even when it repeats the book's sequence). Collectors republish a snapshot of
 * every live book every 10 s, so a quiet but healthy instrument is not marked stale with the default 15 s.
 * @param now clock (tests)
 * @returns `seen` (call per bus event), `check` (the periodic check) and `stop`
 */
export function startDownstreamStaleness(
  engine: Pick<Engine, 'books' | 'stateChanged'>,
  staleAfterMs = 15_000,
  now: () => number = Date.now,
): { seen: (instrument: string) => void; check: () => void; stop: () => void } {
  const lastSeen = new Map<string, number>();
  const seen = (instrument: string): void => {
    const t = now();
    lastSeen.set(instrument, t);
    const b = engine.books.get(instrument);
    if (b && b.health.state === 'stale' && b.health.reasonCode === 'stale_feed') {
      b.setState('live', null, null, t);
      engine.stateChanged(b, 'stale', t);
    }
  };
  const check = (): void => {
    const t = now();
    for (const b of engine.books.values()) {
      if (b.health.state !== 'live') continue;
      const last = Math.max(lastSeen.get(b.instrument) ?? -Infinity, b.health.lastUpdateLocalTs);
      const silent = t - last;
      if (silent <= staleAfterMs) continue;
      b.markStale('stale_feed', `stale: the fleet bus delivered nothing for ${Math.round(silent)} ms`, t);
      engine.stateChanged(b, 'live', t);
    }
  };
  const timer = setInterval(check, 1_000);
  timer.unref();
  return { seen, check, stop: () => clearInterval(timer) };
}
