/**
 * A batch of history rows of every kind a store keeps, and the helpers the durable wrapper, the spool and
 * the PostgreSQL store share to move rows of all kinds together (buffer → spool → batch writes).
 */
import type { MetricsSample } from '../analytics/types.ts';
import type { Alert } from '../alerts/types.ts';
import type { Trade } from '../core/model.ts';
import type { AnalyticsEventRow, BookSnapshotRow, HeatmapRunRow } from './types.ts';

/** Rows of each kind; an absent kind means none. Units as in the row types (store/types.ts). */
export interface RowBatch {
  metrics?: readonly MetricsSample[];
  trades?: readonly Trade[];
  alerts?: readonly Alert[];
  bookSnapshots?: readonly BookSnapshotRow[];
  heatmapRuns?: readonly HeatmapRunRow[];
  /** Crossed-market and basis events (store/event-rows.ts). */
  analyticsEvents?: readonly AnalyticsEventRow[];
}

/** A row kind of a RowBatch. */
export type RowKind = keyof RowBatch;

/** Every row kind, in the order batches are filled and written (alerts early: they are the scarcest). */
export const ROW_KINDS: readonly RowKind[] = [
  'metrics',
  'trades',
  'alerts',
  'bookSnapshots',
  'heatmapRuns',
  'analyticsEvents',
];

/** A mutable buffer with one array per kind. */
export type RowBuffer = {
  [K in RowKind]: NonNullable<RowBatch[K]> extends readonly (infer R)[] ? R[] : never;
};

/** An empty buffer. */
export function emptyBuffer(): RowBuffer {
  return { metrics: [], trades: [], alerts: [], bookSnapshots: [], heatmapRuns: [], analyticsEvents: [] };
}

/** Number of rows over all kinds. */
export function batchRows(b: RowBatch): number {
  let n = 0;
  for (const k of ROW_KINDS) n += b[k]?.length ?? 0;
  return n;
}

/**
 * Remove up to `max` rows (>= 1) from the front of the buffer, kind by kind in ROW_KINDS order, and
 * return them as a batch (rows appended meanwhile stay in the buffer).
 */
export function takeBatch(buf: RowBuffer, max: number): RowBatch {
  const out: Record<string, unknown[]> = {};
  let left = max;
  for (const k of ROW_KINDS) {
    if (left <= 0) break;
    const q = buf[k] as unknown[];
    if (q.length === 0) continue;
    const part = q.splice(0, left);
    out[k] = part;
    left -= part.length;
  }
  return out as RowBatch;
}

/** Put a batch back at the front of a buffer (ahead of rows appended meanwhile), keeping its order. */
export function unshiftBatch(buf: RowBuffer, b: RowBatch): void {
  for (const k of ROW_KINDS) {
    const rows = b[k];
    if (rows && rows.length > 0)
      (buf as Record<string, unknown[]>)[k] = (rows as readonly unknown[]).concat(buf[k]);
  }
}

/** Move every row out of a buffer into a batch, leaving it empty. */
export function drainBuffer(buf: RowBuffer): RowBatch {
  const out: Record<string, unknown[]> = {};
  for (const k of ROW_KINDS) {
    if (buf[k].length > 0) out[k] = buf[k];
    (buf as Record<string, unknown[]>)[k] = [];
  }
  return out as RowBatch;
}

/** Split a batch into batches of at most `max` rows (>= 1), kinds in ROW_KINDS order. */
export function splitBatch(b: RowBatch, max: number): RowBatch[] {
  const buf = emptyBuffer();
  for (const k of ROW_KINDS) if (b[k]) (buf[k] as unknown[]) = [...(b[k] as readonly unknown[])];
  const out: RowBatch[] = [];
  while (batchRows(buf) > 0) out.push(takeBatch(buf, max));
  return out;
}
