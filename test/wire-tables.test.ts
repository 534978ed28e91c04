/**
 * A frame naming a channel, market type or table that is an Object.prototype member (`constructor`,
 * `toString`, `__proto__`, `hasOwnProperty`) is an unknown stream like any other unlisted name: the
 * parsers' lookup tables (feeds/fields.ts `wireTable`) have no prototype. With plain object literals
 * these names found Object.prototype's functions and passed as known streams (Bitget built events for
 * the instrument `function Object() { [native code] }:BTCUSDT`).
 */
import { describe, expect, it } from 'vitest';
import { BitgetParser } from '../src/feeds/bitget/parser.ts';
import { GateioParser } from '../src/feeds/gateio/parser.ts';
import { OkxV5Parser } from '../src/feeds/okx/parser-v5.ts';
import { BitmexParser } from '../src/feeds/bitmex/parser.ts';
import { MalformedFrameError } from '../src/core/errors.ts';

const NAMES = ['constructor', 'toString', '__proto__', 'hasOwnProperty', 'valueOf'];

/** The typed error code a parse throws, or what it returned when it did not throw. */
function outcome(f: () => unknown): string {
  try {
    return `returned ${JSON.stringify(f())}`;
  } catch (e) {
    return e instanceof MalformedFrameError ? e.code : `threw ${(e as Error).constructor.name}`;
  }
}

describe('prototype member names in frames are unknown streams', () => {
  it.each(NAMES)('Bitget instType and channel %s', (name) => {
    const push = (instType: string, channel: string): string =>
      JSON.stringify({
        action: 'snapshot',
        arg: { instType, channel, instId: 'BTCUSDT' },
        data: [{ asks: [['100', '1']], bids: [['99', '1']], ts: '1' }],
        ts: 1,
      });
    expect(outcome(() => new BitgetParser().parse(push(name, 'books'), 0))).toBe('unknown_stream');
    expect(outcome(() => new BitgetParser().parse(push('SPOT', name), 0))).toBe('unknown_stream');
  });

  it.each(NAMES)('Gate.io channel prefix %s', (name) => {
    const frame = JSON.stringify({
      time: 1,
      channel: `${name}.order_book_update`,
      event: 'update',
      result: { t: 1, e: 'depthUpdate', E: 1, s: 'BTC_USDT', U: 1, u: 2, b: [['99', '1']], a: [] },
    });
    expect(outcome(() => new GateioParser().parse(frame, 0))).toBe('unknown_stream');
  });

  it.each(NAMES)('OKX book channel %s', (name) => {
    const frame = JSON.stringify({
      arg: { channel: name, instId: 'BTC-USDT' },
      action: 'snapshot',
      data: [{ asks: [['100', '1', '0', '1']], bids: [['99', '1', '0', '1']], ts: '1', checksum: 0 }],
    });
    expect(outcome(() => new OkxV5Parser('okx').parse(frame, 0))).toBe('unknown_stream');
  });

  it.each(NAMES)('BitMEX table %s', (name) => {
    const frame = JSON.stringify({
      table: name,
      action: 'partial',
      data: [{ symbol: 'XBTUSD', id: 1, side: 'Buy', size: 1, price: 100 }],
    });
    expect(outcome(() => new BitmexParser().parse(frame, 0))).toBe('unknown_stream');
  });
});
