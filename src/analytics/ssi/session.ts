/**
 * Vietnamese trading sessions in Asia/Ho_Chi_Minh (UTC+7, no daylight saving): the phase of an instant
 * per exchange, and the session an instant belongs to. Pure.
 *
 * Phases (wall clock, start inclusive, end exclusive except where noted):
 * - HOSE: ATO 09:00-09:15, continuous 09:15-11:30, lunch 11:30-13:00, continuous 13:00-14:30,
 *   ATC 14:30-14:45, put-through 14:45-15:00, closed from 15:00.
 * - HNX: no ATO (continuous from 09:00); ATC 14:30-14:45; put-through 14:45-15:00.
 * - UPCoM: continuous 09:00-11:30 and 13:00-15:00 (no auctions).
 * - Derivatives: ATO 08:45-09:00, continuous 09:00-11:30 and 13:00-14:30, ATC 14:30-14:45, closed after.
 * - Before the first phase `pre_open`; Saturdays and Sundays `closed` (holidays are not known here).
 * The auction match is printed at the auction's end second (HOSE ATO prints carry 09:15:00, ATC prints
 * 14:45:00): {@link isAuctionPrint} counts that second to the auction.
 *
 * A session starts at 09:00 (08:45 for derivatives) and runs until the next session starts: its id is
 * the Ho Chi Minh date of its start (`YYYY-MM-DD`). Prints before 09:00 belong to the previous session;
 * a weekend belongs to Friday's session (holidays are not known: a session id is a weekday).
 */
import type { SsiExchange } from '../../feeds/ssi/instruments.ts';

/** Phase of the trading day. */
export type SsiPhase = 'pre_open' | 'ato' | 'continuous' | 'lunch' | 'atc' | 'put_through' | 'closed';

/** UTC+7 in ms (Vietnam has had no daylight saving since 1975). */
const HCM_OFFSET_MS = 7 * 3_600_000;
const DAY_MS = 86_400_000;
const hm = (h: number, m: number): number => (h * 60 + m) * 60_000;

type Band = readonly [start: number, end: number, phase: SsiPhase];

const TABLES: Record<SsiExchange, readonly Band[]> = {
  HOSE: [
    [hm(9, 0), hm(9, 15), 'ato'],
    [hm(9, 15), hm(11, 30), 'continuous'],
    [hm(11, 30), hm(13, 0), 'lunch'],
    [hm(13, 0), hm(14, 30), 'continuous'],
    [hm(14, 30), hm(14, 45), 'atc'],
    [hm(14, 45), hm(15, 0), 'put_through'],
  ],
  HNX: [
    [hm(9, 0), hm(11, 30), 'continuous'],
    [hm(11, 30), hm(13, 0), 'lunch'],
    [hm(13, 0), hm(14, 30), 'continuous'],
    [hm(14, 30), hm(14, 45), 'atc'],
    [hm(14, 45), hm(15, 0), 'put_through'],
  ],
  UPCOM: [
    [hm(9, 0), hm(11, 30), 'continuous'],
    [hm(11, 30), hm(13, 0), 'lunch'],
    [hm(13, 0), hm(15, 0), 'continuous'],
  ],
  DERIVATIVES: [
    [hm(8, 45), hm(9, 0), 'ato'],
    [hm(9, 0), hm(11, 30), 'continuous'],
    [hm(11, 30), hm(13, 0), 'lunch'],
    [hm(13, 0), hm(14, 30), 'continuous'],
    [hm(14, 30), hm(14, 45), 'atc'],
  ],
};

/** Wall-clock start of a session (ms after local midnight): 09:00, derivatives 08:45. */
export function sessionStartMs(exchange: SsiExchange): number {
  return exchange === 'DERIVATIVES' ? hm(8, 45) : hm(9, 0);
}

/** ms after local (Ho Chi Minh) midnight of an instant, and the local day number (days since epoch). */
function local(utcMs: number): { day: number; ms: number } {
  const l = utcMs + HCM_OFFSET_MS;
  const day = Math.floor(l / DAY_MS);
  return { day, ms: l - day * DAY_MS };
}

/**
 * The phase of `exchange` at `utcMs` (ms since epoch UTC); `closed` for NaN.
 */
export function phaseAt(exchange: SsiExchange, utcMs: number): SsiPhase {
  if (!Number.isFinite(utcMs)) return 'closed';
  const { day, ms } = local(utcMs);
  const dow = (day + 4) % 7; // 1970-01-01 was a Thursday; 0 = Sunday
  if (dow === 0 || dow === 6) return 'closed';
  const table = TABLES[exchange];
  if (ms < table[0]![0]) return 'pre_open';
  for (const [s, e, p] of table) if (ms >= s && ms < e) return p;
  return 'closed';
}

/**
 * True when a print at `utcMs` is an auction match: inside ATO or ATC, or at the end second of one
 * (the match is printed then). `session` is the message's `TradingSession` when sent: `ATO`/`ATC` make
 * it an auction print whatever the clock says; `LO`/`PT` make it not one.
 */
export function isAuctionPrint(exchange: SsiExchange, utcMs: number, session: string | null): boolean {
  if (session === 'ATO' || session === 'ATC') return true;
  if (session === 'LO' || session === 'PT') return false;
  if (!Number.isFinite(utcMs)) return false;
  const p = phaseAt(exchange, utcMs);
  if (p === 'ato' || p === 'atc') return true;
  const { ms } = local(utcMs);
  return TABLES[exchange].some(([, e, ph]) => (ph === 'ato' || ph === 'atc') && ms >= e && ms < e + 1000);
}

/**
 * The session id (`YYYY-MM-DD`, the Ho Chi Minh date the session started) an instant belongs to: the
 * local date of `utcMs` minus the session start (09:00, derivatives 08:45), a weekend rolled back to Friday; '' for NaN.
 */
export function sessionOf(exchange: SsiExchange, utcMs: number): string {
  if (!Number.isFinite(utcMs)) return '';
  const shifted = utcMs + HCM_OFFSET_MS - sessionStartMs(exchange);
  let day = Math.floor(shifted / DAY_MS);
  const dow = (day + 4) % 7; // 0 Sunday, 6 Saturday
  if (dow === 0) day -= 2;
  else if (dow === 6) day -= 1;
  return new Date(day * DAY_MS).toISOString().slice(0, 10);
}
