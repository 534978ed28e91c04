/**
 * Kraken spot WebSocket v1 frame parser (the protocol of the kraken-2021-04 recordings).
 *
 * Follows: Kraken API docs, "Spot WebSocket API v1": `book-<depth>` payloads
 * `[channelID, {"as","bs"}, "book-N", pair]` for the snapshot and `[channelID, {"a"}, {"b","c"},
 * "book-N", pair]` for updates, levels `[price, volume, timestamp(, "r")]` with `r` marking a level
 * republished into scope; `trade` payloads `[channelID, [[price, volume, time, side b|s, orderType,
 * misc]], "trade", pair]`; control objects with `event` (heartbeat, systemStatus, subscriptionStatus,
 * pong); and the guide "Spot Websockets (v1) Book Checksum" (`c` on updates, none on snapshots).
 *
 * Field rules:
 * - instrument: `kraken:<pair>` as v1 spells it (`XBT/USD`).
 * - Prices/sizes are the wire strings. exchangeTs: the latest level/trade time (seconds with µs → ms);
 *   NaN when none.
 * - checksum: the unsigned 32-bit `c` string. No sequence numbers: sequence/prevSequence NaN (the
 *   descriptor's rule is `unsequencedRule`).
 * - Trades have no id: the id is `<time>#<index in frame>`.
 * - A v2 frame (an object with `channel` or `method`) on a v1 connection is a typed `unsupported` error.
 */
import { MalformedFrameError, invalidField } from '../../core/errors.ts';
import type { MarketEvent, Trade, WireLevel } from '../../core/model.ts';
import { unsequencedDelta } from '../events.ts';
import { isObject, levelList, optChecksum, optTime, parseJson, reqString, takerSide } from '../fields.ts';
import type { FeedParser } from '../types.ts';

function maxLevelTime(levels: readonly WireLevel[], acc: number): number {
  for (const l of levels) {
    const t = Array.isArray(l) && typeof l[2] === 'string' ? Number(l[2]) * 1000 : NaN;
    if (t > acc || Number.isNaN(acc)) acc = Number.isNaN(t) ? acc : t;
  }
  return acc;
}

/** Parser for one Kraken v1 connection. Stateless. */
export class KrakenV1Parser implements FeedParser {
  parse(text: string, localTs: number): readonly MarketEvent[] {
    const msg = parseJson(text);
    if (Array.isArray(msg)) return this.channel(msg, localTs);
    if (!isObject(msg))
      throw new MalformedFrameError('invalid_field', 'frame must be a JSON object or array');
    if (typeof msg.event !== 'string')
      throw new MalformedFrameError('unsupported', 'Kraken v2 frame on a v1 connection');
    if (msg.event === 'subscriptionStatus' && msg.status === 'error')
      throw new MalformedFrameError('unsupported', `Kraken subscription error: ${String(msg.errorMessage)}`);
    return []; // heartbeat, systemStatus, subscriptionStatus, pong
  }

  private channel(arr: unknown[], localTs: number): MarketEvent[] {
    if (arr.length < 4) throw invalidField('v1 channel message too short');
    const channelName = arr[arr.length - 2];
    const pair = arr[arr.length - 1];
    if (typeof channelName !== 'string' || typeof pair !== 'string')
      throw invalidField('v1 message without channel name and pair');
    const instrument = `kraken:${pair}`;
    const payloads = arr.slice(1, -2);
    if (channelName === 'trade') return this.trades(payloads[0], instrument, localTs);
    if (channelName === 'ticker' || channelName === 'spread') return []; // no book state the engine uses
    if (!channelName.startsWith('book-'))
      throw new MalformedFrameError('unknown_stream', `unsupported Kraken v1 channel ${channelName}`);
    const depth = Number(channelName.slice(5));
    const first = payloads[0];
    if (!isObject(first)) throw invalidField('v1 book payload must be an object', instrument);
    if ('as' in first || 'bs' in first) {
      const asks = levelList(first.as ?? [], 'v1 snapshot as', instrument);
      const bids = levelList(first.bs ?? [], 'v1 snapshot bs', instrument);
      return [
        {
          type: 'book_snapshot',
          instrument,
          exchangeTs: maxLevelTime(bids, maxLevelTime(asks, NaN)),
          localTs,
          sequence: NaN,
          bids,
          asks,
          depthLimit: Number.isInteger(depth) ? depth : 0,
        },
      ];
    }
    let asks: WireLevel[] = [];
    let bids: WireLevel[] = [];
    let checksum: number | undefined;
    for (const p of payloads) {
      if (!isObject(p)) throw invalidField('v1 book update payload must be an object', instrument);
      if (p.a !== undefined) asks = asks.concat(levelList(p.a, 'v1 `a`', instrument));
      if (p.b !== undefined) bids = bids.concat(levelList(p.b, 'v1 `b`', instrument));
      if (p.c !== undefined) {
        if (typeof p.c !== 'string' || !/^\d{1,10}$/.test(p.c))
          throw invalidField('v1 checksum `c` must be an unsigned 32-bit integer string', instrument);
        checksum = optChecksum(p.c, instrument)! >>> 0;
      }
    }
    const exchangeTs = maxLevelTime(bids, maxLevelTime(asks, NaN));
    return [unsequencedDelta(instrument, exchangeTs, localTs, bids, asks, { checksum })];
  }

  private trades(v: unknown, instrument: string, localTs: number): Trade[] {
    if (!Array.isArray(v)) throw invalidField('v1 trade payload must be an array', instrument);
    return v.map((t: unknown, i): Trade => {
      if (!Array.isArray(t))
        throw invalidField('v1 trade must be [price, volume, time, side, ...]', instrument);
      const time = reqString(t[2], 'v1 trade time', instrument);
      return {
        type: 'trade',
        instrument,
        exchangeTs: optTime(time, 'v1 trade time', 's', instrument),
        localTs,
        id: `${time}#${i}`,
        price: reqString(t[0], 'v1 trade price', instrument),
        size: reqString(t[1], 'v1 trade volume', instrument),
        side: takerSide(t[3], 'v1 trade side', instrument),
      };
    });
  }
}
