/** In-process bus: synchronous fan-out to handlers; a throwing handler is counted, never propagated. */
import type { Bus } from '../core/bus.ts';

/**
 * The default bus of a single process, for any topic map `T` (see core/bus.ts). Handlers run
 * synchronously in subscription order; an exception in one is counted and reported, and the others still run.
 */
export class InProcessBus<T extends object> implements Bus<T> {
  private readonly handlers = new Map<string, Array<(p: never) => void>>();
  /** Handler exceptions caught (a bug in an output must not stop the data path). */
  handlerErrors = 0;
  /** Called with each caught handler error (e.g. to log it). */
  onHandlerError: (topic: string, err: unknown) => void = () => {};

  publish<K extends keyof T & string>(topic: K, payload: T[K]): void {
    const list = this.handlers.get(topic);
    if (!list) return;
    for (let i = 0; i < list.length; i++) {
      try {
        (list[i] as (p: T[K]) => void)(payload);
      } catch (err) {
        this.handlerErrors++;
        this.onHandlerError(topic, err);
      }
    }
  }

  subscribe<K extends keyof T & string>(topic: K, handler: (payload: T[K]) => void): () => void {
    let list = this.handlers.get(topic);
    if (!list) this.handlers.set(topic, (list = []));
    list.push(handler as (p: never) => void);
    return () => {
      const l = this.handlers.get(topic);
      if (l)
        this.handlers.set(
          topic,
          l.filter((h) => h !== handler),
        );
    };
  }

  hasSubscribers(topic: keyof T & string): boolean {
    return (this.handlers.get(topic)?.length ?? 0) > 0;
  }

  async close(): Promise<void> {
    this.handlers.clear();
  }
}
