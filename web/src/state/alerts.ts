/**
 * Alerts feed state: live alerts from the WebSocket `alerts` channel (all instruments, `*`) merged with
 * stored pages from `GET /api/v1/alerts` (cursor pagination), filtered by severity and scope (the selected
 * instrument or all), newest first. Every alert known is kept once by id (at most `maxAlerts`).
 */
import { computed, ref, shallowRef, watch, type ComputedRef, type Ref } from 'vue';
import { ApiError, fetchAlerts } from '../api/rest.ts';
import type { DepthwatchSocket } from '../api/ws.ts';
import { isAlert, SEVERITIES, type Alert, type Severity } from '../api/alerts.ts';
import { loadPref, savePref } from '../lib/storage.ts';

/** Which instruments the feed shows: the selected one, or all (pairs and groups included). */
export type AlertScope = 'current' | 'all';

/** Severity filter: one severity, or all. */
export type SeverityFilter = Severity | 'all';

/** Caps. */
export interface AlertsOptions {
  /** Alerts fetched per page (default 50). */
  pageSize?: number;
  /** Alerts kept in memory, newest kept (default 2,000). */
  maxAlerts?: number;
}

/** What the alerts panel renders, plus its actions. */
export interface AlertsState {
  /** Alerts matching the filters, newest first. */
  items: ComputedRef<Alert[]>;
  /** Alerts of the selected instrument (any severity), newest first: for chart markers. */
  selectedAlerts: ComputedRef<Alert[]>;
  scope: Ref<AlertScope>;
  severity: Ref<SeverityFilter>;
  /** Cursor of the next stored page for the current filters; null when there is none. */
  nextCursor: Ref<string | null>;
  loading: Ref<boolean>;
  /** Why the stored alerts could not be read (null when fine); live alerts still arrive. */
  error: Ref<string | null>;
  /** Live alerts received since the page opened. */
  received: Ref<number>;
  /** Frames on the alerts channel that were not alerts (dropped). */
  rejected: Ref<number>;
  /** Change the scope (reloads the stored page). */
  setScope(s: AlertScope): void;
  /** Change the severity filter (reloads the stored page). */
  setSeverity(f: SeverityFilter): void;
  /** Fetch the next stored page for the current filters. */
  loadMore(): Promise<void>;
  /** Unsubscribe and stop fetching. */
  dispose(): void;
}

const isScope = (v: unknown): v is AlertScope => v === 'current' || v === 'all';
const isSeverityFilter = (v: unknown): v is SeverityFilter =>
  v === 'all' || SEVERITIES.includes(v as Severity);

/** Create the alerts state on a socket; follows `selected` when the scope is `current`. */
export function createAlerts(
  socket: DepthwatchSocket,
  selected: Readonly<Ref<string | null>>,
  opts: AlertsOptions = {},
): AlertsState {
  const pageSize = opts.pageSize ?? 50;
  const maxAlerts = opts.maxAlerts ?? 2000;
  const known = shallowRef<Map<string, Alert>>(new Map());
  const scope = ref<AlertScope>(loadPref('alertScope', 'current', isScope));
  const severity = ref<SeverityFilter>(loadPref('alertSeverity', 'all', isSeverityFilter));
  const nextCursor = ref<string | null>(null);
  const loading = ref(false);
  const error = ref<string | null>(null);
  const received = ref(0);
  const rejected = ref(0);

  function add(list: readonly Alert[]): void {
    const m = new Map(known.value);
    for (const a of list) m.set(a.id, a);
    if (m.size > maxAlerts) {
      const keep = [...m.values()].sort((a, b) => b.ts - a.ts).slice(0, maxAlerts);
      known.value = new Map(keep.map((a) => [a.id, a]));
    } else known.value = m;
  }

  const sorted = computed(() =>
    [...known.value.values()].sort((a, b) => b.ts - a.ts || (a.id < b.id ? 1 : -1)),
  );
  const items = computed(() => {
    const inst = scope.value === 'current' ? selected.value : null;
    const sev = severity.value;
    return sorted.value.filter(
      (a) => (inst === null || a.instrument === inst) && (sev === 'all' || a.severity === sev),
    );
  });
  const selectedAlerts = computed(() => sorted.value.filter((a) => a.instrument === selected.value));

  // Live: every instrument (pair/group alerts reach `*` only); the filters apply client-side.
  const offLive = socket.subscribe('alerts', '*', (a) => {
    if (!isAlert(a)) {
      rejected.value++;
      return;
    }
    received.value++;
    add([a]);
  });

  let ac: AbortController | null = null;
  let generation = 0;

  async function fetchPage(cursor: string | null): Promise<void> {
    const gen = generation;
    ac ??= new AbortController();
    const signal = ac.signal;
    loading.value = true;
    try {
      const inst = scope.value === 'current' ? selected.value : null;
      if (scope.value === 'current' && !inst) return;
      const page = await fetchAlerts(
        {
          ...(inst ? { instrument: inst } : {}),
          ...(severity.value !== 'all' ? { severity: severity.value } : {}),
          limit: pageSize,
          ...(cursor ? { cursor } : {}),
        },
        signal,
      );
      if (gen !== generation) return;
      add(page.items.filter(isAlert));
      nextCursor.value = page.nextCursor;
      error.value = null;
    } catch (e) {
      if (gen !== generation || signal.aborted) return;
      nextCursor.value = null;
      error.value =
        e instanceof ApiError && e.status === 501
          ? 'This server keeps no alert history: live alerts only.'
          : `Alert history failed: ${(e as Error).message}`;
    } finally {
      if (gen === generation) loading.value = false;
    }
  }

  function reload(): void {
    generation++;
    ac?.abort();
    ac = null;
    nextCursor.value = null;
    void fetchPage(null);
  }

  watch([scope, severity], ([sc, sev]) => {
    savePref('alertScope', sc);
    savePref('alertSeverity', sev);
    reload();
  });
  watch(selected, () => {
    if (scope.value === 'current') reload();
  });
  reload();

  return {
    items,
    selectedAlerts,
    scope,
    severity,
    nextCursor,
    loading,
    error,
    received,
    rejected,
    setScope: (s) => void (scope.value = s),
    setSeverity: (f) => void (severity.value = f),
    loadMore: async () => {
      if (nextCursor.value && !loading.value) await fetchPage(nextCursor.value);
    },
    dispose() {
      generation++;
      ac?.abort();
      offLive();
    },
  };
}
