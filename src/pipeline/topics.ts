/**
 * What the pipeline publishes on the bus (see core/bus.ts): every consumer above it (analytics, alerts,
 * outputs, API) subscribes by these names.
 */
import type { BookHealth } from '../book/health.ts';
import type { Funding, Trade } from '../core/model.ts';

/** Top-N view of a verified book (prices/sizes as numbers, best first), published on every book change. */
export interface BookView {
  instrument: string;
  /** Exchange time of the update the view follows, ms since epoch UTC (NaN when unknown). */
  exchangeTs: number;
  /** Local receive time of that update, ms since epoch UTC. */
  localTs: number;
  /** Venue sequence the book stands at (NaN when the venue has none). */
  sequence: number;
  state: BookHealth['state'];
  /** Best levels per side, [price (quote), size (base or contracts)], at most the publisher's depth (default 20). */
  bids: [number, number][];
  asks: [number, number][];
}

/** Topics the pipeline publishes, and their payloads. */
export interface PipelineTopics {
  /** Top of book after every change (conflated by consumers as they like); only built while someone listens. */
  book: BookView;
  /** Every public trade, as parsed. */
  trade: Trade;
  /** Every funding event that became its instrument's latest (Engine.funding), as parsed. */
  funding: Funding;
  /** Health whenever an instrument's state changes (and periodically from the outputs that want it). */
  health: BookHealth;
}
