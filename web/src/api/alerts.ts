/**
 * Alert shapes (from the contract, src/contract) and helpers of the dashboard. JSON: NaN becomes `null`.
 * Times are ms since epoch UTC; values carry the unit of their metric.
 */
import type { Alert, Page, Severity } from '../../../src/contract/index.ts';

export type { Alert, Severity } from '../../../src/contract/index.ts';

/** Every severity, lowest first. */
export const SEVERITIES: readonly Severity[] = ['info', 'warning', 'critical'];

/** `GET /api/v1/alerts`: newest first; `nextCursor` is null on the last page. */
export type AlertsPage = Page<Alert>;

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
