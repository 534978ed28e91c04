/**
 * Client-side mirror of the alert shapes (server: src/alerts/types.ts, `GET /api/v1/alerts` and the
 * WebSocket `alerts` channel in src/api/ws-hub.ts), kept apart from api/types.ts. JSON: NaN becomes `null`.
 * Times are ms since epoch UTC; values carry the unit of their metric.
 */
import type { BookState } from './types.ts';

/** Alert severity, lowest first. */
export type Severity = 'info' | 'warning' | 'critical';

/** Every severity, lowest first. */
export const SEVERITIES: readonly Severity[] = ['info', 'warning', 'critical'];

/** One alert (a rule firing, or resolving when the server's `notifyResolved` is on). */
export interface Alert {
  /** Unique id: `<ruleId>:<subject>:<ts>` (+ a counter when needed). */
  id: string;
  ruleId: string;
  kind: 'metric' | 'state' | 'event';
  status: 'firing' | 'resolved';
  severity: Severity;
  /** Instrument id, or the pair/group name for cross-instrument metrics. */
  instrument: string;
  /** Metric name, event name (e.g. `wall.pulled`), or `state`. */
  metric: string;
  value: number | null;
  threshold: number | null;
  comparator: string | null;
  /** Human-readable one-liner. */
  message: string;
  /** Local time of the input that fired it, ms. */
  ts: number;
  /** Exchange time of that input, ms (null when unknown). */
  exchangeTs: number | null;
  state: BookState | null;
  sequence: number | null;
  details?: Record<string, unknown>;
}

/** `GET /api/v1/alerts`: newest first; `nextCursor` is null on the last page. */
export interface AlertsPage {
  alerts: Alert[];
  nextCursor: string | null;
}

/** The WebSocket channel carrying alerts (subscribe with an instrument id or `*`). */
export type AlertsChannel = 'alerts';

/** Payload of the `alerts` channel, keyed like api/types.ts `ChannelPayload`. */
export interface AlertsChannelPayload {
  alerts: Alert;
}

/** True for a value with the fields the dashboard reads from an alert (guards WebSocket input). */
export function isAlert(v: unknown): v is Alert {
  if (typeof v !== 'object' || v === null) return false;
  const a = v as Partial<Alert>;
  return (
    typeof a.id === 'string' &&
    typeof a.ruleId === 'string' &&
    typeof a.instrument === 'string' &&
    typeof a.message === 'string' &&
    typeof a.ts === 'number' &&
    (a.severity === 'info' || a.severity === 'warning' || a.severity === 'critical')
  );
}

/**
 * An alert's message without the `[severity] instrument rule: ` prefix the server's one-liners start with
 * (for rows that show those already); other messages unchanged.
 */
export function alertBody(a: Alert): string {
  const prefix = `[${a.severity}] ${a.instrument} ${a.ruleId}: `;
  return a.message.startsWith(prefix) ? a.message.slice(prefix.length) : a.message;
}
