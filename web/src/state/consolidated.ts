/**
 * One consolidation group's live view (`GET /api/v1/consolidated/:group`, then the WebSocket
 * `consolidated` channel, conflated to 250 ms), the heat columns of the last `heatColumns` updates,
 * and the group's stored crossed-market and basis events (`GET /api/v1/history/events`, every
 * `eventsPollMs`). Follows the group ref; the list of groups comes from `GET /api/v1/consolidated`.
 */
import { shallowRef, watch, type Ref, type ShallowRef } from 'vue';
import { api } from '../api/client.ts';
import type { DepthwatchSocket } from '../api/ws.ts';
import type { AnalyticsEvent } from '../../../src/contract/index.ts';
import { heatColumn, type ConsolidatedView, type HeatColumn } from '../lib/consolidated.ts';

/** The panel's data. */
export interface ConsolidatedState {
  /** Group names the server consolidates. */
  groups: ShallowRef<string[]>;
  view: ShallowRef<ConsolidatedView | null>;
  /** Heat columns, oldest first, with their bucket width (quote). */
  heat: ShallowRef<{ bucket: number; columns: HeatColumn[] }>;
  /** Stored events of the group, newest first. */
  crossed: ShallowRef<AnalyticsEvent[]>;
  basis: ShallowRef<AnalyticsEvent[]>;
  error: ShallowRef<string | null>;
  dispose(): void;
}

/** Follow `group` (null: the server's first group). */
export function createConsolidated(
  socket: DepthwatchSocket,
  group: Readonly<Ref<string | null>>,
  opts: { heatColumns?: number; eventsPollMs?: number; bucketBps?: number } = {},
): ConsolidatedState {
  const maxCols = opts.heatColumns ?? 240;
  const eventsPollMs = opts.eventsPollMs ?? 5000;
  const bucketBps = opts.bucketBps ?? 0.5;
  const groups = shallowRef<string[]>([]);
  const view = shallowRef<ConsolidatedView | null>(null);
  const heat = shallowRef<{ bucket: number; columns: HeatColumn[] }>({ bucket: 0, columns: [] });
  const crossed = shallowRef<AnalyticsEvent[]>([]);
  const basis = shallowRef<AnalyticsEvent[]>([]);
  const error = shallowRef<string | null>(null);
  const current = shallowRef<string | null>(null);
  let off: (() => void) | null = null;
  let ac: AbortController | null = null;
  let timer: ReturnType<typeof setTimeout> | null = null;

  function apply(v: ConsolidatedView): void {
    view.value = v;
    const mid = v.metrics.mid;
    let { bucket, columns } = heat.value;
    if (!(bucket > 0) && typeof mid === 'number' && mid > 0) {
      // Bucket: `bucketBps` of the first mid, rounded to 1, 2 or 5 × a power of ten.
      const raw = (mid * bucketBps) / 10_000;
      const p = 10 ** Math.floor(Math.log10(raw));
      bucket = [1, 2, 5, 10].map((k) => k * p).find((b) => b >= raw) ?? raw;
    }
    if (!(bucket > 0)) return;
    const col = heatColumn(v, bucket, v.localTs ?? Date.now());
    columns = columns.length >= maxCols ? columns.slice(1).concat([col]) : columns.concat([col]);
    heat.value = { bucket, columns };
  }

  async function pollEvents(name: string, signal: AbortSignal): Promise<void> {
    try {
      const [c, b] = await Promise.all([
        api.historyEvents({ query: { group: name, kind: 'crossed', limit: 50 } }, { signal }),
        api.historyEvents({ query: { group: name, kind: 'basis', limit: 200 } }, { signal }),
      ]);
      crossed.value = c.items;
      basis.value = b.items;
    } catch {
      // No events store (501) or a transient failure: the live view still draws.
    } finally {
      if (!signal.aborted) timer = setTimeout(() => void pollEvents(name, signal), eventsPollMs);
    }
  }

  function stop(): void {
    off?.();
    off = null;
    ac?.abort();
    ac = null;
    if (timer) clearTimeout(timer);
    timer = null;
  }

  function start(name: string): void {
    stop();
    current.value = name;
    view.value = null;
    heat.value = { bucket: 0, columns: [] };
    crossed.value = [];
    basis.value = [];
    const c = new AbortController();
    ac = c;
    void api
      .consolidated({ group: name }, { signal: c.signal })
      .then((v) => {
        if (!view.value) apply(v);
        error.value = null;
      })
      .catch((e: Error) => {
        if (!c.signal.aborted) error.value = e.message;
      });
    off = socket.subscribe('consolidated', name, (v) => apply(v), 250);
    void pollEvents(name, c.signal);
  }

  const listAc = new AbortController();
  void api
    .consolidatedList({ query: {} }, { signal: listAc.signal })
    .then((r) => {
      groups.value = r.items.map((g) => g.group);
      if (!group.value && groups.value[0] && !current.value) start(groups.value[0]);
    })
    .catch((e: Error) => {
      if (!listAc.signal.aborted) error.value = e.message;
    });
  const stopWatch = watch(
    group,
    (g) => {
      if (g) start(g);
      else if (groups.value[0]) start(groups.value[0]);
    },
    { immediate: true },
  );

  return {
    groups,
    view,
    heat,
    crossed,
    basis,
    error,
    dispose() {
      listAc.abort();
      stopWatch();
      stop();
    },
  };
}
