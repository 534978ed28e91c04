/**
 * Golden normalized events for Binance: real frames of the hftbacktest recordings (spot, USD-M, COIN-M)
 * and the exact events they must become, through the scanner (parse) and the JSON.parse path alike.
 */
import { describe, expect, it } from 'vitest';
import { readFrameTexts } from '../../../test/recorded-texts.ts';
import type { MarketEvent } from '../../core/model.ts';
import { BinanceParser } from './parser.ts';
import { parseBinanceSnapshot } from './snapshot.ts';

const SPOT_DEPTH =
  '{"stream":"btcusdt@depth@100ms","data":{"e":"depthUpdate","E":1723161255208,"s":"BTCUSDT","U":50093239189,"u":50093239202,"b":[["61737.63000000","0.00000000"],["61730.17000000","0.00000000"],["56854.58000000","0.00000000"]],"a":[["61837.64000000","1.54698000"],["61839.85000000","0.00000000"],["61839.86000000","0.00000000"],["61845.11000000","0.32329000"],["61848.49000000","0.00000000"],["61855.45000000","0.32323000"],["61862.51000000","0.05041000"],["61862.52000000","0.00000000"],["61937.64000000","0.02000000"]]}}';
const SPOT_TRADE =
  '{"stream":"btcusdt@trade","data":{"e":"trade","E":1723161255343,"s":"BTCUSDT","t":3735683259,"p":"61837.63000000","q":"0.02000000","T":1723161255342,"m":true,"M":true}}';
const SPOT_BBO =
  '{"stream":"btcusdt@bookTicker","data":{"u":50093239212,"s":"BTCUSDT","b":"61837.63000000","B":"3.78826000","a":"61837.64000000","A":"1.54698000"}}';
const USDM_TRADE =
  '{"stream":"btcusdt@trade","data":{"e":"trade","E":1723161256322,"T":1723161256322,"s":"BTCUSDT","t":5266583935,"p":"61800.30","q":"0.006","X":"MARKET","m":false}}';
const USDM_BBO =
  '{"stream":"btcusdt@bookTicker","data":{"e":"bookTicker","u":5123107839020,"s":"BTCUSDT","b":"61800.20","B":"2.507","a":"61800.30","A":"2.510","T":1723161256313,"E":1723161256313}}';
const CM_TRADE =
  '{"stream":"btcusd_perp@trade","data":{"e":"trade","E":1723161257687,"T":1723161257679,"s":"BTCUSD_PERP","t":849714402,"p":"61804.8","q":"4","X":"MARKET","m":false}}';
const CM_BBO =
  '{"stream":"btcusd_perp@bookTicker","data":{"u":1007198632021,"e":"bookTicker","s":"BTCUSD_PERP","ps":"BTCUSD","b":"61804.7","B":"35","a":"61804.8","A":"1645","T":1723161257465,"E":1723161257476}}';

/** The expected trade event from `"<instrument> <exchangeTs> <id> <price> <size> <side>"`. */
function trade(spec: string): MarketEvent {
  const [instrument, ts, id, price, size, side] = spec.split(' ') as [
    string,
    string,
    string,
    string,
    string,
    'buy',
  ];
  return { type: 'trade', instrument, exchangeTs: Number(ts), localTs: 7, id, price, size, side };
}

/** The expected bbo event from `"<instrument> <exchangeTs> <u> <bidPrice> <bidSize> <askPrice> <askSize>"`. */
function bbo(spec: string): MarketEvent {
  const [instrument, ts, u, bidPrice, bidSize, askPrice, askSize] = spec.split(' ') as string[] as [
    string,
    string,
    string,
    string,
    string,
    string,
    string,
  ];
  return {
    type: 'bbo',
    instrument,
    exchangeTs: Number(ts),
    localTs: 7,
    sequence: Number(u),
    bidPrice,
    bidSize,
    askPrice,
    askSize,
  };
}

/** Both paths give exactly `expected` (same fields, same order). */
function golden(p: BinanceParser, frame: string, expected: MarketEvent): void {
  const fast = p.parse(frame, 7);
  const slow = p.parseJson(frame, 7);
  expect(fast).toEqual([expected]);
  expect(slow).toEqual([expected]);
  expect(Object.keys(fast[0]!)).toEqual(Object.keys(expected));
  expect(Object.keys(slow[0]!)).toEqual(Object.keys(expected));
}

describe('Binance golden frames (binance-hftbacktest 2024-08-08)', () => {
  it('the golden frames are real frames of the recordings', () => {
    const spot = readFrameTexts('spot/btcusdt_20240808.gz', 200);
    const usdm = readFrameTexts('usdm/btcusdt_20240808.gz', 200);
    const cm = readFrameTexts('cm/btcusd_perp_20240808.gz', 200);
    for (const f of [SPOT_DEPTH, SPOT_TRADE, SPOT_BBO]) expect(spot).toContain(f);
    for (const f of [USDM_TRADE, USDM_BBO]) expect(usdm).toContain(f);
    for (const f of [CM_TRADE, CM_BBO]) expect(cm).toContain(f);
  });

  it('spot depthUpdate → BookDelta (U/u, no pu), trade (m: buyer maker → sell), bookTicker without e/E', () => {
    const p = new BinanceParser('binance');
    golden(p, SPOT_DEPTH, {
      type: 'book_delta',
      instrument: 'binance:BTCUSDT',
      exchangeTs: 1723161255208,
      localTs: 7,
      firstSequence: 50093239189,
      sequence: 50093239202,
      prevSequence: NaN,
      bids: [
        ['61737.63000000', '0.00000000'],
        ['61730.17000000', '0.00000000'],
        ['56854.58000000', '0.00000000'],
      ],
      asks: [
        ['61837.64000000', '1.54698000'],
        ['61839.85000000', '0.00000000'],
        ['61839.86000000', '0.00000000'],
        ['61845.11000000', '0.32329000'],
        ['61848.49000000', '0.00000000'],
        ['61855.45000000', '0.32323000'],
        ['61862.51000000', '0.05041000'],
        ['61862.52000000', '0.00000000'],
        ['61937.64000000', '0.02000000'],
      ],
    });
    golden(p, SPOT_TRADE, trade('binance:BTCUSDT 1723161255342 3735683259 61837.63000000 0.02000000 sell'));
    golden(
      p,
      SPOT_BBO,
      bbo('binance:BTCUSDT NaN 50093239212 61837.63000000 3.78826000 61837.64000000 1.54698000'),
    );
  });

  it('USD-M depthUpdate carries pu; trade time T; bookTicker E', () => {
    const p = new BinanceParser('binance-usdm');
    const depth = readFrameTexts('usdm/btcusdt_20240808.gz', 5).find((f) => f.includes('depthUpdate'))!;
    const [d] = p.parse(depth, 7);
    expect(d).toMatchObject({
      type: 'book_delta',
      instrument: 'binance-usdm:BTCUSDT',
      exchangeTs: 1723161256299,
      firstSequence: 5123107832006,
      sequence: 5123107837557,
      prevSequence: 5123107831937,
    });
    expect(p.parseJson(depth, 7)).toEqual([d]);
    golden(p, USDM_TRADE, trade('binance-usdm:BTCUSDT 1723161256322 5266583935 61800.30 0.006 buy'));
    golden(
      p,
      USDM_BBO,
      bbo('binance-usdm:BTCUSDT 1723161256313 5123107839020 61800.20 2.507 61800.30 2.510'),
    );
  });

  it('COIN-M frames with the ps pair key; the REST snapshot line', () => {
    const p = new BinanceParser('binance-coinm');
    golden(p, CM_TRADE, trade('binance-coinm:BTCUSD_PERP 1723161257679 849714402 61804.8 4 buy'));
    golden(p, CM_BBO, bbo('binance-coinm:BTCUSD_PERP 1723161257476 1007198632021 61804.7 35 61804.8 1645'));
    const snapLine = readFrameTexts('cm/btcusd_perp_20240808.gz', 100).find((f) =>
      f.startsWith('{"lastUpdateId"'),
    )!;
    const s = parseBinanceSnapshot(snapLine, 'binance-coinm:BTCUSD_PERP', 7, 1000);
    expect(s).toMatchObject({ sequence: 1007198635033, exchangeTs: 1723161257835, depthLimit: 1000 });
    expect(s.bids[0]).toEqual(['61804.7', '35']);
  });

  it('bad frames are typed drops on both paths', () => {
    const p = new BinanceParser('binance');
    const bad = SPOT_TRADE.replace('"m":true', '"m":"yes"');
    expect(() => p.parse(bad, 0)).toThrow(expect.objectContaining({ code: 'invalid_field' }));
    expect(() => p.parse('{"stream":"x","data":{"e":"kline","s":"A"}}', 0)).toThrow(
      expect.objectContaining({ code: 'unknown_stream' }),
    );
    expect(() => parseBinanceSnapshot('{"lastUpdateId":-1,"bids":[],"asks":[]}', 'binance:A', 0, 0)).toThrow(
      expect.objectContaining({ code: 'invalid_field' }),
    );
    expect(p.parse('{"result":null,"id":1}', 0)).toEqual([]);
  });
});
