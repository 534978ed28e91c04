/**
 * The bus contract between the layers: each layer publishes its own topics (pipeline: `book`, `trade`,
 * `health`; analytics: `metrics`, `metrics.sample`, `analytics`, `cross`; alerts: `alert`) through this
 * interface and knows nothing of the implementation (in-process in src/bus/in-process.ts, NATS JetStream
 * in src/bus/nats.ts) nor of the layers above it. A topic map is an object type `{ topic: payload }`;
 * a producer asks for a bus that carries at least its topics, e.g. `Bus<PipelineTopics>`.
 */

/** Publish/subscribe by topic. Handlers run synchronously on the in-process bus; they must not throw. */
export interface Bus<T extends object> {
  /** Hand `payload` to every subscriber of `topic` (in-process: synchronously, in subscription order). */
  publish<K extends keyof T & string>(topic: K, payload: T[K]): void;
  /** @returns a function that removes the subscription */
  subscribe<K extends keyof T & string>(topic: K, handler: (payload: T[K]) => void): () => void;
  /**
   * Whether anything listens on `topic` in this process, so a publisher can skip building a payload
   * nobody reads (the engine's per-update `book` view). Buses that cannot tell leave it out (= true).
   */
  hasSubscribers?(topic: keyof T & string): boolean;
  close(): Promise<void>;
}
