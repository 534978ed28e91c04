/** In-process bus: synchronous fan-out to handlers; a throwing handler is counted, never propagated. */
import type { Bus, BusTopics, Topic } from './types.ts';

export class InProcessBus implements Bus {
  private readonly handlers = new Map<Topic, Array<(p: never) => void>>();
  /** Handler exceptions caught (a bug in an output must not stop the data path). */
  handlerErrors = 0;
  /** Called with each caught handler error (e.g. to log it). */
  onHandlerError: (topic: Topic, err: unknown) => void = () => {};

  publish<T extends Topic>(topic: T, payload: BusTopics[T]): void {
    const list = this.handlers.get(topic);
    if (!list) return;
    for (let i = 0; i < list.length; i++) {
      try {
        (list[i] as (p: BusTopics[T]) => void)(payload);
      } catch (err) {
        this.handlerErrors++;
        this.onHandlerError(topic, err);
      }
    }
  }

  subscribe<T extends Topic>(topic: T, handler: (payload: BusTopics[T]) => void): () => void {
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

  hasSubscribers(topic: Topic): boolean {
    return (this.handlers.get(topic)?.length ?? 0) > 0;
  }

  async close(): Promise<void> {
    this.handlers.clear();
  }
}
