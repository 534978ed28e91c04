/**
 * Binance REST depth snapshot: `GET /api/v3/depth` (spot), `/fapi/v1/depth` (USD-M), `/dapi/v1/depth`
 * (COIN-M), body `{"lastUpdateId":N,"bids":[[p,q]..],"asks":[[p,q]..]}` (futures add `E`, `T`).
 * Follows: Binance Spot API "Market Data endpoints / Order Book" and Derivatives "Order Book".
 */
import { MalformedFrameError } from '../../core/errors.ts';
import type { BookSnapshot, InstrumentId, WireLevel } from '../../core/model.ts';

/**
 * Parse a depth snapshot body (already-parsed object or text).
 * @param depthLimit the `limit` the snapshot was requested with (bounds coverage), 0 if unknown/full
 * @throws {MalformedFrameError} when the body is not a valid depth snapshot
 */
export function parseBinanceSnapshot(
  body: string | Record<string, unknown>,
  instrument: InstrumentId,
  localTs: number,
  depthLimit: number,
): BookSnapshot {
  let o: Record<string, unknown>;
  if (typeof body === 'string') {
    try {
      o = JSON.parse(body) as Record<string, unknown>;
    } catch {
      throw new MalformedFrameError('malformed_json', 'snapshot body is not valid JSON');
    }
  } else o = body;
  if (o === null || typeof o !== 'object')
    throw new MalformedFrameError('invalid_field', 'snapshot must be an object');
  const id = o.lastUpdateId;
  if (typeof id !== 'number' || !Number.isSafeInteger(id) || id < 0)
    throw new MalformedFrameError('invalid_field', 'snapshot lastUpdateId must be a non-negative integer');
  if (!Array.isArray(o.bids) || !Array.isArray(o.asks))
    throw new MalformedFrameError('invalid_field', 'snapshot bids/asks must be arrays');
  return {
    type: 'book_snapshot',
    instrument,
    exchangeTs: typeof o.E === 'number' ? o.E : NaN,
    localTs,
    sequence: id,
    bids: o.bids as WireLevel[],
    asks: o.asks as WireLevel[],
    depthLimit,
  };
}
