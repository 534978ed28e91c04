/**
 * Concurrency gate of the history routes ({@link registerHistoryGate}): at most `historyConcurrency`
 * requests to `/api/v1/history/*` run at once; one more is answered 503 `{statusCode, error, message}`
 * with `Retry-After: 1` at once (it never queues, so a burst cannot pile up memory). The row and byte caps
 * of one history page are applied by the handlers (api/handlers.ts, api/paging.ts).
 */
import type { FastifyInstance } from 'fastify';
import { Counter, Gauge, type Registry } from 'prom-client';
import { deny, isHistoryPath } from './auth.ts';

/** Counters of the history gate. */
export interface HistoryGateStats {
  /** Queries running now. */
  active: number;
  /** Queries refused with 503 since start. */
  refused: number;
}

/**
 * Install the concurrency gate on `/api/v1/history/*` (module comment).
 * @returns live counters
 */
export function registerHistoryGate(app: FastifyInstance, maxConcurrent: number): HistoryGateStats {
  const stats: HistoryGateStats = { active: 0, refused: 0 };
  const release = new WeakMap<object, () => void>();
  app.addHook('onRequest', async (req, reply) => {
    const path = req.url.split('?', 1)[0]!;
    if (!isHistoryPath(path)) return;
    if (stats.active >= maxConcurrent) {
      stats.refused++;
      void reply.header('Retry-After', '1');
      return deny(reply, 503, `too many history queries at once (max ${maxConcurrent}); retry in 1 s`);
    }
    stats.active++;
    let released = false;
    const done = (): void => {
      if (released) return;
      released = true;
      stats.active--;
    };
    release.set(req, done);
    // Released when the answer is sent, or when the client goes away first.
    reply.raw.once('close', done);
  });
  app.addHook('onResponse', async (req) => release.get(req)?.());
  return stats;
}

/**
 * Expose the gate on a Prometheus registry: `depthwatch_history_queries_active` and
 * `depthwatch_history_queries_refused_total`.
 */
export function historyGateMetrics(register: Registry, stats: HistoryGateStats): void {
  new Gauge({
    name: 'depthwatch_history_queries_active',
    help: 'History queries running now',
    registers: [register],
    collect() {
      this.set(stats.active);
    },
  });
  new Counter({
    name: 'depthwatch_history_queries_refused_total',
    help: 'History queries refused with 503 (too many at once)',
    registers: [register],
    collect() {
      this.reset();
      this.inc(stats.refused);
    },
  });
}
