/**
 * Watchlist: session statistics per instrument or consolidated group, and breadth across a list. Pure;
 * fed with trades (and mids, for instruments that have not traded yet) on the recorded or live clock.
 *
 * Sessions: a session starts every day at `sessionStart` (`HH:MM`) local time in the IANA `timeZone`
 * (default 00:00 UTC; `Asia/Ho_Chi_Minh` 09:00 for the Vietnamese cash market). The first print at or
 * after a boundary opens a new session: `open` = that print's price; change = last − open; change % =
 * change / open × 100; high/low/volume accumulate from the session's prints. Mids only stand in for
 * `last` (and `open`) before the first trade of a session, so a quiet instrument still shows a price.
 * Breadth: advancers (change > 0), decliners (change < 0), unchanged (0 or no session yet).
 */
import { timeZoneOffsetMs, zonedTimeToUtcMs } from '../util/time.ts';

/** When sessions start. */
export interface SessionClock {
  /** IANA time zone (default `UTC`). */
  timeZone?: string;
  /** Local time of day the session starts, `HH:MM` (default `00:00`). */
  sessionStart?: string;
}

const DAY_MS = 86_400_000;

/**
 * The start (ms since epoch UTC) of the session holding `ts` under `clock`.
 * @throws {RangeError} for a bad `sessionStart` or an unknown time zone
 */
export function sessionStartOf(ts: number, clock: SessionClock = {}): number {
  const tz = clock.timeZone ?? 'UTC';
  const m = /^(\d{2}):(\d{2})$/.exec(clock.sessionStart ?? '00:00');
  if (!m || Number(m[1]) > 23 || Number(m[2]) > 59)
    throw new RangeError(`sessionStart must be HH:MM, got "${clock.sessionStart}"`);
  const msOfDay = (Number(m[1]) * 60 + Number(m[2])) * 60_000;
  const localDate = (t: number): string => new Date(t + timeZoneOffsetMs(t, tz)).toISOString().slice(0, 10);
  let start = zonedTimeToUtcMs(localDate(ts), msOfDay, tz);
  if (start > ts) start = zonedTimeToUtcMs(localDate(ts - DAY_MS), msOfDay, tz);
  return start;
}

/** One row of the watchlist. */
export interface WatchRow {
  /** Instrument id or group name. */
  id: string;
  kind: 'instrument' | 'group';
  /** Session start, ms since epoch UTC (null before any print). */
  sessionStart: number | null;
  open: number | null;
  last: number | null;
  high: number | null;
  low: number | null;
  change: number | null;
  changePct: number | null;
  /** Base units traded in the session. */
  volume: number;
  /** Quote notional traded in the session. */
  notional: number;
  trades: number;
  spreadBps: number | null;
  imbalance: number | null;
  /** Book state (instrument) or group state. */
  state: string;
  /** Time of the last update, ms since epoch UTC. */
  ts: number;
}

/** Session statistics of one instrument or group. */
export class SessionStats {
  private row: WatchRow;
  private nextBoundary = -Infinity;
  private traded = false;

  constructor(
    id: string,
    kind: 'instrument' | 'group',
    private readonly clock: SessionClock = {},
  ) {
    this.row = emptyRow(id, kind);
  }

  /** A trade (price quote, size base) at local time `ts`. */
  onTrade(price: number, size: number, ts: number): void {
    if (!(price > 0)) return;
    this.roll(ts);
    const r = this.row;
    if (!this.traded) {
      this.traded = true;
      r.open = price;
      r.high = price;
      r.low = price;
    } else {
      if (price > r.high!) r.high = price;
      if (price < r.low!) r.low = price;
    }
    r.last = price;
    r.volume += size;
    r.notional += price * size;
    r.trades++;
    this.derive(ts);
  }

  /** Book figures (mid, spread bps, imbalance, state) at local time `ts`. */
  onBook(
    mid: number | null,
    spreadBps: number | null,
    imbalance: number | null,
    state: string,
    ts: number,
  ): void {
    this.roll(ts);
    const r = this.row;
    r.spreadBps = spreadBps;
    r.imbalance = imbalance;
    r.state = state;
    if (!this.traded && mid !== null && mid > 0) {
      r.open ??= mid;
      r.last = mid;
    }
    this.derive(ts);
  }

  /** The row now (a copy). */
  snapshot(): WatchRow {
    return { ...this.row };
  }

  private roll(ts: number): void {
    if (ts < this.nextBoundary) return;
    const start = sessionStartOf(ts, this.clock);
    if (this.row.sessionStart === start) return;
    // A new session: change and volume start over; the book figures stay (they are not per session).
    const { id, kind, spreadBps, imbalance, state } = this.row;
    this.row = { ...emptyRow(id, kind), spreadBps, imbalance, state, sessionStart: start };
    this.traded = false;
    this.nextBoundary = sessionStartOf(start + DAY_MS + 3_600_000, this.clock);
    if (this.nextBoundary <= start) this.nextBoundary = start + DAY_MS;
  }

  private derive(ts: number): void {
    const r = this.row;
    r.ts = ts;
    if (r.open !== null && r.last !== null) {
      r.change = r.last - r.open;
      r.changePct = r.open > 0 ? (r.change / r.open) * 100 : null;
    }
  }
}

function emptyRow(id: string, kind: 'instrument' | 'group'): WatchRow {
  return {
    id,
    kind,
    sessionStart: null,
    open: null,
    last: null,
    high: null,
    low: null,
    change: null,
    changePct: null,
    volume: 0,
    notional: 0,
    trades: 0,
    spreadBps: null,
    imbalance: null,
    state: 'connecting',
    ts: NaN,
  };
}

/** Advancers, decliners and unchanged over rows. */
export interface Breadth {
  advancers: number;
  decliners: number;
  unchanged: number;
  /** advancers / decliners (null without decliners). */
  ratio: number | null;
}

/** Breadth of a set of watchlist rows. */
export function breadthOf(rows: readonly WatchRow[]): Breadth {
  let advancers = 0;
  let decliners = 0;
  let unchanged = 0;
  for (const r of rows) {
    if (r.change !== null && r.change > 0) advancers++;
    else if (r.change !== null && r.change < 0) decliners++;
    else unchanged++;
  }
  return { advancers, decliners, unchanged, ratio: decliners > 0 ? advancers / decliners : null };
}
