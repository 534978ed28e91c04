/**
 * SSI FastConnect Data REST reference bodies → typed rows (pure).
 *
 * Follows: SSI FastConnect Data API Specs v2.2, 4.2 "Securities" (`GET /api/v2/Market/Securities?market=
 * &pageIndex=&pageSize=`), 4.6 "Daily OHLC" (`GET /api/v2/Market/DailyOhlc?symbol=&fromDate=&toDate=
 * &pageIndex=&pageSize=&ascending=`, dates `DD/MM/YYYY`, at most 30 days per request) and 4.7 "Intraday
 * OHLC" (`GET /api/v2/Market/IntradayOhlc`, same parameters plus `resolution`). Real answers are
 * `{data: [...], message, status: "Success", totalRecord}` with every value a string (the recordings in
 * ../shared/data/ssi/rest); the spec's examples use `dataList` and lower-case keys: both read.
 */
import { MalformedFrameError, invalidField } from '../../core/errors.ts';
import { isObject, optDecimalText, parseObject, type Json } from '../fields.ts';
import { ssiExchange, ssiSpec, ssiInstrument, type SsiInstrumentSpec } from './instruments.ts';
import { zonedTimeToUtcMs } from '../../util/time.ts';
import { SSI_TIME_ZONE } from './instruments.ts';

/** One OHLC bar (prices VND or points, volume shares/contracts, value VND; decimal strings as sent). */
export interface SsiOhlcBar {
  readonly instrument: string;
  readonly symbol: string;
  /** `YYYY-MM-DD`. */
  readonly tradingDate: string;
  /** `HH:MM:SS`, '' for daily bars. */
  readonly time: string;
  /** Bar time, ms since epoch UTC (daily bars: local midnight of the trading date). */
  readonly ts: number;
  readonly open: string;
  readonly high: string;
  readonly low: string;
  readonly close: string;
  readonly volume: string;
  readonly value: string;
}

/** A key of `o` in any case (`Symbol`, `symbol`, `SYMBOL`). */
function get(o: Json, key: string): unknown {
  if (key in o) return o[key];
  const lower = key.toLowerCase();
  for (const k of Object.keys(o)) if (k.toLowerCase() === lower) return o[k];
  return undefined;
}

/**
 * The rows of a body and its `totalRecord` (NaN when absent).
 * @throws {MalformedFrameError} when the body is not JSON, not `status` Success, or has no row list
 */
export function ssiRows(body: string): { rows: Json[]; total: number } {
  const b = parseObject(body);
  const status = get(b, 'status');
  if (typeof status === 'string' && status.toLowerCase() !== 'success')
    throw new MalformedFrameError(
      'unsupported',
      `SSI answered status ${status}: ${String(get(b, 'message'))}`,
    );
  const rows = get(b, 'data') ?? get(b, 'dataList');
  if (!Array.isArray(rows)) throw invalidField('SSI body without a data list');
  const total = Number(get(b, 'totalRecord'));
  return { rows: rows.filter(isObject), total: Number.isFinite(total) ? total : NaN };
}

function date(v: unknown, instrument: string): string {
  const m = typeof v === 'string' ? /^(\d\d)\/(\d\d)\/(\d{4})/.exec(v) : null;
  if (!m) throw invalidField(`TradingDate must be DD/MM/YYYY, got ${JSON.stringify(v)}`, instrument);
  return `${m[3]}-${m[2]}-${m[1]}`;
}

/**
 * Parse a DailyOhlc or IntradayOhlc body.
 * @param onSkip told about each row left out (no symbol, bad date or price), with the reason
 * @throws {MalformedFrameError} as {@link ssiRows}
 */
export function parseSsiOhlc(body: string, onSkip?: (reason: string) => void): SsiOhlcBar[] {
  const out: SsiOhlcBar[] = [];
  for (const r of ssiRows(body).rows) {
    const symbol = get(r, 'Symbol');
    if (typeof symbol !== 'string' || symbol === '') {
      onSkip?.('row without Symbol');
      continue;
    }
    const instrument = ssiInstrument(symbol);
    try {
      const d = date(get(r, 'TradingDate'), instrument);
      const t = get(r, 'Time');
      const time = typeof t === 'string' && /^\d\d:\d\d:\d\d$/.test(t) ? t : '';
      const ms = time
        ? ((Number(time.slice(0, 2)) * 60 + Number(time.slice(3, 5))) * 60 + Number(time.slice(6))) * 1000
        : 0;
      const dec = (k: string): string => optDecimalText(get(r, k), k, instrument);
      out.push({
        instrument,
        symbol,
        tradingDate: d,
        time,
        ts: zonedTimeToUtcMs(d, ms, SSI_TIME_ZONE),
        open: dec('Open'),
        high: dec('High'),
        low: dec('Low'),
        close: dec('Close'),
        volume: dec('Volume'),
        value: dec('Value'),
      });
    } catch (e) {
      if (!(e instanceof MalformedFrameError)) throw e;
      onSkip?.(`${symbol}: ${e.message}`);
    }
  }
  return out;
}

/**
 * Parse a Securities body into instrument specs (`source: 'reference'`); rows of unknown markets
 * (`HNXBOND`) are skipped and told.
 * @throws {MalformedFrameError} as {@link ssiRows}
 */
export function parseSsiSecurities(body: string, onSkip?: (reason: string) => void): SsiInstrumentSpec[] {
  const out: SsiInstrumentSpec[] = [];
  for (const r of ssiRows(body).rows) {
    const symbol = get(r, 'Symbol');
    const exchange = ssiExchange(get(r, 'Market') ?? get(r, 'MarketId') ?? get(r, 'Exchange'));
    if (typeof symbol !== 'string' || symbol === '' || !exchange) {
      onSkip?.(`row ${JSON.stringify(symbol ?? null)}: no symbol or unknown market`);
      continue;
    }
    out.push(ssiSpec(symbol, exchange, { source: 'reference' }));
  }
  return out;
}

/** `YYYY-MM-DD` → `DD/MM/YYYY` (SSI's request dates). */
export function ssiDate(isoDate: string): string {
  const [y, m, d] = isoDate.split('-');
  return `${d}/${m}/${y}`;
}

/**
 * Split `[from, to]` (`YYYY-MM-DD`, inclusive) into windows of at most `maxDays` calendar days (SSI's
 * OHLC limit is 30), in order.
 * @throws {RangeError} for a malformed date or `to` before `from`
 */
export function dateWindows(from: string, to: string, maxDays = 30): Array<{ from: string; to: string }> {
  const a = Date.parse(`${from}T00:00:00Z`);
  const b = Date.parse(`${to}T00:00:00Z`);
  if (Number.isNaN(a) || Number.isNaN(b) || b < a) throw new RangeError(`bad date range ${from}..${to}`);
  const day = 86_400_000;
  const out: Array<{ from: string; to: string }> = [];
  for (let s = a; s <= b; s += maxDays * day) {
    const e = Math.min(b, s + (maxDays - 1) * day);
    out.push({ from: new Date(s).toISOString().slice(0, 10), to: new Date(e).toISOString().slice(0, 10) });
  }
  return out;
}
