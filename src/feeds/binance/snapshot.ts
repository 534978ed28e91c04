/**
 * Binance REST depth snapshot: `GET /api/v3/depth` (spot), `/fapi/v1/depth` (USD-M), `/dapi/v1/depth`
 * (COIN-M), body `{"lastUpdateId":N,"bids":[[p,q]..],"asks":[[p,q]..]}` (futures add `E`, `T`).
 * Follows: Binance Spot API "Market Data endpoints / Order Book" and Derivatives "Order Book".
 */
import type { BookSnapshot, InstrumentId } from '../../core/model.ts';
import { levelList, parseObject, reqJsonUint, type Json } from '../fields.ts';

/**
 * Parse a depth snapshot body (already-parsed object or text).
 * @param depthLimit the `limit` the snapshot was requested with (bounds coverage), 0 if unknown/full
 * @throws {MalformedFrameError} when the body is not a valid depth snapshot (`malformed_json`,
 *   `invalid_field`)
 */
export function parseBinanceSnapshot(
  body: string | Json,
  instrument: InstrumentId,
  localTs: number,
  depthLimit: number,
): BookSnapshot {
  const o = typeof body === 'string' ? parseObject(body) : body;
  return {
    type: 'book_snapshot',
    instrument,
    exchangeTs: typeof o.E === 'number' ? o.E : NaN,
    localTs,
    sequence: reqJsonUint(o.lastUpdateId, 'snapshot lastUpdateId', instrument),
    bids: levelList(o.bids, 'snapshot bids', instrument),
    asks: levelList(o.asks, 'snapshot asks', instrument),
    depthLimit,
  };
}
