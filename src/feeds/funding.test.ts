/**
 * Funding parsers of every venue against the documentation's example frames (each quoted with its doc
 * section), malformed frames dropped and counted through the Engine, and the perpetual test behind the
 * subscriptions.
 */
import { describe, expect, it } from 'vitest';
import { MalformedFrameError } from '../core/errors.ts';
import type { Funding, MarketEvent } from '../core/model.ts';
import { venue, venues, venueSync } from './registry.ts';
import { Engine } from '../pipeline/engine.ts';
import { InProcessBus } from '../bus/in-process.ts';
import type { OutputTopics } from '../alerts/topics.ts';
import { isPerpetualSymbol } from './funding.ts';
import { eventProblem } from '../bus/event-check.ts';

const T0 = 1_700_000_000_000;

function parse(v: string, text: string): readonly MarketEvent[] {
  return venue(v).createParser().parse(text, T0);
}

function only(v: string, text: string): Funding {
  const out = parse(v, text);
  expect(out).toHaveLength(1);
  const f = out[0]!;
  if (f.type !== 'funding') throw new Error(`expected funding, got ${f.type}`);
  expect(eventProblem(f)).toBeNull();
  return f;
}

describe('Binance mark price stream (Derivatives "Websocket Market Streams > Mark Price Stream")', () => {
  // USD-M response example, wrapped in the combined-stream envelope the connector subscribes with.
  const usdm =
    '{"stream":"btcusdt@markPrice@1s","data":{"e":"markPriceUpdate","E":1562305380000,"s":"BTCUSDT","p":"11794.15000000","i":"11784.62659091","P":"11784.25641265","r":"0.00038167","T":1562306400000}}';

  it('USD-M: r, T, p, i, E; 8 h documented default interval', () => {
    expect(only('binance-usdm', usdm)).toEqual({
      type: 'funding',
      instrument: 'binance-usdm:BTCUSDT',
      venue: 'binance-usdm',
      exchangeTs: 1562305380000,
      localTs: T0,
      fundingRate: '0.00038167',
      intervalHours: 8,
      nextFundingTime: 1562306400000,
      markPrice: '11794.15000000',
      indexPrice: '11784.62659091',
    });
  });

  it('learns the interval from T moving to the next settlement on the connection', () => {
    const p = venue('binance-usdm').createParser();
    p.parse(usdm, T0);
    const later = usdm.replace('"T":1562306400000', `"T":${1562306400000 + 4 * 3_600_000}`);
    const [f] = p.parse(later, T0) as Funding[];
    expect(f!.intervalHours).toBe(4);
  });

  it('COIN-M: the documented delivery-symbol example (r "", T 0) gives no funding event', () => {
    const coinmDelivery =
      '{"stream":"btcusd_201225@markPrice","data":{"e":"markPriceUpdate","E":1596095725000,"s":"BTCUSD_201225","p":"10934.62615417","P":"10962.17178236","i":"10933.62615417","r":"","T":0}}';
    expect(parse('binance-coinm', coinmDelivery)).toEqual([]);
    const perp = coinmDelivery
      .replaceAll('BTCUSD_201225', 'BTCUSD_PERP')
      .replaceAll('btcusd_201225', 'btcusd_perp')
      .replace('"r":"","T":0', '"r":"0.00010000","T":1596096000000');
    expect(only('binance-coinm', perp)).toMatchObject({
      instrument: 'binance-coinm:BTCUSD_PERP',
      fundingRate: '0.00010000',
      nextFundingTime: 1596096000000,
      markPrice: '10934.62615417',
    });
  });

  it('subscribes @markPrice@1s for perpetuals only', () => {
    const url = venue('binance-usdm').subscribe('ws://x', ['BTCUSDT', 'BTCUSDT_250328']).url;
    expect(url).toContain('btcusdt@markPrice@1s');
    expect(url).not.toContain('btcusdt_250328@markPrice');
    expect(venue('binance').subscribe('ws://x', ['BTCUSDT']).url).not.toContain('markPrice');
    expect(venue('binance-coinm').subscribe('ws://x', ['BTCUSD_PERP']).url).toContain(
      'btcusd_perp@markPrice@1s',
    );
  });
});

describe('OKX v5 "Public Data > WebSocket > Funding rate channel"', () => {
  // Push data example of the channel.
  const push =
    '{"arg":{"channel":"funding-rate","instId":"BTC-USD-SWAP"},"data":[{"formulaType":"noRate","fundingRate":"0.0001875391284828","fundingTime":"1700726400000","impactValue":"","instId":"BTC-USD-SWAP","instType":"SWAP","interestRate":"","maxFundingRate":"0.00375","method":"current_period","minFundingRate":"-0.00375","nextFundingRate":"","nextFundingTime":"1700755200000","premium":"0.0001233824646391","settFundingRate":"0.0001699799259033","settState":"settled","ts":"1700724675402"}]}';

  it('fundingRate; next settlement = fundingTime; interval = nextFundingTime − fundingTime', () => {
    expect(only('okx', push)).toEqual({
      type: 'funding',
      instrument: 'okx:BTC-USD-SWAP',
      venue: 'okx',
      exchangeTs: 1700724675402,
      localTs: T0,
      fundingRate: '0.0001875391284828',
      intervalHours: 8,
      nextFundingTime: 1700726400000,
    });
  });

  it('subscribes funding-rate for -SWAP instruments only', () => {
    const msgs = venue('okx').subscribe('ws://x', ['BTC-USDT', 'BTC-USDT-SWAP']).messages.join('');
    expect(msgs).toContain('{"channel":"funding-rate","instId":"BTC-USDT-SWAP"}');
    expect(msgs).not.toContain('{"channel":"funding-rate","instId":"BTC-USDT"}');
  });
});

describe('Bybit v5 "WebSocket Stream > Public > Ticker" (linear)', () => {
  // Linear response example (snapshot), then a delta carrying only the changed fields.
  const snapshot =
    '{"topic":"tickers.BTCUSDT","type":"snapshot","data":{"symbol":"BTCUSDT","tickDirection":"PlusTick","price24hPcnt":"0.017103","lastPrice":"17216.00","prevPrice24h":"16926.50","highPrice24h":"17281.50","lowPrice24h":"16915.00","prevPrice1h":"17238.00","markPrice":"17217.33","indexPrice":"17227.36","openInterest":"68744.761","openInterestValue":"1183601235.91","turnover24h":"1570383121.943499","volume24h":"91705.276","nextFundingTime":"1673280000000","fundingRate":"-0.000212","bid1Price":"17215.50","bid1Size":"84.489","ask1Price":"17216.00","ask1Size":"83.020"},"cs":24987956059,"ts":1673272861686}';

  it('snapshot, then deltas merged into it; price-only deltas give nothing', () => {
    const p = venue('bybit-linear').createParser();
    const [s] = p.parse(snapshot, T0) as Funding[];
    expect(s).toEqual({
      type: 'funding',
      instrument: 'bybit-linear:BTCUSDT',
      venue: 'bybit-linear',
      exchangeTs: 1673272861686,
      localTs: T0,
      fundingRate: '-0.000212',
      intervalHours: 8,
      nextFundingTime: 1673280000000,
      markPrice: '17217.33',
      indexPrice: '17227.36',
    });
    const priceOnly =
      '{"topic":"tickers.BTCUSDT","type":"delta","data":{"symbol":"BTCUSDT","bid1Price":"17215.00"},"cs":24987956060,"ts":1673272861786}';
    expect(p.parse(priceOnly, T0)).toEqual([]);
    const mark =
      '{"topic":"tickers.BTCUSDT","type":"delta","data":{"symbol":"BTCUSDT","markPrice":"17218.01"},"cs":24987956061,"ts":1673272861886}';
    expect(p.parse(mark, T0)).toEqual([{ ...s, markPrice: '17218.01', exchangeTs: 1673272861886 }]);
  });

  it('a delta before any snapshot gives nothing (no base to merge into)', () => {
    const d =
      '{"topic":"tickers.ETHUSDT","type":"delta","data":{"symbol":"ETHUSDT","fundingRate":"0.0001"},"ts":1}';
    expect(parse('bybit-linear', d)).toEqual([]);
  });

  it('subscribes tickers for perpetuals only', () => {
    const msgs = venue('bybit-linear').subscribe('ws://x', ['BTCUSDT', 'BTC-27DEC24']).messages.join('');
    expect(msgs).toContain('"tickers.BTCUSDT"');
    expect(msgs).not.toContain('tickers.BTC-27DEC24');
  });
});

describe('Gate.io Futures WebSocket v4 "Tickers API" (futures.tickers)', () => {
  // Notification example of the channel.
  const update =
    '{"time":1541659086,"channel":"futures.tickers","event":"update","error":null,"result":[{"contract":"BTC_USD","last":"118.4","change_percentage":"0.77","funding_rate":"-0.000114","funding_rate_indicative":"0.01875","mark_price":"118.35","index_price":"118.36","total_size":"73648","volume_24h":"745487577","volume_24h_btc":"117","volume_24h_usd":"419950","quanto_base_rate":"","volume_24h_quote":"1665006","volume_24h_settle":"178","volume_24h_base":"5526","low_24h":"99.2","high_24h":"132.5"}]}';

  it('funding_rate, funding_rate_indicative, mark_price, index_price; time in s', () => {
    expect(only('gateio-futures', update)).toEqual({
      type: 'funding',
      instrument: 'gateio-futures:BTC_USD',
      venue: 'gateio-futures',
      exchangeTs: 1541659086000,
      localTs: T0,
      fundingRate: '-0.000114',
      intervalHours: 8,
      nextFundingTime: NaN,
      markPrice: '118.35',
      indexPrice: '118.36',
      predictedRate: '0.01875',
    });
  });

  it('spot tickers stay ignored; futures subscribe futures.tickers', () => {
    expect(parse('gateio', update.replace('futures.tickers', 'spot.tickers'))).toEqual([]);
    const msgs = venue('gateio-futures').subscribe('ws://x', ['BTC_USDT']).messages.join('');
    expect(msgs).toContain('"channel":"futures.tickers"');
    expect(venue('gateio').subscribe('ws://x', ['BTC_USDT']).messages.join('')).not.toContain('tickers');
  });
});

describe('Hyperliquid "WebSocket > Subscriptions" activeAssetCtx', () => {
  it('funding (hourly), markPx, oraclePx; next funding the next whole hour', () => {
    const msg =
      '{"channel":"activeAssetCtx","data":{"coin":"BTC","ctx":{"dayNtlVlm":"1169046.29406","prevDayPx":"15.322","markPx":"14.3161","midPx":"14.314","funding":"0.0000125","openInterest":"688.11","oraclePx":"14.32","premium":"0.00031774","impactPxs":["14.3118","14.3162"],"dayBaseVlm":"81320.0"}}}';
    expect(only('hyperliquid', msg)).toEqual({
      type: 'funding',
      instrument: 'hyperliquid:BTC',
      venue: 'hyperliquid',
      exchangeTs: NaN,
      localTs: T0,
      fundingRate: '0.0000125',
      intervalHours: 1,
      nextFundingTime: 1_700_002_800_000,
      markPrice: '14.3161',
      indexPrice: '14.32',
    });
  });

  it('a spot context (no funding) gives nothing; numbers are accepted as the docs type them', () => {
    const spot = '{"channel":"activeAssetCtx","data":{"coin":"@107","ctx":{"markPx":"1","midPx":"1"}}}';
    expect(parse('hyperliquid', spot)).toEqual([]);
    const num =
      '{"channel":"activeAssetCtx","data":{"coin":"ETH","ctx":{"markPx":3227.4,"funding":1.25e-5,"oraclePx":3230.1}}}';
    expect(only('hyperliquid', num)).toMatchObject({ fundingRate: '0.0000125', markPrice: '3227.4' });
  });
});

describe('Kraken Futures "WebSocket API v1 > Public feeds > Ticker"', () => {
  // Subscription data example of the feed.
  const ticker =
    '{"time":1612270825253,"product_id":"PI_XBTUSD","funding_rate":1.18588737106e-7,"funding_rate_prediction":1.1852486794e-7,"relative_funding_rate":0.000004234411,"relative_funding_rate_prediction":0.000004234411,"next_funding_rate_time":1612281600000,"feed":"ticker","bid":34832.5,"ask":34847.5,"bid_size":42864,"ask_size":2300,"volume":262306237,"dtm":0,"leverage":"50x","index":34803.45,"premium":0.1,"last":34852,"change":2.995109121267192,"suspended":false,"tag":"perpetual","pair":"XBT:USD","openInterest":118133,"markPrice":34843.5,"maturityTime":0,"post_only":false,"volumeQuote":262306237}';

  it('relative_funding_rate as the rate, exact digits kept; next_funding_rate_time; hourly', () => {
    expect(only('kraken-futures', ticker)).toEqual({
      type: 'funding',
      instrument: 'kraken-futures:PI_XBTUSD',
      venue: 'kraken-futures',
      exchangeTs: 1612270825253,
      localTs: T0,
      fundingRate: '0.000004234411',
      intervalHours: 1,
      nextFundingTime: 1612281600000,
      markPrice: '34843.5',
      indexPrice: '34803.45',
      predictedRate: '0.000004234411',
    });
  });

  it('a dated future ticker gives nothing; perpetuals subscribe the ticker feed', () => {
    const dated =
      '{"time":1612270825253,"product_id":"FI_XBTUSD_210924","feed":"ticker","bid":34832.5,"tag":"quarter","markPrice":35000}';
    expect(parse('kraken-futures', dated)).toEqual([]);
    const msgs = venue('kraken-futures').subscribe('ws://x', ['PI_XBTUSD', 'FI_XBTUSD_210924']).messages;
    expect(msgs).toContain('{"event":"subscribe","feed":"ticker","product_ids":["PI_XBTUSD"]}');
  });
});

describe('malformed funding frames: typed error, dropped and counted, no book created', () => {
  const bad: [string, string, string][] = [
    [
      'binance-usdm',
      '{"stream":"btcusdt@markPrice","data":{"e":"markPriceUpdate","E":1,"s":"BTCUSDT","p":"1","i":"1","r":"abc","T":2}}',
      'invalid_field',
    ],
    [
      'binance-usdm',
      '{"stream":"btcusdt@markPrice","data":{"e":"markPriceUpdate","E":1,"p":"1","r":"0.1","T":2}}',
      'invalid_field',
    ],
    [
      'okx',
      '{"arg":{"channel":"funding-rate","instId":"BTC-USD-SWAP"},"data":[{"instId":"BTC-USD-SWAP","fundingTime":"x"}]}',
      'invalid_field',
    ],
    [
      'bybit-linear',
      '{"topic":"tickers.BTCUSDT","type":"snapshot","data":{"symbol":"BTCUSDT","markPrice":"1"},"ts":1}',
      'invalid_field',
    ],
    [
      'gateio-futures',
      '{"time":1,"channel":"futures.tickers","event":"update","result":[{"contract":"BTC_USDT","funding_rate":true}]}',
      'invalid_field',
    ],
    [
      'hyperliquid',
      '{"channel":"activeAssetCtx","data":{"coin":"BTC","ctx":{"funding":"1x"}}}',
      'invalid_field',
    ],
    [
      'kraken-futures',
      '{"feed":"ticker","product_id":"PI_XBTUSD","tag":"perpetual","relative_funding_rate":"zz","time":1}',
      'invalid_field',
    ],
  ];

  it.each(bad)('%s: %s', (v, text, code) => {
    let err: unknown;
    try {
      venue(v).createParser().parse(text, T0);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(MalformedFrameError);
    expect((err as MalformedFrameError).code).toBe(code);
    const engine = new Engine({ sync: venueSync(venues), bus: new InProcessBus<OutputTopics>() });
    engine.handleFrame(v, venue(v).createParser(), text, T0);
    expect(engine.dropped[v]).toEqual({ [code]: 1 });
    expect(engine.funding.size).toBe(0);
    expect(engine.books.size).toBe(0);
  });
});

describe("perpetual symbols (the instrument model and the venues' naming rules)", () => {
  it.each([
    ['binance-usdm', 'BTCUSDT', true],
    ['binance-usdm', 'BTCUSDT_250328', false],
    ['binance-coinm', 'BTCUSD_PERP', true],
    ['binance-coinm', 'BTCUSD_250328', false],
    ['okx', 'BTC-USDT-SWAP', true],
    ['okx', 'BTC-USDT-250328', false],
    ['bybit-linear', 'BTCPERP', true],
    ['bybit-linear', 'BTC-27DEC24', false],
    ['kraken-futures', 'PF_XBTUSD', true],
    ['kraken-futures', 'FI_XBTUSD_210924', false],
    ['hyperliquid', 'BTC', true],
    ['binance', 'BTCUSDT', false],
  ])('%s %s → %s', (v, s, perp) => {
    expect(isPerpetualSymbol(v, s)).toBe(perp);
  });
});

describe('funding frames with any one field replaced: a typed error or a valid event, never a crash', () => {
  const examples: [string, string][] = [
    [
      'binance-usdm',
      '{"stream":"btcusdt@markPrice","data":{"e":"markPriceUpdate","E":1,"s":"BTCUSDT","p":"1.5","i":"1.4","P":"1.4","r":"0.0001","T":28800000}}',
    ],
    [
      'okx',
      '{"arg":{"channel":"funding-rate","instId":"BTC-USD-SWAP"},"data":[{"instId":"BTC-USD-SWAP","fundingRate":"0.0001","nextFundingRate":"","fundingTime":"1700726400000","nextFundingTime":"1700755200000","ts":"1700724675402"}]}',
    ],
    [
      'bybit-linear',
      '{"topic":"tickers.BTCUSDT","type":"snapshot","data":{"symbol":"BTCUSDT","markPrice":"1","indexPrice":"1","nextFundingTime":"1673280000000","fundingRate":"-0.000212"},"ts":1}',
    ],
    [
      'gateio-futures',
      '{"time":1,"time_ms":1000,"channel":"futures.tickers","event":"update","result":[{"contract":"BTC_USDT","funding_rate":"0.0001","funding_rate_indicative":"0.0001","mark_price":"1","index_price":"1"}]}',
    ],
    [
      'hyperliquid',
      '{"channel":"activeAssetCtx","data":{"coin":"BTC","ctx":{"markPx":"1","funding":"0.0000125","oraclePx":"1"}}}',
    ],
    [
      'kraken-futures',
      '{"time":1,"product_id":"PI_XBTUSD","relative_funding_rate":0.0001,"next_funding_rate_time":3600000,"feed":"ticker","index":1,"markPrice":1,"tag":"perpetual"}',
    ],
  ];
  const replacements: unknown[] = [null, {}, [], 'x', '', -1, 1e300, true, '1e-9'];

  it.each(examples)('%s', (v, text) => {
    const frame = JSON.parse(text) as Record<string, unknown>;
    // The object holding the funding fields: the frame, or its data / data[0] / result[0] / data.ctx.
    const d0 = frame.data ?? frame.result;
    const inner = (Array.isArray(d0) ? d0[0] : d0) as Record<string, unknown> | undefined;
    const target = (inner?.ctx ?? inner ?? frame) as Record<string, unknown>;
    let cases = 0;
    for (const key of Object.keys(target))
      for (const r of replacements) {
        const saved = target[key];
        target[key] = r;
        const mutated = JSON.stringify(frame);
        target[key] = saved;
        cases++;
        let out: readonly MarketEvent[];
        try {
          out = venue(v).createParser().parse(mutated, T0);
        } catch (e) {
          expect(e, `${key}=${JSON.stringify(r)}`).toBeInstanceOf(MalformedFrameError);
          continue;
        }
        for (const e of out) expect(eventProblem(e), `${key}=${JSON.stringify(r)}: ${mutated}`).toBeNull();
      }
    expect(cases).toBeGreaterThanOrEqual(27);
  });
});
