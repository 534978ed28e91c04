/**
 * The bus between the core and the outputs. The in-process bus is the default; the NATS JetStream bus
 * (bus/nats.ts) implements the same interface for a fleet.
 */
import type { Trade } from '../core/model.ts';
import type { BookHealth } from '../book/health.ts';
import type { MetricsSample } from '../analytics/types.ts';
import type { Alert } from '../alerts/types.ts';

/** Top-of-book view published on every book change (prices/sizes as numbers, best first). */
export interface BookTop {
  instrument: string;
  exchangeTs: number;
  localTs: number;
  sequence: number;
  state: BookHealth['state'];
  /** Best levels per side, [price, size], at most the publisher's configured depth (default 20). */
  bids: [number, number][];
  asks: [number, number][];
}

/** Topics and their payloads. */
export interface BusTopics {
  /** Metrics after every book update. */
  metrics: MetricsSample;
  /** One metrics sample per instrument per sampling interval (default 1 s), for storage. */
  'metrics.sample': MetricsSample;
  /** Top of book after every change (conflated by consumers as they like). */
  book: BookTop;
  trade: Trade;
  /** Health whenever an instrument's state changes, and periodically. */
  health: BookHealth;
  /** Every alert the alert engine emits (firing, and resolved when `notifyResolved` is on). */
  alert: Alert;
}

export type Topic = keyof BusTopics;

/** Publish/subscribe by topic. Handlers run synchronously on the in-process bus; they must not throw. */
export interface Bus {
  publish<T extends Topic>(topic: T, payload: BusTopics[T]): void;
  /** @returns a function that removes the subscription */
  subscribe<T extends Topic>(topic: T, handler: (payload: BusTopics[T]) => void): () => void;
  /**
   * Whether anything listens on `topic` in this process, so a publisher can skip building a payload
   * nobody reads (the engine's per-update `book` view). Buses that cannot tell leave it out (= true).
   */
  hasSubscribers?(topic: Topic): boolean;
  close(): Promise<void>;
}
