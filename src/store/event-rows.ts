/**
 * The `analytics_events` table shared by both stores: the history of the consolidation stage's events
 * (analytics/consolidated/stage.ts): crossed markets (bus topic `arbitrage`: open, new maximum edge,
 * close, each a row) and the basis of each derivative member against its group's spot reference (bus
 * topic `consolidated.basis`, one row per member per sampling interval). Row conversion, validation,
 * query checks and the cursor live here so DuckDB (store/duckdb-events.ts) and PostgreSQL
 * (store/postgres/events.ts) answer the same question the same way.
 *
 * Columns (both stores): `id` (unique row id, see {@link crossedEventRow} / {@link basisEventRow}; the
 * PostgreSQL primary key, so a retried batch never duplicates a row), `kind` (`crossed` | `basis`, and
 * for the Vietnamese market `index` | `foreign`: see {@link ssiIndexEventRow}),
 * `group_name`, `instrument` (crossed: the member to sell on, whose bid is the high one; basis: the
 * derivative member), `counterparty` (crossed: the member to buy on; basis: null), `ts` (ms since epoch
 * UTC, the event's local time, a whole ms), `status` (`open` | `update` | `close` | `sample`),
 * `value_bps` (crossed: net edge in bps at that moment; basis: basis in bps) and `body` (the whole bus
 * event as JSON). Queries follow store/query.ts: `from <= ts < to`, `limit` checked by checkLimit; pages
 * are newest first (`ts`, then `id`, descending) with the opaque cursor of the alerts API. Retention
 * deletes rows by `ts` (days, 0 = forever; default: the store's metrics retention).
 */
import type { CrossedMarket } from '../analytics/consolidated/arbitrage.ts';
import type { ConsolidatedBasis } from '../analytics/consolidated/stage.ts';
import type { ForeignFlowView, IndexView } from '../analytics/ssi/views.ts';
import type { WallEvent } from '../analytics/walls.ts';
import type { AnalyticsMarker } from '../analytics/markers.ts';
import { MalformedFrameError } from '../core/errors.ts';
import { MAX_QUERY_ROWS, checkLimit } from './query.ts';
import { MIN_ROW_TS } from './spool/rows.ts';
import {
  ANALYTICS_EVENT_KINDS,
  decodeAlertCursor,
  encodeAlertCursor,
  type AnalyticsEventKind,
  type AnalyticsEventQuery,
  type AnalyticsEventRow,
} from './types.ts';

/**
 * The row of a crossed-market event. Its time is when it happened: `startTs` (open), `startTs +
 * durationMs` (a new maximum edge), `endTs` (close), rounded to the ms. Id: the crossing's own id
 * (`<group>:<sellOn>><buyOn>:<startTs>`), the status, the time, and for an update the maximum edge
 * (which only grows), so every event of a crossing has its own row.
 */
export function crossedEventRow(e: CrossedMarket): AnalyticsEventRow {
  const at = e.status === 'close' && e.endTs !== null ? e.endTs : e.startTs + e.durationMs;
  const ts = Math.round(at);
  return {
    id: `${e.id}:${e.status}:${ts}${e.status === 'update' ? `:${e.maxEdgeBps}` : ''}`,
    kind: 'crossed',
    group: e.group,
    instrument: e.sellOn,
    counterparty: e.buyOn,
    ts,
    status: e.status,
    valueBps: Number.isFinite(e.edgeBps) ? e.edgeBps : null,
    body: e,
  };
}

/** The row of a basis sample; id `basis:<group>:<instrument>:<ts>`. */
export function basisEventRow(b: ConsolidatedBasis): AnalyticsEventRow {
  const ts = Math.round(b.ts);
  return {
    id: `basis:${b.group}:${b.instrument}:${ts}`,
    kind: 'basis',
    group: b.group,
    instrument: b.instrument,
    counterparty: null,
    ts,
    status: 'sample',
    valueBps: Number.isFinite(b.bps) ? b.bps : null,
    body: b,
  };
}

/**
 * The row of an SSI index message (analytics/ssi/views.ts IndexView: value, change, breadth), group `ssi`,
 * instrument `ssi:<IndexId>`, status `sample`, `valueBps` the change against the prior value in bps; its
 * time is the index's exchange time (`localTs` when the message had none). Id `index:<id>:<ts>`.
 */
export function ssiIndexEventRow(v: IndexView, localTs: number): AnalyticsEventRow {
  const ts = Math.round(v.ts ?? localTs);
  const bps =
    v.value !== null && v.priorValue !== null && v.priorValue > 0
      ? ((v.value - v.priorValue) / v.priorValue) * 1e4
      : null;
  return {
    id: `index:${v.instrument}:${ts}`,
    kind: 'index',
    group: 'ssi',
    instrument: v.instrument,
    counterparty: null,
    ts,
    status: 'sample',
    valueBps: bps !== null && Number.isFinite(bps) ? bps : null,
    body: v,
  };
}

/**
 * The row of an SSI foreign-flow sample (ForeignFlowView of a symbol, or the market total `ssi:ALL`),
 * group `ssi`, status `sample`, `valueBps` null (the flow is in shares and VND in the body); time as
 * {@link ssiIndexEventRow}. Id `foreign:<instrument>:<ts>`.
 */
export function ssiForeignEventRow(v: ForeignFlowView, localTs: number): AnalyticsEventRow {
  const ts = Math.round(v.ts ?? localTs);
  return {
    id: `foreign:${v.instrument}:${ts}`,
    kind: 'foreign',
    group: 'ssi',
    instrument: v.instrument,
    counterparty: null,
    ts,
    status: 'sample',
    valueBps: null,
    body: v,
  };
}

/** Row status of a wall lifecycle kind: appeared opens, resized/moved update, pulled/consumed close. */
const WALL_STATUS = {
  appeared: 'open',
  resized: 'update',
  moved: 'update',
  pulled: 'close',
  consumed: 'close',
} as const;

/** The venue of an instrument id (`<venue>:<symbol>`): the `group` of instrument marker rows. */
function venueOf(instrument: string): string {
  const i = instrument.indexOf(':');
  return i > 0 ? instrument.slice(0, i) : instrument;
}

/**
 * The row of a wall lifecycle event (analytics/walls.ts): kind `wall`, group = the venue, status `open`
 * (appeared) / `update` (resized, moved) / `close` (pulled, consumed; the lifecycle kind is in the body),
 * `valueBps` null (price, size, notional in the body). Id `wall:<instrument>:<side>:<price>:<kind>:<ts>`.
 */
export function wallEventRow(e: WallEvent): AnalyticsEventRow {
  const ts = Math.round(e.ts);
  return {
    id: `wall:${e.instrument}:${e.side}:${e.price}:${e.kind}:${ts}`,
    kind: 'wall',
    group: venueOf(e.instrument),
    instrument: e.instrument,
    counterparty: null,
    ts,
    status: WALL_STATUS[e.kind],
    valueBps: null,
    body: e,
  };
}

/**
 * The row of an analytics marker (analytics/markers.ts): kind `cluster` (status `open` = formed, `close`
 * = dissolved; id `cluster:<instrument>:<side>:<priceFrom>:<status>:<ts>`) or `anomaly` / `shrinkage`
 * (status `open` / `close` of the episode; id `<kind>:<instrument>:<startTs>:<status>`); group = the
 * venue; `valueBps`: shrinkage as bps of the baseline liquidity missing (fraction × 1e4), else null
 * (depthZ is a z-score: in the body).
 */
export function markerEventRow(m: AnalyticsMarker): AnalyticsEventRow {
  const ts = Math.round(m.ts);
  const base = { group: venueOf(m.instrument), instrument: m.instrument, counterparty: null, ts, body: m };
  if (m.type === 'cluster') {
    const status = m.kind === 'formed' ? 'open' : 'close';
    return {
      ...base,
      id: `cluster:${m.instrument}:${m.side}:${m.priceFrom}:${status}:${ts}`,
      kind: 'cluster',
      status,
      valueBps: null,
    };
  }
  const v = m.type === 'shrinkage' && m.value !== null ? m.value * 1e4 : null;
  return {
    ...base,
    id: `${m.type}:${m.instrument}:${Math.round(m.startTs)}:${m.status}`,
    kind: m.type,
    status: m.status,
    valueBps: v !== null && Number.isFinite(v) ? v : null,
  };
}

/**
 * Check an analytics event row: non-empty `id`, `group` and `instrument` strings, a known `kind` and a
 * finite `ts` not before 2000-01-01. @returns the error (code `invalid_field`) to count, or null.
 */
export function validateAnalyticsEvent(r: AnalyticsEventRow): MalformedFrameError | null {
  const str = (v: unknown): boolean => typeof v === 'string' && v.length > 0;
  if (!str(r.id) || !str(r.group) || !str(r.instrument))
    return new MalformedFrameError('invalid_field', 'analytics event without id/group/instrument');
  if (!ANALYTICS_EVENT_KINDS.includes(r.kind))
    return new MalformedFrameError('invalid_field', `analytics event of unknown kind ${String(r.kind)}`);
  if (typeof r.ts !== 'number' || !Number.isFinite(r.ts) || r.ts < MIN_ROW_TS)
    return new MalformedFrameError('invalid_field', `analytics event with invalid ts ${String(r.ts)}`);
  return null;
}

/** A validated events query. */
export interface CheckedEventQuery {
  group?: string;
  instrument?: string;
  kind?: AnalyticsEventKind;
  /** Whole ms: `ts >= from` (from ceiled) and `ts < to` (to ceiled), as the stored ts are whole ms. */
  from?: number;
  to?: number;
  limit: number;
  /** Position after the previous page's last row. */
  after?: { ts: number; id: string };
}

/**
 * Validate an events query.
 * @throws {RangeError} on non-finite from/to, `from > to`, a bad limit, an unknown kind or a bad cursor
 */
export function checkEventQuery(q: AnalyticsEventQuery, cap: number = MAX_QUERY_ROWS): CheckedEventQuery {
  const out: CheckedEventQuery = { limit: checkLimit(q.limit, cap) };
  if (q.group !== undefined) out.group = q.group;
  if (q.instrument !== undefined) out.instrument = q.instrument;
  if (q.kind !== undefined) {
    if (!ANALYTICS_EVENT_KINDS.includes(q.kind))
      throw new RangeError(`kind must be one of ${ANALYTICS_EVENT_KINDS.join(', ')}`);
    out.kind = q.kind;
  }
  for (const k of ['from', 'to'] as const) {
    const v = q[k];
    if (v === undefined) continue;
    if (!Number.isFinite(v)) throw new RangeError(`${k} must be finite ms`);
    out[k] = Math.ceil(v);
  }
  if (out.from !== undefined && out.to !== undefined && out.from > out.to)
    throw new RangeError('from must not be after to');
  if (q.cursor !== undefined) out.after = decodeAlertCursor(q.cursor);
  return out;
}

/** Cursor after a row (base64url of `[ts, id]`, like the alerts cursor). */
export function eventCursor(r: AnalyticsEventRow): string {
  return encodeAlertCursor({ ts: r.ts, id: r.id });
}

/** A stored row back (columns as read; `body` JSON text or an already parsed object). */
export function eventFromColumns(c: {
  id: unknown;
  kind: unknown;
  group: unknown;
  instrument: unknown;
  counterparty: unknown;
  ts: unknown;
  status: unknown;
  valueBps: unknown;
  body: unknown;
}): AnalyticsEventRow {
  return {
    id: String(c.id),
    kind: c.kind as AnalyticsEventKind,
    group: String(c.group),
    instrument: String(c.instrument),
    counterparty: c.counterparty === null || c.counterparty === undefined ? null : String(c.counterparty),
    ts: Number(c.ts),
    status: c.status as AnalyticsEventRow['status'],
    valueBps: c.valueBps === null || c.valueBps === undefined ? null : Number(c.valueBps),
    body: (typeof c.body === 'string' ? JSON.parse(c.body) : c.body) as AnalyticsEventRow['body'],
  };
}
